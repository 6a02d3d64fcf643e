"""The seed claims of tests/seed_claims.py are the seed pages' examples, word for word.

The seed pages are fixtures of the repository (``tests/fixtures/seeds/``, verbatim copies of
the pages this project was created from), so every comparison runs in a plain clone.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from seed_claims import (
    EIDHUB_ACCEPTED_USERINFO,
    EIDHUB_ID_TOKEN,
    EIDHUB_JSON_USERINFO,
    EIDHUB_JWT_USERINFO,
    IDIN,
    MITID,
    SEED_DIR,
    SOURCES,
    YES_VERIFIED,
    seed,
    seed_examples,
    seed_jwt_payloads,
)

from eidgate.sandbox import _people


def _example(prefix: str, heading: str, n: int) -> Any:
    examples = seed_examples().get((prefix, heading))
    if not examples:
        pytest.fail(f"no JSON example under {heading!r} in seed page {prefix}")
    return examples[n]


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_seed_persons_are_the_seed_pages_examples(key: str) -> None:
    source = SOURCES[key]
    example = _example(source.page, source.heading, source.n)
    page = example["userInfo"] if source.page == "000" else example
    p = _people.person(key)
    assert p is not None and p.seed
    assert list(p.claims.items()) == [(k, v) for k, v in page.items() if k != "sub"]
    assert list(seed(key).items()) == list(page.items())  # same claims, values and order


def test_every_example_identity_of_seed_004_is_a_person() -> None:
    examples = {k: v for k, v in seed_examples().items() if k[0] == "004"}
    located = {(s.page, s.heading, s.n) for s in SOURCES.values()}
    for (prefix, heading), found in examples.items():
        for n, example in enumerate(found):
            if "sub" in example:
                assert (prefix, heading, n) in located, (heading, n)
    assert sum(len(v) for v in examples.values()) == 13


def test_eidhub_accepted_userinfo_is_the_pages() -> None:
    accepted = _example("000", "JSON format", 0)
    assert accepted["status"] == "accepted"
    page = accepted["providerSpecific"]["userInfo"]
    assert list(EIDHUB_ACCEPTED_USERINFO.items()) == list(page.items())


def test_eidhub_jwt_userinfo_is_the_pages() -> None:
    payloads = seed_jwt_payloads("000", "userInfo")
    assert len(payloads) == 2  # the format example and the "JWT not encrypted" process
    for payload in payloads:
        assert list(EIDHUB_JWT_USERINFO.items()) == list(payload.items())


def test_eidhub_id_token_is_the_pages() -> None:
    payloads = seed_jwt_payloads("000", "idToken")  # the other idToken is a JWE: unreadable
    assert len(payloads) == 1
    assert list(EIDHUB_ID_TOKEN.items()) == list(payloads[0].items())


def test_seed_claims_are_the_documents_examples() -> None:
    # A guard that runs without the pages: subjects and sizes, as counted in the seeds.
    assert (IDIN["sub"], len(IDIN)) == ("Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ", 23)
    assert (MITID["sub"], len(MITID)) == ("aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY", 21)
    assert (YES_VERIFIED["sub"], len(YES_VERIFIED)) == ("Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq", 33)
    assert len(EIDHUB_JSON_USERINFO) == 19
    assert len(EIDHUB_ID_TOKEN) == 22
    assert EIDHUB_ID_TOKEN["sub"] == EIDHUB_ACCEPTED_USERINFO["sub"]
    assert {**EIDHUB_ACCEPTED_USERINFO, "consumer.initials": "VJ"} == EIDHUB_JSON_USERINFO


# sha256 of the seed pages as this project received them: the fixtures are those pages,
# byte for byte (an edit to "fix" an example fails here, not silently in the tests above)
SEED_SHA256 = {
    "000_f00e0b9ea03ab768.txt": "724f89b32035b2570918d7d281a7647767cb054d3102c4115f4b356757a57467",
    "004_0228862f3da5f85d.txt": "85f8d6fb40960448e6c89e39171bd52e11ad98431f92ed4877c57ce074d67c3a",
}


def test_seed_fixtures_are_the_pages_verbatim() -> None:
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(SEED_DIR.glob("*.txt"))}
    assert found == SEED_SHA256

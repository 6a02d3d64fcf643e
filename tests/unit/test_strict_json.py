"""The provider's JSON, read strictly (RFC 8259, RFC 7493 I-JSON).

No NaN or Infinity constants, no numbers that overflow a NumericDate, no lone surrogates, no
member named twice (in claims or in a JOSE header): each would be read one way by eidgate and
another by some other parser, or crash later. The peer is the crafted provider
(tests/crafted.py), driven sans-IO, its answers tampered with by hand (tests/tampering.py);
each expectation comes from the clause cited beside it. A traceback of any exception other than
the one expected is a bug.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from tampering import b64url, raw_claims, swap_id_token
from unit_harness import Build, rejected

import eidgate
from eidgate import HttpResponse, ProviderError


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", '{"exp": NaN}',
                                  '{"exp": Infinity}', '[-Infinity]'])
def test_parse_json_refuses_non_standard_constants(text: str) -> None:
    # RFC 8259 6: "Numeric values that cannot be represented ... (such as Infinity and NaN)
    # are not permitted." Python's json.loads accepts them unless told not to.
    with pytest.raises(ValueError, match="JSON"):
        eidgate._json.parse_json(text)


@pytest.mark.parametrize(("name", "literal"), [
    ("exp", "Infinity"), ("exp", "NaN"), ("exp", "1e309"), ("exp", "1" + "0" * 400),
    ("iat", "-Infinity"), ("iat", "NaN"), ("nbf", "NaN"), ("auth_time", "1e999"),
    ("iat", "-" + "9" * 400),
])
def test_non_finite_or_overflowing_numeric_dates_are_rejected(
        harness: Build, name: str, literal: str) -> None:
    """RFC 7519 2: a NumericDate is a finite JSON number; `exp: Infinity` never expires."""
    h = harness()

    def text(claims: dict[str, Any]) -> str:
        claims[name] = "@@"
        return json.dumps(claims).replace('"@@"', literal)
    raw_claims(h.op, text)
    rejected(h, match="ID token")


@pytest.mark.parametrize("claim", ["nonce", "given_name"])
def test_lone_surrogates_in_claims_are_rejected(harness: Build, claim: str) -> None:
    """RFC 7493 2.1 (I-JSON): no lone surrogates. Python's json.loads lets "\ud800" through
    as a str that cannot be encoded: the nonce comparison or the session cookie would then
    crash with UnicodeEncodeError instead of refusing the token."""
    h = harness()
    raw_claims(h.op, lambda c: json.dumps({**c, claim: "\ud800"}))
    rejected(h, match="ID token")


def test_lone_surrogates_in_userinfo_are_rejected(harness: Build) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"},
        b'{"sub": "user-1", "family_name": "\\udc80"}')
    rejected(h, ProviderError, match="userinfo")


@pytest.mark.parametrize("text", ['"\\ud83d\\ude00"', '"\U0001F600"'])
def test_paired_surrogate_escapes_are_one_character(text: str) -> None:
    # RFC 8259 7: an astral character may be written as an escaped surrogate pair
    assert eidgate._json.parse_json(text.encode()) == "\U0001F600"
    assert eidgate._json.parse_json(text) == "\U0001F600"


def test_duplicate_claim_names_are_rejected(harness: Build) -> None:
    """RFC 7519 4 / RFC 7515 5.2: reject duplicate member names (we choose rejection over
    last-wins so that no other parser, e.g. an auditor reading the evidence, sees another
    ``sub`` than we did)."""
    h = harness()
    raw_claims(h.op, lambda c: json.dumps(c)[:-1] + ', "sub": "admin"}')
    rejected(h, match="ID token")


def test_duplicate_header_names_are_rejected(harness: Build) -> None:
    h = harness()

    def make(claims: dict[str, Any], _: str) -> str:
        key = h.op.keys[0]
        protected = b'{"alg": "RS256", "kid": "k1", "alg": "none"}'
        signing_input = f"{b64url(protected)}.{b64url(json.dumps(claims).encode())}"
        signature = jwt.get_algorithm_by_name("RS256").sign(signing_input.encode(),
                                                             key.private)
        return f"{signing_input}.{b64url(signature)}"
    swap_id_token(h.op, make)
    rejected(h, match="ID token")


@pytest.mark.parametrize("value", [True, False, "1800000300", [1800000300],
                                   {"t": 1800000300}, None])
def test_exp_of_the_wrong_json_type_is_rejected(harness: Build, value: Any) -> None:
    """RFC 7519 2 / 4.1.4: exp is a JSON number; a bool (a Python int) is not one."""
    h = harness()
    h.op.id_claims["exp"] = value
    rejected(h, match="exp")

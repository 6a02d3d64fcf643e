"""`eidgate.normalize` on Idura (formerly Criipto) Verify's published claim examples.

"JWT payloads per eID type" and the per-eID pages (claim sets in tests/published_claims.py,
each with its URL). Only the fields the contract determines for an example are asserted;
every expected value was written by hand from docs/identity.md and
docs/eid-facts.md, never copied from what eidgate returns.
"""

from __future__ import annotations

import pytest
from normalize_helpers import (
    Example,
    address,
    as_dict,
    check_example,
    nid,
    run,
)
from published_claims import (
    IDURA_FTN,
    IDURA_IDIN,
    IDURA_MITID,
    IDURA_MITID_ADDRESS,
    IDURA_NEMID,
    IDURA_NOBANKID,
    IDURA_NPA,
    IDURA_SEBANKID,
)

EXAMPLES = [
    # ---- Idura Verify ----------------------------------------------------------------------
    Example(
        "idura-sebankid",
        IDURA_SEBANKID,
        "sbid",
        {
            "subject": "{1373c272-b61a-4cb5-88b2-9c44883fe62f}",
            "method": "sbid",
            "first_name": "Terne",
            "last_name": "Paulsen",
            "full_name": "Terne Paulsen",
            "initials": "T",
            "date_of_birth": "1968-02-02",  # decoded from the valid personnummer
            "gender": "male",
            "national_id": nid("196802020575", "SE", "personnummer"),
            "nationality": None,  # `country` is the eID's country, not a citizenship
            "loa": "substantial",
            "pseudonym": None,
        },
        warnings=False,
        numbers=("196802020575",),
        auto={
            "first_name": "Terne",
            "last_name": "Paulsen",
            "date_of_birth": "1968-02-02",
            "gender": "male",
            "national_id": nid("196802020575", "SE", "personnummer"),
            "nationality": None,
        },
    ),
    Example(
        "idura-nobankid",
        IDURA_NOBANKID,
        "nbid",
        {
            "method": "nbid",
            "first_name": "Mikkel",
            "last_name": "Larsen",
            "full_name": "Mikkel Larsen",
            "date_of_birth": "1946-03-27",
            # the claim is absent; the valid fødselsnummer says female (ninth digit 4)
            "gender": "female",
            "national_id": nid("27034698436", "NO", "fnr"),
            "loa": "high",  # Kodebrikke authenticators: High (and the nbid default)
        },
        warnings=False,
        numbers=("27034698436",),
        auto={
            "full_name": "Mikkel Larsen",
            "date_of_birth": "1946-03-27",
            "gender": "female",
            "national_id": nid("27034698436", "NO", "fnr"),
        },
    ),
    Example(
        "idura-mitid",
        IDURA_MITID,
        "mitid",
        {
            "method": "mitid",
            "full_name": "Ditlev Von Testesen",  # only `name` is sent: the provider's name
            "date_of_birth": "1927-01-21",
            "gender": "male",
            "national_id": nid("2101270087", "DK", "cpr"),
            "loa": None,  # MitID: only as sent
            "age_over_18": True,  # `age` "93" is not eighteen_or_older; from the birth date
        },
        warnings=False,
        numbers=("2101270087",),
        auto={
            "full_name": "Ditlev Von Testesen",
            "date_of_birth": "1927-01-21",
            "gender": "male",
            "national_id": nid("2101270087", "DK", "cpr"),
        },
    ),
    Example(
        "idura-mitid-address",
        IDURA_MITID_ADDRESS,
        "mitid",
        {
            "method": "mitid",
            "full_name": "Paiman Petersen",
            "date_of_birth": "1958-12-27",
            "gender": "female",
            "national_id": nid("2712589100", "DK", "cpr"),
        },
        warnings=False,
        numbers=("2712589100",),
        auto={
            "full_name": "Paiman Petersen",
            "national_id": nid("2712589100", "DK", "cpr"),
        },
    ),
    Example(
        "idura-nemid",
        IDURA_NEMID,
        "nemid",
        {
            "method": "nemid",
            "full_name": "Terne Paulsen",
            "date_of_birth": "1949-07-07",  # decoded from the valid CPR
            "gender": "male",
            "national_id": nid("0707490071", "DK", "cpr"),
            "loa": "substantial",  # NemID default
        },
        warnings=False,
        numbers=("0707490071",),
        auto={
            "full_name": "Terne Paulsen",
            "date_of_birth": "1949-07-07",
            "gender": "male",
            "national_id": nid("0707490071", "DK", "cpr"),
        },
    ),
    Example(
        "idura-ftn",
        IDURA_FTN,
        "ftn",
        {
            "method": "ftn",
            "first_name": "Väinö",
            "last_name": "Tunnistus",
            "full_name": "Väinö Tunnistus",  # both parts known: never the hashed `name`
            "initials": "V",
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
            "loa": "substantial",
        },
        warnings=False,
        numbers=("070770-905D",),
        auto={
            "full_name": "Väinö Tunnistus",
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
        },
    ),
    Example(
        "idura-npa",
        IDURA_NPA,
        "npa",
        {
            "method": "npa",
            "first_name": "Erika",
            "last_name": "Mustermann",
            "full_name": "Erika Mustermann",
            "initials": "E",
            "date_of_birth": "1964-08-12",
            "gender": None,
            "national_id": None,
            # OIDC address object; an address is not a name (kept as written, as in the seed);
            # ICAO "D" -> "DE"; the empty region is unknown.
            "address": address(
                street="HEIDESTRAẞE 17", postal_code="51147", city="KÖLN", country="DE"
            ),
            "nationality": "DE",  # `nationality` "D"
            "loa": "high",
        },
        warnings=False,
        auto={
            "first_name": "Erika",
            "last_name": "Mustermann",
            "date_of_birth": "1964-08-12",
            "national_id": None,
            "address": address(
                street="HEIDESTRAẞE 17", postal_code="51147", city="KÖLN", country="DE"
            ),
            "nationality": "DE",
        },
    ),
    Example(
        "idura-idin",
        IDURA_IDIN,
        "idin",
        {
            "issuer": "https://localhost:44362",
            "method": "idin",
            "first_name": None,  # iDIN only gives initials
            "date_of_birth": "1975-07-25",
            "national_id": None,
            "email": "info@equensworldline.nl",
            "email_verified": False,
            "phone": "+31203051900",
            "phone_verified": False,
            "loa": "substantial",
        },
        warnings=False,
        auto={
            "date_of_birth": "1975-07-25",
            "national_id": None,
            "email": "info@equensworldline.nl",
            "phone": "+31203051900",
        },
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_explicit_profile(example: Example) -> None:
    check_example(example, example.profile)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.auto is not None],
                         ids=lambda e: e.id)
def test_auto_profile(example: Example) -> None:
    check_example(example, "auto")


def test_idura_mitid_address_parts_the_contract_fixes() -> None:
    # OIDC address object: street_address -> street, postal_code; region null -> unknown;
    # formatted as sent (lines kept).
    data = as_dict(run(IDURA_MITID_ADDRESS, "mitid"))
    assert data["address"] is not None
    assert {k: data["address"][k] for k in ("street", "postal_code", "region", "formatted")} == {
        "street": "Grusgraven 1,3 tv",
        "postal_code": "3400",
        "region": None,
        "formatted": (
            "Paiman Petersen\nGrusgraven 1,3 tv\n3400 Hillerød\n(Lokalitet ukendt)\nDanmark"
        ),
    }

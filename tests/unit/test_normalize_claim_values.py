"""`eidgate.normalize`: claim values in the shapes brokers send them.

String booleans ("true"), gender codes (iDIN's "1"/"2", "M", JSON numbers), verified claims
(Yes' `yes.verified.*`, OpenID Connect for Identity Assurance `verified_claims`) winning over
plain ones, and the issuer and provider arguments. Expected values written by hand from
docs/identity.md and the rule cited.
"""

from __future__ import annotations

import pytest
from normalize_helpers import address, as_dict, normalized, run, without
from seed_claims import EIDHUB_ID_TOKEN, FTN, ITSME, MOBIILIVARMENNE, YES, YES_VERIFIED

ABSENT = object()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        (True, True),
        ("false", False),
        (False, False),
        (ABSENT, False),
        # READING: the contract accepts a boolean or the string "true"; nothing else
        # (a "1" or "yes" is not the provider saying true).
        ("1", False),
        ("yes", False),
    ],
    ids=["str-true", "bool-true", "str-false", "bool-false", "absent", "str-1", "str-yes"],
)
def test_verified_flags(value: object, expected: bool) -> None:
    claims = without(ITSME, "email_verified")
    claims["phone_number"] = "+32470000000"
    if value is not ABSENT:
        claims["email_verified"] = value
        claims["phone_number_verified"] = value
    data = as_dict(run(claims, "itsme"))
    assert data["email_verified"] is expected
    assert data["phone_verified"] is expected


def test_seed_string_booleans() -> None:
    assert as_dict(run(ITSME, "itsme"))["email_verified"] is False  # "false"
    assert as_dict(run(MOBIILIVARMENNE, "mobiilivarmenne"))["phone_verified"] is True  # "true"
    yes = as_dict(run(YES, "yes"))
    assert (yes["email_verified"], yes["phone_verified"]) == (True, True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("male", "male"),
        ("female", "female"),
        ("M", "male"),
        ("F", "female"),
        ("1", "male"),  # ISO/IEC 5218
        ("2", "female"),
        ("0", None),  # ISO/IEC 5218: not known
        ("9", None),  # ISO/IEC 5218: not applicable
    ],
)
def test_gender_codes(value: str, expected: str | None) -> None:
    data = as_dict(run({**ITSME, "gender": value}, "itsme"))
    assert data["gender"] == expected


def test_gender_as_a_json_number() -> None:
    # ISO/IEC 5218 codes (iDIN sends "1" / "2") may arrive as JSON numbers.
    assert normalized({"sub": "x", "gender": 2}, "oidc")["gender"] == "female"
    assert normalized({"sub": "x", "gender": 1}, "oidc")["gender"] == "male"



def test_yes_verified_claims_win_over_unverified() -> None:
    claims = {
        **YES_VERIFIED,
        "yes.verified.given_name": "Karl Peter",
        "yes.verified.family_name": "Gottschalk-Meier",
        "yes.verified.birthdate": "1996-08-31",
        "yes.nationality": "AT",
        "address": {
            "country": "AT",
            "street_address": "Stephansplatz 1",
            "formatted": "Stephansplatz 1\n1010 Wien\nAT",
            "locality": "Wien",
            "postal_code": "1010",
        },
    }
    data = as_dict(run(claims, "yes"))
    assert data["first_name"] == "Karl Peter"  # not the unverified "Peter"
    assert data["last_name"] == "Gottschalk-Meier"
    assert data["full_name"] == "Karl Peter Gottschalk-Meier"
    assert data["initials"] == "KP"
    assert data["date_of_birth"] == "1996-08-31"
    assert data["nationality"] == "DE"
    assert data["address"] == address(
        street="Heiligengeistbrücke 13",
        postal_code="91620",
        city="Ohrenbach",
        region="Freistaat Bayern",
        country="DE",
        formatted="Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
    )


def test_issuer_and_provider_arguments() -> None:
    data = as_dict(
        run(FTN, "ftn", provider="signicat-ftn", issuer="https://preprod.signicat.com/oidc")
    )
    assert data["issuer"] == "https://preprod.signicat.com/oidc"
    assert data["provider"] == "signicat-ftn"
    # The `iss` claim comes first.
    data = as_dict(run(EIDHUB_ID_TOKEN, "idin", issuer="https://other.example"))
    assert data["issuer"] == "https://api.signicat.com/auth/open"

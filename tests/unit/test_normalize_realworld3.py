"""`eidgate.normalize`: a third pass over published claim sets, and the rule that a guessed eID
brings no default level of assurance.

Claim sets are copied from the page named above each one (only JSON punctuation repaired).
Every expected value was written by hand from docs/identity.md and the rule cited, never
copied from what eidgate returns; national numbers were checked by hand (arithmetic in the
comments) with the algorithms of shared/reference/eid-facts.md.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

import eidgate

Claims = dict[str, Any]


def run(claims: Claims, profile: str = "auto", **kwargs: Any) -> dict[str, Any]:
    snapshot = copy.deepcopy(claims)
    identity = eidgate.normalize(claims, profile, **kwargs)
    assert claims == snapshot, "normalize() changed the claims it was given"
    return identity.to_dict()


def subset(data: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in expected}


# =============================================================================================
# Signicat eID Hub, Belgian eID card (.beID)
# =============================================================================================
# https://developer.signicat.com/identity-methods/beid/attribute-reference/ ("Response
# example", scope openid profile idp nin address nationality). Not an eID with its own profile:
# generic OIDC, reading the eID Hub's `nin` + `nin_issuing_country`.
# BE 90021700029: YYMMDDSSS 900217000 mod 97 = 61 (97 * 9280587 = 900216939), 97 - 61 = 36;
#   for a birth from 2000: 2900217000 mod 97 = (2 * 10^9 mod 97 = 68) + 61 = 129 -> 32,
#   97 - 32 = 65. The check digits are 29: INVALID (kept as sent, warned about; nothing
#   decoded). Month 02 has no BIS offset: rijksregisternummer.
# The page sends the whole name as `given_name` ("Nora Martens", equal to `name`, which ends
# with the family name "Martens"): the given name is what comes before the family name.
# `nationality` "BELG" is how the card writes a Belgian's nationality (Dutch "Belg"; itsme
# passes the same field on as claim_citizenship "Belg"): BE.
EIDHUB_BEID: Claims = {
    "idp_id": "98082100029",
    "name": "Nora Martens",
    "family_name": "Martens",
    "given_name": "Nora Martens",
    "gender": "FEMALE",
    "birthdate": "1990-02-17",
    "address": {"formatted": "Specimenstraat 12,1000,Brussel"},
    "nationality": "BELG",
    "nin": "90021700029",
    "nin_type": "PERSON",
    "nin_issuing_country": "BE",
    "beid_card_delivery_municipality": "Brussel",
    "beid_birth_location": "Leuven",
    "beid_validity_date_begin": "2017-05-30",
    "beid_validity_date_end": "2027-05-30",
    "beid_document_type": "belgian_citizen",
    "beid_card_number": "000001110749",
    "sub": "fIZvCR6CX9wh3Ut-PpDU-q9e9E67pb-vkEpzLiSDVkw=",
    "idp_issuer": "be-smartcard",
}


BEID_EXPECTED: dict[str, Any] = {
    "method": "oidc",  # .beID is none of the profiles; be-smartcard names no eID we know
    "first_name": "Nora",
    "last_name": "Martens",
    "full_name": "Nora Martens",
    "initials": "N",
    "date_of_birth": "1990-02-17",  # the claim (the invalid number decodes nothing)
    "gender": "female",  # "FEMALE", any case
    "national_id": {"value": "90021700029", "country": "BE", "type": "rijksregisternummer"},
    "address": {"street": None, "postal_code": None, "city": None, "region": None,
                "country": None, "formatted": "Specimenstraat 12,1000,Brussel"},
    "nationality": "BE",
    "loa": None,  # generic OIDC, no stated level
    "age_over_18": True,
    "pseudonym": None,
}


def test_eidhub_beid() -> None:
    data = run(EIDHUB_BEID)
    assert subset(data, BEID_EXPECTED) == BEID_EXPECTED
    assert len(data["warnings"]) == 1 and "90021700029" not in data["warnings"][0]


@pytest.mark.parametrize("value", ["BELG", "Belg", "BELGE", "Belgier"])
def test_belgian_card_nationality_words(value: str) -> None:
    # the Belgian eID card writes the nationality in the card's language (nl, fr, de)
    assert run({"sub": "x", "nationality": value})["nationality"] == "BE"


def test_given_name_that_is_the_whole_name_only_when_it_equals_name() -> None:
    # A given name that merely ends like the family name is kept: only the given name that is
    # the provider's whole `name` is cut.
    data = run({"sub": "x", "given_name": "Jan Peter", "family_name": "Peter",
                "name": "Jan Peter Peter"})
    assert (data["first_name"], data["full_name"]) == ("Jan Peter", "Jan Peter Peter")


# =============================================================================================
# Recognising the eID: its own issuer and FTN's idp claim name it; the level follows
# =============================================================================================
# Issue 3 / docs/identity.md, "Level of assurance": where the eID never states a level, the
# per-eID default applies to the recognised eID (Norwegian BankID and Personalausweis high,
# FTN and iDIN substantial). A stated level always wins.
# (made up, see test_normalize_realworld2.py) fødselsnummer 18126645771: valid, 1966-12-18.
NNIN = {"sub": "x", "nnin": "18126645771"}


@pytest.mark.parametrize(
    ("claims", "kwargs", "method", "loa"),
    [
        (NNIN, {}, "nbid", "high"),  # BankID Norge's own claim name
        ({**NNIN, "acr": "urn:signicat:oidc:method:nbid"}, {}, "nbid", "high"),
        ({**NNIN, "identityscheme": "nobankid-oidc"}, {}, "nbid", "high"),
        ({**NNIN, "idp": "nbid"}, {}, "nbid", "high"),
        # BankID Norge's own issuer names the eID even without its claim names
        ({"sub": "x", "iss": "https://auth.bankid.no/auth/realms/prod"}, {}, "nbid", "high"),
        ({"sub": "x"}, {"issuer": "https://auth.current.bankid.no/auth/realms/current"},
         "nbid", "high"),
        # a host that only looks like BankID's is not BankID's
        ({"sub": "x", "iss": "https://bankid.no.example.com/"}, {}, "oidc", None),
        ({"sub": "x", "iss": "https://notbankid.no/"}, {}, "oidc", None),
        # a stated level wins over the default
        ({**NNIN, "acr": "urn:bankid:bid;LOA=3"}, {}, "nbid", "substantial"),
        ({"sub": "x", "npa.document_type": "ID"}, {}, "npa", "high"),
        ({"sub": "x", "consumer.bin": "NLRABO1"}, {}, "idin", "substantial"),
        # FTN's idp claim names the Finnish provider (seed: "ftn.idpId": "fi-op")
        ({"sub": "x", "ftn_idp": "fi-op"}, {}, "ftn", "substantial"),
    ],
)
def test_recognised_eid_and_its_level(claims: Claims, kwargs: dict[str, Any],
                                      method: str, loa: str | None) -> None:
    assert subset(run(claims, **kwargs), {"method": method, "loa": loa}) == {
        "method": method, "loa": loa}


@pytest.mark.parametrize(("profile", "loa"), [("nbid", "high"), ("npa", "high"),
                                              ("idin", "substantial"), ("mitid", None)])
def test_configured_profile_brings_its_default(profile: str, loa: str | None) -> None:
    assert run({"sub": "x"}, profile)["loa"] == loa

"""`eidgate.normalize` on the eIDs' own OpenID providers (no broker in between).

Norwegian BankID (BankID Norge), itsme and Yes, with the claim sets copied from the
publisher's page named above each one (only JSON punctuation repaired). Where a page masks a
value the test needs (BankID's documentation masks the fødselsnummer as ``181266*****``), a
number was made up for the documented birth date and its check digits computed by hand in
the comment; such a value is marked "(made up)". Every expected value was written by hand
from docs/identity.md and the rule cited, never copied from what eidgate returns.
"""

from __future__ import annotations

from typing import Any

import pytest
from normalize_helpers import Claims, address, nid, normalized, subset

# https://developer.bankid.no/bankid-oidc-provider/core-concepts/id-token (claim table,
# "Example" column; API v2+ `amr` is a list) and the "Userinfo" table of
# https://bidbax.atlassian.net/wiki/pages/viewpage.action?pageId=30203943 (TINFO: gender,
# phone, address). `nnin_altsub` is masked in the documentation ("181266*****").
# (made up) fødselsnummer for 1966-12-18 with individual number 457: K1 weights
#   3,7,6,1,8,9,4,5,2 over 1,8,1,2,6,6,4,5,7 = 3+56+6+2+48+54+16+25+14 = 224; 224 mod 11 = 4;
#   K1 = 11 - 4 = 7. K2 weights 5,4,3,2,7,6,5,4,3,2 over 1,8,1,2,6,6,4,5,7,7 = 5+32+3+4+42+36
#   +20+20+21+14 = 197; 197 mod 11 = 10; K2 = 1. -> 18126645771. III 457 (000-499): 1900s;
#   ninth digit 7 odd: male.
BANKID_NO_ID_TOKEN: Claims = {
    "typ": "ID",
    "acr": "urn:bankid:bid;LOA=4",
    "amr": ["bid"],
    "aud": "oidc_testclient",
    "auth_time": 1510497762,
    "azp": "oidc_testclient",
    "bankid_altsub": "9578-5999-4-1765512",
    "exp": 1510498063,
    "iat": 1510497763,
    "iss": "https://preview.bankidapis.no",
    "sub": "9578-5999-4-1765512",
    "name": "Nilsen, Frode Beckmann",
    "given_name": "Frode Beckmann",
    "family_name": "Nilsen",
    "preferred_username": "Nilsen, Frode Beckmann",
    "birthdate": "1966-12-18",
    "nnin_altsub": "18126645771",
}


BANKID_NO_USERINFO: Claims = {
    "sub": "9578-5999-4-1765512",
    "gender": "Male",
    "phone_number": "95871775",
    "phone_number_verified": False,
    "address": {
        "formatted": "Lybekkveien 11C\n0772 Oslo\nNorway",
        "country": "Norway",
        "street_address": "Lybekkveien 11C",
    },
    "nnin": "18126645771",
}


BANKID_NO_EXPECTED: dict[str, Any] = {
    "subject": "9578-5999-4-1765512",
    "issuer": "https://preview.bankidapis.no",
    "method": "nbid",
    "first_name": "Frode Beckmann",
    "last_name": "Nilsen",
    "full_name": "Frode Beckmann Nilsen",
    "initials": "FB",
    "date_of_birth": "1966-12-18",
    "national_id": nid("18126645771", "NO", "fnr"),
    "loa": "high",  # urn:bankid:bid;LOA=4: level 4 of Norway's framework = eIDAS high
    "pseudonym": "9578-5999-4-1765512",  # bankid_altsub: "BankID Personal Identifier (PID)"
    "verified_at": "2017-11-12T14:42:42+00:00",  # auth_time 1510497762
    "age_over_18": True,
}


def test_bankid_norge_id_token_alone() -> None:
    data = normalized(BANKID_NO_ID_TOKEN)
    assert subset(data, BANKID_NO_EXPECTED) == BANKID_NO_EXPECTED
    assert data["gender"] == "male"  # from the valid number
    assert data["warnings"] == []


def test_bankid_norge_id_token_and_userinfo() -> None:
    data = normalized({**BANKID_NO_ID_TOKEN, **BANKID_NO_USERINFO})
    expected = {
        **BANKID_NO_EXPECTED,
        "gender": "male",  # "Male"
        "phone": "95871775",
        "phone_verified": False,
        "address": address(street="Lybekkveien 11C", country="NO",
                           formatted="Lybekkveien 11C\n0772 Oslo\nNorway"),
    }
    assert subset(data, expected) == expected


def test_bankid_norge_minimum_id_token_is_recognised_by_its_pid_claim() -> None:
    # "Minimum ID Token (scope = openid)": sub and bankid_altsub are the only user claims.
    claims = {k: BANKID_NO_ID_TOKEN[k] for k in ("sub", "bankid_altsub", "iss", "iat")}
    data = normalized(claims)
    assert subset(data, {"method": "nbid", "pseudonym": "9578-5999-4-1765512",
                         "loa": "high"}) == {"method": "nbid",
                                             "pseudonym": "9578-5999-4-1765512",
                                             "loa": "high"}


def test_bankid_norge_biometric_level_is_substantial() -> None:
    # BankID biometrics: LOA=3 (Norway's level 3 = eIDAS substantial); a stated level wins
    # over the per-eID default (high).
    data = normalized({**BANKID_NO_ID_TOKEN, "acr": "urn:bankid:bis;LOA=3", "amr": ["bis"]})
    assert data["loa"] == "substantial"


# https://belgianmobileid.github.io/doc/azureB2C/ ("claims returned as string or boolean",
# e2e environment). BENationalNumber 85010244229: 850102442 mod 97 = 68 (97 * 8763942 =
# 850102374); 97 - 68 = 29 = CC: VALID, born in the 1900s -> 1985-01-02 (= birthdate);
# SSS 442 even: female (= gender).
ITSME_DIRECT: Claims = {
    "sub": "er8xm42w3u4ue6xvez8s3xr3jijnb4fugmmc",
    "birthdate": "1985-01-02",
    "http://itsme.services/v2/claim/claim_citizenship_as_iso": "BEL",
    "gender": "female",
    "http://itsme.services/v2/claim/IDDocumentType": "I",
    "http://itsme.services/v2/claim/claim_citizenship": "Belg",
    "locale": "EN",
    "email": "test@itsme.be",
    "name": "Joke Cookie",
    "http://itsme.services/v2/claim/IDDocumentSN": "581721097415",
    "phone_number": "+32 493310088",
    "http://itsme.services/v2/claim/BEeidSn": "581721097415",
    "family_name": "Cookie",
    "email_verified": False,
    "http://itsme.services/v2/claim/BENationalNumber": "85010244229",
    "phone_number_verified": True,
    "given_name": "Joke",
    "picture": "https://oidc.e2e.itsme.services/clientsecret-oidc/csapi/v0.1/picture",
}


ITSME_EXPECTED: dict[str, Any] = {
    "method": "itsme",
    "first_name": "Joke",
    "last_name": "Cookie",
    "full_name": "Joke Cookie",
    "initials": "J",
    "date_of_birth": "1985-01-02",
    "gender": "female",
    "national_id": nid("85010244229", "BE", "rijksregisternummer"),
    "email": "test@itsme.be",
    "email_verified": False,
    "phone": "+32 493310088",
    "phone_verified": True,
    "nationality": "BE",  # claim_citizenship_as_iso "BEL" (ISO 3166 alpha-3)
    "loa": "high",  # itsme default
    "pseudonym": None,  # the eID card serial number is a document number, not the person
}


@pytest.mark.parametrize("profile", ["auto", "itsme"])
def test_itsme_direct(profile: str) -> None:
    data = normalized(ITSME_DIRECT, profile)
    assert subset(data, ITSME_EXPECTED) == ITSME_EXPECTED
    assert data["warnings"] == []


def test_itsme_acr_names_the_eid() -> None:
    # itsme acr_values: http://itsme.services/v2/claim/acr_basic | acr_advanced (its docs).
    claims = {"sub": "x", "acr": "http://itsme.services/v2/claim/acr_advanced"}
    assert subset(normalized(claims), {"method": "itsme", "loa": "high"}) == {
        "method": "itsme", "loa": "high"}


# A GitHub relying-party test against the yes.com sandbox (F# module
# GermanYesIdentityRelyingParty.BrowserTests, "First time successful login",
# idTokenExpected; exp/iat/txn/nonce removed there). Shape: OIDC4IDA 1.0 section 5.
YES_DIRECT: Claims = {
    "sub": "f647f683-e46d-43bd-bc76-526d93429b86",
    "verified_claims": {
        "claims": {
            "place_of_birth": {"locality": "Berlin", "country": "DE"},
            "birthdate": "1950-01-01",
            "address": {
                "street_address": "Street1 1",
                "country": "DE",
                "formatted": "Street1 1\nBerlin\n10243\nDE",
                "locality": "Berlin",
                "region": "Berlin",
                "postal_code": "10243",
            },
            "nationalities": ["DE"],
            "given_name": "Given001",
            "family_name": "Family001",
        },
        "verification": {"trust_framework": "de_aml"},
    },
    "https://www.yes.com/claims/preferred_iban": "DE72100500000000000019",
    "email_verified": True,
    "birthdate": "1950-01-01",
    "address": {
        "street_address": "Street1 1",
        "country": "DE",
        "formatted": "Street1 1\nBerlin\n10243\nDE",
        "locality": "Berlin",
        "region": "Berlin",
        "postal_code": "10243",
    },
    "gender": "male",
    "iss": "https://testidp.sandbox.yes.com/issuer/10000001",
    "phone_number_verified": True,
    "nationalities": ["DE"],
    "given_name": "Given001",
    "title": "Dr.",
    "https://www.yes.com/claims/tax_id": "1121081508150",
    "place_of_birth": {"locality": "Berlin", "country": "DE"},
    "aud": "sandbox.yes.com:e85ff3bc-96f8-4ae7-b6b1-894d8dde9ebe",
    "acr": "https://www.yes.com/acrs/online_banking_sca",
    "phone_number": "+49301111001",
    "salutation": "Herr",
    "family_name": "Family001",
    "email": "test001@platform.yes.com",
}


YES_EXPECTED: dict[str, Any] = {
    "subject": "f647f683-e46d-43bd-bc76-526d93429b86",
    "issuer": "https://testidp.sandbox.yes.com/issuer/10000001",
    "method": "yes",
    "first_name": "Given001",
    "last_name": "Family001",
    "full_name": "Given001 Family001",
    "date_of_birth": "1950-01-01",
    "gender": "male",
    "national_id": None,
    "email": "test001@platform.yes.com",
    "email_verified": True,
    "phone": "+49301111001",
    "phone_verified": True,
    "address": address(street="Street1 1", postal_code="10243", city="Berlin", region="Berlin",
                       country="DE", formatted="Street1 1\nBerlin\n10243\nDE"),
    "nationality": "DE",  # nationalities ["DE"]
    "loa": "substantial",  # Yes default; the acr names a method, not a level
}


@pytest.mark.parametrize("profile", ["auto", "yes"])
def test_yes_direct(profile: str) -> None:
    data = normalized(YES_DIRECT, profile)
    assert subset(data, YES_EXPECTED) == YES_EXPECTED
    assert data["warnings"] == []


def test_yes_verified_claims_win_over_plain_ones() -> None:
    # OIDC4IDA: `verified_claims.claims` were checked against evidence; plain claims of the
    # same name were not (docs/identity.md: verified claims win).
    claims = {**YES_DIRECT, "given_name": "Self-asserted", "birthdate": "1960-06-06",
              "nationalities": ["AT"]}
    data = normalized(claims)
    assert subset(data, {"first_name": "Given001", "date_of_birth": "1950-01-01",
                         "nationality": "DE"}) == {
        "first_name": "Given001", "date_of_birth": "1950-01-01", "nationality": "DE"}


def test_verified_claims_as_an_array() -> None:
    # OIDC4IDA 5.1: verified_claims may be an array of objects, one per verification.
    claims = {"sub": "x", "verified_claims": [
        {"verification": {"trust_framework": "de_aml"},
         "claims": {"given_name": "Max", "family_name": "Meier"}},
        {"verification": {"trust_framework": "eidas"},
         "claims": {"birthdate": "1956-01-28"}},
    ]}
    data = normalized(claims, "yes")
    assert subset(data, {"first_name": "Max", "last_name": "Meier",
                         "date_of_birth": "1956-01-28"}) == {
        "first_name": "Max", "last_name": "Meier", "date_of_birth": "1956-01-28"}

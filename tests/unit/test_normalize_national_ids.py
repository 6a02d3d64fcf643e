"""`eidgate.normalize`: the national identity number and what it says.

Which claim carries the number for each eID, numbers that fail their checks (kept, with a
warning that holds no digit of them), the birth date and gender a valid number gives, and
values that look like a number but are not one (iDIN's BIN, document numbers). The check-digit
arithmetic is in the comments (docs/eid-facts.md); parse_national_id on its own is
tested in test_national_id.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from normalize_helpers import (
    Claims,
    as_dict,
    check_warnings,
    claim_names,
    nid,
    normalized,
    run,
    subset,
    without,
)
from seed_claims import EIDHUB_JWT_USERINFO, FTN, IDIN, MITID, NBID, SBID, SMARTID


@pytest.mark.parametrize(
    "claims",
    [
        EIDHUB_JWT_USERINFO,
        # Legacy iDIN carrying the BIN only as signicat.national_id.
        {**without(IDIN, "consumer.bin"), "signicat.national_id": "NLTRIO1234567890ABCDEF"},
    ],
    ids=["jwt-userinfo", "legacy"],
)
def test_idin_national_id_claim_is_a_pseudonym(claims: Claims) -> None:
    identity = run(claims, "idin")
    data = as_dict(identity)
    assert data["national_id"] is None
    assert data["pseudonym"] == claims["signicat.national_id"]
    # A BIN is not a failed national number: nothing to warn about.
    check_warnings(identity, False, names=claim_names(claims))



def test_smartid_seed_number_is_invalid() -> None:
    identity = run(SMARTID, "smartid")
    data = as_dict(identity)
    assert data["national_id"] == nid("10102170005", "EE", "isikukood")  # kept as sent
    assert data["gender"] is None
    assert data["date_of_birth"] == "1990-02-17"  # from the `birthdate` claim, not the code
    check_warnings(identity, True, numbers=("10102170005",), names=claim_names(SMARTID))

    claims = without(SMARTID, "birthdate")
    identity = run(claims, "smartid")
    data = as_dict(identity)
    assert data["date_of_birth"] is None
    assert data["gender"] is None
    assert data["age_over_18"] is None
    check_warnings(identity, True, numbers=("10102170005",), names=claim_names(claims))


# Estonian / Lithuanian codes built by hand (G YYMMDD SSS C; weights 1..9,1 then 3..9,1,2,3):
#   39002171235: 3+18+0+0+10+6+49+8+18+3 = 115, mod 11 = 5.         G=3: 1900s, male
#   49002171236: 4+18+0+0+10+6+49+8+18+3 = 116, mod 11 = 6.         G=4: 1900s, female
#   39002170011: 3+18+0+0+10+6+49+0+0+1 = 87, mod 11 = 10 -> second weights:
#                9+36+0+0+14+8+63+0+0+3 = 133, mod 11 = 1.          G=3: 1900s, male
@pytest.mark.parametrize(
    ("code", "locale", "expected_id", "gender"),
    [
        ("39002171235", "ee", nid("39002171235", "EE", "isikukood"), "male"),
        ("49002171236", "ee", nid("49002171236", "EE", "isikukood"), "female"),
        ("39002170011", "ee", nid("39002170011", "EE", "isikukood"), "male"),
        # READING: a PNOEE-/PNOLT- wrapper gives the country; the value is the compact code.
        ("PNOEE-39002171235", "ee", nid("39002171235", "EE", "isikukood"), "male"),
        ("PNOLT-49002171236", "lt", nid("49002171236", "LT", "asmens_kodas"), "female"),
    ],
)
def test_smartid_valid_code_gives_birth_date_and_gender(
    code: str, locale: str, expected_id: dict[str, str], gender: str
) -> None:
    claims = {**without(SMARTID, "birthdate"), "signicat.national_id": code, "locale": locale}
    identity = run(claims, "smartid")
    data = as_dict(identity)
    assert data["national_id"] == expected_id
    assert data["date_of_birth"] == "1990-02-17"
    assert data["gender"] == gender
    assert data["age_over_18"] is True
    check_warnings(identity, False, numbers=(code,), names=claim_names(claims))


def test_sbid_seed_number_is_invalid() -> None:
    identity = run(SBID, "sbid")
    data = as_dict(identity)
    assert data["national_id"] == nid("199002171234", "SE", "personnummer")
    assert data["date_of_birth"] is None
    assert data["gender"] is None
    check_warnings(identity, True, numbers=("199002171234",), names=claim_names(SBID))


# Swedish numbers built by hand (Luhn over the last 10 digits; second-to-last digit odd = male):
#   199002171230: 0+6+2+2+7+2+2+0+0+9 = 30                        male (3)
#   199002171248: 8+8+2+2+7+2+2+0+0+9 = 40                        female (4)
#   199002771237: 7+6+2+2+7+5+2+0+0+9 = 40; day 77 = 17 + 60:     samordningsnummer, male (3)
@pytest.mark.parametrize(
    ("number", "type_", "gender"),
    [
        ("199002171230", "personnummer", "male"),
        ("199002171248", "personnummer", "female"),
        ("199002771237", "samordningsnummer", "male"),
    ],
)
def test_sbid_valid_number_gives_birth_date_and_gender(
    number: str, type_: str, gender: str
) -> None:
    claims = {**SBID, "signicat.national_id": number}
    identity = run(claims, "sbid")
    data = as_dict(identity)
    assert data["national_id"] == nid(number, "SE", type_)
    assert data["date_of_birth"] == "1990-02-17"
    assert data["gender"] == gender
    assert data["age_over_18"] is True
    check_warnings(identity, False, numbers=(number,), names=claim_names(claims))


def test_birth_date_claim_contradicting_a_valid_number_is_kept_and_warned_about() -> None:
    claims = {**SBID, "signicat.national_id": "199002171230", "birthdate": "1990-02-18"}
    identity = run(claims, "sbid")
    # The birth-date claim comes first ("else decoded from a valid national number").
    assert as_dict(identity)["date_of_birth"] == "1990-02-18"
    check_warnings(identity, True, numbers=("199002171230",), names=claim_names(claims))


# Norwegian numbers built by hand (K1 weights 3,7,6,1,8,9,4,5,2; K2 weights 5,4,3,2,7,6,5,4,3,2):
#   17029012385: K1 = 11 - 146 mod 11 (3) = 8; K2 = 11 - 138 mod 11 (6) = 5. III 123: 1900s.
#   57029012379 (D-number, day 17 + 40): K1 = 11 - 158 mod 11 (4) = 7; K2 = 11 - 156 mod 11
#   (2) = 9. Ninth digit 3 odd: male.
@pytest.mark.parametrize(
    ("number", "type_"),
    [("17029012385", "fnr"), ("57029012379", "dnr")],
)
def test_nbid_valid_number_gives_birth_date_and_gender(number: str, type_: str) -> None:
    claims = {**without(NBID, "birthdate"), "signicat.national_id": number}
    identity = run(claims, "nbid")
    data = as_dict(identity)
    assert data["national_id"] == nid(number, "NO", type_)
    assert data["date_of_birth"] == "1990-02-17"
    assert data["gender"] == "male"
    check_warnings(identity, False, numbers=(number,), names=claim_names(claims))


# Finnish numbers built by hand: 170290012 mod 31 = 6 -> "6"; 010105123 mod 31 = 22 -> "P"
# (31 * 325971 = 10105101). Century signs "-" and "Y" are 1900s, "B" 2000s (2023 letters).
@pytest.mark.parametrize(
    ("hetu", "birth_date", "gender"),
    [
        ("170290-0126", "1990-02-17", "female"),
        ("170290Y0126", "1990-02-17", "female"),
        ("010105B123P", "2005-01-01", "male"),
    ],
)
def test_hetu_century_signs(hetu: str, birth_date: str, gender: str) -> None:
    claims = {**without(FTN, "birthdate"), "signicat.national_id": hetu}
    identity = run(claims, "ftn")
    data = as_dict(identity)
    assert data["national_id"] == nid(hetu, "FI", "hetu")
    assert data["date_of_birth"] == birth_date
    assert data["gender"] == gender
    check_warnings(identity, False, numbers=(hetu,), names=claim_names(claims))


def test_cpr_without_mod11_is_valid() -> None:
    # 1702901234 fails mod-11 (113 mod 11 = 3) yet is a valid CPR: no warning, decoded.
    identity = run(without(MITID, "birthdate"), "mitid")
    data = as_dict(identity)
    assert data["date_of_birth"] == "1990-02-17"
    assert data["gender"] == "female"
    check_warnings(identity, False, numbers=("1702901234",), names=claim_names(MITID))


# OIOSAML 2 (NemID): dk:gov:saml:attribute:CprNumberIdentifier, ...PidNumberIdentifier;
# OIOSAML 3 (MitID): https://data.gov.dk/model/core/eid/cprNumber and the level
# https://data.gov.dk/concept/core/nsis/loa. CPR 0707490071 (Idura's NemID example): digit 7
# is 0: 1900s -> 1949-07-07; last digit 1 odd: male.
@pytest.mark.parametrize("claim", ["dk:gov:saml:attribute:CprNumberIdentifier",
                                   "https://data.gov.dk/model/core/eid/cprNumber", "dk.cpr"])
def test_danish_cpr_claim_names(claim: str) -> None:
    data = normalized({"sub": "x", claim: "0707490071"}, "mitid")
    assert subset(data, {"national_id": nid("0707490071", "DK", "cpr"),
                         "date_of_birth": "1949-07-07", "gender": "male"}) == {
        "national_id": nid("0707490071", "DK", "cpr"), "date_of_birth": "1949-07-07",
        "gender": "male"}
    # generic OIDC: the claim name alone says the number is Danish
    assert normalized({"sub": "x", claim: "0707490071"}, "oidc")["national_id"] == nid(
        "0707490071", "DK", "cpr")


def test_nemid_oiosaml_pid() -> None:
    data = normalized({"sub": "x", "dk:gov:saml:attribute:CprNumberIdentifier": "0707490071",
                "dk:gov:saml:attribute:PidNumberIdentifier": "9208-2002-2-294247448400"},
               "nemid")
    assert data["pseudonym"] == "9208-2002-2-294247448400"


# Skatteetaten, folkeregisteret-api-dokumentasjon src/om-tjenestene/nyttfnr2032.md: from
# 2032, K1 = {11,12,13,14} - (sum mod 11); K2 as before; the individual number no longer
# gives the century, nor the gender. Its examples: "30108299920" (K1 with remainder 0, the
# old rule) and "30108299939" (K1 = 12 - 9 = 3; K2 = 9 as published).
IN_2032 = date(2032, 6, 1)  # a login after the 2032-series fødselsnummer start


def test_fnr_2032_series_is_valid_without_birth_date_or_gender() -> None:
    data = normalized({"sub": "x", "nin": "30108299939", "nin_issuing_country": "NO"}, "nbid",
               today=IN_2032)
    assert data["national_id"] == nid("30108299939", "NO", "fnr")
    assert data["warnings"] == []
    assert (data["date_of_birth"], data["gender"]) == (None, None)


def test_fnr_2032_series_is_not_issued_before_2032() -> None:
    # Until then such check digits are a typing error: kept as sent, with a warning.
    data = normalized({"sub": "x", "nin": "30108299939", "nin_issuing_country": "NO"}, "nbid",
               today=date(2031, 12, 31))
    assert data["national_id"]["value"] == "30108299939"
    assert any("check digit" in w for w in data["warnings"])


def test_fnr_2032_series_birth_date_comes_from_the_claim() -> None:
    data = normalized({"sub": "x", "nin": "30108299939", "nin_issuing_country": "NO",
                "birthdate": "1982-10-30"}, "nbid", today=IN_2032)
    assert data["date_of_birth"] == "1982-10-30"
    assert data["warnings"] == []


# ETSI EN 319 412-1 5.1.3: "PNO" national personal number, "PAS" passport number, "IDC"
# national identity card number, each + ISO 3166 country + "-". Smart-ID (SK ID Solutions,
# RP API "semantics identifier") accepts all three. A document number is not a national id.
@pytest.mark.parametrize("value", ["IDCEE-AB0000000", "PASEE-K0000000"])
def test_document_number_is_not_a_national_id(value: str) -> None:
    data = normalized({"sub": "x", "nin": value, "idp": "sk-smartid"})
    assert data["national_id"] is None
    assert data["warnings"] == ["'nin' holds a passport or identity card number, "
                                "not a national id"]

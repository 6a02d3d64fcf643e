"""`eidgate.normalize` on Signicat's published claim examples beyond the seed documents.

The eID Hub's attribute references and code examples, and Signicat Express (claim sets in
tests/published_claims.py, each with its URL). Only the fields the contract determines for
an example are asserted; every expected value was written by hand from docs/identity.md and
docs/eid-facts.md, never copied from what eidgate returns.
"""

from __future__ import annotations

from typing import Any

import pytest
from normalize_helpers import (
    Claims,
    Example,
    check_example,
    nid,
    normalized,
    subset,
)
from published_claims import (
    EIDHUB_FTN,
    EIDHUB_IDIN_LOGIN,
    EIDHUB_IDPORTEN,
    EIDHUB_MITID_BASIC,
    EIDHUB_MITID_CPR_MATCH,
    EIDHUB_MITID_CPR_MATCH_EXTRA,
    EIDHUB_MITID_PROTECTED,
    EIDHUB_MOBIILID,
    EIDHUB_NBID_ATTRIBUTES,
    EIDHUB_NBID_CODE_EXAMPLE,
    EIDHUB_SBID_ID_TOKEN,
    EIDHUB_SBID_MERGED,
    EIDHUB_SMARTID,
    EIDHUB_SMARTID_WITH_BIRTHDATE,
    EXPRESS_MITID,
)

NBID_EXPECTED: dict[str, Any] = {
    "method": "nbid",
    "first_name": "Nordmann",  # as sent (the publisher swapped given and family name)
    "last_name": "Kari",
    "full_name": "Nordmann Kari",
    "initials": "N",
    "date_of_birth": "1990-02-17",
    "gender": None,  # no gender claim, and the number is invalid
    "national_id": nid("17029012345", "NO", "fnr"),  # INVALID, kept as sent
    "email": None,
    "email_verified": False,
    "phone": None,
    "phone_verified": False,
    "address": None,
    "nationality": None,
    "loa": "high",  # Norwegian BankID default (nbid_acr "LOA=4" agrees)
    "verified_at": None,  # nbid_auth_time is not auth_time
}


NBID_AUTO = {  # what "auto" must get right even without knowing the eID
    "first_name": "Nordmann",
    "last_name": "Kari",
    "date_of_birth": "1990-02-17",
    "national_id": nid("17029012345", "NO", "fnr"),
}


MITID_NAMES = {
    "first_name": "Abelone",
    "last_name": "Christensen",
    "full_name": "Abelone Christensen",
    "initials": "A",
}


EXAMPLES = [
    # ---- Signicat eID Hub ------------------------------------------------------------------
    Example(
        "eidhub-nbid-code-example",
        EIDHUB_NBID_CODE_EXAMPLE,
        "nbid",
        {**NBID_EXPECTED, "subject": "6NZrmEFWVaQij7tQgDSlsG6H6nBpVbZneQKZMrkJbls="},
        warnings=True,
        numbers=("17029012345",),
        auto=NBID_AUTO,
    ),
    Example(
        "eidhub-nbid-attributes",
        EIDHUB_NBID_ATTRIBUTES,
        "nbid",
        NBID_EXPECTED,
        warnings=True,
        numbers=("17029012345",),
        auto=NBID_AUTO,
    ),
    Example(
        "eidhub-mitid-cpr-match",
        EIDHUB_MITID_CPR_MATCH,
        "mitid",
        {
            "method": "mitid",
            **MITID_NAMES,
            "date_of_birth": "1974-07-11",
            "gender": "female",  # from the valid CPR
            "national_id": nid("1107744882", "DK", "cpr"),
            "address": None,
            "nationality": None,
            "loa": None,  # MitID: only as sent; nothing is sent here
            "age_over_18": True,
        },
        warnings=False,
        numbers=("1107744882",),
        # The userinfo alone does not name the eID (a CPR is also NemID's); only the national
        # number and the names are determined under "auto".
        auto={
            **MITID_NAMES,
            "date_of_birth": "1974-07-11",
            "gender": "female",
            "national_id": nid("1107744882", "DK", "cpr"),
        },
    ),
    Example(
        "eidhub-mitid-cpr-match-extra",
        EIDHUB_MITID_CPR_MATCH_EXTRA,
        "mitid",
        {
            "method": "mitid",
            **MITID_NAMES,
            "date_of_birth": "1974-07-11",
            "gender": "female",
            "national_id": nid("1107744882", "DK", "cpr"),
            "loa": "high",  # mitid_loa "HIGH"
            "pseudonym": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",  # mitid_uuid
        },
        warnings=False,
        numbers=("1107744882",),
    ),
    Example(
        "eidhub-mitid-name-protected",
        EIDHUB_MITID_PROTECTED,
        "mitid",
        {
            "method": "mitid",
            "first_name": None,
            "last_name": None,
            "full_name": None,
            "initials": None,
            "date_of_birth": "1974-07-11",
            "gender": "female",
            "national_id": nid("1107744882", "DK", "cpr"),
            "loa": "high",
            "pseudonym": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
        },
        warnings=False,
        numbers=("1107744882",),
    ),
    Example(
        "eidhub-mitid-basic",
        EIDHUB_MITID_BASIC,
        "mitid",
        {
            "method": "mitid",
            **MITID_NAMES,
            "date_of_birth": "1974-07-11",
            "gender": None,  # no gender claim, no national number
            "national_id": None,
            "loa": None,
        },
        warnings=False,
        auto=None,
    ),
    Example(
        "eidhub-ftn",
        EIDHUB_FTN,
        "ftn",
        {
            "method": "ftn",
            "first_name": "Väinö",
            "last_name": "Tunnistus",
            "full_name": "Väinö Tunnistus",
            "initials": "V",
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
            "loa": "substantial",  # FTN default
            # idp_id is the HETU: a national number is never the pseudonym.
            "pseudonym": None,
        },
        warnings=False,
        numbers=("070770-905D",),
        auto={
            "first_name": "Väinö",
            "last_name": "Tunnistus",
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
            "pseudonym": None,
        },
    ),
    Example(
        "eidhub-sbid-id-token",
        EIDHUB_SBID_ID_TOKEN,
        "sbid",
        {
            "subject": "0I3nYK5-NdoLqN1ps8tIWk7WRLOL-BEoU3erWBK28e4=",
            "issuer": "https://testdomain.sandbox.signicat.dev/auth/open",
            "method": "sbid",  # idp "sbid"
            "first_name": "Sven",
            "last_name": "Svensson",
            "full_name": "Sven Svensson",
            "initials": "S",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": None,
            "loa": "substantial",  # Swedish BankID default
            "age_over_18": True,  # 32 at auth_time
            "pseudonym": None,
            "verified_at": "2022-07-08T11:06:39+00:00",  # auth_time 1657278399
        },
        warnings=False,
    ),
    Example(
        "eidhub-sbid-id-token-plus-userinfo",
        EIDHUB_SBID_MERGED,
        "sbid",
        {
            "subject": "0I3nYK5-NdoLqN1ps8tIWk7WRLOL-BEoU3erWBK28e4=",
            "method": "sbid",
            "full_name": "Sven Svensson",
            "date_of_birth": "1990-02-17",  # from the claim; the number is invalid
            "gender": None,
            "national_id": nid("199002171234", "SE", "personnummer"),  # INVALID, kept
            "loa": "substantial",
            "verified_at": "2022-07-08T11:06:39+00:00",
        },
        warnings=True,
        numbers=("199002171234",),
    ),
    Example(
        "eidhub-smartid",
        EIDHUB_SMARTID,
        "smartid",
        {
            "method": "smartid",  # idp "sk-smartid"
            "first_name": "Laura",
            "last_name": "Jansons",
            "full_name": "Laura Jansons",
            "initials": "L",
            "date_of_birth": None,  # no birthdate claim and the code is invalid
            "gender": None,
            "national_id": nid("49002171234", "EE", "isikukood"),  # INVALID, kept
            "loa": "substantial",  # Smart-ID default
            "age_over_18": None,
            "pseudonym": None,  # idp_id is the personal code
        },
        warnings=True,
        numbers=("49002171234",),
    ),
    Example(
        "eidhub-smartid-bad-birthdate",
        EIDHUB_SMARTID_WITH_BIRTHDATE,
        "smartid",
        {
            "method": "smartid",
            "full_name": "Laura Jansons",
            # "1990-17-02" is no date in any format the contract reads; the code is invalid.
            "date_of_birth": None,
            "gender": None,
            "national_id": nid("49002171234", "EE", "isikukood"),
            "loa": "substantial",
        },
        warnings=True,
        numbers=("49002171234",),
    ),
    Example(
        "eidhub-mobiilid",
        EIDHUB_MOBIILID,
        "oidc",
        {
            "method": "oidc",  # Mobiil-ID is not one of the contract's methods (not Smart-ID)
            "first_name": "Laura",  # all-capital names are put in name case
            "last_name": "Jansons",
            "full_name": "Laura Jansons",
            "date_of_birth": None,
            "national_id": nid("49002171234", "EE", "isikukood"),
            "loa": None,  # generic OIDC, nothing stated
        },
        warnings=True,
        numbers=("49002171234",),
    ),
    Example(
        "eidhub-idporten",
        EIDHUB_IDPORTEN,
        "oidc",
        {
            "subject": "fUtzzasbgfm2jtIW-Tr5FJ9lKpr7hS2sVGj85bbDx7A=",
            "method": "oidc",  # ID-porten is not one of the contract's methods
            "first_name": "Kari",
            "last_name": "Nordmann",
            "full_name": "Kari Nordmann",
            "date_of_birth": None,  # no birthdate claim and the number is invalid
            "gender": None,
            "national_id": nid("17029012345", "NO", "fnr"),
            "loa": "high",  # acr "high"
            "pseudonym": None,  # idp_id is the fødselsnummer
            "verified_at": "2025-12-22T12:21:06+00:00",  # auth_time 1766406066
        },
        warnings=True,
        numbers=("17029012345",),
    ),
    Example(
        "eidhub-idin-login-only",
        EIDHUB_IDIN_LOGIN,
        "idin",
        {
            "subject": "VsQFCIOdsM-brFXDGQhMyMfnlkQyeb8pNfkxq6VFppY=",
            "method": "idin",  # idp_issuer "idin"
            "first_name": None,
            "last_name": None,
            "full_name": None,
            "initials": None,
            "date_of_birth": None,
            "gender": None,
            "national_id": None,
            "address": None,
            "loa": "substantial",  # iDIN default
            "age_over_18": None,
            "pseudonym": None,
        },
        warnings=False,
    ),
    # ---- Signicat Express ------------------------------------------------------------------
    Example(
        "express-mitid",
        EXPRESS_MITID,
        "mitid",
        {
            "subject": "79379634-251c-4f3e-a47d-526235822b91",
            "method": "mitid",
            "first_name": "Stig",
            "last_name": "Hansen",
            "full_name": "Stig Hansen",
            "initials": "S",
            "date_of_birth": "1929-11-09",
            "gender": "male",  # from the valid CPR
            "national_id": nid("0911291673", "DK", "cpr"),
            # signicat.nationality is the country of the number, not a `nationality` claim.
            "nationality": None,
            "loa": "low",  # mitid.loa "LOW"
            "age_over_18": True,
            "pseudonym": "79379634-251c-4f3e-a47d-526235822b91",  # mitid.uuid
        },
        warnings=False,
        numbers=("0911291673",),
    ),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_explicit_profile(example: Example) -> None:
    check_example(example, example.profile)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.auto is not None],
                         ids=lambda e: e.id)
def test_auto_profile(example: Example) -> None:
    check_example(example, "auto")
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
    data = normalized(EIDHUB_BEID)
    assert subset(data, BEID_EXPECTED) == BEID_EXPECTED
    assert len(data["warnings"]) == 1 and "90021700029" not in data["warnings"][0]

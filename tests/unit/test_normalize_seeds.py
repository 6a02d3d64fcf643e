"""Acceptance fixtures for `eidgate.normalize`: every example identity of the seed documents.

The claims below are copied verbatim from the two seed documents (shared/seeds/004: the
broker's "OIDC response examples" page; shared/seeds/000: its "Connect (eID Hub)" page, whose
JWT userInfo and accepted ID token were decoded with base64 only, no verification; the
encrypted ID token cannot be read and is left out). Every expected value was written by hand
from docs/identity.md (the contract) and shared/reference/eid-facts.md, never copied from
what eidgate returns. Each national number was checked by hand with the algorithms of
eid-facts.md (the arithmetic is in the comments next to the fixtures).

Where the contract leaves a choice, the comment next to the expectation says which reading
was taken (the one a demanding integrator would expect) and why; look for "READING:".
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

import eidgate

Claims = dict[str, Any]

# The fields of Identity.to_dict() compared exactly; `claims` and `warnings` are checked apart.
FIELDS = (
    "subject",
    "issuer",
    "provider",
    "method",
    "first_name",
    "last_name",
    "full_name",
    "initials",
    "date_of_birth",
    "gender",
    "national_id",
    "email",
    "email_verified",
    "phone",
    "phone_verified",
    "address",
    "nationality",
    "loa",
    "age_over_18",
    "pseudonym",
    "verified_at",
)

# ---------------------------------------------------------------------------------------------
# Seed claims, verbatim (key order, dotted names, string booleans and all).
# ---------------------------------------------------------------------------------------------

FTN: Claims = {
    "signicat.certificate_bank": "FTN (OP)",
    "sub": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf",
    "birthdate": "1970-07-07",
    "name": "Väinö Tunnistus",
    "signicat.national_id": "070770-905D",
    "given_name": "Väinö",
    "locale": "FI",
    "ftn.idpId": "fi-op",
    "family_name": "Tunnistus",
}

IDIN: Claims = {
    "consumer.bin": "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115",
    "sub": "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ",
    "consumer.postalcode": "8681LW",
    "zoneinfo": "Europe/Amsterdam",
    "idin.requestedserviceid": "21974",
    "birthdate": "19700217",
    "address": {
        "country": "NL",
        "locality": "Utrecht",
        "postal_code": "8681LW",
    },
    "consumer.initials": "C",
    "gender": "2",
    "bankid.deliveredserviceid": "21968",
    "consumer.dateofbirth": "19700217",
    "consumer.gender": "2",
    "consumer.partnerlastname": "Ruysch",
    "locale": "NL",
    "given_name": "C",
    "consumer.houseno": "92",
    "consumer.city": "Utrecht",
    "consumer.preferredlastname": "Stegenga-Ruysch",
    "consumer.street": "Zeijerveenweg",
    "name": "C Stegenga",
    "consumer.country": "NL",
    "family_name": "Stegenga",
    "consumer.legallastname": "Stegenga",
}

ITSME: Claims = {
    "sub": "TXuEna3XLCQXRjcLjaZ1aUptqitw50Ny",
    "birthdate": "1974-04-12",
    "email_verified": "false",
    "address": "place Sainte Gudule",
    "gender": "male",
    "name": "Debora Test",
    "given_name": "Debora",
    "family_name": "Test",
    "email": "test@signicat.be",
}

MITID: Claims = {
    "mitid.fal": "HIGH",
    "sub": "aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY",
    "mitid.has_cpr": "true",
    "mitid.psd2": "false",
    "birthdate": "1990-02-17",
    "mitid.transaction_id": "c83dbc36-8b40-4bc4-9522-ec6cbdebde4b",
    "mitid.aal": "LOW",
    "mitid.uuid": "121f8c3b-9084-4d6a-b058-65a399810f14",
    "mitid.ial_identity_assurance_level": "SUBSTANTIAL",
    "signicat.national_id": "1702901234",
    "given_name": "Abelone",
    "mitid.ial": "SUBSTANTIAL",
    "mitid.reference_text_body": " ",
    "mitid.age": "22",
    "mitid.identity_name": "Abelone Christensen",
    "mitid.loa": "LOW",
    "name": "Abelone Christensen",
    "mitid.nemid_pid_lookup_status": "no_pid_for_cpr",
    "family_name": "Christensen",
    "mitid.cpr": "1702901234",
    "mitid.cpr.source": "user",
}

MOBIILIVARMENNE: Claims = {
    "ftn.satu": "440397400",
    "sub": "t8SsCF9-gu6EhjjkqJMGlN0fR54hsaiB",
    "birthdate": "1990-02-17",
    "gender": "M",
    "name": "John Signicat",
    "phone_number_verified": "true",
    "phone_number": "+358123456789",
    "signicat.national_id": "170290-012X",
    "locale": "FI",
    "given_name": "John",
    "family_name": "Signicat",
}

NEMID: Claims = {
    "sub": "3ImeWNXgbORX6XpuFetvHaSNOxHQP46d",
    "name": "John Signicat",
    "signicat.national_id": "1702901234",
    "given_name": "John",
    "locale": "DK",
    "signicat.certificate_unique_id": "9208-2002-2-075164137924",
    "signicat.certificate_serialnumber": "9208-2002-2-075164137924",
    "family_name": "Signicat",
}

NBID: Claims = {
    "sub": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
    "signicat.certificate_issuer_dn": (
        "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO"
    ),
    "birthdate": "1990-02-17",
    "signicat.certificate_originator": "9980",
    "signicat.national_id": "1702901234",
    "locale": "NO",
    "given_name": "Anders Test",
    "signicat.certificate_serialnumber": "1075107",
    "signicat.certificate_dn": (
        "CN=Karpedamsvik\\, Anders Test,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000"
        "-4-361384"
    ),
    "signicat.certificate_policies": "2.16.578.1.16.1.12.1.1",
    "signicat.certificate_bank": "BINAS",
    "signicat.certificate_not_after": "2021-05-22",
    "signicat.certificate_not_before": "2019-05-22",
    "name": "Karpedamsvik, Anders Test",
    "family_name": "Karpedamsvik",
    "signicat.certificate_unique_id": "9578-6000-4-361384",
}

NBID_MOBILE: Claims = {
    "sub": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
    "signicat.certificate_issuer_dn": (
        "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO"
    ),
    "birthdate": "1990-02-17",
    "signicat.certificate_originator": "9980",
    "phone_number_verified": "true",
    "signicat.national_id": "1702901234",
    "given_name": "Daga",
    "locale": "NO",
    "signicat.certificate_serialnumber": "1460362",
    "signicat.certificate_policies": "2.16.578.1.16.1.12.2.1",
    "signicat.certificate_dn": (
        "CN=Krook\\, Daga,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-361384"
    ),
    "signicat.certificate_bank": "BINAS",
    "signicat.certificate_not_after": "2023-02-17",
    "signicat.certificate_not_before": "2021-02-17",
    "name": "Krook, Daga",
    "phone_number": "+4712345678",
    "signicat.certificate_unique_id": "9578-6000-4-361384",
    "family_name": "Krook",
}

NPA: Claims = {
    "sub": "3y2LkVrH8PhJKS94XvkD8Or8Ccj_f-Um",
    "npa.document_type": "ID",
    "npa.date_of_birth": "Wed Aug 12 00:00:00 CEST 1964",
    "birthdate": "Wed Aug 12 00:00:00 CEST 1964",
    "npa.issuing_state": "D",
    "npa.date_of_expiry": "Fri Nov 30 00:00:00 CET 2029",
    "signicat.national_id": "6A11052B71F808C8686D837C0BC1EAEE570227A439B45D0041C6CD40042ABB82",
    "npa.family_name": "MUSTERMANN",
    "npa.place_of_residence": "D:null:51147:KÖLN:HEIDESTRASSE 17",
    "given_name": "ERIKA",
    "locale": "DE",
    "npa.birth_name": "GABLER",
    "npa.place_of_birth": "BERLIN",
    "name": "ERIKA MUSTERMANN",
    "npa.given_names": "ERIKA",
    "family_name": "MUSTERMANN",
    "npa.document_validity": "valid",
}

SMARTID: Claims = {
    "sub": "o3EfcxuN_0g6k_9rrlkGOHGJXX2c_t45",
    "birthdate": "1990-02-17",
    "name": "DEMO SMART-ID",
    "signicat.national_id": "10102170005",
    "locale": "ee",
    "given_name": "DEMO",
    "family_name": "SMART-ID",
}

SBID: Claims = {
    "sub": "DzOcNRYQIaa38nL6s7tfjxK6Ib8g63JH",
    "signicat.certificate_not_after": "2021-01-07T22:59:59.000Z",
    "signicat.certificate_issuer_dn": (
        "C=SE,O=Testbank A AB (publ),SERIALNUMBER=111111111111,CN=Testbank A Cust"
        "omer CA3 v1 for BankID Test OCSP Signing"
    ),
    "signicat.certificate_not_before": "2019-01-07T23:00:00.000Z",
    "name": "Daga Krok",
    "signicat.national_id": "199002171234",
    "given_name": "Daga",
    "locale": "SV",
    "family_name": "Krok",
}

YES: Claims = {
    "sub": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq",
    "email_verified": "true",
    "address": {
        "country": "DE",
        "street_address": "Heiligengeistbrücke 13",
        "formatted": "Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
        "locality": "Ohrenbach",
        "postal_code": "91620",
        "region": "Freistaat Bayern",
    },
    "birthdate": "1996-08-30",
    "gender": "male",
    "phone_number_verified": "true",
    "given_name": "Peter",
    "yes.idtoken_iss": "https://testidp.sandbox.yes.com/issuer/10000001",
    "yes.salutation": "Herr",
    "yes.idtoken_jwt": (
        "eyJraWQiOiJzWFdMIiwiYWxnIjoiUlMyNTYifQ.eyJodHRwczpcL1wvd3d3Lnllcy5jb21cL"
        "2NsYWltc1wvdHJhbnNhY3Rpb25faWQiOiI2OTZlNmM5ZC0wZTUxLTRjODEtYTE3Ni1kZjkzM"
        "DRkZTYxZjQiLCJzdWIiOiI4YjlmOTU4OC00YWQxLTQwNjktOWM2Ni03MjMxZjc5ZDQxYzAiL"
        "CJhdWQiOiJzYW5kYm94Lnllcy5jb206YzdhZDMxYjYtOTg1Zi00ODVhLTk1NGYtZDBkN2VmO"
        "GJhZTQzIiwiYWNyIjoiaHR0cHM6XC9cL3d3dy55ZXMuY29tXC9hY3JzXC9vbmxpbmVfYmFua"
        "2luZ19zY2EiLCJpc3MiOiJodHRwczpcL1wvdGVzdGlkcC5zYW5kYm94Lnllcy5jb21cL2lzc"
        "3VlclwvMTAwMDAwMDEiLCJleHAiOjE2MTgzMjU4NzEsImlhdCI6MTYxODMyNDk3MSwibm9uY"
        "2UiOiItM0FZWXpjNVpickNhaUdVZE1iMHNXU1d1dUFTZnlpdUtScVJlaDdNN0VzIn0.lZrlQ"
        "Ed9_aewes8zMXuyrF2XU9IzouvykNYebrlW1D9yLe2sN8O7aHCduIqmg03mPTU73Bcx0Qcgf"
        "9b5SkOw6jyT6mbl9U28OCIUIeuVh-2IYjNre5K8rjB3k2iSvQVvZGVWONqCj-8aAq8msdC5_"
        "1_SqlNwn6Ze2Idj-eg9gz27ZoaS6Oed2_ZO5xI243aheMOGO3s9LbnYEHeWe_coU0G84y9Hz"
        "qomvHocoTU3WcbklCdc-TwTrYThfa6KHPXF71tXXIfpepr1hJjCUAX79UC9Udff47Pauubuq"
        "O-0fDopfG8EqTaL-ezEhCQ-2sZbfFdeAnMcLtxxVnIpfDKiCg"
    ),
    "yes.nationality": "DE",
    "yes.idtoken_sub": "8b9f9588-4ad1-4069-9c66-7231f79d41c0",
    "name": "Gottschalk, Peter",
    "phone_number": "+12025550143",
    "family_name": "Gottschalk",
    "email": "peter@platform.yes.com",
}

YES_VERIFIED: Claims = {
    "sub": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq",
    "yes.verified.family_name": "Gottschalk",
    "yes.verification.identity_document.issuer": "Stadt Augsburg",
    "birthdate": "1996-08-30",
    "gender": "male",
    "yes.verified.address.region": "Freistaat Bayern",
    "yes.verification.method": "identity_document",
    "yes.verification.id": "676q3636461467647q8498785747q487",
    "yes.verified.address.street_address": "Heiligengeistbrücke 13",
    "yes.verified.birthdate": "1996-08-30",
    "yes.verification.identity_document.number": "53554554",
    "yes.verification.organization": "Bank Y",
    "yes.verified.address.locality": "Ohrenbach",
    "yes.verification.identity_document.agent": "Post AG",
    "yes.verified.address.postal_code": "91620",
    "yes.verification.identity_document.type": "Passersatz f. Ausländer",
    "yes.verification.identity_document.method": "Physical In-Person Proofing (shop)",
    "email": "peter@platform.yes.com",
    "address": {
        "country": "DE",
        "street_address": "Heiligengeistbrücke 13",
        "formatted": "Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
        "locality": "Ohrenbach",
        "postal_code": "91620",
        "region": "Freistaat Bayern",
    },
    "email_verified": "true",
    "yes.verified.address.country": "DE",
    "yes.verification.identity_document.country": "DE",
    "phone_number_verified": "true",
    "given_name": "Peter",
    "yes.verified.nationality": "DE",
    "yes.verified.given_name": "Peter",
    "yes.verification.identity_document.date_of_expiry": "2022-04-22",
    "yes.verification.identity_document.date_of_issuance": "2012-04-23",
    "name": "Gottschalk, Peter",
    "yes.verified.address.formatted": (
        "Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE"
    ),
    "yes.verification.date": "2013-02-21",
    "phone_number": "+12025550143",
    "family_name": "Gottschalk",
}

EIDHUB_JSON_USERINFO: Claims = {
    "idp_id": "FANTASYBANK1234567890",
    "name": "VJ de Vries",
    "family_name": "de Vries",
    "gender": "1",
    "email": "info@equensworldline.nl",
    "address": {
        "Formatted": "Pascalstreet 19, 0000AA, Aachen, DE",
    },
    "phone_number": "+31203051900",
    "eighteen_or_older": "true",
    "idin_legal_last_name": "Vries",
    "idin_legal_last_name_prefix": "de",
    "idin_preferred_last_name": "Vries-Jansen",
    "idin_partner_last_name": "Jansen",
    "idin_preferred_last_name_prefix": "de",
    "idin_partner_last_name_prefix": "de",
    "initials": "VJ",
    "consumer.initials": "VJ",
    "sub": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
    "sub_legacy": "dpqchzrSWF8PEiVjys5tfriL-0Erl03DGm4QQ2UsoRY=",
    "idp_issuer": "idin",
}

EIDHUB_ACCEPTED_USERINFO: Claims = {
    "idp_id": "FANTASYBANK1234567890",
    "name": "VJ de Vries",
    "family_name": "de Vries",
    "gender": "1",
    "email": "info@equensworldline.nl",
    "address": {
        "Formatted": "Pascalstreet 19, 0000AA, Aachen, DE",
    },
    "phone_number": "+31203051900",
    "eighteen_or_older": "true",
    "idin_legal_last_name": "Vries",
    "idin_legal_last_name_prefix": "de",
    "idin_preferred_last_name": "Vries-Jansen",
    "idin_partner_last_name": "Jansen",
    "idin_preferred_last_name_prefix": "de",
    "idin_partner_last_name_prefix": "de",
    "initials": "VJ",
    "sub": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
    "sub_legacy": "dpqchzrSWF8PEiVjys5tfriL-0Erl03DGm4QQ2UsoRY=",
    "idp_issuer": "idin",
}

EIDHUB_JWT_USERINFO: Claims = {
    "consumer.bin": "FANTASYBANK1234567890",
    "sub": "FKijFsEKXz59bXurwafuywPEcnaxc6R0",
    "address": {
        "country": "DE",
        "postal_code": "0000AA",
    },
    "consumer.initials": "VJ",
    "gender": "1",
    "idin.rabo.consumer.bin": "FANTASYBANK1234567890",
    "signicat.national_id": "FANTASYBANK1234567890",
    "consumer.preferredlastnameprefix": "de",
    "consumer.partnerlastname": "Jansen",
    "given_name": "VJ",
    "consumer.legallastnameprefix": "de",
    "consumer.preferredlastname": "Vries-Jansen",
    "idin.consumer.legallastnameprefix": "de",
    "family_name": "Vries",
}

EIDHUB_ID_TOKEN: Claims = {
    "iss": "https://api.signicat.com/auth/open",
    "nbf": 1685017840,
    "iat": 1685017840,
    "exp": 1685018440,
    "aud": "sandbox-jolly-map-471",
    "amr": ["external"],
    "nonce": "7a67b5d7-424e-4ab5-9f38-eacfade053a5",
    "at_hash": "nhZYFI24R1gXJaHCf7zgTQ",
    "sid": "3DEDF10CCBC34331AD5FDA62E52279EF",
    "sub": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
    "auth_time": 1685017839,
    "idp": "idin",
    "name": "VJ de Vries",
    "family_name": "de Vries",
    "gender": "1",
    "email": "info@equensworldline.nl",
    "address": "Pascalstreet 19, 0000AA, Aachen, DE",
    "phone_number": "+31203051900",
    "sub_legacy": "dpqchzrSWF8PEiVjys5tfriL-0Erl03DGm4QQ2UsoRY=",
    "idp_issuer": "idin",
    "transaction_id": "ef627e5f-7f54-4845-af42-40d6a44203e9",
    "sandbox": True,
}

# The ID token and the JSON userInfo of the same accepted eID Hub login, merged the way the
# login flow hands claims to normalize() (ID token first, userinfo on top; `sub` is equal).
EIDHUB_ACCEPTED_MERGED: Claims = {**EIDHUB_ID_TOKEN, **EIDHUB_ACCEPTED_USERINFO}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def address(
    *,
    street: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    region: str | None = None,
    country: str | None = None,
    formatted: str | None = None,
) -> dict[str, str | None]:
    return {
        "street": street,
        "postal_code": postal_code,
        "city": city,
        "region": region,
        "country": country,
        "formatted": formatted,
    }


def nid(value: str, country: str, type_: str) -> dict[str, str]:
    return {"value": value, "country": country, "type": type_}


def without(claims: Mapping[str, Any], *keys: str) -> Claims:
    return {k: v for k, v in claims.items() if k not in keys}


def run(claims: Claims, profile: str = "auto", **kwargs: Any) -> Any:
    """normalize() the claims; check that they come back untouched in `identity.claims`."""
    snapshot = copy.deepcopy(claims)
    identity = eidgate.normalize(claims, profile=profile, **kwargs)
    assert claims == snapshot, "normalize() changed the claims it was given"
    assert dict(identity.claims) == snapshot, "identity.claims is not the raw claims"
    return identity


def as_dict(identity: Any) -> dict[str, Any]:
    """to_dict() without claims/warnings, after checking it has exactly the contract's keys."""
    data = identity.to_dict()
    assert set(data) == {*FIELDS, "claims", "warnings"}, sorted(data)
    out = {k: v for k, v in data.items() if k not in ("claims", "warnings")}
    # READING: the contract says "ISO 8601, UTC" without fixing the spelling of the offset;
    # "+00:00" (datetime.isoformat) and "Z" are the same instant, both are accepted.
    verified_at = out["verified_at"]
    if isinstance(verified_at, str) and verified_at.endswith("Z"):
        out["verified_at"] = verified_at[:-1] + "+00:00"
    return out


def name_tokens(*names: str | None) -> set[str]:
    return {t for n in names if n for t in re.split(r"[\s,]+", n) if len(t) >= 3}


def check_warnings(
    identity: Any, expected: bool, *, number: str | None, names: Iterable[str | None]
) -> None:
    """Warnings: present or not as expected, and free of personal data."""
    warnings = identity.to_dict()["warnings"]
    assert isinstance(warnings, list)
    assert all(isinstance(w, str) for w in warnings)
    assert bool(warnings) is expected, f"expected warnings: {expected}; got {len(warnings)}"
    digits = set(re.sub(r"\D", "", number or ""))
    tokens = name_tokens(*names)
    for w in warnings:
        leaked = sorted(digits & set(w))
        assert not leaked, f"a warning contains digit(s) {leaked} of the national number"
        assert not [t for t in tokens if t in w], "a warning contains the person's name"


def claim_names(claims: Mapping[str, Any]) -> list[str | None]:
    keys = ("given_name", "family_name", "name", "npa.given_names", "npa.family_name")
    return [claims.get(k) for k in keys]


# ---------------------------------------------------------------------------------------------
# One expected identity per seed example
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    id: str
    claims: Claims
    profile: str  # the explicit profile name (= the method)
    expected: dict[str, Any]
    warnings: bool
    # Fields that differ when the profile is picked automatically from the claims.
    auto: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert tuple(self.expected) == FIELDS, self.id


SEEDS = [
    # FTN, OP bank. HETU 070770-905D: DDMMYY 070770, sign "-" (1900s) -> 1970-07-07, equal to
    # `birthdate`. Individual number 905 (odd -> male). Check: 070770905 mod 31 = 13
    # (31 * 2282932 = 70770892, 70770905 - 70770892 = 13); "0123456789ABCDEFHJKLMNPRSTUVWXY"[13]
    # = "D" = the check character: VALID.
    # READING: 905 lies in 900-999, which eid-facts.md calls "temporary". The contract's checks
    # are format, date and check character, and names no exclusion of temporary numbers (which
    # are issued to real people and used by the Finnish test eIDs), so the number is valid: no
    # warning, and gender "male" is derived from it (FTN sends no gender claim).
    Seed(
        "ftn",
        FTN,
        "ftn",
        {
            "subject": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf",
            "issuer": None,
            "provider": None,
            "method": "ftn",
            "first_name": "Väinö",
            "last_name": "Tunnistus",
            "full_name": "Väinö Tunnistus",
            "initials": "V",  # initials come from the given names only
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,  # a HETU is not a citizenship; `locale` is a language
            "loa": "substantial",  # FTN default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=False,
    ),
    # iDIN through the legacy platform. No national number; `consumer.bin` is the BIN.
    Seed(
        "idin",
        IDIN,
        "idin",
        {
            "subject": "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ",
            "issuer": None,
            "provider": None,
            "method": "idin",
            "first_name": None,  # iDIN only gives initials
            # Legal last name without prefix; the preferred name "Stegenga-Ruysch" is not it.
            "last_name": "Stegenga",
            "full_name": "C Stegenga",  # no first name -> the provider's `name`
            "initials": "C",
            "date_of_birth": "1970-02-17",  # "19700217"
            "gender": "female",  # "2"
            "national_id": None,
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            # READING: two sources agree on postal code, city and country; the street comes from
            # consumer.street + consumer.houseno, joined Dutch-style ("Zeijerveenweg 92": an OIDC
            # street_address includes the house number). Nothing is sent as a formatted address
            # and none is invented.
            "address": address(
                street="Zeijerveenweg 92", postal_code="8681LW", city="Utrecht", country="NL"
            ),
            "nationality": None,
            "loa": "substantial",  # iDIN default
            "age_over_18": True,
            "pseudonym": (
                "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115"
            ),
            "verified_at": None,
        },
        warnings=False,
    ),
    # itsme: no national number; email_verified is the string "false"; address a plain string.
    Seed(
        "itsme",
        ITSME,
        "itsme",
        {
            "subject": "TXuEna3XLCQXRjcLjaZ1aUptqitw50Ny",
            "issuer": None,
            "provider": None,
            "method": "itsme",
            "first_name": "Debora",
            "last_name": "Test",
            "full_name": "Debora Test",
            "initials": "D",
            "date_of_birth": "1974-04-12",
            "gender": "male",  # as sent, whatever the first name suggests
            "national_id": None,
            "email": "test@signicat.be",
            "email_verified": False,  # "false"
            "phone": None,
            "phone_verified": False,
            "address": address(formatted="place Sainte Gudule"),
            "nationality": None,
            "loa": "high",  # itsme default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=False,
        # READING: not one of these claims is specific to itsme (they are plain OIDC claims),
        # so "auto" cannot know the eID and must fall back to the generic profile, whose LoA
        # is None. Guessing itsme would hand an unknown OIDC login itsme's default LoA "high".
        auto={"method": "oidc", "loa": None},
    ),
    # MitID. CPR 1702901234: 170290, digit 7 is "1" (0-3 -> 1900s) -> 1990-02-17, equal to
    # `birthdate`; last digit 4 even -> female. Mod-11 (4,3,2,7,6,5,4,3,2,1) gives 113 mod 11
    # = 3, i.e. it fails mod-11, but mod-11 is not required since 2007: VALID.
    Seed(
        "mitid",
        MITID,
        "mitid",
        {
            "subject": "aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY",
            "issuer": None,
            "provider": None,
            "method": "mitid",
            "first_name": "Abelone",
            "last_name": "Christensen",
            "full_name": "Abelone Christensen",
            "initials": "A",
            "date_of_birth": "1990-02-17",
            "gender": "female",  # from the valid CPR (no gender claim)
            "national_id": nid("1702901234", "DK", "cpr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "low",  # "mitid.loa": "LOW"
            # `mitid.age` "22" is not `eighteen_or_older`; from date_of_birth (now: 36).
            "age_over_18": True,
            "pseudonym": "121f8c3b-9084-4d6a-b058-65a399810f14",  # mitid.uuid
            "verified_at": None,
        },
        warnings=False,
    ),
    # Mobiilivarmenne. HETU 170290-012X: 170290012 mod 31 = 6 (31 * 5493226 = 170290006),
    # check character should be "6", not "X": INVALID. Kept as sent, not used, warned about.
    # Birth date and gender come from their own claims.
    Seed(
        "mobiilivarmenne",
        MOBIILIVARMENNE,
        "mobiilivarmenne",
        {
            "subject": "t8SsCF9-gu6EhjjkqJMGlN0fR54hsaiB",
            "issuer": None,
            "provider": None,
            # READING: "auto" must tell it from bank FTN: `ftn.satu` (a certificate-based
            # FTN method) with a phone number and no `ftn.idpId` is Mobiilivarmenne, the
            # method the seed calls it. Both default to LoA substantial.
            "method": "mobiilivarmenne",
            "first_name": "John",
            "last_name": "Signicat",
            "full_name": "John Signicat",
            "initials": "J",
            "date_of_birth": "1990-02-17",
            "gender": "male",  # "M"
            "national_id": nid("170290-012X", "FI", "hetu"),
            "email": None,
            "email_verified": False,
            "phone": "+358123456789",
            "phone_verified": True,  # "true"
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Mobiilivarmenne default
            "age_over_18": True,
            # READING: `ftn.satu` (the population register's electronic id) is not in the
            # contract's list of pseudonyms, so it is not one.
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # NemID. Same CPR as MitID, VALID (see above): no birthdate claim, so date_of_birth
    # 1990-02-17 and gender female are decoded from it (test data: "John" with an even CPR).
    Seed(
        "nemid",
        NEMID,
        "nemid",
        {
            "subject": "3ImeWNXgbORX6XpuFetvHaSNOxHQP46d",
            "issuer": None,
            "provider": None,
            "method": "nemid",
            "first_name": "John",
            "last_name": "Signicat",
            "full_name": "John Signicat",
            "initials": "J",
            "date_of_birth": "1990-02-17",
            "gender": "female",
            "national_id": nid("1702901234", "DK", "cpr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # NemID default
            "age_over_18": True,
            "pseudonym": "9208-2002-2-075164137924",  # PID (certificate unique id)
            "verified_at": None,
        },
        warnings=False,
    ),
    # Norwegian BankID. "1702901234" has 10 digits; a fødselsnummer has 11: INVALID. Kept as
    # sent, not used (no gender claim -> None), warned about; birthdate from its claim.
    # READING: `type` of an invalid Norwegian number: day 17 and month 02 carry no D-/H-number
    # offset, so it is read as "fnr".
    Seed(
        "nbid",
        NBID,
        "nbid",
        {
            "subject": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
            "issuer": None,
            "provider": None,
            "method": "nbid",
            "first_name": "Anders Test",
            "last_name": "Karpedamsvik",
            "full_name": "Anders Test Karpedamsvik",  # never "Last, First"
            "initials": "AT",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("1702901234", "NO", "fnr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "high",  # Norwegian BankID default
            "age_over_18": True,
            "pseudonym": "9578-6000-4-361384",  # PID (certificate unique id)
            "verified_at": None,
        },
        warnings=True,
    ),
    # Norwegian BankID on mobile: same invalid 10-digit number as above.
    Seed(
        "nbid-mobile",
        NBID_MOBILE,
        "nbid",
        {
            "subject": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
            "issuer": None,
            "provider": None,
            "method": "nbid",
            "first_name": "Daga",
            "last_name": "Krook",
            "full_name": "Daga Krook",
            "initials": "D",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("1702901234", "NO", "fnr"),
            "email": None,
            "email_verified": False,
            "phone": "+4712345678",
            "phone_verified": True,
            "address": None,
            "nationality": None,
            # READING: the contract has one Norwegian BankID default, "high"; eid-facts.md
            # lowers only the biometric app to substantial, and BankID on mobile (SIM) is not it.
            "loa": "high",
            "age_over_18": True,
            "pseudonym": "9578-6000-4-361384",
            "verified_at": None,
        },
        warnings=True,
    ),
    # Personalausweis. No national number: `signicat.national_id` is a pseudonym.
    Seed(
        "npa",
        NPA,
        "npa",
        {
            "subject": "3y2LkVrH8PhJKS94XvkD8Or8Ccj_f-Um",
            "issuer": None,
            "provider": None,
            "method": "npa",
            "first_name": "Erika",
            "last_name": "Mustermann",
            "full_name": "Erika Mustermann",
            "initials": "E",
            # "Wed Aug 12 00:00:00 CEST 1964": the calendar date as written (it is 1964-08-11
            # 22:00 in UTC, which must NOT be used).
            "date_of_birth": "1964-08-12",
            "gender": None,
            "national_id": None,
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            # "D:null:51147:KÖLN:HEIDESTRASSE 17" = country:state:postcode:city:street.
            # READING: the contract puts NAMES in name case; an address is not a name, so city
            # and street are kept as written ("KÖLN", not "Köln"). No formatted address is sent.
            "address": address(
                street="HEIDESTRASSE 17", postal_code="51147", city="KÖLN", country="DE"
            ),
            "nationality": "DE",  # document type "ID" is only issued to Germans
            "loa": "high",  # Personalausweis default
            "age_over_18": True,
            "pseudonym": "6A11052B71F808C8686D837C0BC1EAEE570227A439B45D0041C6CD40042ABB82",
            "verified_at": None,
        },
        warnings=False,
    ),
    # Smart-ID. "10102170005" (locale "ee"): G=1, YYMMDD 010217. Check: weights 1..9,1 over
    # 1,0,1,0,2,1,7,0,0,0 = 1+3+10+6+49 = 69; 69 mod 11 = 3 != 5: INVALID (the same rule holds
    # for Lithuania). Kept as sent, not used, warned about. This seed, unlike eid-facts.md's
    # general remark, does carry `birthdate`, so date_of_birth comes from that claim.
    # READING: an unwrapped code's country comes from `locale` "ee" (Estonia; the only other
    # hint would be a PNOEE-/PNOLT- wrapper): country "EE", type "isikukood".
    Seed(
        "smartid",
        SMARTID,
        "smartid",
        {
            "subject": "o3EfcxuN_0g6k_9rrlkGOHGJXX2c_t45",
            "issuer": None,
            "provider": None,
            "method": "smartid",
            "first_name": "Demo",
            # READING: name case capitalises each hyphen-separated part ("JEAN-PIERRE" ->
            # "Jean-Pierre"); it cannot know that "ID" was an acronym: "Smart-Id".
            "last_name": "Smart-Id",
            "full_name": "Demo Smart-Id",
            "initials": "D",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("10102170005", "EE", "isikukood"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Smart-ID default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # Swedish BankID. "199002171234": Luhn over 9002171234 (from the right, doubling every
    # second digit): 4 + 6 + 2 + 2 + 7 + 2 + 2 + 0 + 0 + 9 = 34, not a multiple of 10:
    # INVALID (the check digit would be 0). No birthdate claim either, so date_of_birth and
    # gender are None, and age_over_18 is unknown.
    Seed(
        "sbid",
        SBID,
        "sbid",
        {
            "subject": "DzOcNRYQIaa38nL6s7tfjxK6Ib8g63JH",
            "issuer": None,
            "provider": None,
            "method": "sbid",
            "first_name": "Daga",
            "last_name": "Krok",
            "full_name": "Daga Krok",
            "initials": "D",
            "date_of_birth": None,
            "gender": None,
            "national_id": nid("199002171234", "SE", "personnummer"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Swedish BankID default
            "age_over_18": None,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # Yes. `name` is "Gottschalk, Peter"; full_name is never "Last, First".
    Seed(
        "yes",
        YES,
        "yes",
        {
            "subject": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq",
            "issuer": None,  # `yes.idtoken_iss` is the bank's, not this token's `iss`
            "provider": None,
            "method": "yes",
            "first_name": "Peter",
            "last_name": "Gottschalk",
            "full_name": "Peter Gottschalk",
            "initials": "P",
            "date_of_birth": "1996-08-30",
            "gender": "male",
            "national_id": None,
            "email": "peter@platform.yes.com",
            "email_verified": True,
            "phone": "+12025550143",
            "phone_verified": True,
            "address": address(
                street="Heiligengeistbrücke 13",
                postal_code="91620",
                city="Ohrenbach",
                region="Freistaat Bayern",
                country="DE",
                formatted="Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
            ),
            "nationality": "DE",  # yes.nationality
            # The acr inside the nested `yes.idtoken_jwt` is not a claim of this login: default.
            "loa": "substantial",
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,  # nor is that nested token's iat
        },
        warnings=False,
    ),
    # Yes with identity-document-verified claims (here they agree with the unverified ones).
    Seed(
        "yes-verified",
        YES_VERIFIED,
        "yes",
        {
            "subject": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq",
            "issuer": None,
            "provider": None,
            "method": "yes",
            "first_name": "Peter",
            "last_name": "Gottschalk",
            "full_name": "Peter Gottschalk",
            "initials": "P",
            "date_of_birth": "1996-08-30",
            "gender": "male",
            "national_id": None,
            "email": "peter@platform.yes.com",
            "email_verified": True,
            "phone": "+12025550143",
            "phone_verified": True,
            "address": address(
                street="Heiligengeistbrücke 13",
                postal_code="91620",
                city="Ohrenbach",
                region="Freistaat Bayern",
                country="DE",
                formatted="Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
            ),
            "nationality": "DE",  # yes.verified.nationality
            "loa": "substantial",
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=False,
    ),
    # eID Hub, iDIN, JSON userInfo (the stand-alone example, with `consumer.initials`).
    Seed(
        "eidhub-json-userinfo",
        EIDHUB_JSON_USERINFO,
        "idin",
        {
            "subject": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
            "issuer": None,
            "provider": None,
            "method": "idin",  # idp_issuer "idin"
            "first_name": None,
            "last_name": "de Vries",  # idin_legal_last_name_prefix + idin_legal_last_name
            "full_name": "VJ de Vries",  # the provider's `name`
            "initials": "VJ",
            "date_of_birth": None,
            "gender": "male",  # "1"
            "national_id": None,
            "email": "info@equensworldline.nl",
            "email_verified": False,  # not said
            "phone": "+31203051900",
            "phone_verified": False,
            # READING: the eID Hub sends the OIDC address member as "Formatted" (capital F).
            # Dropping the address over the capital would lose data the integrator asked for,
            # so it is read as `formatted`. The text is not parsed into parts (no guessing).
            "address": address(formatted="Pascalstreet 19, 0000AA, Aachen, DE"),
            "nationality": None,
            "loa": "substantial",  # iDIN default
            "age_over_18": True,  # eighteen_or_older "true"
            # READING: the eID Hub's `idp_id` is the eID's own id of the person; for iDIN it
            # is the BIN (the JWT example carries the same value as `consumer.bin`), so it is
            # the pseudonym.
            "pseudonym": "FANTASYBANK1234567890",
            "verified_at": None,
        },
        warnings=False,
    ),
    # eID Hub, iDIN, JWT userInfo (payload decoded by hand). No `name`, no legal last name
    # claim: `family_name` "Vries" is the legal last name, "de" the legal prefix.
    Seed(
        "eidhub-jwt-userinfo",
        EIDHUB_JWT_USERINFO,
        "idin",
        {
            "subject": "FKijFsEKXz59bXurwafuywPEcnaxc6R0",
            "issuer": None,
            "provider": None,
            "method": "idin",
            "first_name": None,
            "last_name": "de Vries",  # not the preferred "Vries-Jansen"
            "full_name": "VJ de Vries",  # no name claim -> initials + last_name
            "initials": "VJ",
            "date_of_birth": None,
            "gender": "male",
            "national_id": None,  # signicat.national_id is the BIN here
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": address(postal_code="0000AA", country="DE"),
            "nationality": None,
            "loa": "substantial",
            "age_over_18": None,  # no birth date, no eighteen_or_older
            "pseudonym": "FANTASYBANK1234567890",
            "verified_at": None,
        },
        warnings=False,
    ),
    # eID Hub, iDIN, ID token payload of the accepted JSON example (decoded by hand).
    # auth_time 1685017839 = 19502 days (2023-05-25) + 45039 s (12:30:39) after the epoch.
    Seed(
        "eidhub-id-token",
        EIDHUB_ID_TOKEN,
        "idin",
        {
            "subject": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
            "issuer": "https://api.signicat.com/auth/open",
            "provider": None,
            "method": "idin",  # idp "idin"
            "first_name": None,
            "last_name": "de Vries",  # family_name, already with its prefix
            "full_name": "VJ de Vries",
            # READING: no initials claim and no given_name; cutting "VJ" out of `name` would be
            # a guess, so initials are unknown.
            "initials": None,
            "date_of_birth": None,
            "gender": "male",
            "national_id": None,
            "email": "info@equensworldline.nl",
            "email_verified": False,
            "phone": "+31203051900",
            "phone_verified": False,
            "address": address(formatted="Pascalstreet 19, 0000AA, Aachen, DE"),
            "nationality": None,
            "loa": "substantial",
            "age_over_18": None,
            "pseudonym": None,
            "verified_at": "2023-05-25T12:30:39+00:00",  # auth_time, not iat (…:40)
        },
        warnings=False,
    ),
    # ID token + JSON userInfo of the same accepted login, merged.
    Seed(
        "eidhub-accepted-merged",
        EIDHUB_ACCEPTED_MERGED,
        "idin",
        {
            "subject": "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w=",
            "issuer": "https://api.signicat.com/auth/open",
            "provider": None,
            "method": "idin",
            "first_name": None,
            "last_name": "de Vries",
            "full_name": "VJ de Vries",
            "initials": "VJ",
            "date_of_birth": None,
            "gender": "male",
            "national_id": None,
            "email": "info@equensworldline.nl",
            "email_verified": False,
            "phone": "+31203051900",
            "phone_verified": False,
            "address": address(formatted="Pascalstreet 19, 0000AA, Aachen, DE"),
            "nationality": None,
            "loa": "substantial",
            "age_over_18": True,
            "pseudonym": "FANTASYBANK1234567890",
            "verified_at": "2023-05-25T12:30:39+00:00",
        },
        warnings=False,
    ),
]

SEED_NATIONAL_NUMBER = {
    "ftn": "070770-905D",
    "mitid": "1702901234",
    "mobiilivarmenne": "170290-012X",
    "nemid": "1702901234",
    "nbid": "1702901234",
    "nbid-mobile": "1702901234",
    "smartid": "10102170005",
    "sbid": "199002171234",
}


@pytest.mark.parametrize("profile", ["auto", "explicit"])
@pytest.mark.parametrize("seed", SEEDS, ids=[s.id for s in SEEDS])
def test_seed_identity(seed: Seed, profile: str) -> None:
    if profile == "auto":
        identity = run(seed.claims)
        expected = {**seed.expected, **seed.auto}
    else:
        identity = run(seed.claims, seed.profile)
        expected = seed.expected
    assert as_dict(identity) == expected
    check_warnings(
        identity,
        seed.warnings,
        number=SEED_NATIONAL_NUMBER.get(seed.id),
        names=[*claim_names(seed.claims), expected["first_name"], expected["last_name"]],
    )


def test_seed_claims_are_the_documents_examples() -> None:
    # A guard on the copying: the subjects and sizes of the fixtures, as counted in the seeds.
    sizes = {s.id: (s.claims["sub"], len(s.claims)) for s in SEEDS}
    assert sizes["idin"] == ("Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ", 23)
    assert sizes["mitid"] == ("aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY", 21)
    assert sizes["yes-verified"] == ("Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq", 33)
    assert sizes["eidhub-json-userinfo"][1] == 19
    assert sizes["eidhub-id-token"][1] == 22
    assert EIDHUB_ID_TOKEN["sub"] == EIDHUB_ACCEPTED_USERINFO["sub"]
    assert without(EIDHUB_JSON_USERINFO, "consumer.initials") == EIDHUB_ACCEPTED_USERINFO


# ---------------------------------------------------------------------------------------------
# iDIN
# ---------------------------------------------------------------------------------------------


def test_idin_given_name_is_initials() -> None:
    data = as_dict(run(IDIN, "idin"))
    assert data["first_name"] is None
    assert data["initials"] == "C"
    assert data["full_name"] == "C Stegenga"


@pytest.mark.parametrize(
    ("claims", "last_name"),
    [
        (EIDHUB_JWT_USERINFO, "de Vries"),
        (EIDHUB_JSON_USERINFO, "de Vries"),
        (
            {
                **IDIN,
                "consumer.legallastnameprefix": "van der",
                "consumer.legallastname": "Berg",
                "family_name": "Berg",
                "name": "C van der Berg",
            },
            "van der Berg",
        ),
    ],
    ids=["jwt-userinfo", "json-userinfo", "legacy-van-der"],
)
def test_idin_last_name_is_prefix_and_legal_last_name(claims: Claims, last_name: str) -> None:
    data = as_dict(run(claims, "idin"))
    assert data["last_name"] == last_name
    assert data["first_name"] is None


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
    check_warnings(identity, False, number=None, names=claim_names(claims))


# ---------------------------------------------------------------------------------------------
# Personalausweis
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("java_date", "expected"),
    [
        ("Wed Aug 12 00:00:00 CEST 1964", "1964-08-12"),  # 1964-08-11T22:00Z
        ("Wed Aug 12 00:30:00 CEST 1964", "1964-08-12"),  # 1964-08-11T22:30Z
        ("Tue Aug 11 23:59:59 CEST 1964", "1964-08-11"),  # no shift forward either
        ("Sat Dec 12 00:00:00 CET 1964", "1964-12-12"),  # 1964-12-11T23:00Z
        ("Fri Jan 01 00:30:00 CET 1965", "1965-01-01"),  # 1964-12-31T23:30Z: not the year before
        ("Thu Dec 31 23:30:00 CET 1964", "1964-12-31"),
        ("Wed Aug 12 00:00:00 GMT 1964", "1964-08-12"),
    ],
)
def test_npa_birthdate_is_the_calendar_date_as_written(java_date: str, expected: str) -> None:
    claims = {**NPA, "birthdate": java_date, "npa.date_of_birth": java_date}
    data = as_dict(run(claims, "npa"))
    assert data["date_of_birth"] == expected


def test_npa_upper_case_names_are_put_in_name_case() -> None:
    data = as_dict(run(NPA, "npa"))
    assert (data["first_name"], data["last_name"]) == ("Erika", "Mustermann")
    assert data["full_name"] == "Erika Mustermann"  # not the provider's "ERIKA MUSTERMANN"
    assert data["initials"] == "E"

    claims = {
        **NPA,
        "given_name": "ERIKA ANNA",
        "npa.given_names": "ERIKA ANNA",
        "family_name": "MÜLLER-LÜDENSCHEIDT",
        "npa.family_name": "MÜLLER-LÜDENSCHEIDT",
        "name": "ERIKA ANNA MÜLLER-LÜDENSCHEIDT",
    }
    data = as_dict(run(claims, "npa"))
    assert (data["first_name"], data["last_name"]) == ("Erika Anna", "Müller-Lüdenscheidt")
    assert data["full_name"] == "Erika Anna Müller-Lüdenscheidt"
    assert data["initials"] == "EA"


@pytest.mark.parametrize(
    ("claims", "profile", "first_name", "last_name"),
    [
        # docs/identity.md (as reworded during this work) gives `von der Leyen` as the name
        # case of a capitals-only name with particles.
        (
            {**NPA, "family_name": "VON DER LEYEN", "npa.family_name": "VON DER LEYEN",
             "name": "ERIKA VON DER LEYEN"},
            "npa",
            "Erika",
            "von der Leyen",
        ),
        # ... and applies name case to any name sent entirely in capitals, whatever the eID.
        (
            {**FTN, "given_name": "VÄINÖ", "family_name": "TUNNISTUS",
             "name": "VÄINÖ TUNNISTUS"},
            "ftn",
            "Väinö",
            "Tunnistus",
        ),
    ],
    ids=["npa-particles", "ftn-capitals"],
)
def test_capitals_only_names_reworded_contract(
    claims: Claims, profile: str, first_name: str, last_name: str
) -> None:
    data = as_dict(run(claims, profile))
    assert (data["first_name"], data["last_name"]) == (first_name, last_name)
    assert data["full_name"] == f"{first_name} {last_name}"


def test_smartid_upper_case_names_are_put_in_name_case() -> None:
    data = as_dict(run(SMARTID, "smartid"))
    assert (data["first_name"], data["last_name"]) == ("Demo", "Smart-Id")


def test_names_of_other_eids_are_kept_as_written() -> None:
    claims = {**ITSME, "family_name": "van den Berg", "name": "Debora van den Berg"}
    data = as_dict(run(claims, "itsme"))
    assert data["last_name"] == "van den Berg"
    assert data["full_name"] == "Debora van den Berg"


def test_npa_place_of_residence() -> None:
    data = as_dict(run(NPA, "npa"))
    addr = data["address"]
    assert addr["country"] == "DE"  # ICAO "D"
    assert addr["postal_code"] == "51147"
    assert addr["region"] is None  # "null"
    # READING: city and street kept as written (an address is not a name).
    assert addr["city"] == "KÖLN"
    assert addr["street"] == "HEIDESTRASSE 17"
    assert addr["formatted"] is None


def test_npa_place_of_residence_with_absent_street() -> None:
    claims = {**NPA, "npa.place_of_residence": "D:null:51147:KÖLN:null"}
    addr = as_dict(run(claims, "npa"))["address"]
    assert addr == address(postal_code="51147", city="KÖLN", country="DE")


def test_icao_d_is_de() -> None:
    data = as_dict(run(NPA, "npa"))
    assert data["address"]["country"] == "DE"
    assert data["nationality"] == "DE"


def test_npa_residence_permit_says_nothing_about_nationality() -> None:
    # Only the identity card ("ID") is restricted to German citizens; the electronic residence
    # permit (eAT, document type "AR") is issued to foreigners.
    data = as_dict(run({**NPA, "npa.document_type": "AR"}, "npa"))
    assert data["nationality"] is None
    assert data["address"]["country"] == "DE"


# ---------------------------------------------------------------------------------------------
# Names: Norwegian "Last, First", NFC, whitespace
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [NBID, without(NBID, "given_name", "family_name")],
    ids=["with-given-and-family-name", "name-only"],
)
def test_norwegian_last_comma_first(claims: Claims) -> None:
    data = as_dict(run(claims, "nbid"))
    assert data["first_name"] == "Anders Test"
    assert data["last_name"] == "Karpedamsvik"
    assert data["full_name"] == "Anders Test Karpedamsvik"
    assert data["initials"] == "AT"


def test_names_are_nfc() -> None:
    claims = {**FTN, "given_name": "Va\u0308ino\u0308", "name": "Va\u0308ino\u0308 Tunnistus"}
    assert not unicodedata.is_normalized("NFC", claims["given_name"])
    data = as_dict(run(claims, "ftn"))  # run() also checks the claims stay decomposed
    assert data["first_name"] == "V\u00e4in\u00f6"
    assert data["full_name"] == "V\u00e4in\u00f6 Tunnistus"
    assert data["initials"] == "V"


def test_name_whitespace_is_collapsed() -> None:
    claims = {**ITSME, "given_name": "  Debora \t Anna ", "family_name": " Test  "}
    data = as_dict(run(claims, "itsme"))
    assert data["first_name"] == "Debora Anna"
    assert data["last_name"] == "Test"
    assert data["full_name"] == "Debora Anna Test"
    assert data["initials"] == "DA"


# ---------------------------------------------------------------------------------------------
# National numbers: the seeds' invalid ones, and valid ones constructed by hand
# ---------------------------------------------------------------------------------------------


def test_smartid_seed_number_is_invalid() -> None:
    identity = run(SMARTID, "smartid")
    data = as_dict(identity)
    assert data["national_id"] == nid("10102170005", "EE", "isikukood")  # kept as sent
    assert data["gender"] is None
    assert data["date_of_birth"] == "1990-02-17"  # from the `birthdate` claim, not the code
    check_warnings(identity, True, number="10102170005", names=claim_names(SMARTID))

    claims = without(SMARTID, "birthdate")
    identity = run(claims, "smartid")
    data = as_dict(identity)
    assert data["date_of_birth"] is None
    assert data["gender"] is None
    assert data["age_over_18"] is None
    check_warnings(identity, True, number="10102170005", names=claim_names(claims))


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
    check_warnings(identity, False, number=code, names=claim_names(claims))


def test_sbid_seed_number_is_invalid() -> None:
    identity = run(SBID, "sbid")
    data = as_dict(identity)
    assert data["national_id"] == nid("199002171234", "SE", "personnummer")
    assert data["date_of_birth"] is None
    assert data["gender"] is None
    check_warnings(identity, True, number="199002171234", names=claim_names(SBID))


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
    check_warnings(identity, False, number=number, names=claim_names(claims))


def test_birth_date_claim_contradicting_a_valid_number_is_kept_and_warned_about() -> None:
    claims = {**SBID, "signicat.national_id": "199002171230", "birthdate": "1990-02-18"}
    identity = run(claims, "sbid")
    # The birth-date claim comes first ("else decoded from a valid national number").
    assert as_dict(identity)["date_of_birth"] == "1990-02-18"
    check_warnings(identity, True, number="199002171230", names=claim_names(claims))


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
    check_warnings(identity, False, number=number, names=claim_names(claims))


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
    check_warnings(identity, False, number=hetu, names=claim_names(claims))


def test_cpr_without_mod11_is_valid() -> None:
    # 1702901234 fails mod-11 (113 mod 11 = 3) yet is a valid CPR: no warning, decoded.
    identity = run(without(MITID, "birthdate"), "mitid")
    data = as_dict(identity)
    assert data["date_of_birth"] == "1990-02-17"
    assert data["gender"] == "female"
    check_warnings(identity, False, number="1702901234", names=claim_names(MITID))


# ---------------------------------------------------------------------------------------------
# Booleans, gender codes
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Yes: verified claims win
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Level of assurance
# ---------------------------------------------------------------------------------------------

MITID_WITHOUT_LEVELS = without(
    MITID, "mitid.loa", "mitid.ial", "mitid.ial_identity_assurance_level", "mitid.aal", "mitid.fal"
)


@pytest.mark.parametrize(
    ("claims", "profile", "loa"),
    [
        (MITID, "mitid", "low"),  # "mitid.loa": "LOW"
        ({**MITID, "mitid.loa": "SUBSTANTIAL"}, "mitid", "substantial"),
        ({**MITID, "mitid.loa": "HIGH"}, "mitid", "high"),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/Substantial"},
            "mitid",
            "substantial",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/High"},
            "mitid",
            "high",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "https://data.gov.dk/concept/core/nsis/Low"},
            "mitid",
            "low",
        ),
        (
            {**MITID_WITHOUT_LEVELS, "acr": "urn:grn:authn:dk:mitid:substantial"},
            "mitid",
            "substantial",
        ),
        (MITID_WITHOUT_LEVELS, "mitid", None),  # MitID: only as sent
        ({**EIDHUB_ID_TOKEN, "acr": "loa:high"}, "idin", "high"),  # stated beats the default
        ({**NPA, "acr": "loa:substantial"}, "npa", "substantial"),  # even when lower
        ({**FTN, "loa": "high"}, "ftn", "high"),
        (ITSME, "oidc", None),  # generic OIDC
    ],
    ids=[
        "mitid.loa-LOW",
        "mitid.loa-SUBSTANTIAL",
        "mitid.loa-HIGH",
        "nsis-substantial",
        "nsis-high",
        "nsis-low",
        "idura-urn",
        "mitid-unsaid",
        "acr-loa:high",
        "npa-stated-lower",
        "loa-claim",
        "generic-oidc",
    ],
)
def test_loa(claims: Claims, profile: str, loa: str | None) -> None:
    assert as_dict(run(claims, profile))["loa"] == loa


@pytest.mark.parametrize(
    ("claims", "profile", "loa"),
    [
        (FTN, "ftn", "substantial"),
        (MOBIILIVARMENNE, "mobiilivarmenne", "substantial"),
        (IDIN, "idin", "substantial"),
        (NEMID, "nemid", "substantial"),
        (SMARTID, "smartid", "substantial"),
        (SBID, "sbid", "substantial"),
        (YES, "yes", "substantial"),
        (ITSME, "itsme", "high"),
        (NPA, "npa", "high"),
        (NBID, "nbid", "high"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_loa_defaults_where_the_eid_does_not_say(
    claims: Claims, profile: str, loa: str
) -> None:
    assert as_dict(run(claims, profile))["loa"] == loa


# ---------------------------------------------------------------------------------------------
# age_over_18, verified_at, issuer, provider
# ---------------------------------------------------------------------------------------------


def test_eighteen_or_older_claim_wins() -> None:
    json_false = {**EIDHUB_JSON_USERINFO, "eighteen_or_older": "false"}
    assert as_dict(run(json_false, "idin"))["age_over_18"] is False
    # ... even over a birth date that says adult.
    assert as_dict(run({**ITSME, "eighteen_or_older": "false"}, "itsme"))["age_over_18"] is False


def test_age_over_18_from_birth_date_now() -> None:
    today = dt.datetime.now(dt.UTC).date()
    minor = (today - dt.timedelta(days=17 * 365)).isoformat()  # 17 years minus a few days
    adult = (today - dt.timedelta(days=19 * 365)).isoformat()
    assert as_dict(run({**ITSME, "birthdate": minor}, "itsme"))["age_over_18"] is False
    assert as_dict(run({**ITSME, "birthdate": adult}, "itsme"))["age_over_18"] is True


@pytest.mark.parametrize(
    ("birthdate", "over_18"),
    [
        ("20050601", False),  # 17 on 2023-05-25, although adult today
        ("20050525", True),  # 18th birthday on the login day
        ("20050526", False),  # 18 the day after
    ],
)
def test_age_over_18_is_computed_at_verified_at(birthdate: str, over_18: bool) -> None:
    data = as_dict(run({**EIDHUB_ID_TOKEN, "birthdate": birthdate}, "idin"))
    assert data["verified_at"] == "2023-05-25T12:30:39+00:00"
    assert data["age_over_18"] is over_18


def test_verified_at_falls_back_to_iat() -> None:
    data = as_dict(run(without(EIDHUB_ID_TOKEN, "auth_time"), "idin"))
    assert data["verified_at"] == "2023-05-25T12:30:40+00:00"


def test_issuer_and_provider_arguments() -> None:
    data = as_dict(
        run(FTN, "ftn", provider="signicat-ftn", issuer="https://preprod.signicat.com/oidc")
    )
    assert data["issuer"] == "https://preprod.signicat.com/oidc"
    assert data["provider"] == "signicat-ftn"
    # The `iss` claim comes first.
    data = as_dict(run(EIDHUB_ID_TOKEN, "idin", issuer="https://other.example"))
    assert data["issuer"] == "https://api.signicat.com/auth/open"

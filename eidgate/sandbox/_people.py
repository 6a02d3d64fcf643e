"""The sandbox hub's test persons: who can log in, with which eID, and what claims they bring.

Every person's ``claims`` are the userinfo claims (without ``sub``) exactly in the shape the
eID's real broker sends them: dotted claim names, string booleans (``"true"``), iDIN's
``YYYYMMDD`` dates and numeric genders, the Personalausweis' Java date strings and
colon-joined place of residence, Norwegian BankID's ``"Last, First"`` names, upper-case
Smart-ID and Personalausweis names. eidgate must survive exactly these shapes.

Sources:

* ``seed=True`` persons are copied verbatim from the seed pages in ``tests/fixtures/seeds/``
  (``004``: the broker's "OIDC response examples"; ``000``: the eID Hub's JSON ``userInfo``).
  Their national numbers are kept as published, even where they fail their own checks
  (the Smart-ID, Swedish and Norwegian examples do): that is what the broker sends.
* the others were written for the sandbox, in the same claim shape as their eID's seed
  example. Their national numbers are valid; the check digits were computed by hand with
  the algorithms of ``docs/eid-facts.md`` (the arithmetic is in the comments).
  Names, addresses, phone numbers and e-mail addresses are fictional (``example.com``,
  the ``555-01xx`` range, "Nordmann", "Mustermann", words for "example" or "test").

Claims that change over time in the real world (``mitid.age``, certificate validity dates)
are static: they were right in November 2026.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class TestPerson:
    """One identity of the sandbox's picker; ``key`` is what a ``login_hint`` names."""

    __test__ = False  # not a pytest test class, despite the name

    key: str  # stable login_hint: lower-case ASCII letters, digits and "-"
    eid: str  # one of EIDS
    label: str  # what the picker shows (test data, fine to show)
    claims: Mapping[str, Any]  # userinfo claims in the broker's shape, without "sub"
    loa: str  # "low" | "substantial" | "high": the level a login with this person yields
    seed: bool  # copied from the seed pages


# eID -> picker label, in the picker's order (the issue's list).
EIDS: Mapping[str, str] = MappingProxyType({
    "ftn": "Finnish bank ID (FTN)",
    "idin": "iDIN",
    "itsme": "itsme",
    "mitid": "MitID",
    "mobiilivarmenne": "Mobiilivarmenne",
    "nemid": "NemID",
    "nbid": "Norwegian BankID",
    "npa": "Personalausweis",
    "smartid": "Smart-ID",
    "sbid": "Swedish BankID",
    "yes": "Yes",
})


def _person(key: str, eid: str, label: str, loa: str, claims: dict[str, Any], *,
            seed: bool = False) -> TestPerson:
    return TestPerson(key, eid, label, MappingProxyType(claims), loa, seed)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsigned_jwt(payload: dict[str, Any]) -> str:
    """A JWT-shaped stand-in for Yes' ``yes.idtoken_jwt`` (the bank's own ID token, passed
    through by the broker). Its signature part is a placeholder: nothing can verify it, just
    as a relying party cannot verify the real one."""
    header = {"kid": "sandbox", "alg": "RS256"}
    return ".".join((
        _b64url(json.dumps(header, separators=(",", ":")).encode()),
        _b64url(json.dumps(payload, separators=(",", ":")).encode()),
        _b64url(b"eidgate sandbox: not a signature"),
    ))


_NBID_ISSUER = "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO"
_SBID_ISSUER = ("C=SE,O=Testbank A AB (publ),SERIALNUMBER=111111111111,"
                "CN=Testbank A Customer CA3 v1 for BankID Test OCSP Signing")
_YES_ISS = "https://testidp.sandbox.yes.com/issuer/10000001"
_YES_AUD = "sandbox.yes.com:c7ad31b6-985f-485a-954f-d0d7ef8bae43"
_YES_ACR = "https://www.yes.com/acrs/online_banking_sca"

PEOPLE: tuple[TestPerson, ...] = (
    # -- FTN (Finnish bank eIDs) ------------------------------------------------------------
    _person("ftn-vaino", "ftn", "Väinö Tunnistus (OP)", "substantial", {
        "signicat.certificate_bank": "FTN (OP)",
        "birthdate": "1970-07-07",
        "name": "Väinö Tunnistus",
        "signicat.national_id": "070770-905D",
        "given_name": "Väinö",
        "locale": "FI",
        "ftn.idpId": "fi-op",
        "family_name": "Tunnistus",
    }, seed=True),
    # HETU 231185-924E: 231185924 mod 31 = 14 -> "E"; ZZZ 924 even: female; "-": 1900s.
    _person("ftn-aino", "ftn", "Aino Kokeilu (Nordea)", "substantial", {
        "signicat.certificate_bank": "FTN (Nordea)",
        "birthdate": "1985-11-23",
        "name": "Aino Kokeilu",
        "signicat.national_id": "231185-924E",
        "given_name": "Aino",
        "locale": "FI",
        "ftn.idpId": "fi-nordea",
        "family_name": "Kokeilu",
    }),
    # HETU 150403A9178: 150403917 mod 31 = 8 -> "8"; ZZZ 917 odd: male; "A": 2000s.
    _person("ftn-eero", "ftn", "Eero Esimerkki (Danske Bank, born 2003)", "substantial", {
        "signicat.certificate_bank": "FTN (Danske Bank)",
        "birthdate": "2003-04-15",
        "name": "Eero Esimerkki",
        "signicat.national_id": "150403A9178",
        "given_name": "Eero",
        "locale": "FI",
        "ftn.idpId": "fi-danskebank",
        "family_name": "Esimerkki",
    }),
    # -- iDIN -------------------------------------------------------------------------------
    _person("idin-stegenga", "idin", "C Stegenga", "substantial", {
        "consumer.bin": "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115",
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
    }, seed=True),
    # The eID Hub's JSON userInfo (seed 000): underscore names, idp_issuer, no birth date.
    _person("idin-devries", "idin", "VJ de Vries (eID Hub)", "substantial", {
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
        "sub_legacy": "dpqchzrSWF8PEiVjys5tfriL-0Erl03DGm4QQ2UsoRY=",
        "idp_issuer": "idin",
    }, seed=True),
    # Legacy shape of the 004 example plus the prefix claims the broker's iDIN JWT example
    # carries (consumer.legallastnameprefix, consumer.preferredlastnameprefix).
    _person("idin-voorbeeld", "idin", "JP van der Voorbeeld", "substantial", {
        "consumer.bin": "NLTRIO9401770a76f364edef3a953b3b83565fb99bad90dfb70bd03133b3f7435f98b0",
        "consumer.postalcode": "1012AB",
        "zoneinfo": "Europe/Amsterdam",
        "idin.requestedserviceid": "21974",
        "birthdate": "19820315",
        "address": {
            "country": "NL",
            "locality": "Amsterdam",
            "postal_code": "1012AB",
        },
        "consumer.initials": "JP",
        "gender": "1",
        "bankid.deliveredserviceid": "21968",
        "consumer.dateofbirth": "19820315",
        "consumer.gender": "1",
        "consumer.partnerlastname": "Proefhuis",
        "locale": "NL",
        "given_name": "JP",
        "consumer.houseno": "12",
        "consumer.city": "Amsterdam",
        "consumer.preferredlastname": "Voorbeeld",
        "consumer.preferredlastnameprefix": "van der",
        "consumer.street": "Voorbeeldstraat",
        "name": "JP van der Voorbeeld",
        "consumer.country": "NL",
        "family_name": "Voorbeeld",
        "consumer.legallastname": "Voorbeeld",
        "consumer.legallastnameprefix": "van der",
    }),
    _person("idin-proefdorp", "idin", "M van Proefdorp", "substantial", {
        "consumer.bin": "NLTRIOd81c32d8e949850274a1695c078c063c071c16dce63017170548a20c8a9db940",
        "consumer.postalcode": "3011AA",
        "zoneinfo": "Europe/Amsterdam",
        "idin.requestedserviceid": "21974",
        "birthdate": "19910704",
        "address": {
            "country": "NL",
            "locality": "Rotterdam",
            "postal_code": "3011AA",
        },
        "consumer.initials": "M",
        "gender": "2",
        "bankid.deliveredserviceid": "21968",
        "consumer.dateofbirth": "19910704",
        "consumer.gender": "2",
        "consumer.partnerlastname": "Testhoeve",
        "locale": "NL",
        "given_name": "M",
        "consumer.houseno": "7",
        "consumer.city": "Rotterdam",
        "consumer.preferredlastname": "Proefdorp-Testhoeve",
        "consumer.preferredlastnameprefix": "van",
        "consumer.street": "Proefweg",
        "name": "M van Proefdorp",
        "consumer.country": "NL",
        "family_name": "Proefdorp",
        "consumer.legallastname": "Proefdorp",
        "consumer.legallastnameprefix": "van",
    }),
    # -- itsme: standard OIDC claims only (no national number in the broker's example) -------
    _person("itsme-debora", "itsme", "Debora Test", "high", {
        "birthdate": "1974-04-12",
        "email_verified": "false",
        "address": "place Sainte Gudule",
        "gender": "male",
        "name": "Debora Test",
        "given_name": "Debora",
        "family_name": "Test",
        "email": "test@signicat.be",
    }, seed=True),
    _person("itsme-jeanpierre", "itsme", "Jean-Pierre Exemple", "high", {
        "birthdate": "1981-09-23",
        "email_verified": "true",
        "address": "rue de l'Exemple 12, 1000 Bruxelles",
        "gender": "male",
        "name": "Jean-Pierre Exemple",
        "given_name": "Jean-Pierre",
        "family_name": "Exemple",
        "email": "jean-pierre.exemple@example.com",
    }),
    _person("itsme-marie", "itsme", "Marie Proefmans", "high", {
        "birthdate": "1995-12-01",
        "email_verified": "false",
        "address": "Voorbeeldstraat 5, 9000 Gent",
        "gender": "female",
        "name": "Marie Proefmans",
        "given_name": "Marie",
        "family_name": "Proefmans",
        "email": "marie.proefmans@example.com",
    }),
    # -- MitID: the level varies per login; mitid.loa is the lowest of ial / aal / fal --------
    _person("mitid-abelone", "mitid", "Abelone Christensen (level low)", "low", {
        "mitid.fal": "HIGH",
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
    }, seed=True),
    # CPR 050885-1357: 7th digit 1 -> 1900s: 1985-08-05; last digit 7 odd: male.
    _person("mitid-frederik", "mitid", "Frederik Prøvesen (level substantial)", "substantial", {
        "mitid.fal": "HIGH",
        "mitid.has_cpr": "true",
        "mitid.psd2": "false",
        "birthdate": "1985-08-05",
        "mitid.transaction_id": "59557e5d-f7aa-4a40-8974-ff189c7d8abf",
        "mitid.aal": "SUBSTANTIAL",
        "mitid.uuid": "2c15b529-2554-41c1-b8b1-197ded74574d",
        "mitid.ial_identity_assurance_level": "SUBSTANTIAL",
        "signicat.national_id": "0508851357",
        "given_name": "Frederik",
        "mitid.ial": "SUBSTANTIAL",
        "mitid.reference_text_body": " ",
        "mitid.age": "41",
        "mitid.identity_name": "Frederik Prøvesen",
        "mitid.loa": "SUBSTANTIAL",
        "name": "Frederik Prøvesen",
        "mitid.nemid_pid_lookup_status": "no_pid_for_cpr",
        "family_name": "Prøvesen",
        "mitid.cpr": "0508851357",
        "mitid.cpr.source": "user",
    }),
    # CPR 231104-4128: 7th digit 4 with YY 04 <= 36 -> 2000s: 2004-11-23; last 8: female.
    _person("mitid-sofie", "mitid", "Sofie Eksempelsen (level high)", "high", {
        "mitid.fal": "HIGH",
        "mitid.has_cpr": "true",
        "mitid.psd2": "false",
        "birthdate": "2004-11-23",
        "mitid.transaction_id": "fbc0fb8f-573c-4bc3-b828-8d863bf78551",
        "mitid.aal": "HIGH",
        "mitid.uuid": "1bc8a87d-fa48-4157-be4b-a7cbee1642c6",
        "mitid.ial_identity_assurance_level": "HIGH",
        "signicat.national_id": "2311044128",
        "given_name": "Sofie",
        "mitid.ial": "HIGH",
        "mitid.reference_text_body": " ",
        "mitid.age": "21",
        "mitid.identity_name": "Sofie Eksempelsen",
        "mitid.loa": "HIGH",
        "name": "Sofie Eksempelsen",
        "mitid.nemid_pid_lookup_status": "no_pid_for_cpr",
        "family_name": "Eksempelsen",
        "mitid.cpr": "2311044128",
        "mitid.cpr.source": "user",
    }),
    # -- Mobiilivarmenne (via FTN): ftn.satu, gender M/F, phone, no ftn.idpId ---------------
    _person("mobiilivarmenne-john", "mobiilivarmenne", "John Signicat", "substantial", {
        "ftn.satu": "440397400",
        "birthdate": "1990-02-17",
        "gender": "M",
        "name": "John Signicat",
        "phone_number_verified": "true",
        "phone_number": "+358123456789",
        "signicat.national_id": "170290-012X",
        "locale": "FI",
        "given_name": "John",
        "family_name": "Signicat",
    }, seed=True),
    # HETU 300678Y902D: 300678902 mod 31 = 13 -> "D"; ZZZ 902 even: female; "Y" (2023): 1900s.
    # SATU (FINUID): 8 digits and a check character, assumed to follow the HETU rule
    # (unconfirmed; the seed's 440397400 does not): 20481736 mod 31 = 5 -> "5". A digit
    # check keeps the seed's all-digit shape either way.
    _person("mobiilivarmenne-liisa", "mobiilivarmenne", "Liisa Testaaja (century sign Y)",
            "substantial", {
                "ftn.satu": "204817365",
                "birthdate": "1978-06-30",
                "gender": "F",
                "name": "Liisa Testaaja",
                "phone_number_verified": "true",
                "phone_number": "+358123456780",
                "signicat.national_id": "300678Y902D",
                "locale": "FI",
                "given_name": "Liisa",
                "family_name": "Testaaja",
            }),
    # HETU 090161-935H: 090161935 mod 31 = 16 -> "H"; ZZZ 935 odd: male; "-": 1900s.
    # SATU 45871203 + check 45871203 mod 31 = 7 -> "7".
    _person("mobiilivarmenne-onni", "mobiilivarmenne", "Onni Koetus", "substantial", {
        "ftn.satu": "458712037",
        "birthdate": "1961-01-09",
        "gender": "M",
        "name": "Onni Koetus",
        "phone_number_verified": "true",
        "phone_number": "+358123456781",
        "signicat.national_id": "090161-935H",
        "locale": "FI",
        "given_name": "Onni",
        "family_name": "Koetus",
    }),
    # -- NemID --------------------------------------------------------------------------------
    _person("nemid-john", "nemid", "John Signicat", "substantial", {
        "name": "John Signicat",
        "signicat.national_id": "1702901234",
        "given_name": "John",
        "locale": "DK",
        "signicat.certificate_unique_id": "9208-2002-2-075164137924",
        "signicat.certificate_serialnumber": "9208-2002-2-075164137924",
        "family_name": "Signicat",
    }, seed=True),
    # CPR 120372-1846: 7th digit 1 -> 1900s: 1972-03-12; last digit 6 even: female.
    _person("nemid-karen", "nemid", "Karen Testesen", "substantial", {
        "name": "Karen Testesen",
        "signicat.national_id": "1203721846",
        "given_name": "Karen",
        "locale": "DK",
        "signicat.certificate_unique_id": "9208-2002-2-318264590217",
        "signicat.certificate_serialnumber": "9208-2002-2-318264590217",
        "family_name": "Testesen",
    }),
    # CPR 011059-3119: 7th digit 3 -> 1900s: 1959-10-01; last digit 9 odd: male.
    _person("nemid-mads", "nemid", "Mads Prøvemand", "substantial", {
        "name": "Mads Prøvemand",
        "signicat.national_id": "0110593119",
        "given_name": "Mads",
        "locale": "DK",
        "signicat.certificate_unique_id": "9208-2002-2-740193826551",
        "signicat.certificate_serialnumber": "9208-2002-2-740193826551",
        "family_name": "Prøvemand",
    }),
    # -- Norwegian BankID ("Last, First" names, certificate claims) --------------------------
    _person("nbid-anders", "nbid", "Anders Test Karpedamsvik", "high", {
        "signicat.certificate_issuer_dn": _NBID_ISSUER,
        "birthdate": "1990-02-17",
        "signicat.certificate_originator": "9980",
        "signicat.national_id": "1702901234",
        "locale": "NO",
        "given_name": "Anders Test",
        "signicat.certificate_serialnumber": "1075107",
        "signicat.certificate_dn":
            "CN=Karpedamsvik\\, Anders Test,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-361384",
        "signicat.certificate_policies": "2.16.578.1.16.1.12.1.1",
        "signicat.certificate_bank": "BINAS",
        "signicat.certificate_not_after": "2021-05-22",
        "signicat.certificate_not_before": "2019-05-22",
        "name": "Karpedamsvik, Anders Test",
        "family_name": "Karpedamsvik",
        "signicat.certificate_unique_id": "9578-6000-4-361384",
    }, seed=True),
    _person("nbid-daga", "nbid", "Daga Krook (BankID on mobile)", "high", {
        "signicat.certificate_issuer_dn": _NBID_ISSUER,
        "birthdate": "1990-02-17",
        "signicat.certificate_originator": "9980",
        "phone_number_verified": "true",
        "signicat.national_id": "1702901234",
        "given_name": "Daga",
        "locale": "NO",
        "signicat.certificate_serialnumber": "1460362",
        "signicat.certificate_policies": "2.16.578.1.16.1.12.2.1",
        "signicat.certificate_dn":
            "CN=Krook\\, Daga,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-361384",
        "signicat.certificate_bank": "BINAS",
        "signicat.certificate_not_after": "2023-02-17",
        "signicat.certificate_not_before": "2021-02-17",
        "name": "Krook, Daga",
        "phone_number": "+4712345678",
        "signicat.certificate_unique_id": "9578-6000-4-361384",
        "family_name": "Krook",
    }, seed=True),
    # Fødselsnummer 140575 124 67, with the weights of eid-facts:
    #   K1: 1*3+4*7+0*6+5*1+7*8+5*9+1*4+2*5+4*2 = 3+28+0+5+56+45+4+10+8 = 159; 159 mod 11 = 5;
    #       (11 - 5) mod 11 = 6.
    #   K2: 1*5+4*4+0*3+5*2+7*7+5*6+1*5+2*4+4*3+6*2 = 5+16+0+10+49+30+5+8+12+12 = 147;
    #       147 mod 11 = 4; (11 - 4) mod 11 = 7.
    # III 124 <= 499 -> 1900s: 1975-05-14; ninth digit 4 even: female.
    _person("nbid-kari", "nbid", "Kari Nordmann", "high", {
        "signicat.certificate_issuer_dn": _NBID_ISSUER,
        "birthdate": "1975-05-14",
        "signicat.certificate_originator": "9980",
        "signicat.national_id": "14057512467",
        "locale": "NO",
        "given_name": "Kari",
        "signicat.certificate_serialnumber": "2204817",
        "signicat.certificate_dn":
            "CN=Nordmann\\, Kari,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-472915",
        "signicat.certificate_policies": "2.16.578.1.16.1.12.1.1",
        "signicat.certificate_bank": "BINAS",
        "signicat.certificate_not_after": "2028-03-14",
        "signicat.certificate_not_before": "2026-03-14",
        "name": "Nordmann, Kari",
        "family_name": "Nordmann",
        "signicat.certificate_unique_id": "9578-6000-4-472915",
    }),
    # D-number 430992 357 49: day 43 = 3 + 40.
    #   K1: 4*3+3*7+0*6+9*1+9*8+2*9+3*4+5*5+7*2 = 12+21+0+9+72+18+12+25+14 = 183;
    #       183 mod 11 = 7; (11 - 7) mod 11 = 4.
    #   K2: 4*5+3*4+0*3+9*2+9*7+2*6+3*5+5*4+7*3+4*2 = 20+12+0+18+63+12+15+20+21+8 = 189;
    #       189 mod 11 = 2; (11 - 2) mod 11 = 9.
    # III 357 <= 499 -> 1900s: 1992-09-03; ninth digit 7 odd: male.
    _person("nbid-sindre", "nbid", "Sindre Prøvesen (D-number, BankID on mobile)", "high", {
        "signicat.certificate_issuer_dn": _NBID_ISSUER,
        "birthdate": "1992-09-03",
        "signicat.certificate_originator": "9980",
        "phone_number_verified": "true",
        "signicat.national_id": "43099235749",
        "given_name": "Sindre",
        "locale": "NO",
        "signicat.certificate_serialnumber": "2381905",
        "signicat.certificate_policies": "2.16.578.1.16.1.12.2.1",
        "signicat.certificate_dn":
            "CN=Prøvesen\\, Sindre,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-583026",
        "signicat.certificate_bank": "BINAS",
        "signicat.certificate_not_after": "2028-09-03",
        "signicat.certificate_not_before": "2026-09-03",
        "name": "Prøvesen, Sindre",
        "phone_number": "+4712345679",
        "signicat.certificate_unique_id": "9578-6000-4-583026",
        "family_name": "Prøvesen",
    }),
    # -- Personalausweis: Java date strings, colon-joined residence, upper-case names --------
    _person("npa-erika", "npa", "Erika Mustermann", "high", {
        "npa.document_type": "ID",
        "npa.date_of_birth": "Wed Aug 12 00:00:00 CEST 1964",
        "birthdate": "Wed Aug 12 00:00:00 CEST 1964",
        "npa.issuing_state": "D",
        "npa.date_of_expiry": "Fri Nov 30 00:00:00 CET 2029",
        "signicat.national_id":
            "6A11052B71F808C8686D837C0BC1EAEE570227A439B45D0041C6CD40042ABB82",
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
    }, seed=True),
    # Weekdays and CET/CEST as Java prints them for Europe/Berlin (no summer time 1950-1979).
    _person("npa-karlheinz", "npa", "Karl-Heinz von Testhausen", "high", {
        "npa.document_type": "ID",
        "npa.date_of_birth": "Sat Mar 03 00:00:00 CET 1979",
        "birthdate": "Sat Mar 03 00:00:00 CET 1979",
        "npa.issuing_state": "D",
        "npa.date_of_expiry": "Mon May 19 00:00:00 CEST 2031",
        "signicat.national_id":
            "0389F402199CF8BBF6E5717C26DDC75CAFB3B7694CE319995CA3E077E7C5E2CA",
        "npa.family_name": "VON TESTHAUSEN",
        "npa.place_of_residence": "D:null:20095:HAMBURG:MUSTERWEG 3",
        "given_name": "KARL-HEINZ",
        "locale": "DE",
        "npa.birth_name": "PROBEMANN",
        "npa.place_of_birth": "BONN",
        "name": "KARL-HEINZ VON TESTHAUSEN",
        "npa.given_names": "KARL-HEINZ",
        "family_name": "VON TESTHAUSEN",
        "npa.document_validity": "valid",
    }),
    _person("npa-annalena", "npa", "Anna-Lena Musterfrau (no street)", "high", {
        "npa.document_type": "ID",
        "npa.date_of_birth": "Tue Jul 14 00:00:00 CEST 1987",
        "birthdate": "Tue Jul 14 00:00:00 CEST 1987",
        "npa.issuing_state": "D",
        "npa.date_of_expiry": "Mon Jan 10 00:00:00 CET 2028",
        "signicat.national_id":
            "112EA2ECD4FFA781E218698A8C1DADB20773A88B23DAEAACEC9B0A5418267FC0",
        "npa.family_name": "MUSTERFRAU",
        "npa.place_of_residence": "D:null:80331:MÜNCHEN:null",
        "given_name": "ANNA-LENA",
        "locale": "DE",
        "npa.birth_name": "BEISPIELHOF",
        "npa.place_of_birth": "DRESDEN",
        "name": "ANNA-LENA MUSTERFRAU",
        "npa.given_names": "ANNA-LENA",
        "family_name": "MUSTERFRAU",
        "npa.document_validity": "valid",
    }),
    # -- Smart-ID: upper-case names, personal code in signicat.national_id -------------------
    _person("smartid-demo", "smartid", "Demo Smart-ID (EE)", "substantial", {
        "birthdate": "1990-02-17",
        "name": "DEMO SMART-ID",
        "signicat.national_id": "10102170005",
        "locale": "ee",
        "given_name": "DEMO",
        "family_name": "SMART-ID",
    }, seed=True),
    # Isikukood 4930211023 9: 4*1+9*2+3*3+0*4+2*5+1*6+1*7+0*8+2*9+3*1 = 75; 75 mod 11 = 9.
    # G 4: female, 1900s: 1993-02-11.
    _person("smartid-mariliis", "smartid", "Mari-Liis Näidis (EE)", "substantial", {
        "birthdate": "1993-02-11",
        "name": "MARI-LIIS NÄIDIS",
        "signicat.national_id": "49302110239",
        "locale": "ee",
        "given_name": "MARI-LIIS",
        "family_name": "NÄIDIS",
    }),
    # Asmens kodas 3800627117 2: 3*1+8*2+0*3+0*4+6*5+2*6+7*7+1*8+1*9+7*1 = 134; 134 mod 11 = 2.
    # G 3: male, 1900s: 1980-06-27. Wrapped as the certificate's serial number (PNOLT-).
    _person("smartid-jonas", "smartid", "Jonas Pavyzdys (LT, PNOLT- code)", "substantial", {
        "birthdate": "1980-06-27",
        "name": "JONAS PAVYZDYS",
        "signicat.national_id": "PNOLT-38006271172",
        "locale": "lt",
        "given_name": "JONAS",
        "family_name": "PAVYZDYS",
    }),
    # -- Swedish BankID: 12-digit personnummer, no birthdate claim ---------------------------
    _person("sbid-daga", "sbid", "Daga Krok", "substantial", {
        "signicat.certificate_not_after": "2021-01-07T22:59:59.000Z",
        "signicat.certificate_issuer_dn": _SBID_ISSUER,
        "signicat.certificate_not_before": "2019-01-07T23:00:00.000Z",
        "name": "Daga Krok",
        "signicat.national_id": "199002171234",
        "given_name": "Daga",
        "locale": "SV",
        "family_name": "Krok",
    }, seed=True),
    # Personnummer 20160721-2386: Luhn over 160721238, doubling digits 1, 3, 5, 7, 9:
    #   2+6+0+7+4+1+4+3+16->7 = 34; check (10 - 34 mod 10) mod 10 = 6.
    # NNN 238, 8 even: female. Born 2016-07-21: under 18 until 2034-07-21.
    _person("sbid-maja", "sbid", "Maja Exempelsson (under 18)", "substantial", {
        "signicat.certificate_not_after": "2028-08-31T21:59:59.000Z",
        "signicat.certificate_issuer_dn": _SBID_ISSUER,
        "signicat.certificate_not_before": "2026-08-31T22:00:00.000Z",
        "name": "Maja Exempelsson",
        "signicat.national_id": "201607212386",
        "given_name": "Maja",
        "locale": "SV",
        "family_name": "Exempelsson",
    }),
    # Samordningsnummer 19881265-3171: day 65 = 5 + 60. Luhn over 881265317:
    #   16->7+8+2+2+12->3+5+6+1+14->5 = 39; check (10 - 39 mod 10) mod 10 = 1.
    # NNN 317, 7 odd: male. Born 1988-12-05.
    _person("sbid-asa", "sbid", "Åsa Provström (coordination number)", "substantial", {
        "signicat.certificate_not_after": "2028-02-01T22:59:59.000Z",
        "signicat.certificate_issuer_dn": _SBID_ISSUER,
        "signicat.certificate_not_before": "2026-02-01T23:00:00.000Z",
        "name": "Åsa Provström",
        "signicat.national_id": "198812653171",
        "given_name": "Åsa",
        "locale": "SV",
        "family_name": "Provström",
    }),
    # -- Yes: the unverified shape (signicat.yes) and the verified one (signicat.yes.verified)
    _person("yes-peter", "yes", "Peter Gottschalk", "substantial", {
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
        "yes.idtoken_iss": _YES_ISS,
        "yes.salutation": "Herr",
        "yes.idtoken_jwt": (
            "eyJraWQiOiJzWFdMIiwiYWxnIjoiUlMyNTYifQ.eyJodHRwczpcL1wvd3d3Lnllcy5jb21cL2NsYWltc1w"
            "vdHJhbnNhY3Rpb25faWQiOiI2OTZlNmM5ZC0wZTUxLTRjODEtYTE3Ni1kZjkzMDRkZTYxZjQiLCJzdWIiOi"
            "I4YjlmOTU4OC00YWQxLTQwNjktOWM2Ni03MjMxZjc5ZDQxYzAiLCJhdWQiOiJzYW5kYm94Lnllcy5jb206Y"
            "zdhZDMxYjYtOTg1Zi00ODVhLTk1NGYtZDBkN2VmOGJhZTQzIiwiYWNyIjoiaHR0cHM6XC9cL3d3dy55ZXMu"
            "Y29tXC9hY3JzXC9vbmxpbmVfYmFua2luZ19zY2EiLCJpc3MiOiJodHRwczpcL1wvdGVzdGlkcC5zYW5kYm9"
            "4Lnllcy5jb21cL2lzc3VlclwvMTAwMDAwMDEiLCJleHAiOjE2MTgzMjU4NzEsImlhdCI6MTYxODMyNDk3MS"
            "wibm9uY2UiOiItM0FZWXpjNVpickNhaUdVZE1iMHNXU1d1dUFTZnlpdUtScVJlaDdNN0VzIn0.lZrlQEd9_a"
            "ewes8zMXuyrF2XU9IzouvykNYebrlW1D9yLe2sN8O7aHCduIqmg03mPTU73Bcx0Qcgf9b5SkOw6jyT6mbl9U"
            "28OCIUIeuVh-2IYjNre5K8rjB3k2iSvQVvZGVWONqCj-8aAq8msdC5_1_SqlNwn6Ze2Idj-eg9gz27ZoaS6O"
            "ed2_ZO5xI243aheMOGO3s9LbnYEHeWe_coU0G84y9HzqomvHocoTU3WcbklCdc-TwTrYThfa6KHPXF71tXXI"
            "fpepr1hJjCUAX79UC9Udff47PauubuqO-0fDopfG8EqTaL-ezEhCQ-2sZbfFdeAnMcLtxxVnIpfDKiCg"),
        "yes.nationality": "DE",
        "yes.idtoken_sub": "8b9f9588-4ad1-4069-9c66-7231f79d41c0",
        "name": "Gottschalk, Peter",
        "phone_number": "+12025550143",
        "family_name": "Gottschalk",
        "email": "peter@platform.yes.com",
    }, seed=True),
    _person("yes-peter-verified", "yes", "Peter Gottschalk (verified)", "substantial", {
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
        "yes.verified.address.formatted":
            "Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
        "yes.verification.date": "2013-02-21",
        "phone_number": "+12025550143",
        "family_name": "Gottschalk",
    }, seed=True),
    # Verified shape where the bank's own (unverified) data differs from the identity
    # document: she goes by "Anni" and has moved since the document was checked. eidgate
    # must prefer the yes.verified.* values.
    _person("yes-anna", "yes", "Anna Maria Beispiel (verified data differs)", "substantial", {
        "yes.verified.family_name": "Beispiel",
        "yes.verification.identity_document.issuer": "Stadt Frankfurt am Main",
        "birthdate": "1988-05-09",
        "gender": "female",
        "yes.verified.address.region": "Hessen",
        "yes.verification.method": "identity_document",
        "yes.verification.id": "5e1f0c7a2b9d4e36a8c1f7d20b4e9a63",
        "yes.verified.address.street_address": "Musterallee 21",
        "yes.verified.birthdate": "1988-05-09",
        "yes.verification.identity_document.number": "L01X00T47",
        "yes.verification.organization": "Bank Y",
        "yes.verified.address.locality": "Frankfurt am Main",
        "yes.verification.identity_document.agent": "Post AG",
        "yes.verified.address.postal_code": "60311",
        "yes.verification.identity_document.type": "Personalausweis",
        "yes.verification.identity_document.method": "Physical In-Person Proofing (shop)",
        "email": "anni.beispiel@example.com",
        "address": {
            "country": "DE",
            "street_address": "Neue Gasse 7",
            "formatted": "Neue Gasse 7\nKöln\nNordrhein-Westfalen\n50667\nDE",
            "locality": "Köln",
            "postal_code": "50667",
            "region": "Nordrhein-Westfalen",
        },
        "email_verified": "true",
        "yes.verified.address.country": "DE",
        "yes.verification.identity_document.country": "DE",
        "phone_number_verified": "true",
        "given_name": "Anni",
        "yes.verified.nationality": "DE",
        "yes.verified.given_name": "Anna Maria",
        "yes.verification.identity_document.date_of_expiry": "2031-03-01",
        "yes.verification.identity_document.date_of_issuance": "2021-03-02",
        "name": "Beispiel, Anni",
        "yes.verified.address.formatted":
            "Musterallee 21\nFrankfurt am Main\nHessen\n60311\nDE",
        "yes.verification.date": "2022-06-15",
        "phone_number": "+12025550171",
        "family_name": "Beispiel",
    }),
    _person("yes-lukas", "yes", "Lukas Testmann", "substantial", {
        "email_verified": "false",
        "address": {
            "country": "DE",
            "street_address": "Probeweg 4",
            "formatted": "Probeweg 4\nLeipzig\nSachsen\n04109\nDE",
            "locality": "Leipzig",
            "postal_code": "04109",
            "region": "Sachsen",
        },
        "birthdate": "1979-11-02",
        "gender": "male",
        "phone_number_verified": "true",
        "given_name": "Lukas",
        "yes.idtoken_iss": _YES_ISS,
        "yes.salutation": "Herr",
        "yes.idtoken_jwt": _unsigned_jwt({
            "https://www.yes.com/claims/transaction_id": "730825ea-3cfd-4374-8861-fc0c12c74d49",
            "sub": "928a6dba-1d3b-4aea-9d95-5b36f6f4337c",
            "aud": _YES_AUD,
            "acr": _YES_ACR,
            "iss": _YES_ISS,
            "exp": 1795250100,
            "iat": 1795249200,
            "nonce": "sandbox-test-person",
        }),
        "yes.nationality": "DE",
        "yes.idtoken_sub": "928a6dba-1d3b-4aea-9d95-5b36f6f4337c",
        "name": "Testmann, Lukas",
        "phone_number": "+12025550172",
        "family_name": "Testmann",
        "email": "lukas.testmann@example.com",
    }),
)

_BY_KEY: Mapping[str, TestPerson] = MappingProxyType({p.key: p for p in PEOPLE})
_BY_EID: Mapping[str, tuple[TestPerson, ...]] = MappingProxyType(
    {eid: tuple(p for p in PEOPLE if p.eid == eid) for eid in EIDS})


def people_for(eid: str) -> tuple[TestPerson, ...]:
    """The test persons of one eID, in picker order; empty for an unknown eID."""
    return _BY_EID.get(eid, ())


def person(key: str) -> TestPerson | None:
    """The test person a ``login_hint`` names (exact key), or None."""
    return _BY_KEY.get(key)


__all__ = ["EIDS", "PEOPLE", "TestPerson", "people_for", "person"]

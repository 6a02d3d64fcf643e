"""Test accounts for the interop OpenID provider, copied verbatim from Signicat docs.

Each account id is the ``sub`` of the example, so the ``sub`` the provider returns equals the
one in the documentation.  Claim names are kept exactly as Signicat spells them, dotted names
(``signicat.national_id``, ``ftn.idpId``, ``consumer.bin``) included.

Sources (project seeds in shared/seeds/):

* ``FTN_VAINO`` and ``IDIN_STEGENGA``: 004_0228862f3da5f85d.txt, "OIDC response examples",
  sections "FTN (Finnish bank eIDs)" (scope ``openid profile signicat.national_id ftn``) and
  "iDIN" (scope ``openid profile address signicat.idin``).
* ``IDIN_DE_VRIES``: 000_f00e0b9ea03ab768.txt, "Connect (eID Hub)", the JSON ``userInfo``
  block (an iDIN login through the eID hub; note the non-standard ``address.Formatted``).
"""

from __future__ import annotations

from typing import Any, Final

JsonObject = dict[str, Any]

FTN_VAINO: Final[JsonObject] = {
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

IDIN_STEGENGA: Final[JsonObject] = {
    "consumer.bin": "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115",
    "sub": "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ",
    "consumer.postalcode": "8681LW",
    "zoneinfo": "Europe/Amsterdam",
    "idin.requestedserviceid": "21974",
    "birthdate": "19700217",
    "address": {"country": "NL", "locality": "Utrecht", "postal_code": "8681LW"},
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

IDIN_DE_VRIES: Final[JsonObject] = {
    "idp_id": "FANTASYBANK1234567890",
    "name": "VJ de Vries",
    "family_name": "de Vries",
    "gender": "1",
    "email": "info@equensworldline.nl",
    "address": {"Formatted": "Pascalstreet 19, 0000AA, Aachen, DE"},
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

#: account id (== sub) -> claims, as handed to the provider.
ACCOUNTS: Final[dict[str, JsonObject]] = {
    account["sub"]: account for account in (FTN_VAINO, IDIN_STEGENGA, IDIN_DE_VRIES)
}

#: OpenID Connect Core 5.4 standard claims per scope.
_PROFILE: Final[list[str]] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
]
_STANDARD: Final[frozenset[str]] = frozenset(
    [
        "sub",
        *_PROFILE,
        "email",
        "email_verified",
        "address",
        "phone_number",
        "phone_number_verified",
    ]
)

#: Every non-standard claim of the iDIN accounts: consumer.*, idin.*, bankid.* plus the
#: flat eID-hub names (idp_id, idin_*, initials, ...) so the whole block can be asked for.
_IDIN_CLAIMS: Final[list[str]] = sorted(
    {name for account in (IDIN_STEGENGA, IDIN_DE_VRIES) for name in account} - _STANDARD
)

#: scope -> claims released for it (oidc-provider's ``claims`` configuration).
SCOPE_CLAIMS: Final[dict[str, list[str]]] = {
    "profile": _PROFILE,
    "email": ["email", "email_verified"],
    "address": ["address"],
    "phone": ["phone_number", "phone_number_verified"],
    "signicat.national_id": ["signicat.national_id"],
    "ftn": ["ftn.idpId", "signicat.certificate_bank"],
    "signicat.idin": _IDIN_CLAIMS,
}

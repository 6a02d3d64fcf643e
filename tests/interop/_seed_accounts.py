"""Test accounts for the interop OpenID provider: the seed documents' example identities.

Each account id is the ``sub`` of the example, so the ``sub`` the provider returns equals the
one in the documentation.  Claim names are kept exactly as Signicat spells them, dotted names
(``signicat.national_id``, ``ftn.idpId``, ``consumer.bin``) included.

The claims are read from tests/seed_claims.py (the seed pages' examples, written once):

* ``FTN_VAINO`` and ``IDIN_STEGENGA``: 004_0228862f3da5f85d.txt, "OIDC response examples",
  sections "FTN (Finnish bank eIDs)" (scope ``openid profile signicat.national_id ftn``) and
  "iDIN" (scope ``openid profile address signicat.idin``).
* ``IDIN_DE_VRIES``: 000_f00e0b9ea03ab768.txt, "Connect (eID Hub)", the JSON ``userInfo``
  block (an iDIN login through the eID hub; note the non-standard ``address.Formatted``).
"""

from __future__ import annotations

from typing import Any, Final

from seed_claims import EIDHUB_JSON_USERINFO, FTN, IDIN

JsonObject = dict[str, Any]

FTN_VAINO: Final[JsonObject] = FTN
IDIN_STEGENGA: Final[JsonObject] = IDIN
IDIN_DE_VRIES: Final[JsonObject] = EIDHUB_JSON_USERINFO

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

"""`eidgate.normalize` on the example identities of the broker's "Connect (eID Hub)" page.

The claims are seed page 000's examples verbatim (tests/seed_claims.py): the JSON and the JWT
userInfo, and the accepted login's ID token with its userInfo. Every expected value was
written by hand from docs/identity.md (the contract) and docs/eid-facts.md, never
copied from what eidgate returns. "READING:" marks where the contract left a choice.
"""

from __future__ import annotations

import pytest
from normalize_helpers import Seed, address, check_seed
from seed_claims import (
    EIDHUB_ACCEPTED_MERGED,
    EIDHUB_ID_TOKEN,
    EIDHUB_JSON_USERINFO,
    EIDHUB_JWT_USERINFO,
)

EIDHUB_SEEDS = [
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


@pytest.mark.parametrize("profile", ["auto", "explicit"])
@pytest.mark.parametrize("seed", EIDHUB_SEEDS, ids=[s.id for s in EIDHUB_SEEDS])
def test_eidhub_seed_identity(seed: Seed, profile: str) -> None:
    check_seed(seed, profile, None)

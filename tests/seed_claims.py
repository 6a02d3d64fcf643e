"""The seed documents' example identities, written once for every test that needs them.

The two seed documents (``tests/fixtures/seeds/``, copied verbatim from the pages this
project was created from) are the specification: ``004``, the broker's "OIDC response
examples" page, and ``000``, its "Connect (eID Hub)" page. Their example claims live in
one place only: the sandbox's seed persons (``eidgate.sandbox._people``, ``seed=True``),
without ``sub``, which the sandbox assigns itself. This module puts each example's ``sub``
back where the page has it, so that ``seed("ftn-vaino")`` is the page's example verbatim
(keys, order, string booleans and all).

Three examples of page 000 are not sandbox persons: the ``userInfo`` of the accepted eID Hub
login (the JSON example without ``consumer.initials``), and the JWT ``userInfo`` and ID token
of that page, decoded with base64 only (no verification; the encrypted ID token cannot be
read). They are written here, once.

tests/unit/test_seed_documents.py checks all of it against the pages, word for word.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from eidgate.sandbox import _people

Claims = dict[str, Any]

SEED_DIR = Path(__file__).resolve().parent / "fixtures" / "seeds"


class Source(NamedTuple):
    """Where a seed person's claims stand on the seed pages, and the ``sub`` they carry."""

    page: str  # seed file prefix
    heading: str  # the section heading above the example
    n: int  # the n-th JSON example under that heading
    sub_at: int  # the position of "sub" among the example's claims
    sub: str


# Seed 000's example wraps the claims in {"userInfo": {...}}.
SOURCES: dict[str, Source] = {
    "ftn-vaino": Source("004", "FTN (Finnish bank eIDs)", 0,
                        1, "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf"),
    "idin-stegenga": Source("004", "iDIN", 0, 1, "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ"),
    "itsme-debora": Source("004", "itsme", 0, 0, "TXuEna3XLCQXRjcLjaZ1aUptqitw50Ny"),
    "mitid-abelone": Source("004", "MitID", 0, 1, "aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY"),
    "mobiilivarmenne-john": Source("004", "Mobiilivarmenne (via FTN)", 0,
                                   1, "t8SsCF9-gu6EhjjkqJMGlN0fR54hsaiB"),
    "nemid-john": Source("004", "NemID", 0, 0, "3ImeWNXgbORX6XpuFetvHaSNOxHQP46d"),
    "nbid-anders": Source("004", "Norwegian BankID", 0,
                          0, "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae"),
    "nbid-daga": Source("004", "Norwegian BankID on mobile", 0,
                        0, "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae"),
    "npa-erika": Source("004", "Personalausweis", 0, 0, "3y2LkVrH8PhJKS94XvkD8Or8Ccj_f-Um"),
    "smartid-demo": Source("004", "Smart-ID", 0, 0, "o3EfcxuN_0g6k_9rrlkGOHGJXX2c_t45"),
    "sbid-daga": Source("004", "Swedish BankID", 0, 0, "DzOcNRYQIaa38nL6s7tfjxK6Ib8g63JH"),
    "yes-peter": Source("004", "Yes", 0, 0, "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq"),
    "yes-peter-verified": Source("004", "Yes", 1, 0, "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq"),
    "idin-devries": Source("000", "Notes about the final result in Connect processes", 0,
                           16, "mBlQ-9QE5p8sIWBH4clxJsE4gohtDiaBUja4msIXT7w="),
}


def seed(key: str) -> Claims:
    """The seed page's example claims of the seed person ``key``, ``sub`` included."""
    person = _people.person(key)
    assert person is not None and person.seed, key
    source = SOURCES[key]
    items = list(copy.deepcopy(dict(person.claims)).items())
    items.insert(source.sub_at, ("sub", source.sub))
    return dict(items)


# -- page 004, "OIDC response examples" ----------------------------------------------------
FTN = seed("ftn-vaino")
IDIN = seed("idin-stegenga")
ITSME = seed("itsme-debora")
MITID = seed("mitid-abelone")
MOBIILIVARMENNE = seed("mobiilivarmenne-john")
NEMID = seed("nemid-john")
NBID = seed("nbid-anders")
NBID_MOBILE = seed("nbid-daga")
NPA = seed("npa-erika")
SMARTID = seed("smartid-demo")
SBID = seed("sbid-daga")
YES = seed("yes-peter")
YES_VERIFIED = seed("yes-peter-verified")

# -- page 000, "Connect (eID Hub)" --------------------------------------------------------
# The JSON format example of userInfo.
EIDHUB_JSON_USERINFO = seed("idin-devries")

# The accepted process' providerSpecific.userInfo: the JSON example without consumer.initials.
EIDHUB_ACCEPTED_USERINFO: Claims = {
    k: v for k, v in EIDHUB_JSON_USERINFO.items() if k != "consumer.initials"
}

# The JWT format example of userInfo, payload decoded.
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

# The accepted process' providerSpecific.idToken, payload decoded.
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


# -- reading the pages --------------------------------------------------------------------
def seed_page(prefix: str) -> str:
    """The text of seed page ``prefix`` ("000" or "004"); the pages are fixtures of the
    repository, so a missing one is an error, never a reason to skip."""
    found = sorted(SEED_DIR.glob(f"{prefix}_*.txt"))
    if len(found) != 1:
        raise FileNotFoundError(f"seed page {prefix}_*.txt: {len(found)} files in {SEED_DIR}")
    return found[0].read_text(encoding="utf-8")


@cache
def seed_examples() -> dict[tuple[str, str], list[Any]]:
    """Every JSON example of the seed pages, by (file prefix, heading), in page order."""
    found: dict[tuple[str, str], list[Any]] = {}
    decoder = json.JSONDecoder()
    for prefix in ("000", "004"):
        text = seed_page(prefix)
        heading, offset = "", 0
        for line in text.splitlines(keepends=True):
            if line.startswith("# "):
                heading = line[2:].strip()
            elif line.strip() == "{":
                try:
                    example, _ = decoder.raw_decode(text, offset + line.index("{"))
                except json.JSONDecodeError:
                    pass  # the page's last example has a trailing comma: not JSON
                else:
                    found.setdefault((prefix, heading), []).append(example)
            offset += len(line)
    return found


def seed_jwt_payloads(prefix: str, member: str) -> list[Claims]:
    """The payloads of the JWS values of ``"member": "eyJ..."`` on a seed page, base64 only
    (nothing is verified); JWEs (five parts) cannot be read and are left out."""
    text = seed_page(prefix)
    payloads = []
    for token in re.findall(rf'"{member}"\s*:\s*"([A-Za-z0-9_.-]+)"', text):
        parts = token.split(".")
        if len(parts) == 3:
            payload = parts[1] + "=" * (-len(parts[1]) % 4)
            payloads.append(json.loads(base64.urlsafe_b64decode(payload)))
    return payloads

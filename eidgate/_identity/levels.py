"""Levels of assurance: every way an eID or broker states one, mapped to the eIDAS three.

eIDAS (Regulation 910/2014, art. 8) defines ``low`` < ``substantial`` < ``high``. Brokers
and eIDs say it as ``loa:substantial`` (Signicat eID Hub), NSIS URIs (Denmark), MitID's
``"SUBSTANTIAL"``, Idura's ``urn:grn:authn:no:bankid:high``, eIDAS URIs, or Sweden's
``loa3``. Values that name a method rather than a level (``urn:signicat:oidc:method:nbid``)
map to nothing, so the next source or the per-eID default applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Level

#: The eIDAS levels, lowest first (their order is their rank).
LEVELS: tuple[Level, ...] = ("low", "substantial", "high")
_RANK: dict[Level, int] = {level: i for i, level in enumerate(LEVELS)}
# Sweden's tillitsnivå (id.elegnamnden.se/loa/1.0/loaN) and eIDAS numbering to eIDAS words;
# Norway's "Rammeverk for autentisering" levels 3 and 4 (= eIDAS substantial and high), as
# BankID Norge writes them in its acr (urn:bankid:bid;LOA=4, biometric ...;LOA=3) and as
# ID-porten did before its eIDAS names (Level3, Level4; now idporten-loa-substantial/high).
_NUMBERED: dict[str, Level] = {"loa2": "low", "loa3": "substantial", "loa4": "high",
             "loa=3": "substantial", "loa=4": "high", "level3": "substantial", "level4": "high"}
# Where each source of a level may appear, most specific first (OIDC Core 2: acr). The eID
# Hub copies BankID Norge's acr to nbid_acr; OIOSAML 3 (MitID via NemLog-in) names its level
# attribute by URI.
_CLAIMS = ("loa", "mitid.loa", "mitid_loa", "acr", "nsis_loa", "nbid_acr",
           "https://data.gov.dk/concept/core/nsis/loa")


def as_level(value: object) -> Level | None:
    """``value`` as a :data:`Level` when it is exactly one of :data:`LEVELS`, else None.

    For a level named by eidgate's own callers (a ``loa=`` argument, a query parameter, a
    stored pending login): only the three words count, no broker spelling is guessed.
    """
    return value if isinstance(value, str) and value in LEVELS else None


def level(value: object) -> Level | None:
    """``low`` / ``substantial`` / ``high`` for one stated level, or None if it is not one."""
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    text = value.strip().lower().rstrip("/")
    if text in LEVELS:
        return text
    # the level is the last segment of a URI or URN: .../nsis/Substantial, loa:high,
    # urn:grn:authn:dk:mitid:substantial, http://eidas.europa.eu/LoA/high, .../loa3,
    # urn:bankid:bid;LOA=4, idporten-loa-high
    for sep in ("/", ":", "#", ";"):
        text = text.rsplit(sep, 1)[-1]
    if text.startswith("idporten-loa-"):
        text = text[len("idporten-loa-"):]
    return text if text in LEVELS else _NUMBERED.get(text)


def stated_level(claims: Mapping[str, Any]) -> Level | None:
    """The level the claims state (several ``acr_values``-style words: the first that maps)."""
    for name in _CLAIMS:
        value = claims.get(name)
        words = value.split() if isinstance(value, str) else value if isinstance(
            value, list) else ()
        for word in words:
            found = level(word)
            if found is not None:
                return found
    return None


def at_least(have: Level | None, need: Level) -> bool:
    """True when level ``have`` meets ``need`` (an unknown level meets nothing)."""
    return have is not None and _RANK[have] >= _RANK[need]


def lowest(*levels: Level | None) -> Level | None:
    """The lowest of the known ``levels`` (None when none is known)."""
    return min((lv for lv in levels if lv is not None), key=_RANK.__getitem__, default=None)

"""Strict JSON, as everything a provider or a key file sends is read.

Python's ``json.loads`` accepts what RFC 8259 does not (NaN, Infinity, duplicate names,
UTF-16, lone surrogates); each of these is a way for a hostile provider to make eidgate
read a value another parser would not. A leaf: keys, the protocol and the identity layer
all read JSON through :func:`parse_json`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any


def _no_constant(name: str) -> Any:
    # RFC 8259 6: NaN and Infinity are not JSON numbers (Python accepts them by default;
    # an `exp` of Infinity or NaN would never expire).
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # RFC 8259 6: 1e309 is out of range, not infinity
        raise ValueError("JSON number out of range")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    # RFC 7515 5.2 / RFC 7519 4 / RFC 8259 4: names must be unique; we reject duplicates
    # rather than keep the last, so no other parser can read another value than we did.
    if len(result) != len(pairs):
        raise ValueError("JSON object has duplicate member names")
    return result


# RFC 7493 2.1: a lone surrogate (escaped, or raw bytes json.loads passes on) is not a
# character; Python keeps it in a str that no encoder takes (a later crash, not a refusal)
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def parse_json(data: bytes | str) -> Any:
    """Strict ``json.loads`` that fails only with ``ValueError``.

    Refuses ``NaN`` / ``Infinity`` / out-of-range numbers, duplicate member names and lone
    surrogates. A body of a few hundred thousand nested brackets makes ``json.loads`` raise
    ``RecursionError``; from a hostile provider that must be a clean error, not a traceback.
    """
    if isinstance(data, bytes):
        # RFC 8259 8.1: JSON exchanged between systems MUST be UTF-8 (a leading BOM MAY be
        # ignored). json.loads would also guess UTF-16/32: a text other parsers read apart.
        data = data.decode("utf-8-sig", "surrogatepass")
    try:
        value = json.loads(data, parse_constant=_no_constant, parse_float=_finite,
                           object_pairs_hook=_unique)
        if _SURROGATE.search(data):  # rare: only then look for one left unpaired
            json.dumps(value, ensure_ascii=False).encode()  # UnicodeEncodeError if so
        return value
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc

"""The sans-IO boundary: requests the core wants sent, responses the drivers hand back.

The protocol code never performs I/O. It yields :class:`HttpRequest` values and receives
:class:`HttpResponse` values (the ``httpx.Auth.auth_flow`` idiom), so the sync and the async
driver run exactly the same code path.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ._errors import ProviderError, shown

#: Largest provider response body we accept; larger bodies are cut off by the drivers.
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request the core needs sent to an OpenID provider."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeout: float = 10.0
    max_bytes: int = MAX_RESPONSE_BYTES

    @classmethod
    def form(
        cls, url: str, data: Mapping[str, str], headers: Mapping[str, str], timeout: float
    ) -> HttpRequest:
        """A ``POST`` with an ``application/x-www-form-urlencoded`` body."""
        return cls(
            "POST",
            url,
            {
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            urlencode(data).encode("ascii"),
            timeout,
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back: status, headers (lower-case names) and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case (``application/jwt``)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()



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


def json_object(response: HttpResponse, what: str) -> dict[str, Any]:
    """Decode a JSON object body, or raise a :class:`ProviderError` that says what was wrong."""
    if len(response.body) > MAX_RESPONSE_BYTES:
        raise ProviderError(f"{what}: response larger than {MAX_RESPONSE_BYTES} bytes")
    try:
        data = parse_json(response.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderError(
            f"{what}: response is not JSON (HTTP {response.status}, "
            f"content type {shown(response.content_type or 'none')})"
        ) from exc
    if not isinstance(data, dict):
        raise ProviderError(f"{what}: response is JSON but not an object")
    return data


def expect_ok(response: HttpResponse, what: str, ok: tuple[int, ...] = (200,)) -> None:
    """Raise a :class:`ProviderError` for an unexpected HTTP status."""
    if response.status not in ok:
        raise ProviderError(f"{what}: provider answered HTTP {response.status}")

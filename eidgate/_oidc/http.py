"""The sans-IO boundary: requests the core wants sent, responses the drivers hand back.

The protocol code never performs I/O. It yields :class:`HttpRequest` values and receives
:class:`HttpResponse` values (the ``httpx2.Auth.auth_flow`` idiom), so the sync and the async
driver run exactly the same code path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .._errors import ProviderError, shown
from .._json import parse_json

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
    #: The issuer whose endpoint this is. The drivers' network layer lets the request reach
    #: private and loop-back addresses only when this issuer's own host is on them (see
    #: :func:`.addresses.host_place`); ``None`` (a request outside a provider's flows):
    #: public addresses only.
    issuer: str | None = None

    @classmethod
    def form(
        cls, url: str, data: Mapping[str, str], headers: Mapping[str, str], timeout: float,
        issuer: str | None = None,
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
            issuer=issuer,
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


"""The sans-IO boundary: requests the core wants sent, responses the drivers hand back.

The protocol code never performs I/O. It yields :class:`HttpRequest` values and receives
:class:`HttpResponse` values (the ``httpx2.Auth.auth_flow`` idiom), so the sync and the async
driver run exactly the same code path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .._errors import ProviderError, shown
from .._json import parse_json

#: Largest provider response body we accept; larger bodies are cut off by the drivers.
MAX_RESPONSE_BYTES = 1024 * 1024
#: RFC 6749 4.1.2.1 / 5.2: the characters of an OAuth error code.
ERROR_CODE = re.compile(r"[\x20-\x21\x23-\x5B\x5D-\x7E]{1,128}")


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


def oauth_error(response: HttpResponse) -> tuple[str | None, str | None]:
    """The ``error`` and ``error_description`` of an RFC 6749 5.2 error response (JSON), or
    of a bearer challenge (RFC 6750 3: ``WWW-Authenticate``), when present and well formed:
    for the operator's log. The description is the provider's text: the caller bounds it
    (:func:`~eidgate._errors.provider_said`)."""
    try:
        body = json_object(response, "error response")
    except ProviderError:
        body = {}
    code, said = body.get("error"), body.get("error_description")
    if code is None:  # RFC 6750 3: error="invalid_token" in the challenge
        found = re.search(r'error="([^"]*)"', response.headers.get("www-authenticate", ""))
        code = found.group(1) if found else None
    return (code if isinstance(code, str) and ERROR_CODE.fullmatch(code) else None,
            said if isinstance(said, str) else None)


def expect_ok(response: HttpResponse, what: str, ok: tuple[int, ...] = (200,)) -> None:
    """Raise a :class:`ProviderError` for an unexpected HTTP status (with the provider's
    ``error`` and ``error_description``, if it sent them, for the log)."""
    if response.status not in ok:
        code, said = oauth_error(response)
        raise ProviderError(f"{what}: provider answered HTTP {response.status}"
                            + (f" ({code})" if code else ""), provider_error=code,
                            provider_description=said, http_status=response.status)


"""Requests and responses as the gate sees them, and the small rules about them.

What every adapter needs besides the :class:`~eidgate.web._gate.Gate`: the framework-free
request and response values, cookie parsing, telling page navigations from API calls, the
``next`` open-redirect rule, and the decorator shape of ``login_required``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .._languages import LANGUAGE_TAG

F = TypeVar("F", bound=Callable[..., Any])
_SAFE_NEXT = re.compile(r"/(?![/\\])[^\x00-\x1f\\]*")
# the pending-login cookie carries ``next``: kept well under the 4 KB a browser stores
MAX_NEXT = 1500


@dataclass(frozen=True, slots=True)
class WebRequest:
    """The parts of an HTTP request the gate looks at (header names lower-case).

    ``path`` is below the app's mount point, ``root`` (WSGI ``SCRIPT_NAME``, ASGI
    ``root_path``): the gate matches ``path`` and puts ``root`` before the URLs it sends.
    ``body``: read by the adapter only where :meth:`Gate.reads_body` says so (the
    back-channel logout's form), at most ``Gate.max_body + 1`` bytes; else empty.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    root: str = ""
    body: bytes = field(default=b"", repr=False)

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    @classmethod
    def from_headers(cls, method: str, path: str, query: str,
                     headers: Iterable[tuple[str, str]], root: str = "") -> WebRequest:
        """A request from raw header pairs, with its cookies parsed.

        Names are lower-cased and repeated headers joined: ``Cookie`` with ``; `` (HTTP/2
        may split it, RFC 9113 8.2.3), others with ``,`` (RFC 9110 5.3).
        """
        joined: dict[str, str] = {}
        for raw_name, value in headers:
            name = raw_name.lower()
            if name in joined:
                value = joined[name] + ("; " if name == "cookie" else ", ") + value
            joined[name] = value
        return cls(method, path, query, joined, parse_cookies(joined.get("cookie", "")),
                   root.rstrip("/"))


@dataclass(slots=True)
class WebResponse:
    """What the adapter sends back; ``cookies`` are complete ``Set-Cookie`` values."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    #: a login whose evidence archive is still to be stored (``Gate(defer_evidence=True)``)
    evidence: Any = field(default=None, repr=False)

    def all_headers(self) -> list[tuple[str, str]]:
        """Headers including Content-Type and every Set-Cookie."""
        # no-referrer (W3C Referrer Policy 3.1): a page or redirect the gate answers at
        # /callback?code=...&state=... must not hand that URL on as the Referer of the next
        # request (an access log, or another site a link on an error page leads to)
        return [("Content-Type", self.content_type), ("Cache-Control", "no-store"),
                ("Referrer-Policy", "no-referrer"), *self.headers,
                *(("Set-Cookie", c) for c in self.cookies)]


def safe_next(value: str | None) -> str:
    """``next`` as a same-origin relative path, or ``/`` (RFC 9700 4.11: no open redirect).

    Refused: absolute URLs, scheme-relative ``//evil``, ``/\\evil``, ``https:evil``,
    control characters, and the same tricks percent-encoded.
    """
    if not value or len(value) > MAX_NEXT:
        return "/"
    decoded = unquote(unquote(value))
    if not _SAFE_NEXT.fullmatch(value) or not _SAFE_NEXT.fullmatch(decoded):
        return "/"
    # RFC 6265bis 5.6 (browsers keep 4096 bytes a cookie): escaped, as it is sent
    return value if len(quote(value, safe="/?&=")) <= MAX_NEXT else "/"


def origin_of(url: str) -> str:
    """The ASCII serialisation of ``url``'s origin (RFC 6454 6.2), as ``Origin`` sends it."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    host = parts.hostname or ""
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"


def cross_site(headers: Mapping[str, str], origin: str) -> bool:
    """True if a browser says this request came from a page of another origin.

    Fetch Metadata (``Sec-Fetch-Site``), else ``Origin`` (RFC 6454 7, OWASP CSRF
    Prevention Cheat Sheet); a request with neither (no browser, or an old one) is not.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    sent = headers.get("origin")
    return sent is not None and sent != origin


def parse_cookies(header: str) -> dict[str, str]:
    """The cookies of a ``Cookie`` header, read pair by pair.

    Of two cookies with one name the first wins (RFC 6265 5.4 (2): the longer path comes
    first). Not ``http.cookies.SimpleCookie``: it drops every cookie of the header when one
    of them (a JSON value, a space) is not to its taste, and a cookie some other script set
    must not log the person out.
    """
    cookies: dict[str, str] = {}
    for pair in header.split(";"):
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if sep and name and name not in cookies:
            if len(value) > 1 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies[name] = value
    return cookies


def wrap_view(view: F, refuse: Callable[[tuple[Any, ...], dict[str, Any]], Any]) -> F:
    """``view``, answering ``refuse(args, kwargs)`` instead when that is not None.

    An adapter's ``login_required``: a coroutine function stays one (frameworks look, to
    await it or to run it in a thread).
    """
    if inspect.iscoroutinefunction(view):
        @functools.wraps(view)
        async def async_view(*args: Any, **kwargs: Any) -> Any:
            refused = refuse(args, kwargs)
            return refused if refused is not None else await view(*args, **kwargs)
        return cast(F, async_view)

    @functools.wraps(view)
    def sync_view(*args: Any, **kwargs: Any) -> Any:
        refused = refuse(args, kwargs)
        return refused if refused is not None else view(*args, **kwargs)
    return cast(F, sync_view)


def ui_locales(value: str | None) -> str | None:
    """``ui_locales`` as OIDC Core 3.1.2.1 has it (space-separated tags), or None."""
    tags = (value or "").split()
    return " ".join(tags[:8]) if tags and all(LANGUAGE_TAG.fullmatch(t) for t in tags) else None


def is_navigation(headers: Mapping[str, str]) -> bool:
    """A browser page navigation (redirect it to log in) rather than an API call (401)."""
    mode = headers.get("sec-fetch-mode")
    if mode is not None and mode != "navigate":
        return False
    if headers.get("x-requested-with"):
        return False
    accept = headers.get("accept", "")
    return "text/html" in accept or not accept or ("*/*" in accept and "json" not in accept)

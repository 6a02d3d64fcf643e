"""What goes over the wire for the drivers: requests, bounded bodies, what comes back.

A hostile provider must not be able to make eidgate inflate a compression bomb (bodies are
read raw and decoded within the size bound) or crash it with a URL that cannot be sent to
(a :class:`ProviderError`, also for a malformed A-label). The sockets underneath, their
total deadlines and the addresses they may reach are in ``_network``.
"""

from __future__ import annotations

import time
import zlib
from urllib.parse import urlsplit

import httpx2
import idna

from ._errors import ProviderError, ProviderUnavailable, shown
from ._oidc.http import HttpRequest, HttpResponse

# As many kept alive as may be open: a relying party talks to a few providers, and with
# fewer kept alive every burst of logins (more in flight than kept) closed the surplus and
# opened it again for the next, CPU spent in TCP set-up and pool bookkeeping
# (benchmarks/concurrent_logins.py). Idle connections still close after keepalive_expiry.
LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30)


_URLS: dict[str, httpx2.URL] = {}  # parsed endpoint URLs: httpx2 parses in Python, ~10 us


def url(url: str) -> httpx2.URL:
    """``url`` parsed by httpx2, once per endpoint (the discovery document names a few)."""
    parsed = _URLS.get(url)
    if parsed is None:
        parsed = httpx2.URL(url)
        for label in parsed.raw_host.decode("ascii").split("."):
            if label[:4].lower() == "xn--":
                # RFC 5890 2.3.2.1: an A-label is the Punycode of a valid U-label. httpx2
                # passes any ASCII name through, so "xn--" would only fail at DNS (or resolve
                # through a search domain) and read as an outage, not as the provider's error.
                idna.ulabel(label)
        if len(_URLS) < 256:  # a few endpoints per provider; never grows without bound
            _URLS[url] = parsed
    return parsed


#: The request extension that carries the issuer's host to the transports below ("" for a
#: request without an issuer: public addresses only).
ISSUER = "eidgate.issuer_host"


def request(http: httpx2.Client | httpx2.AsyncClient, req: HttpRequest) -> httpx2.Request:
    # RFC 9110 12.5.3: ask for the body as is; a compressed answer anyway is decoded by
    # _Body within the size bound (httpx2 would inflate a whole gzip bomb chunk at once).
    try:
        # as the pool will name the host it connects to: lower case, A-labels, no brackets
        issuer_host = url(req.issuer).raw_host.decode("ascii") if req.issuer else ""
        return http.build_request(req.method, url(req.url), headers={
            **req.headers, "Accept-Encoding": "identity"}, content=req.body,
            timeout=req.timeout, extensions={ISSUER: issuer_host})
    except (httpx2.InvalidURL, ValueError) as exc:  # idna.IDNAError is a ValueError
        # the URL came from the provider's discovery document: its fault, not a crash
        raise ProviderError(f"cannot send a request to the URL the provider named for "
                            f"{host_of(req)}") from exc


class Body:
    """Collects a response body within the request's size bound and total deadline.

    httpx2's read timeout applies per chunk; a provider trickling a byte at a time must not
    hold a login open for longer than the request's timeout in total. The body is read raw
    and decoded here, so ``max_bytes`` bounds the decoded size, never inflating more than
    ``max_bytes + 1`` bytes of a compressed answer.
    """

    def __init__(self, req: HttpRequest, resp: httpx2.Response, started: float) -> None:
        self.req = req
        self.resp = resp
        self.data = bytearray()
        self.deadline = started + req.timeout
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > req.max_bytes:
            raise self.too_large()
        coding = resp.headers.get("content-encoding", "identity").strip().lower()
        # RFC 9110 8.4.1: gzip and deflate (zlib) are the codings a server may still use.
        wbits = {"identity": None, "": None, "gzip": 16 + zlib.MAX_WBITS,
                 "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(coding, -1)
        if wbits == -1:
            raise ProviderError(f"provider answered with content coding {shown(coding)}, "
                                "which eidgate does not decode")
        self.inflate = None if wbits is None else zlib.decompressobj(wbits)

    def preread(self) -> list[bytes]:
        """The body httpx2 already read and decoded (an in-memory body, e.g. from a mock
        transport), else nothing: a network body is always streamed raw."""
        if not self.resp.is_stream_consumed:
            return []
        self.inflate = None
        return [self.resp.content]

    def too_large(self) -> ProviderError:
        return ProviderError(f"response from the provider exceeds {self.req.max_bytes} bytes")

    def add(self, chunk: bytes) -> None:
        if self.inflate is not None:
            room = self.req.max_bytes - len(self.data)
            try:
                # at most room + 1 bytes out: one byte past the bound proves it too large
                chunk = self.inflate.decompress(chunk, room + 1)
            except zlib.error as exc:
                raise ProviderError("provider sent a corrupt compressed body") from exc
        self.data += chunk
        if len(self.data) > self.req.max_bytes:
            raise self.too_large()
        if time.monotonic() > self.deadline:
            raise ProviderUnavailable(f"{host_of(self.req)} did not finish its "
                                      f"answer within {self.req.timeout:g} s")


def host_of(req: HttpRequest) -> str:
    try:
        return urlsplit(req.url).hostname or "the provider"
    except ValueError:
        return "the provider"


def failure(exc: httpx2.HTTPError, req: HttpRequest, started: float) -> ProviderUnavailable:
    host = host_of(req)
    if isinstance(exc, httpx2.TimeoutException) and time.monotonic() - started >= req.timeout:
        return ProviderUnavailable(f"{host} did not finish its answer within {req.timeout:g} s")
    if isinstance(exc, httpx2.TimeoutException):
        return ProviderUnavailable(f"no answer from {host} within {req.timeout:g} s")
    return ProviderUnavailable(f"cannot reach {host} ({type(exc).__name__})")


def response(resp: httpx2.Response, body: bytes) -> HttpResponse:
    return HttpResponse(resp.status_code, {"content-type": resp.headers.get("content-type", "")},
                        body)


__all__ = ["ISSUER", "LIMITS", "Body", "failure", "host_of", "request", "response", "url"]

"""What goes over the wire for the drivers: requests, bounded bodies, total deadlines,
and the addresses a request may reach.

A hostile provider must not be able to hold a login open (every request has a total
deadline, also against a trickled status line), make eidgate inflate a compression bomb
(bodies are read raw and decoded within the size bound), crash it with a URL that
cannot be sent to (a :class:`ProviderError`, also for a malformed A-label), or point it
inside the network (see "Addresses" below).

Addresses
---------
Discovery refuses what it can by spelling (``_oidc.addresses.endpoint_refusal``); a name is
judged here, where it is resolved, so DNS rebinding cannot swap the address after the
check: each new connection resolves the name once, checks every address
(``_oidc.addresses.address_place``) and connects to a checked address (TLS still verifies the
name: httpcore passes it to ``start_tls`` separately). Link-local, metadata, unspecified,
multicast and broadcast addresses are refused always; private and loop-back ones only
when the request's issuer is on them (its host is such a literal, or resolves only to such
addresses, decided once per issuer host). The two kinds of request get separate pools, so
a connection opened for an internal issuer never serves a public one's request; and an
internal issuer's own host must keep resolving to internal addresses (a provider cannot
be judged internal once and then serve its discovery document from outside).
"""

from __future__ import annotations

import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore2
import httpx2
import idna

from ._errors import ProviderError, ProviderUnavailable, shown
from ._oidc.addresses import address_place, host_place, ip_literal
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


#: The monotonic time by which the current request of this thread / task must be done.
DEADLINE: ContextVar[float | None] = ContextVar("eidgate_deadline", default=None)


def _left(timeout: float | None) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's total deadline."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore2.ReadTimeout("the request's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore2.NetworkStream):
    """A socket whose every read and write honours the request's total deadline.

    httpx2's timeouts apply to each socket operation, so a provider sending its status line
    and headers one byte every few seconds would hold a synchronous login open for hours.
    (The async driver puts ``anyio.fail_after`` around the whole exchange instead.)
    """

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore2.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore2.NetworkBackend):
    def __init__(self, inner: httpcore2.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore2.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _left(timeout),
                                                       local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None,
                            ) -> httpcore2.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _left(timeout),
                                                               socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


#: httpcore2's exceptions as httpx2 raises them (httpx2's own transport maps the same way),
#: most specific first: the first match wins.
_MAPPED: tuple[tuple[type[Exception], type[httpx2.HTTPError]], ...] = (
    (httpcore2.ConnectTimeout, httpx2.ConnectTimeout),
    (httpcore2.ReadTimeout, httpx2.ReadTimeout),
    (httpcore2.WriteTimeout, httpx2.WriteTimeout),
    (httpcore2.PoolTimeout, httpx2.PoolTimeout),
    (httpcore2.TimeoutException, httpx2.TimeoutException),
    (httpcore2.ConnectError, httpx2.ConnectError),
    (httpcore2.ReadError, httpx2.ReadError),
    (httpcore2.WriteError, httpx2.WriteError),
    (httpcore2.NetworkError, httpx2.NetworkError),
    (httpcore2.ProxyError, httpx2.ProxyError),
    (httpcore2.UnsupportedProtocol, httpx2.UnsupportedProtocol),
    (httpcore2.LocalProtocolError, httpx2.LocalProtocolError),
    (httpcore2.RemoteProtocolError, httpx2.RemoteProtocolError),
    (httpcore2.ProtocolError, httpx2.ProtocolError),
)


def _mapped(exc: Exception) -> httpx2.HTTPError | None:
    for inner, outer in _MAPPED:
        if isinstance(exc, inner):
            return outer(str(exc))
    return None


class _Stream(httpx2.SyncByteStream):
    """A response body from the pool, its failures raised as httpx2's exceptions."""

    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


#: A resolver: host name and port to the IP addresses to try, in order (``getaddrinfo``).
Resolve = Callable[[str, int], Iterable[str]]
#: The async driver's resolver.
AsyncResolve = Callable[[str, int], Awaitable[Iterable[str]]]


def getaddrinfo(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host`` (the default :data:`Resolve`)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


async def async_getaddrinfo(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host``, without blocking the event loop."""
    return [str(info[4][0]) for info in await anyio.getaddrinfo(host, port,
                                                                type=socket.SOCK_STREAM)]


def _all_internal(addresses: Iterable[str]) -> bool:
    """True when every address (at least one) is private or loop-back: an internal issuer."""
    places = [address_place(ip)[0] if (ip := ip_literal(a)) else "refused" for a in addresses]
    return bool(places) and all(place == "internal" for place in places)


class _Guard:
    """The address rules of one pool: may it reach private and loop-back addresses."""

    def __init__(self, internal_ok: bool) -> None:
        self.internal_ok = internal_ok
        #: the hosts of issuers judged internal: they must keep resolving to internal ones
        self.issuer_hosts: set[str] = set()

    def checked(self, host: str, addresses: Iterable[str]) -> list[str]:
        """``addresses`` of ``host`` if every one may be reached, without repeats; else a
        :class:`ProviderError` naming the host, the address and the reason."""
        found = list(dict.fromkeys(addresses))
        if not found:
            raise httpcore2.ConnectError(f"{host} resolves to no address")
        judged = [(a, *(address_place(ip) if (ip := ip_literal(a)) else
                        ("refused", "not an IP address"))) for a in found]
        # the gravest reason first: refused always, then refused for this issuer
        for address, place, why in sorted(judged, key=lambda row: row[1] != "refused"):
            if place == "refused" or (place == "internal" and not self.internal_ok):
                rest = "" if place == "refused" else ", and the issuer is not on such addresses"
                raise ProviderError(f"refused to connect to {host}: it resolves to {address}, "
                                    f"{why}{rest}")
            if place == "public" and host in self.issuer_hosts:
                raise ProviderError(f"refused to connect to {host}: the issuer resolved to "
                                    f"internal addresses, now to the public {address}")
        return found


class _GuardedBackend(httpcore2.NetworkBackend):
    """Resolves once, checks every address, connects to a checked one (module docstring)."""

    def __init__(self, inner: httpcore2.NetworkBackend, guard: _Guard, resolve: Resolve
                 ) -> None:
        self._inner, self._guard, self._resolve = inner, guard, resolve

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore2.NetworkStream:
        try:  # a literal is its own answer (and never a question to DNS)
            addresses = [host] if ip_literal(host) else self._resolve(host, port)
        except OSError as exc:  # socket.gaierror: the name does not resolve
            raise httpcore2.ConnectError(str(exc)) from exc
        failed: Exception | None = None
        for address in self._guard.checked(host, addresses):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except httpcore2.ConnectError as exc:  # the next address, as create_connection
                failed = exc
        assert failed is not None
        raise failed

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None,
                            ) -> httpcore2.NetworkStream:  # pragma: no cover - never a uds
        raise httpcore2.ConnectError("eidgate connects over TCP only")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries only
        self._inner.sleep(seconds)


class _AsyncGuardedBackend(httpcore2.AsyncNetworkBackend):
    """:class:`_GuardedBackend` for the async driver (over anyio)."""

    def __init__(self, inner: httpcore2.AsyncNetworkBackend, guard: _Guard,
                 resolve: AsyncResolve) -> None:
        self._inner, self._guard, self._resolve = inner, guard, resolve

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore2.AsyncNetworkStream:
        try:
            addresses = [host] if ip_literal(host) else await self._resolve(host, port)
        except OSError as exc:
            raise httpcore2.ConnectError(str(exc)) from exc
        failed: Exception | None = None
        for address in self._guard.checked(host, addresses):
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address,
                                                     socket_options)
            except httpcore2.ConnectError as exc:
                failed = exc
        assert failed is not None
        raise failed

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore2.AsyncNetworkStream:  # pragma: no cover
        raise httpcore2.ConnectError("eidgate connects over TCP only")

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries
        await self._inner.sleep(seconds)


class _Issuers:
    """Which issuer hosts are internal: by spelling, else resolved once and remembered."""

    def __init__(self, guards: dict[bool, _Guard]) -> None:
        self._guards = guards
        self._known: dict[str, bool] = {}

    def known(self, request: httpx2.Request) -> tuple[str, bool | None]:
        """The request's issuer host and whether it is internal (None: to be resolved)."""
        host = request.extensions.get(ISSUER)
        if host is None:  # not sent by a driver (the transport's own tests): no issuer rule
            return "", True
        if not host:
            return "", False
        known = self._known.get(host)
        if known is None and (spelled := host_place(host)) is not None:
            known = self._remember(host, spelled[0] == "internal")
        return host, known

    def learn(self, host: str, addresses: Iterable[str] | None) -> bool:
        """Remember whether ``host`` (an issuer's) resolved only to internal addresses;
        a failed resolution (None) is not remembered (the connection will fail anyway)."""
        return False if addresses is None else self._remember(host, _all_internal(addresses))

    def _remember(self, host: str, internal: bool) -> bool:
        if len(self._known) < 256:  # a few issuers; never grows without bound
            self._known[host] = internal
            if internal:
                self._guards[True].issuer_hosts.add(host)
        return internal


def _core_request(request: httpx2.Request) -> httpcore2.Request:
    url = request.url
    return httpcore2.Request(
        method=request.method, url=httpcore2.URL(scheme=url.raw_scheme, host=url.raw_host,
                                                 port=url.port, target=url.raw_path),
        headers=request.headers.raw, content=request.stream, extensions=request.extensions)


def _pool_options(limits: httpx2.Limits) -> dict[str, Any]:
    return {"ssl_context": httpx2.create_ssl_context(),
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry}


class DeadlineTransport(httpx2.BaseTransport):
    """The sync driver's transport: public ``httpcore2.ConnectionPool`` s whose sockets
    honour the request's total deadline (:data:`DEADLINE`, see :class:`_DeadlineStream`)
    and reach only the addresses the request's issuer may (module docstring, "Addresses").

    httpx2's ``HTTPTransport`` takes no network backend, but the pool beneath it does; this
    is that transport's request path (TLS verified by httpx2's default context, HTTP/1.1,
    ``LIMITS``), built on the pool's public parameter instead of its private attribute.
    ``resolve`` is the resolver (tests map names to chosen addresses with it).
    """

    def __init__(self, limits: httpx2.Limits = LIMITS, *, resolve: Resolve = getaddrinfo
                 ) -> None:
        self._resolve = resolve
        guards = {ok: _Guard(ok) for ok in (False, True)}
        self._issuers = _Issuers(guards)
        self._pools = {ok: httpcore2.ConnectionPool(**_pool_options(limits), network_backend=(
            _GuardedBackend(_DeadlineBackend(httpcore2.SyncBackend()), guard, resolve)))
            for ok, guard in guards.items()}

    def _internal(self, request: httpx2.Request) -> bool:
        host, internal = self._issuers.known(request)
        if internal is None:
            try:
                addresses: Iterable[str] | None = self._resolve(host, 443)
            except OSError:
                addresses = None
            internal = self._issuers.learn(host, addresses)
        return internal

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        assert isinstance(request.stream, httpx2.SyncByteStream)
        try:
            resp = self._pools[self._internal(request)].handle_request(_core_request(request))
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc
        assert isinstance(resp.stream, Iterable)
        return httpx2.Response(status_code=resp.status, headers=resp.headers,
                               stream=_Stream(resp.stream), extensions=resp.extensions)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()


class _AsyncStream(httpx2.AsyncByteStream):
    """A response body from the async pool, its failures raised as httpx2's exceptions."""

    def __init__(self, inner: AsyncIterable[bytes]) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._inner:
                yield part
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class GuardedAsyncTransport(httpx2.AsyncBaseTransport):
    """The async driver's transport: :class:`DeadlineTransport`'s address rules over
    ``httpcore2.AsyncConnectionPool`` s on anyio (the total deadline is the driver's
    ``anyio.fail_after``). ``resolve`` is the resolver, as there."""

    def __init__(self, limits: httpx2.Limits = LIMITS, *,
                 resolve: AsyncResolve = async_getaddrinfo) -> None:
        self._resolve = resolve
        guards = {ok: _Guard(ok) for ok in (False, True)}
        self._issuers = _Issuers(guards)
        self._pools = {ok: httpcore2.AsyncConnectionPool(**_pool_options(limits),
                                                         network_backend=_AsyncGuardedBackend(
            httpcore2.AnyIOBackend(), guard, resolve)) for ok, guard in guards.items()}

    async def _internal(self, request: httpx2.Request) -> bool:
        host, internal = self._issuers.known(request)
        if internal is None:
            try:
                addresses: Iterable[str] | None = await self._resolve(host, 443)
            except OSError:
                addresses = None
            internal = self._issuers.learn(host, addresses)
        return internal

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        assert isinstance(request.stream, httpx2.AsyncByteStream)
        try:
            pool = self._pools[await self._internal(request)]
            resp = await pool.handle_async_request(_core_request(request))
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc
        assert isinstance(resp.stream, AsyncIterable)
        return httpx2.Response(status_code=resp.status, headers=resp.headers,
                               stream=_AsyncStream(resp.stream), extensions=resp.extensions)

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()


def sync_transport() -> DeadlineTransport:
    """The sync driver's default transport (see :class:`DeadlineTransport`)."""
    return DeadlineTransport()


def async_transport() -> GuardedAsyncTransport:
    """The async driver's default transport (see :class:`GuardedAsyncTransport`)."""
    return GuardedAsyncTransport()


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


__all__ = ["DEADLINE", "ISSUER", "LIMITS", "AsyncResolve", "Body", "DeadlineTransport",
           "GuardedAsyncTransport", "Resolve", "async_getaddrinfo", "async_transport", "failure",
           "getaddrinfo", "host_of", "request", "response", "sync_transport"]

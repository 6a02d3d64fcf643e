"""The drivers' network layer: total deadlines and the addresses a request may reach.

A hostile provider must not be able to hold a login open (every request has a total
deadline, also against a trickled status line) or point eidgate inside the network.
Both transports are httpx2 transports over public ``httpcore2`` connection pools with a
network backend of eidgate's own (httpx2's ``HTTPTransport`` takes no backend).
The addresses a connection may reach are checked by ``_egress``.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore2
import httpx2

from ._egress import (
    AsyncGuardedBackend,
    AsyncResolve,
    Guard,
    GuardedBackend,
    Issuers,
    Resolve,
    async_getaddrinfo,
    getaddrinfo,
)
from ._transport import LIMITS

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
        guards = {ok: Guard(ok) for ok in (False, True)}
        self._issuers = Issuers(guards)
        self._pools = {ok: httpcore2.ConnectionPool(**_pool_options(limits), network_backend=(
            GuardedBackend(_DeadlineBackend(httpcore2.SyncBackend()), guard, resolve)))
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
        guards = {ok: Guard(ok) for ok in (False, True)}
        self._issuers = Issuers(guards)
        self._pools = {ok: httpcore2.AsyncConnectionPool(**_pool_options(limits),
                                                         network_backend=AsyncGuardedBackend(
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


__all__ = ["DEADLINE", "AsyncResolve", "DeadlineTransport", "GuardedAsyncTransport", "Resolve",
           "async_getaddrinfo", "async_transport", "getaddrinfo", "sync_transport"]

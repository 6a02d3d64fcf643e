"""Where the drivers' requests may go: every connection's addresses, checked as resolved.

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
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import anyio
import httpcore2
import httpx2

from ._errors import ProviderError
from ._oidc.addresses import address_place, host_place, ip_literal
from ._transport import ISSUER

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


class Guard:
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


class GuardedBackend(httpcore2.NetworkBackend):
    """Resolves once, checks every address, connects to a checked one (module docstring)."""

    def __init__(self, inner: httpcore2.NetworkBackend, guard: Guard, resolve: Resolve
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


class AsyncGuardedBackend(httpcore2.AsyncNetworkBackend):
    """:class:`GuardedBackend` for the async driver (over anyio)."""

    def __init__(self, inner: httpcore2.AsyncNetworkBackend, guard: Guard,
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


class Issuers:
    """Which issuer hosts are internal: by spelling, else resolved once and remembered."""

    def __init__(self, guards: dict[bool, Guard]) -> None:
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


__all__ = ["AsyncGuardedBackend", "AsyncResolve", "Guard", "GuardedBackend", "Issuers", "Resolve",
           "async_getaddrinfo", "getaddrinfo"]

"""The httpx drivers: eidgate.Client and eidgate.AsyncClient, one test body for both.

Each scenario is an ``async def`` that awaits ``call(client.method(...))``: for the sync
driver the value is returned as is, for the async one it is awaited. The provider is the
crafted one behind ``httpx2.MockTransport`` (httpx's own test transport, for sync and async
clients alike); ``Wire`` adds per-URL failures and records every URL that went out.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2
import pytest
from crafted import CLIENT_SECRET, ISSUER, CraftedProvider
from unit_harness import Clock, make_config

import eidgate
from eidgate import (
    Config,
    DiscoveryError,
    LoginResult,
    PendingLogins,
    ProviderError,
    ProviderUnavailable,
)

MIB = 1024 * 1024
DISCOVERY = f"{ISSUER}/.well-known/openid-configuration"
JWKS = f"{ISSUER}/jwks"
TOKEN = f"{ISSUER}/token"
ELSEWHERE = "https://elsewhere.example.test/.well-known/openid-configuration"
HOST = "op.example.test"

Driver = eidgate.Client | eidgate.AsyncClient
DRIVERS = pytest.mark.parametrize("kind", ["sync", "async"])


# -- helpers ---------------------------------------------------------------------------
async def call(value: Any) -> Any:
    """Await the async driver's coroutines; pass the sync driver's values through."""
    return await value if inspect.isawaitable(value) else value


def open_client(kind: str, config: Config, transport: httpx2.MockTransport, clock: Clock,
                ) -> Driver:
    if kind == "sync":
        return eidgate.Client(config, transport=transport, now=clock)
    return eidgate.AsyncClient(config, transport=transport, now=clock)


async def close(client: Driver) -> None:
    await call(client.aclose() if isinstance(client, eidgate.AsyncClient) else client.close())


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


async def login(client: Driver, op: CraftedProvider, *, as_query: bool = False
                ) -> LoginResult:
    redirect = await call(client.begin_login(next_url="/after"))
    pending = PendingLogins([redirect.pending])
    params = op.authorize(redirect.url)
    callback: str | dict[str, str] = urlencode(params) if as_query else params
    result: LoginResult = await call(client.complete_login(callback, pending))
    assert len(pending) == 0  # the pending login was consumed
    return result


def url_of(request: httpx2.Request) -> str:
    return f"{request.url.scheme}://{request.url.host}{request.url.path}"


class Wire:
    """Serves requests from a CraftedProvider; hooks replace or break chosen URLs."""

    def __init__(self, op: CraftedProvider) -> None:
        self.op = op
        self.seen: list[str] = []
        self.hooks: dict[str, Callable[[httpx2.Request], httpx2.Response]] = {}
        self.timeouts: list[Any] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        url = url_of(request)
        self.seen.append(url)
        self.timeouts.append(request.extensions.get("timeout"))
        if url in self.hooks:
            return self.hooks[url](request)
        assert request.url.host == HOST, f"unexpected request to {url}"
        answer = self.op.handle(eidgate.HttpRequest(request.method, str(request.url),
                                                    request.headers, request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handler)

    def count(self, url: str) -> int:
        return self.seen.count(url)


class Raises:
    """A hook that raises an httpx transport error, counting its calls."""

    def __init__(self, kind: type[httpx2.TransportError]) -> None:
        self.kind = kind
        self.calls = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        raise self.kind("simulated failure", request=request)


class Chunks(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body streamed in chunks, without Content-Length; counts what was pulled."""

    def __init__(self, total: int, size: int = 64 * 1024, fill: bytes = b" ") -> None:
        self.total, self.size, self.fill = total, size, fill
        self.pulled = 0
        self.closed = False

    def _chunks(self) -> Iterator[bytes]:
        sent = 0
        while sent < self.total:
            n = min(self.size, self.total - sent)
            sent += n
            self.pulled += 1
            yield self.fill * n

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class BodyStream(Chunks):
    """Streams a given body (no Content-Length)."""

    def __init__(self, body: bytes) -> None:
        super().__init__(total=len(body))
        self.body = body

    def _chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.size):
            self.pulled += 1
            yield self.body[start:start + self.size]


def streamed(stream: Chunks, content_type: str = "application/json") -> httpx2.Response:
    response = httpx2.Response(200, headers={"content-type": content_type}, stream=stream)
    assert "content-length" not in response.headers
    return response


def padded_json(data: Any, size: int) -> bytes:
    body = json.dumps(data).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))  # RFC 8259 2: whitespace may follow a value


@pytest.fixture
def op(clock: Clock) -> CraftedProvider:
    return CraftedProvider(now=clock)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


# -- the login, through both drivers ---------------------------------------------------
@DRIVERS
@pytest.mark.parametrize("as_query", [False, True], ids=["dict", "query"])
def test_login(kind: str, as_query: bool, op: CraftedProvider, config: Config,
               clock: Clock) -> None:
    async def scenario() -> None:
        client = open_client(kind, config, op.transport(), clock)
        try:
            result = await login(client, op, as_query=as_query)
        finally:
            await close(client)
        assert result.status == "accepted"
        assert result.subject == "user-1"
        assert result.next_url == "/after"
        assert result.claims["name"] == "Test"
        paths = [urlsplit(r.url).path for r in op.requests]
        assert paths.count("/token") == 1
        assert paths.count("/userinfo") == 1

    run(scenario)


@DRIVERS
def test_every_request_has_the_configured_timeout(kind: str, op: CraftedProvider,
                                                   tmp_path: Path, clock: Clock) -> None:
    config = make_config(tmp_path, timeout=3.5)
    wire = Wire(op)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        try:
            assert (await login(client, op)).accepted
        finally:
            await close(client)

    run(scenario)
    assert len(wire.timeouts) == 4  # discovery, token, JWKS, userinfo
    for timeout in wire.timeouts:
        assert timeout == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}


@DRIVERS
def test_provider_cookies_are_not_carried_from_one_login_to_another(
        kind: str, op: CraftedProvider, config: Config, clock: Clock) -> None:
    """The back channel serves every person: what a provider sets while one person logs in
    (a session or tracking cookie) must not go out with the next person's requests."""
    wire = Wire(op)
    cookies: list[str | None] = []

    def token(request: httpx2.Request) -> httpx2.Response:
        cookies.append(request.headers.get("cookie"))
        del wire.hooks[TOKEN]
        try:
            answer = wire.handler(request)
        finally:
            wire.hooks[TOKEN] = token
        return httpx2.Response(answer.status_code, headers=[
            *answer.headers.items(), ("Set-Cookie", f"op_session=person-{len(cookies)}; "
                                      "Path=/; Secure; HttpOnly")], content=answer.content)
    wire.hooks[TOKEN] = token

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        try:
            assert (await login(client, op)).accepted
            assert (await login(client, op)).accepted
        finally:
            await close(client)

    run(scenario)
    assert cookies == [None, None]


# -- failures --------------------------------------------------------------------------
async def expect_login_error(client: Driver, op: CraftedProvider,
                             kind: type[Exception]) -> tuple[Any, dict[str, str], Any]:
    """Run a login that must fail; returns the error, the callback and the redirect."""
    seen: dict[str, Any] = {"params": {}, "redirect": None}

    async def attempt() -> None:
        seen["redirect"] = redirect = await call(client.begin_login())
        seen["params"] = params = op.authorize(redirect.url)
        await call(client.complete_login(params, PendingLogins([redirect.pending])))

    try:
        with pytest.raises(kind) as info:
            await attempt()
    finally:
        await close(client)
    return info.value, seen["params"], seen["redirect"]


@DRIVERS
@pytest.mark.parametrize("size", [MIB + 1, 5 * MIB])
def test_body_larger_than_1_mib_is_refused(kind: str, size: int, op: CraftedProvider,
                                           config: Config, clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[TOKEN] = lambda request: httpx2.Response(
        200, headers={"content-type": "application/json"}, content=b" " * size)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert not isinstance(error, ProviderUnavailable)
        assert "bytes" in str(error)

    run(scenario)


@DRIVERS
def test_streamed_body_larger_than_1_mib_is_cut_off(kind: str, op: CraftedProvider,
                                                    config: Config, clock: Clock) -> None:
    wire = Wire(op)
    stream = Chunks(total=64 * MIB)
    wire.hooks[TOKEN] = lambda request: streamed(stream)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert "bytes" in str(error)

    run(scenario)
    # reading stopped soon after 1 MiB (16 chunks of 64 KiB), not at the end of 64 MiB
    assert 16 <= stream.pulled <= 18
    assert stream.closed


@DRIVERS
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_of_exactly_1_mib_is_accepted(kind: str, chunked: bool, op: CraftedProvider,
                                           config: Config, clock: Clock) -> None:
    wire = Wire(op)
    body = padded_json(op.discovery(), MIB)
    if chunked:
        wire.hooks[DISCOVERY] = lambda request: streamed(BodyStream(body))
    else:
        wire.hooks[DISCOVERY] = lambda request: httpx2.Response(
            200, headers={"content-type": "application/json"}, content=body)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        try:
            assert (await login(client, op)).accepted
        finally:
            await close(client)

    run(scenario)
    assert wire.count(DISCOVERY) == 1


@DRIVERS
@pytest.mark.parametrize("failure", [httpx2.ConnectTimeout, httpx2.ReadTimeout,
                                     httpx2.ConnectError])
def test_unreachable_token_endpoint_is_provider_unavailable(
        kind: str, failure: type[httpx2.TransportError], op: CraftedProvider, config: Config,
        clock: Clock) -> None:
    wire = Wire(op)
    hook = Raises(failure)
    wire.hooks[TOKEN] = hook

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, params, redirect = await expect_login_error(client, op, ProviderUnavailable)
        assert error.status == 504
        assert error.error == "temporarily_unavailable"
        message = str(error)
        assert HOST in message
        # nothing secret in a message that ends up in logs and error pages
        for secret in (params["code"], redirect.pending.code_verifier, redirect.pending.nonce,
                       CLIENT_SECRET):
            assert secret not in message
            assert secret not in error.description

    run(scenario)
    assert hook.calls == 1  # no retry of a non-idempotent code exchange


@DRIVERS
@pytest.mark.parametrize("failure", [httpx2.ConnectTimeout, httpx2.ConnectError])
def test_unreachable_provider_on_first_login_is_provider_unavailable(
        kind: str, failure: type[httpx2.TransportError], op: CraftedProvider, config: Config,
        clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[DISCOVERY] = Raises(failure)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert error.status == 504
        assert isinstance(error, ProviderUnavailable)

    run(scenario)


@DRIVERS
def test_unreachable_provider_on_first_login_fails_with_504(
        kind: str, op: CraftedProvider, config: Config, clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[DISCOVERY] = Raises(httpx2.ConnectTimeout)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert error.status == 504
        assert HOST in str(error)

    run(scenario)


@DRIVERS
def test_non_json_discovery_is_discovery_error(kind: str, op: CraftedProvider,
                                               config: Config, clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[DISCOVERY] = lambda request: httpx2.Response(
        200, headers={"content-type": "text/html"}, content=b"<html><body>Welcome</body></html>")

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        await expect_login_error(client, op, DiscoveryError)

    run(scenario)


@DRIVERS
def test_http_500_at_token_endpoint_is_provider_error(kind: str, op: CraftedProvider,
                                                      config: Config, clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[TOKEN] = lambda request: httpx2.Response(
        500, headers={"content-type": "text/plain"}, content=b"Internal Server Error")

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert "500" in str(error)
        assert not isinstance(error, ProviderUnavailable)

    run(scenario)


@DRIVERS
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(kind: str, status: int, op: CraftedProvider,
                                    config: Config, clock: Clock) -> None:
    wire = Wire(op)
    wire.hooks[DISCOVERY] = lambda request: httpx2.Response(status, headers={
        "location": ELSEWHERE})
    # if the redirect were followed, the target would serve a valid document
    wire.hooks[ELSEWHERE] = lambda request: httpx2.Response(200, json=op.discovery())

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        await expect_login_error(client, op, DiscoveryError)

    run(scenario)
    assert wire.count(ELSEWHERE) == 0
    assert wire.seen == [DISCOVERY]


# -- caching ---------------------------------------------------------------------------
@DRIVERS
@pytest.mark.parametrize("broken", [(DISCOVERY,), (DISCOVERY, JWKS)],
                         ids=["discovery", "discovery+jwks"])
def test_stale_cache_is_used_when_refresh_times_out(
        kind: str, broken: tuple[str, ...], op: CraftedProvider, config: Config,
        clock: Clock) -> None:
    wire = Wire(op)
    hooks = {url: Raises(httpx2.ConnectTimeout) for url in broken}

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        try:
            await call(client.warm_up())
            assert wire.seen == [DISCOVERY, JWKS]
            clock.t += 3601  # past the one-hour cache lifetime
            wire.hooks.update(hooks)
            result = await login(client, op)
        finally:
            await close(client)
        assert result.accepted
        assert result.subject == "user-1"

    run(scenario)
    for hook in hooks.values():
        assert hook.calls >= 1  # the refresh was really attempted, and failed


@DRIVERS
def test_stale_cache_is_not_used_forever(kind: str, op: CraftedProvider, config: Config,
                                         clock: Clock) -> None:
    wire = Wire(op)

    async def scenario() -> None:
        client = open_client(kind, config, wire.transport(), clock)
        await call(client.warm_up())
        clock.t += 2 * 86400  # far beyond any reasonable grace period
        wire.hooks[DISCOVERY] = Raises(httpx2.ConnectTimeout)
        error, _, _ = await expect_login_error(client, op, ProviderError)
        assert error.status == 504

    run(scenario)


@DRIVERS
def test_warm_client_makes_no_discovery_or_jwks_requests(kind: str, op: CraftedProvider,
                                                         config: Config, clock: Clock) -> None:
    def metadata_requests() -> int:
        return sum(urlsplit(r.url).path in ("/.well-known/openid-configuration", "/jwks")
                   for r in op.requests)

    async def scenario() -> None:
        client = open_client(kind, config, op.transport(), clock)
        try:
            await call(client.warm_up())
            fetches, seen = client.fetches, metadata_requests()
            assert (fetches, seen) == (2, 2)
            http = client.http
            for _ in range(5):
                clock.t += 60
                assert (await login(client, op)).accepted
                # one pooled httpx client for every login (connection reuse)
                assert client.http is http
            assert client.fetches == fetches
            assert metadata_requests() == seen
            assert sum(urlsplit(r.url).path == "/token" for r in op.requests) == 5
        finally:
            await close(client)

    run(scenario)


# -- lifecycle -------------------------------------------------------------------------
def test_sync_client_context_manager_closes_its_pool(op: CraftedProvider, config: Config,
                                                     clock: Clock) -> None:
    with eidgate.Client(config, transport=op.transport(), now=clock) as client:
        http = client.http
        redirect = client.begin_login()
        assert not http.is_closed
    assert http.is_closed
    assert redirect.url.startswith(f"{ISSUER}/authorize?")


def test_async_client_context_manager_closes_its_pool(op: CraftedProvider, config: Config,
                                                      clock: Clock) -> None:
    async def scenario() -> None:
        async with eidgate.AsyncClient(config, transport=op.transport(), now=clock) as client:
            http = client.http
            redirect = await client.begin_login()
            assert not http.is_closed
        assert http.is_closed
        assert redirect.url.startswith(f"{ISSUER}/authorize?")

    run(scenario)


def test_client_does_not_close_a_pool_it_was_given(op: CraftedProvider, config: Config,
                                                   clock: Clock) -> None:
    http = httpx2.Client(transport=op.transport())
    try:
        with eidgate.Client(config, http=http, now=clock) as client:
            assert client.http is http
            client.begin_login()
        assert not http.is_closed
    finally:
        http.close()


def test_async_client_does_not_close_a_pool_it_was_given(op: CraftedProvider, config: Config,
                                                         clock: Clock) -> None:
    async def scenario() -> None:
        http = httpx2.AsyncClient(transport=op.transport())
        try:
            async with eidgate.AsyncClient(config, http=http, now=clock) as client:
                assert client.http is http
                await client.begin_login()
            assert not http.is_closed
        finally:
            await http.aclose()

    run(scenario)

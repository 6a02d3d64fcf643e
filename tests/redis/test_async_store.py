"""The Redis store through redis-py's asyncio client (issue 11: "sync for Flask/WSGI and its
asyncio client for ASGI"): every operation awaited gives what its sync twin gives, on the
same Redis, and under the ASGI adapter a request waiting on Redis leaves the event loop
free for the others."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from redis_helpers import ISSUER, SECRET, Clock, person
from redis_server import RedisServer

from eidgate.sandbox import RunningSandbox
from eidgate.web import RedisSessions, SessionStoreUnavailable
from eidgate.web._redis_keys import connect, connect_async


@pytest.fixture
def pair(redis_server: RedisServer) -> Iterator[tuple[RedisSessions, RedisSessions]]:
    """Two instances of one app on one Redis: ``async_store`` has the asyncio client,
    ``sync_store`` only the sync one (as a store built around a redis.Redis)."""
    url = redis_server.url
    clock = Clock()
    options: dict[str, Any] = {"key_prefix": "async:", "now": clock}
    async_store = RedisSessions(connect(url), (SECRET,), 3600,
                                aconnect=lambda: connect_async(url), **options)
    sync_store = RedisSessions(connect(url), (SECRET,), 3600, **options)
    yield async_store, sync_store
    for store in (async_store, sync_store):
        store.close()
        store.redis.close()


def test_every_operation_awaited_matches_its_sync_twin(
        pair: tuple[RedisSessions, RedisSessions]) -> None:
    async_store, sync_store = pair
    alice = person("alice")

    async def main() -> None:
        value = await async_store.asave(alice, sid="op-session-1")
        # the other instance reads what the asyncio client wrote, and the other way round
        found = sync_store.load(value)
        assert found is not None and found[0] == alice and found[1] == {"sid": "op-session-1"}
        again = await async_store.aload(value)
        assert again is not None and again[0] == alice
        other = sync_store.save(person("bob"))
        assert (await async_store.aload(other)) is not None
        # the listing and single ending (RevocableStore), awaited
        listed = await async_store.asessions_of(ISSUER, "alice")
        assert [info.sid for info in listed] == ["op-session-1"]
        assert await async_store.aend_session(listed[0].handle) is True
        assert await async_store.aend_session(listed[0].handle) is False
        assert sync_store.load(value) is None
        # end(): by sid of a provider session, then by subject ("everywhere")
        v1 = await async_store.asave(alice, sid="s-2")
        v2 = await async_store.asave(alice, sid="s-3")
        assert await async_store.aend(ISSUER, sid="s-2") == 1
        assert (await async_store.aload(v1), sync_store.load(v2) is not None) == (None, True)
        assert await async_store.aend(ISSUER, sub="alice") == 1
        assert await async_store.aload(v2) is None
        # delete (logout)
        await async_store.adelete(other)
        assert sync_store.load(other) is None
        # single use, on every instance: exactly one of each pair is first
        assert await async_store.aconsume("state", "st-1", 60) is True
        assert sync_store.consume("state", "st-1", 60) is False
        assert sync_store.first_use(ISSUER, "jti-1", 60) is True
        assert await async_store.afirst_use(ISSUER, "jti-1", 60) is False
        # tampered or unknown values read as logged out without Redis
        assert await async_store.aload(value[:-1] + ("A" if value[-1] != "A" else "B")) is None
        assert await async_store.aload(None) is None
    anyio.run(main)


def test_a_store_with_only_a_sync_client_is_awaited_through_a_worker_thread(
        pair: tuple[RedisSessions, RedisSessions]) -> None:
    _, sync_store = pair

    async def main() -> None:
        value = await sync_store.asave(person("carol"))
        found = await sync_store.aload(value)
        assert found is not None and found[0].subject == "carol"
    anyio.run(main)


def test_an_outage_is_a_store_error_when_awaited_too(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    url = server.url
    store = RedisSessions(connect(url), (SECRET,), 3600, aconnect=lambda: connect_async(url))

    async def main() -> None:
        value = await store.asave(person("dave"))
        server.stop()
        with pytest.raises(SessionStoreUnavailable):
            await store.asave(person("erin"))
        with pytest.raises(SessionStoreUnavailable):
            await store.aconsume("state", "x", 60)
        store.close()  # no cache: the read goes to Redis
        with pytest.raises(SessionStoreUnavailable):
            await store.aload(value)
    try:
        anyio.run(main)
    finally:
        store.close()
        server.stop()


def test_under_asgi_a_request_waiting_on_redis_does_not_hold_up_the_others(
        eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """A Redis that accepts connections and never answers (SIGSTOP): a logged-in request
    waits up to the store's bound for it, then gets 503; meanwhile a request that needs no
    Redis is served. With the store on the event loop, the second could not even start
    until the first had its answer."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from eidgate_adapters.asgi import EidGateMiddleware

    async def page(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    server = RedisServer(tmp_path / "redis").start()
    url = server.url
    # no local cache: every logged-in request reads Redis (the case a cache miss is); a
    # read bound of 3 s, so that the first request surely still waits while the second is
    # served on a loaded machine
    store = RedisSessions(connect(url), (SECRET,), 3600, cache=False,
                          aconnect=lambda: connect_async(url, timeout=3.0))
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\n\n' + eidgate_sandbox.toml(), encoding="utf-8")
    app = EidGateMiddleware(Starlette(routes=[Route("/account", page), Route("/public", page)]),
                            config=str(config), protect=["/account"], sessions=store)
    value = store.save(person("frank"))
    done: list[tuple[str, int]] = []

    async def get(path: str, cookie: str | None) -> None:
        headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html")]
        if cookie:
            headers.append((b"cookie", f"eidgate_session={cookie}".encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "root_path": "", "query_string": b"", "headers": headers,
                 "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
        await app(scope, receive, send)
        done.append((path, status[0]))

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(get, "/account", value)
            await anyio.sleep(0.1)  # the first is now waiting on the silent Redis
            await get("/public", None)
            # the second was served while the first still waited
            assert done == [("/public", 200)]
        assert done == [("/public", 200), ("/account", 503)]

    try:
        assert server.process is not None
        server.process.send_signal(signal.SIGSTOP)
        try:
            anyio.run(main)
        finally:
            server.process.send_signal(signal.SIGCONT)
    finally:
        store.close()
        server.stop()


def test_cached_answers_from_memory_only_and_never_an_ended_session(
        pair: tuple[RedisSessions, RedisSessions]) -> None:
    """``cached``: the session while this process holds it and its invalidation listener
    is live, else False (only Redis can answer: the async adapter then awaits aload)."""
    store, other = pair
    value = store.save(person("grace"))
    assert store.cached(value) is False  # saved, never read here: not in memory
    deadline = time.monotonic() + 5
    while store.cached(value) is False:  # read once the listener is live: then kept
        assert store.load(value) is not None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    found = store.cached(value)
    assert found is not False and found[0] == person("grace")
    other.delete(value)  # another instance logs it out: the message drops it here
    deadline = time.monotonic() + 1.5
    while store.cached(value) is not False:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert store.load(value) is None
    assert store.cached("not-a-session") is False and store.cached(None) is False


def test_a_sentinel_failover_through_the_asyncio_client(tmp_path: Path) -> None:
    """redis+sentinel:// with redis-py's asyncio client: the primary stops, the sentinel
    promotes the replica; meanwhile each awaited call fails within its bound (a 503 for
    the person), then the store finds the new primary by itself, sessions included."""
    from redis_server import SentinelServer

    primary = RedisServer(tmp_path / "primary").start()
    replica = RedisServer(tmp_path / "replica", replica_of=primary).start()
    try:
        with SentinelServer(tmp_path / "sentinel", primary) as sentinel:
            url = f"redis+sentinel://127.0.0.1:{sentinel.port}/mymaster"
            store = RedisSessions(connect(url), (SECRET,), 3600, key_prefix="async-ha:",
                                  cache=False, aconnect=lambda: connect_async(url))

            async def main() -> None:
                value = await store.asave(person("ivan"))
                found = await store.aload(value)
                assert found is not None and found[0].subject == "ivan"
                direct = connect(replica.url)
                deadline = time.monotonic() + 10
                while not direct.keys("async-ha:s:*"):  # replicated before the fault
                    assert time.monotonic() < deadline, "the replica never synced"
                    await anyio.sleep(0.05)
                direct.close()
                primary.stop()
                deadline = time.monotonic() + 30
                outages = 0
                while True:
                    started = time.monotonic()
                    try:
                        found = await store.aload(value)
                        break
                    except SessionStoreUnavailable:
                        outages += 1
                        assert time.monotonic() - started < 2.5  # each call stays bounded
                    assert time.monotonic() < deadline, "no failover within 30 s"
                    await anyio.sleep(0.2)
                assert found is not None and found[0].subject == "ivan"
                assert outages > 0
                assert await store.asave(person("judy"))  # on the promoted replica
            try:
                anyio.run(main)
            finally:
                store.close()
                store.redis.close()
    finally:
        replica.stop()
        primary.stop()

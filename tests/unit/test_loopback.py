"""Driver behaviour that only a real socket shows: pooling, trickling answers.

The crafted provider is served over HTTP/1.1 on 127.0.0.1 (stdlib http.server, keep-alive),
and the drivers talk to it for real.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ServedProvider, served_provider

import eidgate
from eidgate import AsyncClient, Client, PendingLogins


@pytest.fixture
def served() -> Iterator[ServedProvider]:
    with served_provider() as server:
        yield server


def config(issuer: str, tmp_path: Path, **extra: Any) -> eidgate.Config:
    return eidgate.parse_config({
        "eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "s" * 32, **extra},
        "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET}}}, base_dir=tmp_path)


def test_sync_logins_reuse_one_pooled_connection(served: ServedProvider, tmp_path: Path) -> None:
    with Client(config(served.op.issuer, tmp_path)) as client:
        for _ in range(4):
            redirect = client.begin_login()
            result = client.complete_login(served.op.authorize(redirect.url),
                                           PendingLogins([redirect.pending]))
            assert result.accepted
    # discovery, JWKS and 4 x (token + userinfo) = 10 requests over one TCP connection
    assert len(served.op.requests) == 10
    assert served.connections == 1


def test_async_logins_reuse_one_pooled_connection(served: ServedProvider, tmp_path: Path) -> None:
    async def run() -> None:
        async with AsyncClient(config(served.op.issuer, tmp_path)) as client:
            for _ in range(4):
                redirect = await client.begin_login()
                result = await client.complete_login(served.op.authorize(redirect.url),
                                                     PendingLogins([redirect.pending]))
                assert result.accepted
    asyncio.run(run())
    assert len(served.op.requests) == 10
    assert served.connections == 1


def test_a_burst_of_logins_leaves_its_connections_open_for_the_next(served: ServedProvider,
                                                                    tmp_path: Path) -> None:
    """40 logins at once need 40 connections; the next burst reuses them all (with fewer
    kept alive than were open, each burst closed the surplus and opened it again)."""
    async def burst(client: AsyncClient) -> None:
        async def one() -> None:
            redirect = await client.begin_login()
            result = await client.complete_login(served.op.authorize(redirect.url),
                                                 PendingLogins([redirect.pending]))
            assert result.accepted
        await asyncio.gather(*(one() for _ in range(40)))

    async def run() -> tuple[int, int]:
        async with AsyncClient(config(served.op.issuer, tmp_path)) as client:
            await client.warm_up()
            served.delay = 0.1
            await burst(client)
            first = served.connections
            await burst(client)
            return first, served.connections
    first, second = asyncio.run(run())
    assert first > 20  # the burst really ran in parallel
    assert second == first


@pytest.fixture
def trickling() -> Iterator[str]:
    """A server that sends headers at once, then one body byte every 0.2 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(5)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n")
            for _ in range(100):
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()
    thread.join(5)


def warm_up(kind: str, cfg: eidgate.Config) -> None:
    if kind == "sync":
        with Client(cfg) as client:
            client.warm_up()
        return

    async def run() -> None:
        async with AsyncClient(cfg) as client:
            await client.warm_up()
    asyncio.run(run())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_trickling_answer_is_cut_at_the_total_timeout(trickling: str, tmp_path: Path,
                                                        kind: str) -> None:
    # every byte arrives well within httpx's per-read timeout, so only the total deadline
    # of the request can stop this
    cfg = config(trickling, tmp_path, http_timeout=1)
    started = time.monotonic()
    with pytest.raises(eidgate.ProviderUnavailable, match="did not finish") as caught:
        warm_up(kind, cfg)
    assert caught.value.status == 504
    assert time.monotonic() - started < 3  # the server would need 20 s to finish

"""A login interrupted half-way: the drivers close the flow on any exit.

An async login cancelled while it waits on the provider, and a sync flow interrupted by a
foreign exception, leave no flow open and the client still usable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest
from crafted import CraftedProvider
from unit_harness import Clock, make_config

import eidgate
from eidgate import HttpRequest, PendingLogins


def test_a_cancelled_async_login_closes_its_flow_and_the_client_still_works(
        tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    started = asyncio.Event()

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token" and not started.is_set():
            started.set()
            await asyncio.sleep(60)  # never answers: the caller gives up first
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       await request.aread()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    async def scenario() -> None:
        async with eidgate.AsyncClient(make_config(tmp_path), now=clock,
                                       transport=httpx2.MockTransport(handler)) as client:
            redirect = await client.begin_login()
            pending = PendingLogins([redirect.pending])
            flow = client.rp.complete(op.authorize(redirect.url), pending)
            task = asyncio.create_task(client.run(flow))
            await asyncio.wait_for(started.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert flow.gi_frame is None  # closed, not left suspended for the GC
            assert len(pending) == 0  # RFC 9700 4.7: the state stays spent
            again = await client.begin_login()
            assert (await client.complete_login(op.authorize(again.url),
                                                PendingLogins([again.pending]))).accepted

    asyncio.run(scenario())


def test_a_sync_flow_interrupted_by_a_foreign_exception_is_closed(tmp_path: Path,
                                                                  clock: Clock) -> None:
    op = CraftedProvider(now=clock)

    class Interrupted(BaseException):
        pass

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            raise Interrupted
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(handler),
                        now=clock) as client:
        redirect = client.begin_login()
        flow = client.rp.complete(op.authorize(redirect.url), PendingLogins([redirect.pending]))
        with pytest.raises(Interrupted):
            client.run(flow)
        assert flow.gi_frame is None

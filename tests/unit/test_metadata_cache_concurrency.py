"""The provider metadata cache through the drivers: outages, threads and tasks.

An outage costs one attempt per cool-down, not one per login (a cold cache is tried on every
login); an expired cache is refreshed once by many threads or tasks; random `kid`s from many
threads make one JWKS refetch (OIDC Core 10.1.1); ProviderUnavailable keeps its type through a
cold cache. The cache on its own, sans-IO, is in test_metadata_cache.py. The peer is the
crafted provider (tests/crafted.py), sans-IO or behind ``httpx2.MockTransport`` for
eidgate.Client and AsyncClient in many threads and tasks.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import jwt
import pytest
from crafted import CraftedProvider, json_response
from tampering import DISCOVERY_PATH, count
from unit_harness import Build, Clock, make_config

import eidgate
from eidgate import (
    DiscoveryError,
    HttpRequest,
    HttpResponse,
    InvalidTokenError,
    PendingLogins,
    ProviderUnavailable,
)


def test_an_outage_costs_one_attempt_per_cool_down_not_one_per_login(
        tmp_path: Path, clock: Clock) -> None:
    """Stale copies serve logins while the provider's metadata endpoints are down, and each
    login does not wait a full timeout for a refresh that just failed (one per 60 s)."""
    op = CraftedProvider(now=clock)
    attempts: list[str] = []
    down = {"on": False}

    def handler(request: httpx2.Request) -> httpx2.Response:
        if down["on"] and request.url.path in (DISCOVERY_PATH, "/jwks"):
            attempts.append(request.url.path)
            raise httpx2.ConnectTimeout("down", request=request)
        reply = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                      request.read()))
        return httpx2.Response(reply.status, headers=dict(reply.headers), content=reply.body)

    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(handler),
                        now=clock) as client:
        client.warm_up()
        clock.t += 3601
        down["on"] = True
        for _ in range(5):
            redirect = client.begin_login()
            assert client.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending])).accepted
            clock.t += 5
        assert sorted(attempts) == [DISCOVERY_PATH, "/jwks"]
        clock.t += 60
        redirect = client.begin_login()
        assert client.complete_login(op.authorize(redirect.url),
                                     PendingLogins([redirect.pending])).accepted
        assert sorted(attempts) == [DISCOVERY_PATH, DISCOVERY_PATH, "/jwks", "/jwks"]


def test_an_outage_on_a_cold_cache_is_retried_on_every_login(harness: Build) -> None:
    h = harness()
    h.op.overrides[DISCOVERY_PATH] = lambda r: HttpResponse(503, {}, b"")
    for _ in range(2):
        with pytest.raises(DiscoveryError):
            h.begin()
    assert count(h.op, DISCOVERY_PATH) == 2


class SlowMetadata:
    """A transport whose discovery and JWKS answers take a while; counts them."""

    def __init__(self, op: CraftedProvider, delay: float = 0.05) -> None:
        self.op, self.delay = op, delay
        self.hits = {DISCOVERY_PATH: 0, "/jwks": 0}
        self.lock = threading.Lock()

    def reply(self, request: httpx2.Request) -> httpx2.Response:
        answer = self.op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                            request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    def sync(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path in self.hits:
            with self.lock:
                self.hits[request.url.path] += 1
            time.sleep(self.delay)
        with self.lock:
            return self.reply(request)

    async def asynchronous(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path in self.hits:
            self.hits[request.url.path] += 1
            await asyncio.sleep(self.delay)
        return self.reply(request)


def test_expired_cache_is_refreshed_once_by_many_threads(tmp_path: Path,
                                                         clock: Clock) -> None:
    """50 logins in 50 threads when the hour is up: one discovery and one JWKS request
    (each login once made its own, a burst of requests against the provider)."""
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)
    results: list[bool] = []
    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(wire.sync),
                        now=clock) as client:
        client.warm_up()
        clock.t += 3601

        def login() -> None:
            redirect = client.begin_login()
            results.append(client.complete_login(op.authorize(redirect.url),
                                                 PendingLogins([redirect.pending])).accepted)
        threads = [threading.Thread(target=login) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [True] * 50
    assert wire.hits == {DISCOVERY_PATH: 2, "/jwks": 2}  # warm-up + one refresh each


def test_expired_cache_is_refreshed_once_by_many_tasks(tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)

    async def scenario() -> list[bool]:
        async with eidgate.AsyncClient(make_config(tmp_path), now=clock,
                                       transport=httpx2.MockTransport(wire.asynchronous)
                                       ) as client:
            await client.warm_up()
            clock.t += 3601

            async def login() -> bool:
                redirect = await client.begin_login()
                result = await client.complete_login(op.authorize(redirect.url),
                                                     PendingLogins([redirect.pending]))
                return result.accepted
            return list(await asyncio.gather(*(login() for _ in range(50))))

    assert asyncio.run(scenario()) == [True] * 50
    assert wire.hits == {DISCOVERY_PATH: 2, "/jwks": 2}


def test_random_kids_from_many_threads_make_one_refetch(tmp_path: Path, clock: Clock) -> None:
    """OIDC Core 10.1.1 rotation refetch, rate-limited across threads: 40 tokens with 40
    unknown kids at once make one JWKS request, not 40."""
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)

    def token(request: HttpRequest) -> HttpResponse:
        body = json.loads(op.token(request).body)
        claims = jwt.decode(body["id_token"], options={"verify_signature": False})
        body["id_token"] = jwt.encode(claims, op.keys[0].private, algorithm="RS256",
                                      headers={"kid": secrets.token_hex(8)})
        return json_response(body)
    op.overrides["/token"] = token
    errors: list[type[BaseException]] = []
    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(wire.sync),
                        now=clock) as client:
        client.warm_up()
        redirects = [client.begin_login() for _ in range(40)]

        def complete(redirect: eidgate.LoginRedirect) -> None:
            try:
                client.complete_login(op.authorize(redirect.url),
                                      PendingLogins([redirect.pending]))
            except BaseException as exc:  # any type is recorded, and checked below
                errors.append(type(exc))
        threads = [threading.Thread(target=complete, args=(r,)) for r in redirects]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [InvalidTokenError] * 40
    assert wire.hits["/jwks"] == 2  # warm-up + one forced refetch


def test_provider_unavailable_keeps_its_type_through_a_cold_cache(harness: Build) -> None:
    h = harness()
    steps = h.rp.begin()
    request = next(steps)
    assert urlsplit(request.url).path == DISCOVERY_PATH
    with pytest.raises(ProviderUnavailable):
        steps.throw(ProviderUnavailable("no answer from op.example.test within 10 s"))

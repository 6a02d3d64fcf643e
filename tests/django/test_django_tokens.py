"""Tokens for API calls through the Django adapter (get_access_token, aget_access_token)
against the sandbox with the Redis store: the provider's token, a refresh once it nears
expiry (RFC 6749 6, the sandbox counting the grants), concurrent requests that spend the
rotated refresh token once, a refused refresh that ends the session."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import AsyncClient, Client
from django.urls import include, path
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)

from eidgate.sandbox import RunningSandbox, SandboxClient
from eidgate.web import LoginRequired
from eidgate_adapters.django import aget_access_token, get_access_token, login_required
from eidgate_adapters.django._gates import gates

SECRET = "django-tokens-test-secret-0123456789"
LIFETIME = 60  # the sandbox's access tokens for these clients (RFC 6749 5.1 expires_in)
_CLIENTS = itertools.count()


@login_required
def api(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse({"token": get_access_token(request)})
    except LoginRequired as exc:
        return JsonResponse({"error": exc.error}, status=401)


@login_required
async def aapi(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse({"token": await aget_access_token(request)})
    except LoginRequired as exc:
        return JsonResponse({"error": exc.error}, status=401)


urlpatterns = [path("api/", api), path("aapi/", aapi),
               path("eidgate/", include("eidgate_adapters.django.urls"))]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def client_id(settings: Any, eidgate_sandbox: RunningSandbox, redis_server: RedisServer,  # noqa: F811
              tmp_path: Path) -> str:
    """A sandbox client of its own, asking for offline_access, with the Redis store."""
    name = f"django-tokens-{next(_CLIENTS)}"
    eidgate_sandbox.sandbox.register(SandboxClient(name, SECRET, (
        "http://127.0.0.1:8000/eidgate/callback",), token_lifetime=LIFETIME))
    config = tmp_path / "eidgate.toml"
    config.write_text(
        f'[eidgate]\nbase_url = "http://127.0.0.1:8000"\nsecret_key = "{SECRET}"\n\n'
        f'[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
        f'key_prefix = "{name}:"\n\n[providers.hub]\nissuer = "{eidgate_sandbox.issuer}"\n'
        f'client_id = "{name}"\nclient_secret = "{SECRET}"\n'
        f'scopes = ["openid", "profile", "offline_access"]\n', encoding="utf-8")
    settings.EIDGATE = {"config": config}
    return name


def later(seconds: float) -> None:
    """The sync gate's relying party, ``seconds`` ahead of the machine's clock."""
    gates().gate.rp.now = lambda: time.time() + seconds


def token_of(client: Client, url: str = "/api/") -> tuple[int, dict[str, Any]]:
    answer = client.get(url, headers={"Accept": "application/json"})
    return answer.status_code, json.loads(answer.content)


def test_a_token_then_one_refresh_for_ten_threads(
        client_id: str, client: Client, eidgate_login: Callable[..., Any],
        eidgate_sandbox: RunningSandbox) -> None:
    refresh = eidgate_sandbox.sandbox.refresh
    first = json.loads(eidgate_login(client, "/api/", person="ftn-vaino").content)["token"]
    assert token_of(client) == (200, {"token": first})  # valid: no refresh
    later(LIFETIME + 5)
    cookie = client.cookies["eidgate_session"].value
    start = threading.Barrier(10)
    results: list[Any] = [None] * 10

    def run(i: int) -> None:
        other = Client()
        other.cookies["eidgate_session"] = cookie
        start.wait()
        results[i] = token_of(other)
    eidgate_sandbox.sandbox.faults.slow["token"] = 0.3  # the others come while it refreshes
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        eidgate_sandbox.sandbox.faults.slow.pop("token", None)
    assert all(status == 200 for status, _ in results), results
    tokens = {body["token"] for _, body in results}
    assert len(tokens) == 1 and first not in tokens
    # RFC 6749 6 with rotation: one refresh grant, no spent refresh token presented again
    assert (refresh.granted[client_id], refresh.replayed[client_id]) == (1, 0)


def test_a_refused_refresh_ends_the_session(client_id: str, client: Client,
                                            eidgate_login: Callable[..., Any],
                                            eidgate_sandbox: RunningSandbox) -> None:
    eidgate_login(client, "/api/")
    eidgate_sandbox.sandbox.refresh.revoke(client_id)
    later(LIFETIME + 5)
    assert token_of(client) == (401, {"error": "refresh_refused"})
    status, body = token_of(client)  # the session is gone: the gate asks for a login
    assert (status, body["error"]) == (401, "login_required")


@pytest.mark.anyio
async def test_an_async_view_gets_the_token(client_id: str, eidgate_login: Callable[..., Any],
                                            eidgate_sandbox: RunningSandbox) -> None:
    sync = Client()
    token = json.loads(eidgate_login(sync, "/api/").content)["token"]
    browser = AsyncClient()
    browser.cookies["eidgate_session"] = sync.cookies["eidgate_session"].value
    answer = await browser.get("/aapi/", headers={"Accept": "application/json"})
    assert (answer.status_code, json.loads(answer.content)) == (200, {"token": token})

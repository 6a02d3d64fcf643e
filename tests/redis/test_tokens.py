"""Tokens for API calls through the Flask, ASGI and WSGI adapters, against the sandbox eID
hub (a real OpenID provider on a socket) with the Redis session store (a real redis-server).

The expectations come from RFC 6749 and OIDC Core, and the sandbox is the witness: it
rotates refresh tokens (RFC 6749 6: the old one is refused after use), counts the refresh
grants it accepted (``refresh.granted``) and the spent tokens presented again
(``refresh.replayed``), and its userinfo endpoint accepts only live access tokens
(RFC 6750 3.1: ``invalid_token`` otherwise). Time moves by the relying party's injected
clock (``rp.now``), never by patching.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest
from redis_helpers import SECRET
from redis_server import RedisServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from werkzeug.test import Client as WerkzeugClient

from eidgate import ConfigError, RelyingParty, load_config
from eidgate.sandbox import RunningSandbox, SandboxClient
from eidgate.web import LoginRequired, RedisSessions, SessionError
from eidgate_adapters import asgi, wsgi
from eidgate_adapters import flask as flask_adapter

BASE = "http://127.0.0.1:8000"
CALLBACK = f"{BASE}/eidgate/callback"
LIFETIME = 60  # seconds the sandbox's access tokens live for these clients (RFC 6749 5.1)
LEEWAY = 30  # eidgate refreshes this long before expiry (REFRESH_LEEWAY)
# the Redis store's cookie: base64url(32-byte id) "." base64url(16-byte tag), nothing else
OPAQUE = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}")
_CLIENTS = itertools.count()


class Setup:
    """A client of its own at the shared sandbox, and the eidgate.toml that uses it."""

    def __init__(self, sandbox: RunningSandbox, redis: RedisServer, tmp_path: Path, *,
                 offline: bool = True, configured: bool = False, store: str = "redis"
                 ) -> None:
        self.hub = sandbox.sandbox
        self.client_id = f"tokens-{next(_CLIENTS)}"
        self.secret = "tokens-secret-0123456789"
        self.hub.register(SandboxClient(self.client_id, self.secret, (CALLBACK,),
                                        refresh_tokens=configured, token_lifetime=LIFETIME))
        scopes = '["openid", "profile", "offline_access"]' if offline else \
            '["openid", "profile"]'
        session = (f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis.url}"\n'
                   f'key_prefix = "{self.client_id}:"\n') if store == "redis" else ""
        self.config = tmp_path / "eidgate.toml"
        self.config.write_text(
            f'[eidgate]\nbase_url = "{BASE}"\nsecret_key = "{SECRET}"\n{session}\n'
            f'[providers.hub]\nissuer = "{sandbox.issuer}"\nclient_id = "{self.client_id}"\n'
            f'client_secret = "{self.secret}"\nscopes = {scopes}\n', encoding="utf-8")
        self.stores: list[Any] = []

    @property
    def granted(self) -> int:
        return self.hub.refresh.granted[self.client_id]

    @property
    def replayed(self) -> int:
        return self.hub.refresh.replayed[self.client_id]

    def live(self, access_token: str) -> bool:
        """The sandbox's userinfo endpoint takes the token (RFC 6750 2.1)."""
        answer = httpx2.get(f"{self.hub.issuer}/userinfo", timeout=5,
                            headers={"Authorization": f"Bearer {access_token}"})
        return answer.status_code == 200

    def issued(self) -> set[str]:
        """Every access and refresh token the sandbox gave this client (the log scan's
        needles): from the provider's own records."""
        access = {t for t, (_, c, _, _) in list(self.hub._tokens.items())
                  if c.client_id == self.client_id}
        refresh = {t for t, r in list(self.hub.refresh._live.items())
                   if r.client_id == self.client_id} | set(self.hub.refresh._spent)
        return access | refresh

    def close(self) -> None:
        for store in self.stores:
            if isinstance(store, RedisSessions):
                store.close()
                store.redis.close()


@pytest.fixture
def setup(eidgate_sandbox: RunningSandbox, redis_server: RedisServer, tmp_path: Path
          ) -> Iterator[Callable[..., Setup]]:
    made: list[Setup] = []

    def make(**options: Any) -> Setup:
        made.append(Setup(eidgate_sandbox, redis_server, tmp_path, **options))
        return made[-1]
    yield make
    for one in made:
        one.close()


def later(rp: RelyingParty, seconds: float) -> None:
    """The relying party's clock, ``seconds`` ahead of the machine's from now on."""
    rp.now = lambda: time.time() + seconds


# -- the three adapters ------------------------------------------------------------------
def flask_app(s: Setup) -> tuple[flask.Flask, flask_adapter.EidGate]:
    app = flask.Flask(__name__)
    ext = flask_adapter.EidGate(app, config=str(s.config))
    assert ext.gate is not None
    s.stores.append(ext.gate.sessions)

    @app.get("/api")
    @flask_adapter.login_required
    def api() -> Any:
        try:
            return {"token": flask_adapter.get_access_token()}
        except LoginRequired as exc:
            return {"error": exc.error}, 401
    return app, ext


def wsgi_app(s: Setup) -> wsgi.EidGateMiddleware:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        try:
            body, status = {"token": wsgi.get_access_token(environ)}, "200 OK"
        except LoginRequired as exc:
            body, status = {"error": exc.error}, "401 Unauthorized"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]
    middleware = wsgi.EidGateMiddleware(app, config=str(s.config), protect=["/api"])
    s.stores.append(middleware.gate.sessions)
    return middleware


def asgi_app(s: Setup) -> asgi.EidGateMiddleware:
    async def api(request: Request) -> JSONResponse:
        try:
            return JSONResponse({"token": await asgi.get_access_token(request)})
        except LoginRequired as exc:
            return JSONResponse({"error": exc.error}, 401)
    middleware = asgi.EidGateMiddleware(Starlette(routes=[Route("/api", api)]),
                                        config=str(s.config), protect=["/api"])
    s.stores.append(middleware.gate.sessions)
    return middleware


def session_of(client: Any) -> str:
    """The session cookie's value in a Flask or werkzeug test client."""
    cookie = client.get_cookie("eidgate_session")
    assert cookie is not None
    return str(cookie.value)


def fetch(client: Any, cookie: str | None = None) -> tuple[int, dict[str, Any]]:
    if cookie is not None:
        client.set_cookie("eidgate_session", cookie, domain="localhost")
    answer = client.get("/api", headers={"Accept": "application/json"})
    return answer.status_code, json.loads(answer.get_data(as_text=True))


async def alogin(app: Any, login: Callable[..., Any], person: str = "ftn-vaino"
                 ) -> tuple[httpx2.AsyncClient, str]:
    """Log in through an ASGI app as a browser would (the sandbox step by the plugin):
    the client keeps the cookies; returns it and the session cookie's value."""
    browser = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE)
    answer = await browser.get("/api")
    while answer.status_code in (302, 303):
        location = answer.headers["location"]
        if not location.startswith("/"):
            location = await asyncio.to_thread(login, location, person=person)
        answer = await browser.get(location)
    value = browser.cookies.get("eidgate_session")
    assert value is not None
    return browser, value


async def atoken(browser: httpx2.AsyncClient, cookie: str | None = None
                 ) -> tuple[int, dict[str, Any]]:
    headers = {"Accept": "application/json"}
    if cookie is not None:
        headers["Cookie"] = f"eidgate_session={cookie}"
    answer = await browser.get("/api", headers=headers)
    return answer.status_code, answer.json()


# -- a token, then a refresh shortly before it expires ------------------------------------
def test_flask_gives_the_access_token_and_refreshes_it_before_expiry(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    app, ext = flask_app(s)
    assert ext.gate is not None
    with app.test_client() as client:
        page = eidgate_login(client, "/api", person="ftn-vaino")
        assert page.status_code == 200
        first = page.get_json()["token"]
        assert s.live(first)  # the provider's own access token, usable for API calls
        # RFC 6749 5.1: expires_in = 60 s from the login; refreshed only in its last 30 s
        later(ext.gate.rp, LIFETIME - LEEWAY - 2)
        assert fetch(client) == (200, {"token": first})
        assert s.granted == 0
        later(ext.gate.rp, LIFETIME - LEEWAY + 2)
        status, body = fetch(client)
        assert status == 200
        second = body["token"]
        assert second != first and s.granted == 1 and s.live(second)
        # the new token is kept: the next request does not refresh again
        assert fetch(client) == (200, {"token": second})
        assert s.granted == 1 and s.replayed == 0


def test_wsgi_refreshes_after_expiry(setup: Callable[..., Setup],
                                     eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    app = wsgi_app(s)
    client = WerkzeugClient(app)
    page = eidgate_login(client, "/api", person="mitid-sofie")
    first = json.loads(page.get_data(as_text=True))["token"]
    assert s.live(first)
    later(app.gate.rp, LIFETIME + 5)  # expired (RFC 6749 5.1)
    status, body = fetch(client)
    assert status == 200 and body["token"] != first and s.live(body["token"])
    assert (s.granted, s.replayed) == (1, 0)


def test_asgi_refreshes_after_expiry(setup: Callable[..., Setup],
                                     eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    app = asgi_app(s)

    async def run() -> None:
        browser, _ = await alogin(app, eidgate_login)
        async with aclosing(browser):
            status, body = await atoken(browser)
            assert status == 200 and s.live(body["token"])
            later(app.gate.rp, LIFETIME + 5)
            status, again = await atoken(browser)
            assert status == 200 and again["token"] != body["token"]
            assert s.live(again["token"]) and (s.granted, s.replayed) == (1, 0)
        await app.aclose()
    asyncio.run(run())


# -- concurrent requests spend a rotated refresh token once -------------------------------
def _threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released at the same moment."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # reported, not swallowed: the assertion shows it
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_flask_ten_threads_refresh_once(setup: Callable[..., Setup],
                                        eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    app, ext = flask_app(s)
    assert ext.gate is not None
    with app.test_client() as client:
        first = eidgate_login(client, "/api").get_json()["token"]
        cookie = session_of(client)
    later(ext.gate.rp, LIFETIME + 5)
    s.hub.faults.slow["token"] = 0.3  # the others start while the refresh is in flight
    try:
        results = _threads(10, lambda i: fetch(app.test_client(), cookie))
    finally:
        s.hub.faults.slow.pop("token", None)
    tokens = {body.get("token") for status, body in results}
    assert len(tokens) == 1 and first not in tokens, results
    assert all(status == 200 for status, _ in results), results
    # RFC 6749 6 with rotation: one refresh grant, no spent token presented again
    assert (s.granted, s.replayed) == (1, 0)
    assert s.live(tokens.pop())


def test_wsgi_two_instances_ten_threads_refresh_once(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    one, two = wsgi_app(s), wsgi_app(s)  # two processes of one app, one Redis
    client = WerkzeugClient(one)
    eidgate_login(client, "/api")
    cookie = session_of(client)
    for app in (one, two):
        later(app.gate.rp, LIFETIME + 5)
    s.hub.faults.slow["token"] = 0.3
    try:
        results = _threads(10, lambda i: fetch(WerkzeugClient(one if i % 2 else two), cookie))
    finally:
        s.hub.faults.slow.pop("token", None)
    assert all(status == 200 for status, _ in results), results
    assert len({body["token"] for _, body in results}) == 1
    assert (s.granted, s.replayed) == (1, 0)


def test_asgi_ten_tasks_and_two_instances_refresh_once(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    one, two = asgi_app(s), asgi_app(s)

    async def run() -> None:
        browser, cookie = await alogin(one, eidgate_login)
        other = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=two), base_url=BASE)
        async with aclosing(browser), aclosing(other):
            _, first = await atoken(browser)
            for app in (one, two):
                later(app.gate.rp, LIFETIME + 5)
            results = await asyncio.gather(*(atoken(other if i % 2 else browser, cookie)
                                             for i in range(10)))
            assert all(status == 200 for status, _ in results), results
            tokens = {body["token"] for _, body in results}
            assert len(tokens) == 1 and first["token"] not in tokens
            assert (s.granted, s.replayed) == (1, 0)
        await one.aclose()
        await two.aclose()
    asyncio.run(run())


class Unlocked(RedisSessions):
    """The Redis store with its refresh lock taken away: every request gets it."""

    def lock(self, value: str | None, name: str, ttl: float) -> str | None:
        return "everyone"

    async def alock(self, value: str | None, name: str, ttl: float) -> str | None:
        return "everyone"


def test_without_the_lock_the_sandbox_sees_the_double_spend(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any],
        redis_server: RedisServer) -> None:
    """The concurrency tests above can fail: without the lock, concurrent refreshes spend
    one rotated refresh token several times, which the sandbox refuses and counts."""
    s = setup()
    store = Unlocked.from_config(load_config(s.config))
    app = flask.Flask(__name__)
    ext = flask_adapter.EidGate(app, config=str(s.config), sessions=store)
    assert ext.gate is not None
    s.stores.append(store)

    @app.get("/api")
    @flask_adapter.login_required
    def api() -> Any:
        try:
            return {"token": flask_adapter.get_access_token()}
        except LoginRequired as exc:
            return {"error": exc.error}, 401
    with app.test_client() as client:
        eidgate_login(client, "/api")
        cookie = session_of(client)
    later(ext.gate.rp, LIFETIME + 5)
    s.hub.faults.slow["token"] = 0.3  # every refresh in flight while the others start
    try:
        results = _threads(10, lambda i: fetch(app.test_client(), cookie))
    finally:
        s.hub.faults.slow.pop("token", None)
    assert s.replayed >= 1, results  # RFC 6749 6 / RFC 9700 4.14.2: a rotated token reused
    assert any(status == 401 for status, _ in results)


# -- a refused refresh ends the session cleanly -------------------------------------------
@pytest.mark.parametrize("adapter", ["flask", "wsgi"])
def test_a_refused_refresh_ends_the_session(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any],
        caplog: pytest.LogCaptureFixture, adapter: str) -> None:
    s = setup()
    if adapter == "flask":
        app, ext = flask_app(s)
        assert ext.gate is not None
        gate, client = ext.gate, app.test_client()
    else:
        middleware = wsgi_app(s)
        gate, client = middleware.gate, WerkzeugClient(middleware)
    eidgate_login(client, "/api")
    cookie = session_of(client)
    assert gate.sessions.load(cookie) is not None
    # the provider revokes the refresh tokens (a logout there, a revoked consent)
    assert s.hub.refresh.revoke(s.client_id) == 1
    later(gate.rp, LIFETIME + 5)
    caplog.set_level(logging.DEBUG)
    # RFC 6749 5.2 invalid_grant: the app learns a login is needed ...
    assert fetch(client) == (401, {"error": "refresh_refused"})
    # ... the session is gone from Redis (every instance) ...
    assert gate.sessions.load(cookie) is None
    assert isinstance(gate.sessions, RedisSessions)
    assert gate.sessions.reload(cookie) is None
    # ... so the next request is logged out: an API call gets 401 login_required
    answer = client.get("/api", headers={"Accept": "application/json"})
    assert answer.status_code == 401
    assert json.loads(answer.get_data(as_text=True))["error"] == "login_required"
    said = [r for r in caplog.records if "refresh refused" in r.getMessage()]
    assert said and said[0].levelno == logging.INFO
    assert "session ended" in said[0].getMessage()


def test_asgi_refused_refresh_ends_the_session(setup: Callable[..., Setup],
                                              eidgate_login: Callable[..., Any]) -> None:
    s = setup()
    app = asgi_app(s)

    async def run() -> None:
        browser, cookie = await alogin(app, eidgate_login)
        async with aclosing(browser):
            s.hub.refresh.revoke(s.client_id)
            later(app.gate.rp, LIFETIME + 5)
            assert await atoken(browser) == (401, {"error": "refresh_refused"})
            assert await app.gate.sessions.aload(cookie) is None  # type: ignore[attr-defined]
            status, body = await atoken(browser)
            assert (status, body["error"]) == (401, "login_required")
        await app.aclose()
    asyncio.run(run())


def test_without_a_refresh_token_an_expired_token_needs_a_login(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    """No offline_access, not configured: the sandbox gives no refresh token (OIDC Core
    11); once the access token expires only a new login gives one. The session stays."""
    s = setup(offline=False)
    app, ext = flask_app(s)
    assert ext.gate is not None
    with app.test_client() as client:
        first = eidgate_login(client, "/api").get_json()["token"]
        assert s.live(first)
        # nothing to refresh it with: used while it is valid at all (RFC 6749 5.1) ...
        later(ext.gate.rp, LIFETIME - 5)
        assert fetch(client) == (200, {"token": first})
        # ... and then only a new login gives another
        later(ext.gate.rp, LIFETIME + 5)
        assert fetch(client) == (401, {"error": "token_expired"})
        assert ext.gate.sessions.load(session_of(client)) is not None
        assert s.granted == 0


def test_a_client_configured_for_refresh_tokens_gets_them_without_offline_access(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    s = setup(offline=False, configured=True)
    app, ext = flask_app(s)
    assert ext.gate is not None
    with app.test_client() as client:
        first = eidgate_login(client, "/api").get_json()["token"]
        later(ext.gate.rp, LIFETIME + 5)
        status, body = fetch(client)
        assert status == 200 and body["token"] != first and s.granted == 1


# -- never in the browser, never in the logs ----------------------------------------------
def test_tokens_are_never_in_the_cookie_nor_in_the_logs(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    s = setup()
    app, ext = flask_app(s)
    assert ext.gate is not None
    set_cookies: list[str] = []
    with app.test_client() as client:
        answer = client.get("/api")  # a page navigation: to the login
        while answer.status_code in (302, 303):
            location = answer.headers["Location"]
            if location.startswith(s.hub.issuer):
                location = eidgate_login(location, person="ftn-vaino")
            answer = client.get(location.removeprefix(BASE))
            set_cookies += answer.headers.getlist("Set-Cookie")
        token = answer.get_json()["token"]
        later(ext.gate.rp, LIFETIME + 5)
        refreshed = fetch(client)[1]["token"]
    session = [c.split(";")[0].split("=", 1)[1] for c in set_cookies
               if c.startswith("eidgate_session=")]
    # the session cookie is the opaque id and nothing else (the tokens live in Redis)
    assert len(session) == 1 and OPAQUE.fullmatch(session[0])
    needles = s.issued()
    assert token in needles and refreshed in needles and len(needles) >= 4
    for header in set_cookies:
        assert not any(n in header for n in needles)
    # RFC 6750 5.3 / eidgate's rule: logs name providers and outcomes, never tokens
    # (the sandbox runs in this process: Authlib's DEBUG lines are the provider's own log,
    # which issued the tokens; every other logger is the relying party's side)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}"
                       for r in caplog.records if not r.name.startswith("authlib"))
    assert "access token refreshed (provider hub)" in logged
    assert not [n for n in needles if n in logged]


def test_the_cookie_store_keeps_no_tokens_and_says_so(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    s = setup(store="cookie", offline=False)
    app, ext = flask_app(s)
    assert ext.gate is not None
    with app.test_client() as client:
        page = eidgate_login(client, "/api")
        assert page.status_code == 500  # the app's own error: it let SessionError through
        found = ext.gate.sessions.load(session_of(client))
        assert found is not None and "tokens" not in found[1]
        cookie = f"eidgate_session={session_of(client)}"
        with app.test_request_context(headers={"Cookie": cookie}), \
                pytest.raises(SessionError) as caught:
            flask_adapter.get_access_token()
    assert caught.value.error == "tokens_not_kept"
    assert 'store = "redis"' in caught.value.description
    assert not isinstance(caught.value, LoginRequired)


def test_offline_access_with_the_cookie_store_is_a_config_error(
        setup: Callable[..., Setup]) -> None:
    """OIDC Core 11: offline_access asks for a refresh token; the cookie store would drop
    it. The mistake is named at start-up, with the file, the key and the fix."""
    s = setup(store="cookie")
    with pytest.raises(ConfigError) as caught:
        flask_app(s)
    assert caught.value.key == "providers.hub.scopes"
    assert caught.value.file == str(s.config)
    assert 'store = "redis"' in caught.value.description


def test_a_refresh_keeps_the_sessions_lifetime_and_indexes(
        setup: Callable[..., Setup], eidgate_login: Callable[..., Any]) -> None:
    """The new tokens replace the old in place: the session keeps its Redis TTL (its end
    stays session_max_age after the login), its other fields and its indexes, so "log me
    out everywhere" still finds it."""
    s = setup()
    app, ext = flask_app(s)
    assert ext.gate is not None
    store = ext.gate.sessions
    assert isinstance(store, RedisSessions)
    with app.test_client() as client:
        eidgate_login(client, "/api")
        cookie = session_of(client)
        key = store._verify(cookie)
        assert key is not None
        before = store.reload(cookie)
        ttl = store.redis.ttl(key)
        later(ext.gate.rp, LIFETIME + 5)
        assert fetch(client)[0] == 200 and s.granted == 1
        after = store.reload(cookie)
        assert before is not None and after is not None
        assert 0 < store.redis.ttl(key) <= ttl  # not made persistent, not extended
        assert after[0] == before[0]  # the same identity
        assert {k: v for k, v in after[1].items() if k != "tokens"} == \
            {k: v for k, v in before[1].items() if k != "tokens"}
        assert after[1]["tokens"]["at"] != before[1]["tokens"]["at"]
        identity = after[0]
        assert [i.provider for i in store.sessions_of(identity.issuer or "",
                                                      identity.subject)] == ["hub"]
        assert store.end(identity.issuer or "", sub=identity.subject) == 1
        assert fetch(client)[0] == 401

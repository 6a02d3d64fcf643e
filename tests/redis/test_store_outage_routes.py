"""The gate's own routes when Redis is down: logout and the callback answer a clean 503 with
``Retry-After`` (never a 500), and no cookie is left for a session that was not stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest
from redis_helpers import SECRET
from redis_server import RedisServer

from eidgate import Identity
from eidgate.sandbox import RunningSandbox
from eidgate.web import RedisSessions
from eidgate.web._redis import connect
from eidgate_adapters.flask import EidGate, current_identity, login_required

HTML = {"Accept": "text/html"}


def make_app(sandbox: RunningSandbox, tmp_path: Path, sessions: Any) -> flask.Flask:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\n\n' + sandbox.toml(), encoding="utf-8")
    app = flask.Flask(__name__)
    EidGate(app, config=str(config), sessions=sessions)

    @app.get("/account")
    @login_required
    def account() -> str:
        return f"hello {current_identity.subject}"
    return app


class WithoutConsume:
    """A server-side store written before ``consume`` existed: it delegates to Redis."""

    def __init__(self, inner: RedisSessions) -> None:
        self.inner = inner

    def save(self, identity: Identity, **fields: Any) -> str:
        return self.inner.save(identity, **fields)

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        return self.inner.load(value)

    def delete(self, value: str | None) -> None:
        self.inner.delete(value)

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        return self.inner.end(issuer, sid=sid, sub=sub)


@pytest.fixture
def redis_alone(tmp_path: Path) -> Any:
    """A private redis-server (the test stops it) and a store on it, stopped after."""
    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600, key_prefix="routes:")
    yield server, store
    store.close()
    store.redis.close()
    server.stop()


def callback_url(client: Any, login: Callable[..., Any]) -> str:
    """Begin a login with ``client`` and come back from the sandbox: the callback's path
    and query (not opened yet)."""
    begun = client.get("/eidgate/login?provider=sandbox&next=/account")
    assert begun.status_code == 303
    back = httpx2.URL(login(begun.headers["Location"], person="ftn-vaino"))
    return back.raw_path.decode("ascii")


def set_cookies(response: Any) -> list[str]:
    return list(response.headers.getlist("Set-Cookie"))


def assert_503(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<html" in response.get_data(as_text=True).lower()


def test_logout_with_redis_down_is_a_503_that_drops_the_cookie(
        eidgate_sandbox: RunningSandbox, tmp_path: Path, redis_alone: Any,
        eidgate_login: Callable[..., Any]) -> None:
    server, store = redis_alone
    app = make_app(eidgate_sandbox, tmp_path, store)
    with app.test_client() as client:
        assert eidgate_login(client, "/account", person="ftn-vaino").status_code == 200
        value = client.get_cookie("eidgate_session").value
        server.stop()
        time.sleep(1.1)  # the invalidation listener has gone quiet: Redis is asked
        started = time.monotonic()
        page = client.post("/eidgate/logout", headers=HTML)
        assert time.monotonic() - started < 1.5  # bounded
        assert_503(page)
        # the person asked to log out: this browser is logged out, whatever Redis says
        assert set_cookies(page) == [
            "eidgate_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"]
        assert client.get_cookie("eidgate_session") is None
        # without a cookie there is nothing to end: no Redis needed
        assert client.post("/eidgate/logout", headers=HTML).status_code == 303
        client.set_cookie("eidgate_session", value)  # a script's logout, its cookie kept
        api = client.post("/eidgate/logout", headers={"Accept": "application/json"})
        assert api.status_code == 503 and api.headers["Retry-After"] == "5"
        assert api.get_json() == {"error": "temporarily_unavailable"}
        assert any(c.startswith("eidgate_session=; Max-Age=0") for c in set_cookies(api))
        server.start()  # back, empty (no persistence): the session is gone anyway
        assert store.load(value) is None


def test_a_callback_with_redis_down_is_a_503_and_can_be_retried(
        eidgate_sandbox: RunningSandbox, tmp_path: Path, redis_alone: Any,
        eidgate_login: Callable[..., Any]) -> None:
    server, store = redis_alone
    app = make_app(eidgate_sandbox, tmp_path, store)
    with app.test_client() as client:
        url = callback_url(client, eidgate_login)
        server.stop()
        started = time.monotonic()
        page = client.get(url, headers=HTML)
        assert time.monotonic() - started < 1.5
        assert_503(page)  # the state could not be spent: nothing else was either
        assert set_cookies(page) == []  # no session, and the pending login is kept
        assert client.get_cookie("eidgate_session") is None
        server.start()
        done = client.get(url, headers=HTML)  # the same callback, once Redis is back
        assert done.status_code == 303 and done.headers["Location"] == "/account"
        assert client.get("/account").get_data(as_text=True).startswith("hello ")


def test_a_failed_save_at_the_callback_is_a_503_without_a_session_cookie(
        eidgate_sandbox: RunningSandbox, tmp_path: Path, redis_alone: Any,
        eidgate_login: Callable[..., Any]) -> None:
    server, store = redis_alone
    app = make_app(eidgate_sandbox, tmp_path, WithoutConsume(store))
    with app.test_client() as client:
        url = callback_url(client, eidgate_login)
        server.stop()  # the code exchange works; the session cannot be stored
        page = client.get(url, headers=HTML)
        assert_503(page)
        cookies = set_cookies(page)
        assert cookies and all("Max-Age=0" in c for c in cookies)  # the pending login, spent
        assert not any(c.startswith("eidgate_session=") for c in cookies)
        assert client.get_cookie("eidgate_session") is None
        server.start()
        assert client.get("/account").status_code in (302, 303)  # not logged in

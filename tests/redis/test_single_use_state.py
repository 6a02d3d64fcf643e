"""A callback's ``state`` is single use on every instance and in every browser with the
Redis store: a copy of the pending-login cookie in a second browser, and two callbacks
racing for one state, make one session, not two (issue 11)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest
from redis_helpers import SECRET
from redis_server import RedisServer

from eidgate.sandbox import RunningSandbox
from eidgate.web import CookieSessions, RedisSessions
from eidgate.web._routes import SingleUse
from eidgate_adapters.flask import EidGate, current_identity, login_required

LOGIN_TIMEOUT = 120


def make_app(sandbox: RunningSandbox, tmp_path: Path, redis: RedisServer, prefix: str
             ) -> tuple[flask.Flask, RedisSessions]:
    """An app with ``[eidgate.session] store = "redis"``: several calls with one prefix
    are instances of one app."""
    config = tmp_path / f"eidgate-{prefix.strip(':')}.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\nlogin_timeout = {LOGIN_TIMEOUT}\n\n'
                      + sandbox.toml() + '\n[eidgate.session]\nstore = "redis"\n'
                      f'url = "{redis.url}"\nkey_prefix = "{prefix}"\n', encoding="utf-8")
    app = flask.Flask(__name__)
    gate = EidGate(app, config=str(config))

    @app.get("/account")
    @login_required
    def account() -> str:
        return f"hello {current_identity.subject}"
    assert gate.gate is not None and isinstance(gate.gate.sessions, RedisSessions)
    return app, gate.gate.sessions


@pytest.fixture
def instances(eidgate_sandbox: RunningSandbox, redis_server: RedisServer, tmp_path: Path,
              request: pytest.FixtureRequest) -> Any:
    """``instances(n)``: n instances of one app on the session's Redis."""
    prefix = f"single-{request.node.name[-20:]}:"
    stores: list[RedisSessions] = []

    def make(n: int) -> list[flask.Flask]:
        apps = []
        for _ in range(n):
            app, store = make_app(eidgate_sandbox, tmp_path, redis_server, prefix)
            apps.append(app)
            stores.append(store)
        return apps
    yield make
    for store in stores:
        store.close()
        store.redis.close()


def begin(client: Any, login: Callable[..., Any]) -> tuple[tuple[str, str], str]:
    """Begin a login: the pending-login cookie (name, value) and the callback's path."""
    begun = client.get("/eidgate/login?provider=sandbox&next=/account")
    assert begun.status_code == 303
    [pending] = [c.split(";", 1)[0].split("=", 1) for c in begun.headers.getlist("Set-Cookie")
                 if c.startswith("eidgate_login_")]
    back = httpx2.URL(login(begun.headers["Location"], person="ftn-vaino"))
    return (pending[0], pending[1]), back.raw_path.decode("ascii")


def sessions_in(store: RedisSessions) -> int:
    return len(store.redis.keys(store.prefix + "s:*"))


def test_a_copied_pending_cookie_cannot_replay_the_callback_on_another_instance(
        instances: Any, eidgate_login: Callable[..., Any]) -> None:
    first, second = instances(2)
    alice, copy = first.test_client(), second.test_client()
    pending, url = begin(alice, eidgate_login)
    copy.set_cookie(*pending)  # a second browser holding a copy of the first's cookies
    done = alice.get(url)
    assert done.status_code == 303 and done.headers["Location"] == "/account"
    assert alice.get("/account").status_code == 200
    again = copy.get(url, headers={"Accept": "text/html"})
    assert again.status_code == 400  # the same page as an unknown state
    assert not any(c.startswith("eidgate_session=") and "Max-Age=0" not in c
                   for c in again.headers.getlist("Set-Cookie"))
    assert copy.get_cookie("eidgate_session") is None
    # an unknown state from a browser that holds a pending login (as the copy did): with
    # none at all the page says where to open the site instead (issue 12)
    copy.set_cookie(*pending)
    unknown = copy.get(url.replace("state=", "state=x"), headers={"Accept": "text/html"})
    assert unknown.status_code == 400
    assert again.get_data() == unknown.get_data()
    # the same browser, on the first instance again: refused too
    alice.set_cookie(*pending)
    assert alice.get(url).status_code == 400


def test_two_callbacks_racing_for_one_state_make_exactly_one_session(
        instances: Any, eidgate_login: Callable[..., Any]) -> None:
    apps = instances(4)
    clients = [app.test_client() for app in apps]
    pending, url = begin(clients[0], eidgate_login)
    for client in clients[1:]:
        client.set_cookie(*pending)
    store = apps[0].extensions["eidgate"].gate.sessions
    before = sessions_in(store)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def race(client: Any) -> None:
        barrier.wait()
        statuses.append(client.get(url).status_code)
    threads = [threading.Thread(target=race, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(statuses) == [303, 400, 400, 400]
    assert sessions_in(store) == before + 1
    assert sum(c.get_cookie("eidgate_session") is not None for c in clients) == 1


def test_the_used_state_is_remembered_for_login_timeout(
        instances: Any, eidgate_login: Callable[..., Any]) -> None:
    [app] = instances(1)
    store = app.extensions["eidgate"].gate.sessions
    with app.test_client() as client:
        _, url = begin(client, eidgate_login)
        assert client.get(url).status_code == 303
    [used] = store.redis.keys(store.prefix + "used:*")
    assert (LOGIN_TIMEOUT - 2) * 1000 < store.redis.pttl(used) <= LOGIN_TIMEOUT * 1000
    # the state itself is nowhere in Redis: the key is an HMAC
    state = httpx2.URL(url).params["state"]
    assert state.encode() not in used and store.redis.get(used) == b"1"
    # consume() itself: once within ttl, again after it
    assert store.consume("state", "short-lived", 0.2) is True
    assert store.consume("state", "short-lived", 0.2) is False
    assert store.consume("other", "short-lived", 0.2) is True  # kinds do not collide
    time.sleep(0.3)
    assert store.consume("state", "short-lived", 0.2) is True


def test_the_cookie_store_cannot_consume() -> None:
    # its limit is documented in tests/adapters/test_cookie_store_limits.py
    assert not isinstance(CookieSessions([SECRET], 3600), SingleUse)
    assert issubclass(RedisSessions, SingleUse)

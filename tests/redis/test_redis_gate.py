"""The Redis store behind a real app: a login through the Flask adapter against the sandbox
with ``[eidgate.session] store = "redis"``, and a Redis that goes away and comes back."""

from __future__ import annotations

import io
import json
import logging
import signal
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from redis_helpers import SECRET, person
from redis_server import RedisServer

from eidgate._languages import TRANSLATIONS
from eidgate.sandbox import RunningSandbox
from eidgate.web import RedisSessions, SessionStoreUnavailable
from eidgate.web._redis import connect
from eidgate_adapters.flask import EidGate, current_identity, login_required


class Archive:
    """An evidence sink keeping the identity of each login as the flow verified it."""

    def __init__(self) -> None:
        self.identities: list[dict[str, Any]] = []

    def store(self, name: str, archive: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            self.identities.append(json.loads(opened.read("identity.json")))


def make_app(sandbox: RunningSandbox, tmp_path: Path, session: str = "",
             **options: Any) -> tuple[flask.Flask, EidGate]:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\n\n' + sandbox.toml()
                      + ("\n[eidgate.session]\n" + session if session else ""),
                      encoding="utf-8")
    app = flask.Flask(__name__)
    gate = EidGate(app, config=str(config), **options)

    @app.get("/")
    def home() -> str:
        return f"public, {current_identity.full_name if current_identity else 'anonymous'}"

    @app.get("/account")
    @login_required
    def account() -> str:
        return json.dumps(dict(current_identity.claims), sort_keys=True)
    return app, gate


def test_a_login_keeps_every_verified_claim(
        eidgate_sandbox: RunningSandbox, redis_server: RedisServer, tmp_path: Path,
        eidgate_login: Callable[..., Any]) -> None:
    archive = Archive()
    app, gate = make_app(eidgate_sandbox, tmp_path,
                         f'store = "redis"\nurl = "{redis_server.url}"\n'
                         'key_prefix = "gate-claims:"\nidle_timeout = 900\n', evidence=archive)
    assert gate.gate is not None
    store = gate.gate.sessions
    assert isinstance(store, RedisSessions)  # built from [eidgate.session]
    assert (store.prefix, store.idle_timeout) == ("gate-claims:", 900)
    try:
        with app.test_client() as client:
            page = eidgate_login(client, "/account", person="ftn-vaino")
            assert page.status_code == 200
            claims = json.loads(page.get_data(as_text=True))
            verified = archive.identities[0]["claims"]
            assert claims == verified  # the whole verified claim set, not {}
            assert claims["sub"] and claims["iss"] == eidgate_sandbox.issuer
            cookie = client.get_cookie("eidgate_session")
            assert cookie is not None and len(cookie.value) <= 100
            assert claims["sub"] not in cookie.value
            assert client.get("/").get_data(as_text=True) == "public, V\u00e4in\u00f6 Tunnistus"
            # logout ends the session in Redis, not only the cookie
            value = cookie.value
            assert client.post("/eidgate/logout").status_code in (302, 303)
            assert store.load(value) is None
    finally:
        store.close()


def test_a_redis_outage_is_a_clean_503_and_the_app_recovers(
        eidgate_sandbox: RunningSandbox, tmp_path: Path,
        eidgate_login: Callable[..., Any]) -> None:
    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600, key_prefix="outage:")
    app, _ = make_app(eidgate_sandbox, tmp_path, sessions=store)
    try:
        with app.test_client() as client:
            assert eidgate_login(client, "/account", person="ftn-vaino").status_code == 200
            server.stop()
            time.sleep(1.1)  # the invalidation listener has gone quiet: no cache
            started = time.monotonic()
            page = client.get("/account", headers={"Accept": "text/html"})
            assert time.monotonic() - started < 1.5  # bounded, never hanging
            assert page.status_code == 503
            assert page.headers["Retry-After"] == "5"
            assert page.headers["Cache-Control"] == "no-store"
            assert "<html" in page.get_data(as_text=True).lower()
            # the words say the login could not be checked, not that the identity provider
            # is down (it is not), in the browser's language
            text = page.get_data(as_text=True)
            assert TRANSLATIONS["en"]["store_unavailable"] in text
            assert TRANSLATIONS["en"]["unavailable_title"] not in text
            swedish = client.get("/account", headers={"Accept": "text/html",
                                                      "Accept-Language": "sv-SE"})
            assert TRANSLATIONS["sv"]["store_unavailable_title"] in swedish.get_data(
                as_text=True)
            api = client.get("/account", headers={"Accept": "application/json"})
            assert api.status_code == 503 and api.headers["Retry-After"] == "5"
            assert api.get_json() == {"error": "temporarily_unavailable"}
            # a page that needs no login is served, to someone it cannot recognise now
            assert client.get("/").get_data(as_text=True) == "public, anonymous"
            with pytest.raises(SessionStoreUnavailable):
                store.save(person())
            server.start()  # back (empty: no persistence), on the same port
            page = client.get("/account", headers={"Accept": "text/html"})
            assert page.status_code in (302, 303)  # the session is gone: log in again
            assert eidgate_login(client, "/account", person="ftn-vaino").status_code == 200
    finally:
        store.close()
        server.stop()


def test_every_call_is_bounded_when_redis_is_down(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600)
    one = store.save(person("frank"), sid="sid-f")
    assert store.load(one) is not None
    server.stop()
    time.sleep(1.1)
    calls: list[Callable[[], object]] = [
        lambda: store.load(one), lambda: store.save(person()), lambda: store.delete(one),
        lambda: store.end("https://op.example.test", sub="frank")]
    try:
        for call in calls:
            started = time.monotonic()
            with pytest.raises(SessionStoreUnavailable) as caught:
                call()
            assert time.monotonic() - started < 1.2
            assert caught.value.status == 503 and caught.value.error == "temporarily_unavailable"
        assert store.load("not a session") is None  # no Redis needed to refuse garbage
    finally:
        store.close()


def test_a_redis_that_never_answers_is_bounded_too(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600)
    value = store.save(person("heidi"))
    assert store.load(value) is not None
    assert server.process is not None
    server.process.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        deadline = time.monotonic() + 5
        while True:  # the cache is trusted for at most a second after the last pong
            started = time.monotonic()
            try:
                store.load(value)
            except SessionStoreUnavailable:
                assert time.monotonic() - started < 1.2
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # the listener gives up on the silent connection and keeps trying
        assert listener_restarts(store, within=5.0)
    finally:
        server.process.send_signal(signal.SIGCONT)
    deadline = time.monotonic() + 5
    while True:  # recovers by itself
        try:
            assert store.load(value) is not None
            break
        except SessionStoreUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    store.close()
    server.stop()


def listener_restarts(store: RedisSessions, within: float) -> bool:
    generation = store._generation
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if store._generation != generation:
            return True
        time.sleep(0.05)
    return False


def test_store_construction_mistakes(tmp_path: Path) -> None:
    from eidgate import ConfigError, parse_config

    with pytest.raises(ValueError, match="at least one secret"):
        RedisSessions(connect("redis://127.0.0.1:1/0"), (), 3600)
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": SECRET},
                           "providers": {"op": {"issuer": "https://op.example.test",
                                                "client_id": "c", "client_secret": "s"}}})
    with pytest.raises(ConfigError, match="url_env"):
        RedisSessions.from_config(config)  # the cookie store's config has no URL


def test_the_asgi_middleware_and_decorator_answer_503_too(
        eidgate_sandbox: RunningSandbox, tmp_path: Path,
        eidgate_login: Callable[..., Any]) -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from eidgate_adapters.asgi import EidGateMiddleware
    from eidgate_adapters.asgi import login_required as asgi_required

    async def account(request: Any) -> PlainTextResponse:  # protect=
        return PlainTextResponse("account")

    @asgi_required
    async def decorated(request: Any) -> PlainTextResponse:
        return PlainTextResponse("decorated")

    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600, key_prefix="asgi-outage:")
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\n\n' + eidgate_sandbox.toml(),
                      encoding="utf-8")
    app = Starlette(routes=[Route("/account", account), Route("/decorated", decorated)],
                    middleware=[Middleware(EidGateMiddleware, config=str(config),
                                           protect=["/account"], sessions=store)])
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            assert eidgate_login(client, "/account").text == "account"
            assert client.get("/decorated").text == "decorated"
            server.stop()
            time.sleep(1.1)
            for path in ("/account", "/decorated"):
                page = client.get(path, headers={"Accept": "text/html"})
                assert (page.status_code, page.headers["Retry-After"]) == (503, "5"), path
    finally:
        store.close()
        server.stop()


def test_a_redis_outage_is_logged_once_and_its_end_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The invalidation listener retries every 0.2 s while Redis is away: one INFO line when
    it loses Redis and one when it is back, not a line per retry (a log flood in an outage)."""
    server = RedisServer(tmp_path / "redis").start()
    store = RedisSessions(connect(server.url), (SECRET,), 3600, key_prefix="flood:")
    try:
        value = store.save(person("kim"))
        assert store.load(value) is not None  # starts the listener
        deadline = time.monotonic() + 5
        while store.cached(value) is False:  # the listener is live once it is cached
            assert store.load(value) is not None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with caplog.at_level(logging.INFO, "eidgate"):
            server.stop()
            time.sleep(1.5)  # several retries
            lost = [r.getMessage() for r in caplog.records if "listener" in r.getMessage()]
            assert len(lost) == 1 and "listener reconnecting" in lost[0], lost
            server.start()  # the same port: Redis is back
            deadline = time.monotonic() + 5
            while not any("listener reconnected" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "no reconnection within 5 s"
                time.sleep(0.05)
        lines = [r.getMessage() for r in caplog.records if "listener" in r.getMessage()]
        assert lines == [lost[0], "eidgate: session invalidation listener reconnected"]
    finally:
        store.close()
        server.stop()

"""The app's own hooks (issue 12, "The app's own hook"): ``on_login`` and ``on_logout``
through the Flask, ASGI (Starlette and FastAPI) and WSGI adapters against the sandbox eID
hub, and with the Redis session store.

What the issue asks, each checked through every adapter: the hook is called once per
accepted login, after every check and before the session is made, with the
``LoginResult``; a mapping it returns is kept with the session and read in later requests
(``get_session_data``); ``LoginRefused(reason)`` is a 403 page showing the reason
(escaped) and no session; any other exception is a clean 500 page, no session and a log
line; a canceled or rejected login never reaches it; ``on_logout`` gets the identity.
Under ASGI an async hook is awaited on the event loop and a sync one runs in a worker
thread, so neither blocks other requests (proved by the order things happen in, not by
timing).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import flask
import pytest
from fastapi import FastAPI, Request
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient

from eidgate import Identity, LoginRefused, LoginResult
from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi, wsgi
from eidgate_adapters.flask import EidGate, current_identity, get_session_data, login_required

# The app's own customer register: national id -> customer number. The ids are the sandbox
# persons' Finnish HETUs (eidgate/sandbox/_people.py: ftn-vaino is the seed page's
# 070770-905D); ftn-eero (150403A9178) is no customer.
CUSTOMERS = {"070770-905D": "C-1001", "231185-924E": "C-1002"}
VAINO, AINO, EERO = "ftn-vaino", "ftn-aino", "ftn-eero"
REASON = "<b>not a customer</b>"
SESSION = "eidgate_session"
HOOK_FAILED = "eidgate: on_login hook failed ({}); login not kept"
# what must never reach a log line: the persons' national ids, names and birth dates
PERSONAL = ("070770-905D", "231185-924E", "150403A9178", "Väinö", "Tunnistus", "Aino",
            "Kokeilu", "Eero", "Esimerkki", "1970-07-07", "C-1001", "C-1002")


@dataclass
class Hooks:
    """The app's hooks, recording each call: ``on_login`` maps the national id to a
    customer number (refusing anyone else), unless ``behaviour`` says otherwise."""

    behaviour: str = "customer"
    logins: list[LoginResult] = field(default_factory=list)
    logouts: list[Identity] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)

    def on_login(self, result: LoginResult) -> Any:
        self.logins.append(result)
        self.threads.append(threading.get_ident())
        identity = result.identity
        assert identity is not None and identity.national_id is not None
        national = identity.national_id.value
        if self.behaviour == "raise":
            # the most likely bug in such a hook: the register's lookup fails, and the
            # exception's text is the person's national id
            raise KeyError(national)
        if self.behaviour == "not a mapping":
            return [CUSTOMERS.get(national)]
        if self.behaviour == "not JSON":
            return {"customer": CUSTOMERS.get(national), "since": {1970, 7}}
        if self.behaviour == "nothing":
            return None
        if national not in CUSTOMERS:
            raise LoginRefused(REASON)
        return {"customer": CUSTOMERS[national]}

    def on_logout(self, identity: Identity) -> None:
        self.logouts.append(identity)


def write_config(sandbox: RunningSandbox, directory: Path, extra: str = "") -> str:
    path = directory / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "on-login-test-secret-0123456789abcdef"\n\n'
                    + sandbox.toml() + extra, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def config(eidgate_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_config(eidgate_sandbox, tmp_path_factory.mktemp("on_login"))


# -- one app per adapter, the same three routes ------------------------------------------
# "/": public, who is logged in; "/account": protected, the customer number kept by the
# hook; "/data": public, the app's data of the session as JSON ({} when logged out)


def flask_app(config: str, hooks: Hooks, **options: Any) -> flask.Flask:
    app = flask.Flask(__name__)
    EidGate(app, config=config, on_login=hooks.on_login, on_logout=hooks.on_logout,
            **options)

    @app.get("/")
    def home() -> str:
        return f"public, {current_identity.full_name if current_identity else 'anonymous'}"

    @app.get("/account")
    @login_required
    def account() -> str:
        return f"customer {get_session_data().get('customer')}"

    @app.get("/data")
    def data() -> str:
        return json.dumps(dict(get_session_data()))
    return app


def asgi_routes() -> list[Route]:
    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse(f"public, {request.user.display_name or 'anonymous'}")

    async def account(request: Any) -> PlainTextResponse:  # guarded by protect=
        return PlainTextResponse(f"customer {asgi.get_session_data(request).get('customer')}")

    async def data(request: Any) -> PlainTextResponse:
        return PlainTextResponse(json.dumps(dict(asgi.get_session_data(request.scope))))

    async def scope(request: Any) -> PlainTextResponse:  # a server-side store puts it there
        return PlainTextResponse(json.dumps(dict(request.scope.get(asgi.DATA_KEY) or {})))
    return [Route("/", home), Route("/account", account), Route("/data", data),
            Route("/scope", scope)]


def starlette_app(config: str, hooks: Hooks, **options: Any) -> Any:
    return Starlette(routes=asgi_routes(), middleware=[Middleware(
        asgi.EidGateMiddleware, config=config, protect=["/account"],
        on_login=hooks.on_login, on_logout=hooks.on_logout, **options)])


def fastapi_app(config: str, hooks: Hooks, **options: Any) -> Any:
    app = FastAPI()

    @app.get("/", response_class=PlainTextResponse)
    async def home(request: Request) -> str:
        identity = asgi.get_identity(request)
        return f"public, {identity.full_name if identity else 'anonymous'}"

    @app.get("/account", response_class=PlainTextResponse)
    def account(request: Request) -> str:  # a sync endpoint: FastAPI runs it in a thread
        return f"customer {asgi.get_session_data(request).get('customer')}"

    @app.get("/data", response_class=PlainTextResponse)
    async def data(request: Request) -> str:
        return json.dumps(dict(asgi.get_session_data(request)))

    @app.get("/scope", response_class=PlainTextResponse)
    async def scope(request: Request) -> str:
        return json.dumps(dict(request.scope.get(asgi.DATA_KEY) or {}))
    app.add_middleware(asgi.EidGateMiddleware, config=config, protect=["/account"],
                       on_login=hooks.on_login, on_logout=hooks.on_logout, **options)
    return app


def wsgi_app(config: str, hooks: Hooks, **options: Any) -> wsgi.EidGateMiddleware:
    def inner(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ["PATH_INFO"]
        identity = wsgi.get_identity(environ)
        data = wsgi.get_session_data(environ)
        body = (f"customer {data.get('customer')}" if path == "/account" else
                json.dumps(dict(data)) if path == "/data" else
                f"public, {identity.full_name if identity else 'anonymous'}")
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode()]
    return wsgi.EidGateMiddleware(inner, config=config, protect=["/account"],
                                  on_login=hooks.on_login, on_logout=hooks.on_logout,
                                  **options)


class Browser:
    """One adapter's app and its test client, spoken to the same way."""

    def __init__(self, kind: str, config: str, hooks: Hooks, **options: Any) -> None:
        self.kind = kind
        self._close: Callable[[], None] = lambda: None
        if kind == "flask":
            self.client: Any = flask_app(config, hooks, **options).test_client()
        elif kind in ("starlette", "fastapi"):
            app = (starlette_app if kind == "starlette" else fastapi_app)(config, hooks,
                                                                          **options)
            self.client = TestClient(app, follow_redirects=False)
            self.client.__enter__()  # lifespan: the middleware's pool is closed at exit
            self._close = lambda: self.client.__exit__(None, None, None)
        else:
            middleware = wsgi_app(config, hooks, **options)
            self.client = WerkzeugClient(middleware)
            self._close = middleware.close

    def close(self) -> None:
        self._close()

    def get(self, path: str) -> Any:
        return self.client.get(path, follow_redirects=False, headers={"Accept": "text/html"})

    def post(self, path: str) -> Any:
        return self.client.post(path, follow_redirects=False)

    def text(self, path: str) -> str:
        return body(self.get(path))

    def set_session_cookie(self, value: str) -> None:
        if self.kind in ("starlette", "fastapi"):
            self.client.cookies.set(SESSION, value)
        else:
            self.client.set_cookie(SESSION, value)

    def session_cookie(self) -> str | None:
        if self.kind in ("starlette", "fastapi"):
            found: str | None = self.client.cookies.get(SESSION)
            return found
        cookie = self.client.get_cookie(SESSION)
        return cookie.value if cookie is not None else None


def body(response: Any) -> str:
    text = getattr(response, "text", None)
    return text if isinstance(text, str) else str(response.get_data(as_text=True))


def set_cookies(response: Any) -> list[str]:
    headers = response.headers
    found = (headers.get_list("set-cookie") if hasattr(headers, "get_list")
             else headers.getlist("Set-Cookie"))
    return [str(c) for c in found]


ADAPTERS = ["flask", "starlette", "fastapi", "wsgi"]


@pytest.fixture(params=ADAPTERS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_browser(config: str, kind: str) -> Iterator[Callable[..., Browser]]:
    opened: list[Browser] = []

    def make(hooks: Hooks, **options: Any) -> Browser:
        browser = Browser(kind, config, hooks, **options)
        opened.append(browser)
        return browser
    yield make
    for browser in opened:
        browser.close()


# -- what the hook keeps ------------------------------------------------------------------


def test_the_hooks_data_is_kept_with_the_session_and_read_later(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    hooks = Hooks()
    browser = open_browser(hooks)
    assert browser.text("/data") == "{}"  # logged out: no data
    page = eidgate_login(browser.client, "/account", person=VAINO)
    assert page.status_code == 200
    assert body(page) == "customer C-1001"
    # later requests, protected or not, read it from the session
    assert browser.text("/account") == "customer C-1001"
    assert json.loads(browser.text("/data")) == {"customer": "C-1001"}
    assert browser.text("/") == "public, Väinö Tunnistus"
    # called once, with the verified login: after every check (the identity normalised)
    assert len(hooks.logins) == 1
    result = hooks.logins[0]
    assert result.accepted and result.provider == "sandbox"
    assert result.identity is not None and result.identity.method == "ftn"
    assert result.identity.loa == "substantial"
    assert result.claims["signicat.national_id"] == "070770-905D"
    # the cookie store keeps the data encrypted in the cookie: not readable in the browser
    cookie = browser.session_cookie()
    assert cookie is not None and "C-1001" not in cookie


def test_a_hook_that_keeps_nothing_logs_in_with_no_data(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    hooks = Hooks("nothing")
    browser = open_browser(hooks)
    assert body(eidgate_login(browser.client, "/account", person=EERO)) == "customer None"
    assert browser.text("/data") == "{}"
    assert browser.text("/") == "public, Eero Esimerkki"
    assert len(hooks.logins) == 1


def test_another_login_replaces_the_data(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    hooks = Hooks()
    browser = open_browser(hooks)
    eidgate_login(browser.client, "/account", person=VAINO)
    assert browser.post("/eidgate/logout").status_code in (302, 303)
    assert browser.text("/data") == "{}"  # the session ended, its data with it
    assert body(eidgate_login(browser.client, "/account", person=AINO)) == "customer C-1002"
    assert json.loads(browser.text("/data")) == {"customer": "C-1002"}
    assert [r.identity.national_id.value for r in hooks.logins  # type: ignore[union-attr]
            ] == ["070770-905D", "231185-924E"]


# -- refused, failed -----------------------------------------------------------------------


def test_a_refused_login_is_a_403_page_with_the_reason_escaped_and_no_session(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    hooks = Hooks()
    browser = open_browser(hooks)
    caplog.set_level(logging.DEBUG, logger="eidgate")
    refused = eidgate_login(browser.client, "/account", person=EERO)
    assert refused.status_code == 403
    text = body(refused)
    assert "&lt;b&gt;not a customer&lt;/b&gt;" in text  # shown, as text
    assert "<b>not a customer" not in text  # never as markup
    assert refused.headers["content-type"].startswith("text/html")
    cookies = set_cookies(refused)
    assert not [c for c in cookies if c.startswith(SESSION + "=")]
    # the pending login is spent all the same (its cookie dropped): no second try with it
    assert any(c.startswith("eidgate_login_") and "Max-Age=0" in c for c in cookies)
    assert browser.session_cookie() is None
    assert browser.text("/") == "public, anonymous"
    assert browser.get("/account").status_code == 303  # still sent to log in
    assert browser.text("/data") == "{}"
    assert len(hooks.logins) == 1
    # the reason is the app's text for the person: on the page, never in the log
    assert "not a customer" not in caplog.text
    for personal in PERSONAL:
        assert personal not in caplog.text


@pytest.mark.parametrize(("behaviour", "error"), [("raise", "KeyError"),
                                                  ("not a mapping", "TypeError"),
                                                  ("not JSON", "TypeError")])
def test_a_failing_hook_is_a_clean_500_no_session_and_a_log_line(
        behaviour: str, error: str, open_browser: Callable[..., Browser],
        eidgate_login: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    hooks = Hooks(behaviour)
    browser = open_browser(hooks)
    caplog.set_level(logging.DEBUG, logger="eidgate")
    failed = eidgate_login(browser.client, "/account", person=VAINO)
    assert failed.status_code == 500
    text = body(failed)
    assert html.escape("This login could not be completed. Please start again.") in text
    assert "Traceback" not in text and error not in text and "070770-905D" not in text
    assert not [c for c in set_cookies(failed) if c.startswith(SESSION + "=")]
    assert browser.session_cookie() is None
    assert browser.text("/") == "public, anonymous"
    assert browser.get("/account").status_code == 303
    lines = [r for r in caplog.records if r.getMessage() == HOOK_FAILED.format(error)]
    assert len(lines) == 1 and lines[0].levelno == logging.ERROR
    # the operator learns where it failed; nobody learns who logged in
    for personal in PERSONAL:
        assert personal not in caplog.text, personal
    assert len(hooks.logins) == 1


class Archive:
    """An evidence sink: the name of every archive stored."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def store(self, name: str, archive: bytes) -> None:
        assert archive
        self.names.append(name)


def test_evidence_is_archived_for_kept_logins_only_with_every_adapter(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    # the same with a sync adapter (evidence stored in the callback) and ASGI (stored after
    # it, off the event loop): a login the app refused is no login of the app's
    archive = Archive()
    refusing = open_browser(Hooks(), evidence=archive)
    assert eidgate_login(refusing.client, "/account", person=EERO).status_code == 403
    assert archive.names == []
    accepting = open_browser(Hooks(), evidence=archive)
    assert body(eidgate_login(accepting.client, "/account", person=VAINO)) == \
        "customer C-1001"
    assert len(archive.names) == 1


# -- when it is called ---------------------------------------------------------------------


@pytest.mark.parametrize("person", ["cancel", "error"])
def test_a_canceled_or_rejected_login_never_reaches_the_hook(
        person: str, open_browser: Callable[..., Browser],
        eidgate_login: Callable[..., Any]) -> None:
    hooks = Hooks()
    browser = open_browser(hooks)
    page = eidgate_login(browser.client, "/account", person=person)
    assert page.status_code == 401  # canceled, or rejected by the provider
    assert browser.session_cookie() is None
    assert hooks.logins == []


def test_a_login_below_the_level_the_page_asked_never_reaches_the_hook(
        config: str, eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        tmp_path: Path) -> None:
    # the step-up check is eidgate's own (RFC 9470): a login that comes back below the
    # asked level is refused before the hook, which runs "after every check"
    hooks = Hooks()
    app = flask_app(config, hooks)
    with app.test_client() as client:
        start = client.get("/eidgate/login?provider=sandbox&loa=high&next=/account")
        assert start.status_code == 303
        # the person logs in at a lower level than asked (a provider may ignore acr_values)
        location = start.headers["Location"].replace("acr_values=", "x_acr_values=")
        back = urlsplit(eidgate_login(location, person=VAINO))
        refused = client.get(f"{back.path}?{back.query}")
        assert refused.status_code == 401
        assert client.get_cookie(SESSION) is None
    assert hooks.logins == []


def test_on_logout_gets_the_identity_once_the_session_is_over(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    hooks = Hooks()
    browser = open_browser(hooks)
    eidgate_login(browser.client, "/account", person=AINO)
    assert hooks.logouts == []
    out = browser.post("/eidgate/logout")
    assert out.status_code in (302, 303)
    assert [(i.provider, i.national_id.value if i.national_id else None, i.full_name)
            for i in hooks.logouts] == [("sandbox", "231185-924E", "Aino Kokeilu")]
    assert browser.text("/") == "public, anonymous"
    # a logout without a session calls nobody
    browser.post("/eidgate/logout")
    assert len(hooks.logouts) == 1


def test_a_failing_on_logout_does_not_stop_the_logout(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    class Failing(Hooks):
        def on_logout(self, identity: Identity) -> None:
            raise ValueError(f"no audit for {identity.full_name}")

    browser = open_browser(Failing())
    eidgate_login(browser.client, "/account", person=VAINO)
    caplog.set_level(logging.DEBUG, logger="eidgate")
    out = browser.post("/eidgate/logout")
    assert out.status_code in (302, 303)
    assert any(c.startswith(SESSION + "=") and "Max-Age=0" in c for c in set_cookies(out))
    assert browser.text("/") == "public, anonymous"
    lines = [r for r in caplog.records if "on_logout hook failed (ValueError)" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.ERROR
    for personal in PERSONAL:
        assert personal not in caplog.text, personal


@pytest.mark.parametrize("kind", ["flask", "wsgi"])
def test_an_async_hook_under_the_sync_adapters_is_run_to_completion(
        kind: str, config: str, eidgate_login: Callable[..., Any]) -> None:
    class AsyncHooks(Hooks):
        async def on_login(self, result: LoginResult) -> Any:
            await asyncio.sleep(0.01)
            return Hooks.on_login(self, result)

    hooks = AsyncHooks()
    browser = Browser(kind, config, hooks)
    try:
        assert body(eidgate_login(browser.client, "/account", person=AINO)) == \
            "customer C-1002"
        assert json.loads(browser.text("/data")) == {"customer": "C-1002"}
        assert len(hooks.logins) == 1
    finally:
        browser.close()


def test_a_hook_that_returns_an_awaitable_has_it_awaited(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any]) -> None:
    # a plain callable whose result is awaitable (a lambda or a sync decorator around an
    # async def): the awaitable's result is the hook's, under a sync or an async adapter
    class ReturnsAwaitable(Hooks):
        def on_login(self, result: LoginResult) -> Any:
            return self.lookup(result)

        async def lookup(self, result: LoginResult) -> Any:
            await asyncio.sleep(0)
            return Hooks.on_login(self, result)

    hooks = ReturnsAwaitable()
    browser = open_browser(hooks)
    assert body(eidgate_login(browser.client, "/account", person=VAINO)) == "customer C-1001"
    assert json.loads(browser.text("/data")) == {"customer": "C-1001"}
    refused = eidgate_login(open_browser(ReturnsAwaitable()).client, "/account", person=EERO)
    assert refused.status_code == 403 and "&lt;b&gt;not a customer" in body(refused)


# -- what the app's data costs in the cookie -----------------------------------------------


def test_data_too_large_for_the_cookie_is_a_clear_error_and_no_session(
        open_browser: Callable[..., Browser], eidgate_login: Callable[..., Any],
        caplog: pytest.LogCaptureFixture) -> None:
    # the cookie store keeps the data in the (encrypted) cookie: browsers drop cookies over
    # 4 KB, so a session that would not fit is not made (a server-side store keeps it:
    # test_the_data_survives_a_request_served_from_redis)
    class Large(Hooks):
        def on_login(self, result: LoginResult) -> Any:
            return {"notes": "x" * 4000}

    browser = open_browser(Large())
    caplog.set_level(logging.DEBUG, logger="eidgate")
    failed = eidgate_login(browser.client, "/account", person=VAINO)
    assert failed.status_code == 500
    assert html.escape("This login could not be completed. Please start again.") in body(
        failed)
    assert not [c for c in set_cookies(failed) if c.startswith(SESSION + "=")]
    assert browser.text("/") == "public, anonymous"
    assert [r.levelno for r in caplog.records
            if r.getMessage().startswith("eidgate: login not kept (session")] == [
        logging.WARNING]


# -- ASGI: the event loop is never blocked -------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        return next(v for k, v in self.headers if k == name)

    def cookies(self) -> str:
        """The cookies it sets, as the browser's next ``Cookie`` header carries them."""
        pairs = [v.split(";", 1)[0] for k, v in self.headers if k == "set-cookie"]
        return "; ".join(p for p in pairs if not p.endswith("="))


async def asgi_get(app: Any, path: str, query: str = "", cookie: str = "") -> Answer:
    """One GET handed to the ASGI app as a server would, on the running event loop."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Answer(start["status"], [(k.decode("latin-1"), v.decode("latin-1"))
                                    for k, v in start["headers"]],
                  b"".join(m.get("body", b"") for m in sent
                           if m["type"] == "http.response.body").decode())


def inner_app(kind: str) -> Any:
    """The ASGI app behind the middleware, without it (the test wraps it itself)."""
    if kind == "starlette":
        return Starlette(routes=asgi_routes())
    app = FastAPI()

    @app.get("/", response_class=PlainTextResponse)
    async def home(request: Request) -> str:
        identity = asgi.get_identity(request)
        return f"public, {identity.full_name if identity else 'anonymous'}"

    @app.get("/data", response_class=PlainTextResponse)
    async def data(request: Request) -> str:
        return json.dumps(dict(asgi.get_session_data(request)))
    return app


def login_while_another_request_runs(app: asgi.EidGateMiddleware, order: list[str],
                                     eidgate_login: Callable[..., Any]) -> tuple[int, str]:
    """Start a login, and while its callback is in the hook (which records "hook started"),
    serve another request to a public route. Returns the event loop's thread and the app's
    data of the session the login made."""

    async def scenario() -> tuple[int, str]:
        start = await asgi_get(app, "/eidgate/login", "provider=sandbox&next=/data")
        assert start.status == 303
        # the person at the sandbox (blocking HTTP: off the loop, as a browser is)
        back = urlsplit(await anyio.to_thread.run_sync(
            lambda: eidgate_login(start.header("location"), person=VAINO)))
        callback: list[Answer] = []

        async def log_in() -> None:
            callback.append(await asgi_get(app, back.path, back.query, start.cookies()))
            order.append("callback answered")

        async def meanwhile() -> None:
            with anyio.fail_after(10):
                while "hook started" not in order:
                    await anyio.sleep(0.01)
            other = await asgi_get(app, "/")
            assert (other.status, other.body) == (200, "public, anonymous")
            order.append("other request answered")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(log_in)
            tasks.start_soon(meanwhile)
        assert callback[0].status == 303 and callback[0].header("location") == "/data"
        data = await asgi_get(app, "/data", cookie=callback[0].cookies())
        await app.aclose()
        return threading.get_ident(), data.body
    return asyncio.run(scenario())


@pytest.mark.parametrize("kind", ["starlette", "fastapi"])
def test_an_async_hook_with_a_slow_body_does_not_block_other_requests(
        kind: str, config: str, eidgate_login: Callable[..., Any]) -> None:
    order: list[str] = []
    threads: list[int] = []

    async def on_login(result: LoginResult) -> dict[str, Any]:
        order.append("hook started")
        threads.append(threading.get_ident())
        for _ in range(20):  # a slow body: a lookup in the app's customer register
            await anyio.sleep(0.5)
            if "other request answered" in order:
                break
        order.append("hook done")
        assert result.identity is not None and result.identity.national_id is not None
        return {"customer": CUSTOMERS[result.identity.national_id.value]}

    app = asgi.EidGateMiddleware(inner_app(kind), config=config, on_login=on_login)
    loop_thread, data = login_while_another_request_runs(app, order, eidgate_login)
    # the other request was served while the hook was sleeping, and the login's answer
    # waited for the hook
    assert order == ["hook started", "other request answered", "hook done",
                     "callback answered"]
    assert threads == [loop_thread]  # awaited on the event loop, not run in a thread
    assert json.loads(data) == {"customer": "C-1001"}


@pytest.mark.parametrize("kind", ["starlette", "fastapi"])
def test_a_sync_hook_under_asgi_runs_in_a_worker_thread(
        kind: str, config: str, eidgate_login: Callable[..., Any]) -> None:
    order: list[str] = []
    threads: list[int] = []
    released = threading.Event()

    def on_login(result: LoginResult) -> dict[str, Any]:
        order.append("hook started")
        threads.append(threading.get_ident())
        # a blocking body (a database driver without asyncio): on the event loop's thread
        # it would stop the other request, and this wait would run out
        released.wait(timeout=10)
        order.append("hook done")
        assert result.identity is not None and result.identity.national_id is not None
        return {"customer": CUSTOMERS[result.identity.national_id.value]}

    class Releasing(list[str]):
        def append(self, item: str) -> None:
            super().append(item)
            if item == "other request answered":
                released.set()

    order = Releasing()
    app = asgi.EidGateMiddleware(inner_app(kind), config=config, on_login=on_login)
    loop_thread, data = login_while_another_request_runs(app, order, eidgate_login)
    assert list(order) == ["hook started", "other request answered", "hook done",
                           "callback answered"]
    assert len(threads) == 1 and threads[0] != loop_thread
    assert json.loads(data) == {"customer": "C-1001"}


# -- with the Redis store ------------------------------------------------------------------


@pytest.fixture
def redis_config(eidgate_sandbox: RunningSandbox, redis_server: RedisServer,  # noqa: F811
                 tmp_path: Path) -> str:
    prefix = f"on-login-{tmp_path.name}:"
    return write_config(eidgate_sandbox, tmp_path,
                        f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
                        f'key_prefix = "{prefix}"\n')


def test_the_data_survives_a_request_served_from_redis(
        kind: str, redis_config: str, eidgate_login: Callable[..., Any]) -> None:
    # what the cookie store cannot keep (test_data_too_large_for_the_cookie_...) Redis does
    class Larger(Hooks):
        def on_login(self, result: LoginResult) -> Any:
            return {**super().on_login(result), "notes": "x" * 5000}

    hooks = Larger()
    first = Browser(kind, redis_config, hooks)
    # another instance of the app (another worker): its memory holds no session, so it
    # reads this one from Redis
    second = Browser(kind, redis_config, Hooks())
    third = second
    try:
        assert body(eidgate_login(first.client, "/account", person=AINO)) == "customer C-1002"
        cookie = first.session_cookie()
        assert cookie is not None and len(cookie) <= 100  # an opaque id, not the data
        assert "C-1002" not in cookie
        second.set_session_cookie(cookie)
        assert second.text("/account") == "customer C-1002"
        assert json.loads(second.text("/data")) == {"customer": "C-1002", "notes": "x" * 5000}
        if kind in ("starlette", "fastapi"):  # also on the scope, read once per request
            assert json.loads(second.text("/scope")) == {"customer": "C-1002",
                                                         "notes": "x" * 5000}
        assert second.text("/") == "public, Aino Kokeilu"
        assert len(hooks.logins) == 1
        # logged out at one instance: the session and its data are gone from Redis (an
        # instance that has it in memory hears of it within a second: README, "Sessions
        # on Redis"; one that has not, reads Redis)
        assert first.post("/eidgate/logout").status_code in (302, 303)
        assert [i.full_name for i in hooks.logouts] == ["Aino Kokeilu"]
        third = Browser(kind, redis_config, Hooks())
        third.set_session_cookie(cookie)
        assert third.get("/account").status_code == 303
        assert third.text("/data") == "{}"
    finally:
        for browser in dict.fromkeys((first, second, third)):  # each once
            browser.close()

"""Fresh logins for sensitive actions (``max_age``) through the Flask, ASGI (Starlette,
FastAPI) and WSGI adapters, against the sandbox eID hub and a crafted provider on loopback.

What is expected comes from OIDC Core 1.0: a route's ``max_age`` sends a person whose
``auth_time`` is older back to the provider with ``max_age`` and ``prompt=login`` in the
authorization request (3.1.2.1); the ID token that comes back must carry ``auth_time``
(2: REQUIRED when ``max_age`` was asked) within ``max_age`` of now, plus the allowed
clock skew (3.1.3.7 (13)); RFC 9470 3 names the refusal and puts ``max_age`` in the
challenge. A login "ten minutes ago" is a real session whose ``auth_time`` is moved back
through the app's own session store: the sandbox authenticates afresh on every login.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import flask
import httpx2
import pytest
from crafted import served_provider
from fastapi import Depends, FastAPI, Request
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient

from eidgate import Identity
from eidgate._languages import STRINGS
from eidgate.sandbox import RunningSandbox
from eidgate.web import Gate
from eidgate_adapters import asgi as asgi_adapter
from eidgate_adapters import flask as flask_adapter
from eidgate_adapters import wsgi as wsgi_adapter

NAV = {"Accept": "text/html"}
API = {"Accept": "application/json"}
COOKIE = "eidgate_session"  # over http on 127.0.0.1: no __Host- prefix


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def config_file(tmp_path: Path, providers: str) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "step-up-max-age-test-secret-0123456789"\n\n' + providers,
                    encoding="utf-8")
    return str(path)


def shown(identity: Identity | None) -> str:
    assert identity is not None and identity.auth_time is not None
    return f"paid by {identity.full_name} at {identity.loa}, auth_time " \
           f"{int(identity.auth_time.timestamp())}"


# -- the three adapters, one app each -------------------------------------------------------

class Browser:
    """One adapter's app behind its framework's test client, as a browser sees it."""

    gate: Gate

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        raise NotImplementedError

    def cookie(self) -> str | None:
        raise NotImplementedError

    def set_cookie(self, value: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class FlaskBrowser(Browser):
    def __init__(self, config: str) -> None:
        app = flask.Flask(__name__)
        self.ext = ext = flask_adapter.EidGate(app, config=config)
        assert ext.gate is not None
        self.gate = ext.gate

        @app.get("/account")
        @flask_adapter.login_required
        def account() -> str:
            return "account"

        @app.get("/pay")
        @flask_adapter.login_required(max_age=300)
        def pay() -> str:
            return shown(flask_adapter.current_identity)

        @app.get("/pay-high")
        @flask_adapter.login_required(loa="high", max_age=300)
        def pay_high() -> str:
            return shown(flask_adapter.current_identity)
        self.client = app.test_client()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        r = self.client.get(path, headers=headers or NAV)
        return r.status_code, r.headers, r.get_data(as_text=True)

    def cookie(self) -> str | None:
        found = self.client.get_cookie(COOKIE)
        return found.value if found else None

    def set_cookie(self, value: str) -> None:
        self.client.set_cookie(COOKIE, value)

    def close(self) -> None:
        assert self.ext.client is not None
        self.ext.client.close()


class AsgiBrowser(Browser):
    """Starlette's ``login_required(max_age=...)`` and FastAPI's ``identity_required``."""

    def __init__(self, config: str, kind: str) -> None:
        if kind == "starlette":
            @asgi_adapter.login_required
            async def account(request: Any) -> PlainTextResponse:
                return PlainTextResponse("account")

            @asgi_adapter.login_required(max_age=300)
            async def pay(request: Any) -> PlainTextResponse:
                return PlainTextResponse(shown(asgi_adapter.get_identity(request)))

            @asgi_adapter.login_required(loa="high", max_age=300)
            async def pay_high(request: Any) -> PlainTextResponse:
                return PlainTextResponse(shown(asgi_adapter.get_identity(request)))
            inner: Any = Starlette(routes=[Route("/account", account), Route("/pay", pay),
                                           Route("/pay-high", pay_high)])
        else:
            api = FastAPI()

            @api.get("/account", response_class=PlainTextResponse)
            def fastapi_account(
                    who: Annotated[Identity, Depends(asgi_adapter.identity_required())]) -> str:
                return "account"

            @api.get("/pay", response_class=PlainTextResponse)
            def fastapi_pay(who: Annotated[Identity, Depends(
                    asgi_adapter.identity_required(max_age=300))]) -> str:
                return shown(who)

            @api.get("/pay-high", response_class=PlainTextResponse)
            def fastapi_pay_high(request: Request, who: Annotated[Identity, Depends(
                    asgi_adapter.identity_required(loa="high", max_age=300))]) -> str:
                return shown(who)
            inner = api
        app = asgi_adapter.EidGateMiddleware(inner, config=config)
        self.gate = app.gate
        self.client = TestClient(app, follow_redirects=False)
        self.client.__enter__()  # lifespan: the middleware's connection pool is closed at exit

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        r = self.client.get(path, headers=headers or NAV)
        return r.status_code, r.headers, r.text

    def cookie(self) -> str | None:
        return self.client.cookies.get(COOKIE)

    def set_cookie(self, value: str) -> None:
        # in place of the app's own cookie (its domain and path), not beside it
        old = next(c for c in self.client.cookies.jar if c.name == COOKIE)
        self.client.cookies.delete(COOKIE)
        self.client.cookies.set(COOKIE, value, domain=old.domain, path=old.path)

    def close(self) -> None:
        self.client.__exit__(None, None, None)


class WsgiBrowser(Browser):
    """The WSGI middleware's rule: ``protect`` with ``max_age`` (it has no decorator)."""

    def __init__(self, config: str) -> None:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            path = environ["PATH_INFO"]
            text = shown(wsgi_adapter.get_identity(environ)) if path.startswith("/pay") \
                else "account"
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [text.encode()]
        self.pay = wsgi_adapter.EidGateMiddleware(app, config=config, protect=["/pay*"],
                                                  max_age=300)
        self.gate = self.pay.gate
        self.client = WerkzeugClient(self.pay)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        r = self.client.get(path, headers=headers or NAV)
        return r.status_code, r.headers, r.get_data(as_text=True)

    def cookie(self) -> str | None:
        found = self.client.get_cookie(COOKIE)
        return found.value if found else None

    def set_cookie(self, value: str) -> None:
        self.client.set_cookie(COOKIE, value)

    def close(self) -> None:
        self.pay.close()


KINDS = ["flask", "starlette", "fastapi", "wsgi"]


@pytest.fixture
def browser() -> Iterator[Callable[[str, str], Browser]]:
    """``browser(kind, config)``: the app of that adapter kind, closed after the test."""
    made: list[Browser] = []

    def make(kind: str, config: str) -> Browser:
        b: Browser = FlaskBrowser(config) if kind == "flask" else AsgiBrowser(
            config, kind) if kind in ("starlette", "fastapi") else WsgiBrowser(config)
        made.append(b)
        return b
    yield make
    for b in made:
        b.close()


def follow(b: Browser, path: str, sandbox: RunningSandbox, login: Callable[..., Any],
           person: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """Open ``path``, follow the app's redirects and log in at the sandbox when sent there."""
    status, head, text = b.get(path, headers)
    for _ in range(6):
        if status != 303 and status != 302:
            return status, head, text
        location = head["location"]
        if location.startswith(sandbox.issuer + "/"):
            location = login(location, person=person)
        status, head, text = b.get(httpx2.URL(location).raw_path.decode("ascii"))
    raise AssertionError("too many redirects")


def age_session(b: Browser, seconds: int) -> None:
    """The browser's session as if its login had been ``seconds`` earlier: the same
    identity and session fields, its ``auth_time`` moved back, saved by the app's store."""
    found = b.gate.sessions.load(b.cookie())
    assert found is not None
    identity, fields = found
    assert identity.auth_time is not None
    older = replace(identity, auth_time=identity.auth_time - timedelta(seconds=seconds))
    b.set_cookie(b.gate.sessions.save(older, **fields))


@pytest.fixture
def sandbox_config(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> str:
    return config_file(tmp_path, eidgate_sandbox.toml())


# -- the step-up round trip -----------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_login_steps_up_at_the_provider_and_returns_to_the_page(
        kind: str, sandbox_config: str, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], browser: Callable[[str, str], Browser]) -> None:
    b = browser(kind, sandbox_config)
    first = int(time.time())
    status, _, _ = follow(b, "/pay" if kind == "wsgi" else "/account", eidgate_sandbox,
                          eidgate_login, "ftn-vaino")
    assert status == 200
    # just logged in: the sandbox's auth_time is now, well within 300 s
    status, _, text = b.get("/pay")
    assert status == 200 and text.startswith("paid by Väinö Tunnistus")
    assert int(text.rsplit(" ", 1)[1]) >= first

    age_session(b, 600)  # the login was ten minutes ago
    status, head, _ = b.get("/pay")
    assert status == 303
    location = head["location"]
    assert urlsplit(location).path == "/eidgate/login"
    assert query(location) == {"next": "/pay", "max_age": "300", "provider": "sandbox"}

    status, head, _ = b.get(location)  # the gate's login route: to the provider
    assert status == 303
    authorize = head["location"]
    assert authorize.startswith(eidgate_sandbox.issuer + "/authorize?")
    sent = query(authorize)
    assert sent["max_age"] == "300" and sent["prompt"] == "login"  # OIDC Core 3.1.2.1

    before = int(time.time())
    callback = eidgate_login(authorize, person="ftn-vaino")  # a fresh authentication
    status, head, _ = b.get(httpx2.URL(callback).raw_path.decode("ascii"))
    assert status == 303 and head["location"] == "/pay"  # back to the page
    status, _, text = b.get("/pay")
    assert status == 200 and text.startswith("paid by Väinö Tunnistus")
    fresh = int(text.rsplit(" ", 1)[1])
    assert before <= fresh <= int(time.time())  # the sandbox's auth_time of this login


@pytest.mark.parametrize("kind", KINDS)
def test_api_call_with_a_stale_login_gets_401_naming_max_age(
        kind: str, sandbox_config: str, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], browser: Callable[[str, str], Browser]) -> None:
    b = browser(kind, sandbox_config)
    follow(b, "/pay" if kind == "wsgi" else "/account", eidgate_sandbox, eidgate_login,
           "sbid-asa")
    assert b.get("/pay", API)[0] == 200
    age_session(b, 301 + b.gate.config.clock_skew)  # one second beyond max_age + skew
    status, head, text = b.get("/pay", API)
    assert status == 401
    body = httpx2.Response(200, content=text.encode()).json()
    detail = body.get("detail", body)  # FastAPI puts the gate's JSON under "detail"
    assert detail["error"] == "insufficient_authentication"
    assert detail["max_age"] == 300
    assert query(detail["login_url"])["max_age"] == "300"
    assert 'max_age="300"' in head["www-authenticate"]  # RFC 9470 3


@pytest.mark.parametrize("kind", KINDS)
def test_max_age_with_loa_in_one_redirect(
        kind: str, sandbox_config: str, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], browser: Callable[[str, str], Browser]) -> None:
    b = browser(kind, sandbox_config)
    if kind == "wsgi":  # one rule for every protected path: loa too
        b.gate.rule = replace(b.gate.rule, loa="high")
    follow(b, "/account", eidgate_sandbox, eidgate_login, "mitid-sofie")  # level high
    if kind == "wsgi":
        follow(b, "/pay-high", eidgate_sandbox, eidgate_login, "mitid-sofie")
    assert b.get("/pay-high")[0] == 200
    age_session(b, 900)
    status, head, _ = b.get("/pay-high")
    assert status == 303
    assert query(head["location"]) == {"next": "/pay-high", "loa": "high", "max_age": "300",
                                       "provider": "sandbox"}
    status, head, _ = b.get(head["location"])
    sent = query(head["location"])
    assert sent["max_age"] == "300" and sent["prompt"] == "login"
    assert "loa:high" in sent["acr_values"].split()
    # a fresh login below the level is refused (here by the sandbox itself, which offers
    # only persons at the level asked: loa:notmet), and "try again" asks for both again
    callback = eidgate_login(head["location"], person="mitid-abelone")  # level low
    status, _, text = b.get(httpx2.URL(callback).raw_path.decode("ascii"))
    assert status == 401 and "loa:notmet" in text
    assert "max_age=300" in text and "loa=high" in text
    assert b.get("/pay-high")[0] == 303  # the stale session is not renewed by a refusal
    # a fresh login at the level passes both
    status, _, text = follow(b, "/pay-high", eidgate_sandbox, eidgate_login, "mitid-sofie")
    assert status == 200 and "at high" in text


# -- the callback refuses an ID token without auth_time or with a stale one -----------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("id_claims", "drop"), [
    pytest.param({"auth_time": int(time.time()) - 3600}, (), id="stale-auth-time"),
    pytest.param({}, ("auth_time",), id="no-auth-time"),
])
def test_callback_refuses_an_authentication_not_fresh_enough(
        kind: str, id_claims: dict[str, Any], drop: tuple[str, ...], tmp_path: Path,
        browser: Callable[[str, str], Browser]) -> None:
    # a provider that ignores max_age and prompt=login (OIDC Core 3.1.3.7 (13): the client
    # checks auth_time itself), crafted and served on 127.0.0.1
    with served_provider(id_claims=id_claims, drop_id_claims=drop) as served:
        op = served.op
        toml = (f'[providers.op]\nissuer = "{op.issuer}"\nclient_id = "{op.client_id}"\n'
                f'client_secret = "{op.client_secret}"\n')
        b = browser(kind, config_file(tmp_path, toml))
        status, head, _ = b.get("/eidgate/login?provider=op&next=/pay&max_age=300")
        assert status == 303
        sent = query(head["location"])
        assert sent["max_age"] == "300" and sent["prompt"] == "login"
        back = op.authorize(head["location"])  # what the provider sends the browser back with
        status, _, text = b.get("/eidgate/callback?" + str(httpx2.QueryParams(back)))
        assert status == 401
        assert html.escape(STRINGS["login_too_old"]) in text  # a clear page, not an outage
        assert "max_age=300" in text  # "try again" asks for a fresh login again
        assert b.cookie() is None  # no session

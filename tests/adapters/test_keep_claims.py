"""``identity.claims`` after a login through the Flask, ASGI and WSGI adapters: the raw claims
a provider's ``keep_claims`` names survive into the session (docs/identity.md).

The default is every claim with a server-side store (here a custom ``sessions=`` store; the
Redis store in tests/redis/test_keep_claims_redis.py) and none with the cookie store, whose
cookie must stay under 4 KB (RFC 6265 6.1: at least 4096 bytes per cookie is all a browser
promises). What the claims are is the sandbox's, written independently of eidgate: the test
person's userinfo claims (``eidgate.sandbox.person``) and the ID token's ``iss`` and ``sub``.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest
from crafted import served_provider
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient

from eidgate import Identity
from eidgate.sandbox import RunningSandbox, person
from eidgate.web import SessionStore
from eidgate_adapters import asgi as asgi_adapter
from eidgate_adapters import flask as flask_adapter
from eidgate_adapters import wsgi as wsgi_adapter

KINDS = ["flask", "asgi", "wsgi"]
PERSON = "ftn-vaino"


class MemoryStore:
    """A server-side :class:`~eidgate.web.SessionStore` of the app's own: an opaque id in
    the cookie, the session as the JSON of ``Identity.to_store_dict`` in memory."""

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}

    def save(self, identity: Identity, **fields: Any) -> str:
        value = secrets.token_urlsafe(32)
        self.sessions[value] = json.dumps({"id": identity.to_store_dict(), **fields})
        return value

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        stored = self.sessions.get(value or "")
        if stored is None:
            return None
        data = json.loads(stored)
        return Identity.from_store_dict(data.pop("id")), data

    def delete(self, value: str | None) -> None:
        self.sessions.pop(value or "", None)

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        return 0


def config_file(tmp_path: Path, providers: str, keep: str | None = None) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "keep-claims-test-secret-0123456789"\n\n' + providers
                    + (f"keep_claims = {keep}\n" if keep is not None else ""),
                    encoding="utf-8")
    return str(path)


def claims_json(identity: Identity | None) -> str:
    assert identity is not None
    return json.dumps(dict(identity.claims), sort_keys=True)


def make_client(kind: str, config: str, sessions: SessionStore | None,
                closing: list[Callable[[], None]]) -> Any:
    """The app of one adapter kind behind its test client; ``/claims`` needs a login and
    answers ``current_identity.claims`` as JSON."""
    options: dict[str, Any] = {"sessions": sessions} if sessions is not None else {}
    if kind == "flask":
        app = flask.Flask(__name__)
        ext = flask_adapter.EidGate(app, config=config, **options)

        @app.get("/claims")
        @flask_adapter.login_required
        def claims() -> str:
            return claims_json(flask_adapter.current_identity)
        assert ext.client is not None
        closing.append(ext.client.close)
        return app.test_client()
    if kind == "asgi":
        @asgi_adapter.login_required
        async def asgi_claims(request: Any) -> PlainTextResponse:
            return PlainTextResponse(claims_json(asgi_adapter.get_identity(request)))
        client = TestClient(asgi_adapter.EidGateMiddleware(
            Starlette(routes=[Route("/claims", asgi_claims)]), config=config, **options),
            follow_redirects=False)
        client.__enter__()
        closing.append(lambda: client.__exit__(None, None, None))
        return client

    def wsgi_claims(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [claims_json(wsgi_adapter.get_identity(environ)).encode()]
    middleware = wsgi_adapter.EidGateMiddleware(wsgi_claims, config=config,
                                                protect=["/claims"], **options)
    closing.append(middleware.close)
    return WerkzeugClient(middleware)


def text(response: Any) -> str:
    return str(response.text if hasattr(response, "text") else response.get_data(as_text=True))


@pytest.fixture
def app_client() -> Iterator[Callable[..., Any]]:
    closing: list[Callable[[], None]] = []

    def make(kind: str, config: str, sessions: SessionStore | None = None) -> Any:
        return make_client(kind, config, sessions, closing)
    yield make
    for close in closing:
        close()


def logged_in_claims(client: Any, login: Callable[..., Any]) -> dict[str, Any]:
    page = login(client, "/claims", person=PERSON)
    assert page.status_code == 200, text(page)
    claims: dict[str, Any] = json.loads(text(page))
    return claims


def assert_every_claim(claims: dict[str, Any], sandbox: RunningSandbox) -> None:
    """The verified claims: the person's userinfo claims as the sandbox sends them, and the
    ID token's (OIDC Core 2: iss, sub, aud, auth_time, nonce)."""
    for name, value in person(PERSON).claims.items():
        assert claims[name] == value, name
    assert claims["iss"] == sandbox.issuer
    assert claims["sub"] == sandbox.sandbox.sub_for(PERSON)
    assert {"aud", "auth_time", "nonce", "exp", "iat"} <= set(claims)


@pytest.mark.parametrize("kind", KINDS)
def test_cookie_store_keeps_no_claims_by_default(
        kind: str, eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        app_client: Callable[..., Any], tmp_path: Path) -> None:
    client = app_client(kind, config_file(tmp_path, eidgate_sandbox.toml()))
    assert logged_in_claims(client, eidgate_login) == {}


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_side_store_keeps_every_claim_by_default(
        kind: str, eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        app_client: Callable[..., Any], tmp_path: Path) -> None:
    store = MemoryStore()
    client = app_client(kind, config_file(tmp_path, eidgate_sandbox.toml()), store)
    assert_every_claim(logged_in_claims(client, eidgate_login), eidgate_sandbox)
    assert len(store.sessions) == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("store", ["cookie", "custom"])
def test_star_keeps_every_claim(
        kind: str, store: str, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], app_client: Callable[..., Any],
        tmp_path: Path) -> None:
    client = app_client(kind, config_file(tmp_path, eidgate_sandbox.toml(), '["*"]'),
                        MemoryStore() if store == "custom" else None)
    assert_every_claim(logged_in_claims(client, eidgate_login), eidgate_sandbox)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("store", ["cookie", "custom"])
def test_a_list_keeps_just_those_claims(
        kind: str, store: str, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], app_client: Callable[..., Any],
        tmp_path: Path) -> None:
    keep = '["sub", "signicat.national_id", "auth_time", "not_sent_by_anyone"]'
    client = app_client(kind, config_file(tmp_path, eidgate_sandbox.toml(), keep),
                        MemoryStore() if store == "custom" else None)
    claims = logged_in_claims(client, eidgate_login)
    # exactly those sent: a claim named but not sent is not made up
    assert set(claims) == {"sub", "signicat.national_id", "auth_time"}
    assert claims["sub"] == eidgate_sandbox.sandbox.sub_for(PERSON)
    assert claims["signicat.national_id"] == person(PERSON).claims["signicat.national_id"]
    assert isinstance(claims["auth_time"], int)


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_list_keeps_none_on_a_server_side_store(
        kind: str, eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        app_client: Callable[..., Any], tmp_path: Path) -> None:
    client = app_client(kind, config_file(tmp_path, eidgate_sandbox.toml(), "[]"),
                        MemoryStore())
    assert logged_in_claims(client, eidgate_login) == {}


@pytest.mark.parametrize("kind", KINDS)
def test_claims_too_large_for_the_cookie_are_a_clear_error_page(
        kind: str, app_client: Callable[..., Any], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    # a provider whose userinfo carries a 6 KB claim (a photo, a signed document)
    with served_provider(userinfo_claims={"picture_data": "A" * 6000}) as served:
        op = served.op
        toml = (f'[providers.op]\nissuer = "{op.issuer}"\nclient_id = "{op.client_id}"\n'
                f'client_secret = "{op.client_secret}"\n')
        client = app_client(kind, config_file(tmp_path, toml, '["*"]'))
        start = client.get("/eidgate/login?provider=op&next=/claims", follow_redirects=False)
        assert start.status_code == 303
        back = op.authorize(start.headers["location"])
        with caplog.at_level(logging.WARNING, "eidgate"):
            page = client.get("/eidgate/callback?" + str(httpx2.QueryParams(back)),
                              follow_redirects=False)
        assert page.status_code == 500  # SessionError's status hint: this side's limit
        assert "<html" in text(page) and "Traceback" not in text(page)
        assert "eidgate_session=" not in " ".join(page.headers.get_all("set-cookie")
                                                  if hasattr(page.headers, "get_all") else
                                                  page.headers.get_list("set-cookie"))
        assert "login not kept (session_too_large)" in caplog.text
        # without the big claim the same provider logs in (the limit is the cookie's)
        op.userinfo_claims = {}
        start = client.get("/eidgate/login?provider=op&next=/claims", follow_redirects=False)
        back = op.authorize(start.headers["location"])
        done = client.get("/eidgate/callback?" + str(httpx2.QueryParams(back)),
                          follow_redirects=False)
        assert done.status_code == 303

"""Apps mounted below a path: WSGI ``SCRIPT_NAME`` (werkzeug's DispatcherMiddleware), Flask
under a dispatcher, and ASGI ``root_path`` (Starlette's ``Mount``).

The gate's routes and ``protect`` are below the mount point, like the app's own routes;
every URL it sends to the browser carries the mount point (PEP 3333 ``SCRIPT_NAME``, the
ASGI ``root_path``), and ``base_url`` names it, so the provider calls back into the mount.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client as WerkzeugClient

from eidgate.sandbox import RunningSandbox, SandboxClient
from eidgate_adapters import asgi, wsgi
from eidgate_adapters import flask as flask_adapter

APP = "http://127.0.0.1:8000/app"
SECRET = "mounted-client-secret"


@pytest.fixture
def config(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> str:
    """A client registered for the callback below /app, and its eidgate.toml."""
    eidgate_sandbox.sandbox.register(SandboxClient(
        "mounted", SECRET, (f"{APP}/eidgate/callback",),
        post_logout_redirect_uris=(f"{APP}/eidgate/logged-out",)))
    path = tmp_path / "eidgate.toml"
    path.write_text(f'[eidgate]\nbase_url = "{APP}"\nsecret_key = "{"m" * 32}"\n\n'
                    f'[providers.sandbox]\nissuer = "{eidgate_sandbox.issuer}"\n'
                    f'client_id = "mounted"\nclient_secret = "{SECRET}"\n', encoding="utf-8")
    return str(path)


def site_root(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"the site root, not the app"]


def plain_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    identity = wsgi.get_identity(environ)
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    name = identity.full_name if identity else "anonymous"
    return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}: {name}".encode()]


def flask_app(config: str) -> flask.Flask:
    app = flask.Flask(__name__)
    flask_adapter.EidGate(app, config=config)

    @app.get("/account/x")
    @flask_adapter.login_required
    def account() -> str:
        identity = flask_adapter.current_identity
        return f"{flask.request.script_root}|{flask.request.path}: {identity.full_name}"
    return app


def check_login(client: Any, login: Callable[..., Any], expected: str) -> None:
    """Log in through the mounted gate and back to /app/account/x; then log out."""
    # API calls are told where the login is, below the mount point
    api = client.get("/app/account/x", headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert json.loads(api.content if hasattr(api, "content") else api.get_data()) == {
        "error": "login_required", "login_url": "/app/eidgate/login"}
    first = client.get("/app/account/x", headers={"Accept": "text/html"},
                       follow_redirects=False)
    assert first.status_code == 303
    start = first.headers["Location"]
    assert start.startswith("/app/eidgate/login?")
    assert parse_qs(urlsplit(start).query)["next"] == ["/app/account/x"]
    to_provider = client.get(start, follow_redirects=False).headers["Location"]
    assert parse_qs(urlsplit(to_provider).query)["redirect_uri"] == [
        f"{APP}/eidgate/callback"]
    page = login(client, "/app/account/x", person="ftn-vaino")
    assert page.status_code == 200
    text = page.text if hasattr(page, "text") else page.get_data(as_text=True)
    assert text == expected
    # logout ends at the provider and comes back into the mount
    out = client.post("/app/eidgate/logout", follow_redirects=False)
    assert out.status_code == 303
    assert parse_qs(urlsplit(out.headers["Location"]).query)["post_logout_redirect_uri"] == [
        f"{APP}/eidgate/logged-out"]
    after = client.get("/app/eidgate/logged-out")
    body = after.text if hasattr(after, "text") else after.get_data(as_text=True)
    assert '<a href="/app/">' in body
    assert client.get("/").status_code == 200  # the rest of the site is not the gate's


def test_wsgi_app_below_script_name(config: str, eidgate_login: Callable[..., Any]) -> None:
    gate = wsgi.EidGateMiddleware(plain_app, config=config, protect=["/account/*"])
    client = WerkzeugClient(DispatcherMiddleware(site_root, {"/app": gate}))
    check_login(client, eidgate_login, "/app|/account/x: Väinö Tunnistus")
    # the site's own paths outside the mount are neither answered nor guarded by the gate
    assert client.get("/eidgate/").get_data() == b"the site root, not the app"
    gate.close()


def test_flask_app_below_script_name(config: str, eidgate_login: Callable[..., Any]) -> None:
    app = flask_app(config)
    client = WerkzeugClient(DispatcherMiddleware(site_root, {"/app": app}))
    check_login(client, eidgate_login, "/app|/account/x: Väinö Tunnistus")


def test_asgi_app_below_root_path(config: str, eidgate_login: Callable[..., Any]) -> None:
    async def account(request: Request) -> PlainTextResponse:
        identity = asgi.get_identity(request)
        return PlainTextResponse(f"{request.scope['root_path']}|{request.url.path}: "
                                 f"{identity.full_name if identity else 'anonymous'}")

    inner = Starlette(routes=[Route("/account/x", account)])
    site = Starlette(routes=[
        Mount("/app", app=asgi.EidGateMiddleware(inner, config=config,
                                                 protect=["/account/*"])),
        Route("/", lambda request: PlainTextResponse("the site root, not the app"))])
    with TestClient(site, base_url="http://127.0.0.1:8000") as client:
        check_login(client, eidgate_login, "/app|/app/account/x: Väinö Tunnistus")


@pytest.mark.parametrize("pattern", ["/account/*", "/app/account/*"])
def test_protect_below_the_mount_or_with_it_in_front(config: str, pattern: str) -> None:
    # before mounts were supported the WSGI middleware matched SCRIPT_NAME + PATH_INFO:
    # a pattern written that way must keep protecting (fail closed), not silently stop
    gate = wsgi.EidGateMiddleware(plain_app, config=config, protect=[pattern])
    client = WerkzeugClient(DispatcherMiddleware(site_root, {"/app": gate}))
    assert client.get("/app/account/x", headers={"Accept": "text/html"}).status_code == 303
    assert client.get("/app/public").status_code == 200
    gate.close()

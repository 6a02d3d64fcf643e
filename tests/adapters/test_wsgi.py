"""The generic WSGI middleware: Flask used as plain WSGI, and Bottle-free plain WSGI app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import flask
import pytest
from werkzeug.test import Client as WerkzeugClient

from eidgate.sandbox import RunningSandbox
from eidgate_adapters.wsgi import EidGateMiddleware, get_identity


def config_file(sandbox: RunningSandbox, tmp_path: Path) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "wsgi-adapter-test-secret-0123456789"\n\n' + sandbox.toml(),
                    encoding="utf-8")
    return str(path)


def plain_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    identity = get_identity(environ)
    body = (f"{environ['PATH_INFO']}: {identity.full_name} ({environ['REMOTE_USER'][:6]})"
            if identity else f"{environ['PATH_INFO']}: anonymous").encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


def flask_as_wsgi() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.get("/account/profile")
    def profile() -> str:
        identity = get_identity(flask.request.environ)
        return f"profile of {identity.full_name if identity else None}"
    return app


@pytest.mark.parametrize("kind", ["plain", "flask"])
def test_protected_paths_login_and_identity_in_environ(
        kind: str, eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        tmp_path: Path) -> None:
    inner: Any = plain_app if kind == "plain" else flask_as_wsgi()
    app = EidGateMiddleware(inner, config=config_file(eidgate_sandbox, tmp_path),
                            protect=["/account/*"])
    client = WerkzeugClient(app)
    if kind == "plain":
        assert client.get("/").get_data(as_text=True) == "/: anonymous"
    page = eidgate_login(client, "/account/profile", person="npa-erika")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Erika Mustermann" in text
    if kind == "plain":
        assert client.get("/").get_data(as_text=True).startswith("/: Erika Mustermann (")
    app.close()


def test_api_call_gets_401_json_and_options_need_a_login(eidgate_sandbox: RunningSandbox,
                                                 tmp_path: Path) -> None:
    app = EidGateMiddleware(plain_app, config=config_file(eidgate_sandbox, tmp_path),
                            protect=["/account/*"], loa="high")
    client = WerkzeugClient(app)
    response = client.get("/account/x", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json == {"error": "login_required", "login_url": "/eidgate/login"}
    assert "Set-Cookie" not in response.headers
    # fail closed: OPTIONS needs a login like any method (a bare WSGI app answers it)
    assert client.options("/account/x").status_code == 303
    preflight = {"Origin": "https://spa.example.test", "Access-Control-Request-Method": "GET"}
    assert client.options("/account/x", headers=preflight).status_code == 303
    opened = EidGateMiddleware(plain_app, config=config_file(eidgate_sandbox, tmp_path),
                               protect=["/account/*"], preflight=True)
    assert WerkzeugClient(opened).options("/account/x", headers=preflight).status_code == 200
    assert WerkzeugClient(opened).options("/account/x").status_code == 303
    opened.close()
    browser = client.get("/account/x", headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert "loa=high" in browser.headers["Location"]
    # a malformed Cookie header is no cookie, not an error
    assert client.get("/", headers={"Cookie": 'eidgate_session="\\x'}).status_code == 200
    # and another script's odd cookie next to ours does not hide ours
    session = client.get_cookie("eidgate_session")
    assert session is None  # not logged in here; the login test below covers the pair
    app.close()


def test_a_foreign_json_cookie_does_not_log_the_person_out(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        tmp_path: Path) -> None:
    app = EidGateMiddleware(plain_app, config=config_file(eidgate_sandbox, tmp_path),
                            protect=["/account/*"])
    client = WerkzeugClient(app)
    eidgate_login(client, "/account/x", person="ftn-aino")
    session = client.get_cookie("eidgate_session")
    assert session is not None
    header = f'consent={{"ads": false, "a b": 1}}; eidgate_session={session.value}'
    page = client.get("/account/x", headers={"Cookie": header})
    assert page.status_code == 200
    assert "Aino" in page.get_data(as_text=True)
    app.close()


def test_bottle_behind_the_middleware(eidgate_sandbox: RunningSandbox,
                                      eidgate_login: Callable[..., Any],
                                      tmp_path: Path) -> None:
    import bottle

    app = bottle.Bottle()

    @app.get("/account/me")
    def me() -> str:
        identity = get_identity(bottle.request.environ)
        return f"bottle: {identity.full_name if identity else None} ({identity and identity.loa})"

    wrapped = EidGateMiddleware(app, config=config_file(eidgate_sandbox, tmp_path),
                                protect=["/account/*"], loa="substantial")
    client = WerkzeugClient(wrapped)
    page = eidgate_login(client, "/account/me", person="smartid-mariliis")
    assert page.status_code == 200
    assert page.get_data(as_text=True) == "bottle: Mari-Liis Näidis (substantial)"
    wrapped.close()

"""The Flask adapter against the sandbox eID hub (loopback), driven by Flask's test client."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest

from eidgate._languages import STRINGS
from eidgate.sandbox import RunningSandbox
from eidgate_adapters.flask import EidGate, current_identity, login_required


def make_app(sandbox: RunningSandbox, tmp_path: Path, extra: str = "") -> flask.Flask:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "flask-adapter-test-secret-0123456789"\n\n'
                      + sandbox.toml() + extra, encoding="utf-8")
    app = flask.Flask(__name__)
    EidGate(app, config=str(config))

    @app.get("/")
    def home() -> str:
        return f"public, {current_identity.full_name if current_identity else 'anonymous'}"

    @app.route("/account", methods=["GET", "OPTIONS"])
    @login_required
    def account() -> str:
        if flask.request.method == "OPTIONS":
            return ""  # login_required let the preflight through
        return f"account of {current_identity.full_name} via {current_identity.method}"

    @app.get("/high")
    @login_required(loa="high")
    def high() -> str:
        return f"high: {current_identity.loa}"

    @app.get("/async")
    @login_required(provider="sandbox")
    async def async_view() -> str:
        await asyncio.sleep(0)
        return "async ok"
    return app


@pytest.fixture
def app(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> flask.Flask:
    return make_app(eidgate_sandbox, tmp_path)


def test_back_to_the_same_resource_whatever_its_path_spells(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    @app.get("/files/<path:name>")
    @login_required
    def file(name: str) -> str:
        return f"file {name!r}, args {dict(flask.request.args)}"

    # RFC 3986 2.4: %3F and %25 are data in the path; decoded they would be a query and an
    # escape, another resource after the login
    with app.test_client() as client:
        page = eidgate_login(client, "/files/a%3Fb%25c%20d%C3%A4?x=1")
        assert page.get_data(as_text=True) == "file 'a?b%c dä', args {'x': '1'}"


def test_protected_page_logs_in_and_shows_the_identity(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        assert client.get("/").get_data(as_text=True) == "public, anonymous"
        page = eidgate_login(client, "/account", person="ftn-vaino")
        assert page.status_code == 200
        assert page.get_data(as_text=True) == "account of Väinö Tunnistus via ftn"
        assert client.get("/").get_data(as_text=True) == "public, Väinö Tunnistus"
        assert client.get("/async").get_data(as_text=True) == "async ok"


def test_session_cookie_is_encrypted_httponly_lax(app: flask.Flask,
                                                  eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        eidgate_login(client, "/account", person="sbid-asa")
        cookie = client.get_cookie("eidgate_session")
        assert cookie is not None
        assert cookie.http_only
        assert cookie.same_site == "Lax"
        for personal in ("Åsa", "Provström", "samordningsnummer", "sbid"):
            assert personal not in cookie.value
        assert len(cookie.value) < 4000
        # tampering reads as logged out, not as an error
        client.set_cookie("eidgate_session", cookie.value[:-4] + "AAAA")
        response = client.get("/account", headers={"Accept": "text/html"})
        assert response.status_code == 303


def test_api_requests_get_401_json_and_no_login_state(app: flask.Flask) -> None:
    with app.test_client() as client:
        for headers in ({"Accept": "application/json"}, {"X-Requested-With": "fetch"},
                        {"Sec-Fetch-Mode": "cors", "Accept": "text/html"}):
            response = client.get("/account", headers=headers)
            assert response.status_code == 401
            assert response.json is not None
            assert response.json["error"] == "login_required"
            assert "set-cookie" not in {k.lower() for k, _ in response.headers}
        # a view that lists OPTIONS answers it itself (Flask does not): a login is needed,
        # also for what looks like a CORS preflight (anyone can send those headers)
        preflight = client.options("/account", headers={
            "Origin": "https://spa.example.test", "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 303
        assert client.options("/account").status_code == 303


def test_step_up_when_the_level_is_too_low(app: flask.Flask,
                                           eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        eidgate_login(client, "/account", person="mitid-abelone")   # level low
        response = client.get("/high")
        assert response.status_code == 303
        assert "loa=high" in response.headers["Location"]
        page = eidgate_login(client, "/high", person="mitid-sofie")  # level high
        assert page.get_data(as_text=True) == "high: high"


def test_step_up_below_the_level_is_refused_even_if_the_provider_ignores_the_request(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        start = client.get("/eidgate/login?provider=sandbox&loa=high&next=/high")
        url = httpx2.URL(start.headers["Location"])
        asked = url.params["acr_values"].split()
        assert "loa:high" in asked
        # the provider (or someone on the way) drops the level: OIDC Core 3.1.2.1 voluntary
        rest = " ".join(a for a in asked if not a.startswith("loa:"))
        url = url.copy_set_param("acr_values", rest) if rest else \
            url.copy_remove_param("acr_values")
        callback = httpx2.URL(eidgate_login(str(url), person="mitid-abelone"))  # level low
        page = client.get(callback.raw_path.decode("ascii"))
        assert page.status_code == 401
        text = page.get_data(as_text=True)
        assert html.escape(STRINGS["insufficient_loa"]) in text
        assert "loa=high" in text  # "try again" asks for the level again
        assert "needed high" not in text  # eidgate's reason is not the provider's message
        assert client.get_cookie("eidgate_session") is None
        assert client.get("/high").status_code == 303  # still not in


def test_cancel_shows_a_page_with_try_again(app: flask.Flask,
                                            eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        page = eidgate_login(client, "/account", person="cancel")
        assert page.status_code == 401
        text = page.get_data(as_text=True)
        assert "canceled" in text
        assert "/eidgate/login?provider=sandbox" in text
        assert "Traceback" not in text


def test_logout_ends_the_session_at_the_provider_too(
        app: flask.Flask, eidgate_login: Callable[..., Any],
        eidgate_sandbox: RunningSandbox) -> None:
    with app.test_client() as client:
        eidgate_login(client, "/account", person="nbid-kari")
        response = client.post("/eidgate/logout")
        assert response.status_code == 303
        assert response.headers["Location"].startswith(eidgate_sandbox.issuer + "/logout?")
        assert "post_logout_redirect_uri=" in response.headers["Location"]
        assert client.get_cookie("eidgate_session") is None
        assert client.get("/").get_data(as_text=True) == "public, anonymous"


@pytest.mark.parametrize("bad", ["//evil.example/", "/\\evil.example", "https://evil.example",
                                 "https:evil.example", "/%2F%2Fevil.example", "%2F%2Fevil"])
def test_next_cannot_leave_the_site(app: flask.Flask, eidgate_login: Callable[..., Any],
                                    bad: str) -> None:
    from urllib.parse import quote

    with app.test_client() as client:
        page = eidgate_login(client, f"/eidgate/login?provider=sandbox&next={quote(bad)}",
                             person="ftn-vaino")
        assert page.status_code == 200
        assert page.get_data(as_text=True).startswith("public, ")  # landed on "/"


def test_several_tabs_can_log_in_at_once(app: flask.Flask, eidgate_sandbox: RunningSandbox,
                                         eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        starts = [client.get("/eidgate/login?provider=sandbox&next=/account")
                  for _ in range(3)]
        backs = [eidgate_login(s.headers["Location"], person="ftn-aino") for s in starts]
        for back in reversed(backs):
            from urllib.parse import urlsplit

            parts = urlsplit(back)
            response = client.get(f"{parts.path}?{parts.query}")
            assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_jwks_and_picker_routes(app: flask.Flask) -> None:
    with app.test_client() as client:
        assert client.get("/eidgate/jwks.json").json == {"keys": []}
        picker = client.get("/eidgate/?next=/account")
        assert picker.status_code == 200
        assert "eidgate sandbox" in picker.get_data(as_text=True)


def test_identity_is_per_request_even_inside_one_app_context(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    # an app context pushed around several requests shares flask.g between them: the
    # identity must not be remembered there (it is kept with the request)
    with app.app_context(), app.test_client() as client:
        eidgate_login(client, "/account", person="ftn-vaino")
        assert client.get("/").get_data(as_text=True) == "public, Väinö Tunnistus"
        assert client.post("/eidgate/logout").status_code == 303
        assert client.get("/").get_data(as_text=True) == "public, anonymous"
        response = client.get("/account", headers={"Accept": "text/html"})
        assert response.status_code == 303


def test_a_malformed_foreign_cookie_keeps_the_session(
        app: flask.Flask, eidgate_login: Callable[..., Any]) -> None:
    with app.test_client() as client:
        eidgate_login(client, "/account", person="ftn-vaino")
        session = client.get_cookie("eidgate_session")
        assert session is not None
        header = f'prefs={{"a": 1}}; eidgate_session={session.value}; x="y'
        response = client.get("/account", headers={"Cookie": header})
        assert response.get_data(as_text=True) == "account of Väinö Tunnistus via ftn"


def test_pages_can_be_reworded_or_replaced(eidgate_sandbox: RunningSandbox,
                                           tmp_path: Path) -> None:
    from collections.abc import Sequence

    from eidgate.web import DefaultPages

    class MyPages(DefaultPages):
        """Our own markup for the picker; the other pages stay eidgate's."""

        def picker(self, s: Any, links: Sequence[tuple[str, str]]) -> str:
            return "<main id=mine>" + "".join(f"[{label}]" for label, _ in links) + "</main>"

    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "pages-test-secret-0123456789abcdef"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    danish = flask.Flask("danish")
    EidGate(danish, config=str(config), strings={"da": {"picker_title": "Log ind"}},
            languages="da")
    mine = flask.Flask("mine")
    EidGate(mine, config=str(config), pages=MyPages())
    with danish.test_client() as client:
        page = client.get("/eidgate/").get_data(as_text=True)
        assert '<html lang="da">' in page
        assert "<h1>Log ind</h1>" in page
    with mine.test_client() as client:
        assert client.get("/eidgate/").get_data(as_text=True) == (
            "<main id=mine>[eidgate sandbox]</main>")
        assert "You are logged out" in client.get("/eidgate/logged-out").get_data(
            as_text=True)

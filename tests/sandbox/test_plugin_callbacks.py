"""The pytest plugin accepts the callback of the app under test, whatever its base_url, and
says why when the sandbox refuses a login (issue 12).

Expected values: RFC 6749 3.1.2.3 / 4.1.2.1 (a redirect URI is compared with those
registered; an unregistered one is never redirected to, the error is shown to the user),
RFC 9126 4 (with PAR the authorization request is the pushed one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest

from eidgate.sandbox import RunningSandbox
from eidgate_adapters.flask import EidGate, current_identity, login_required


def flask_app(tmp_path: Path, base_url: str, providers: str) -> flask.Flask:
    config = tmp_path / "eidgate.toml"
    config.write_text(f'[eidgate]\nbase_url = "{base_url}"\n'
                      'secret_key = "plugin-callbacks-0123456789"\n\n' + providers,
                      encoding="utf-8")
    app = flask.Flask(__name__)
    EidGate(app, str(config))

    @app.get("/account")
    @login_required
    def account() -> str:
        return f"Hello {current_identity.first_name}"
    return app


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:5000", "http://localhost:8080",
                                      "https://app.example.test"])
@pytest.mark.parametrize("par", [False, True], ids=["query", "par"])
def test_the_users_own_base_url_is_accepted(eidgate_sandbox: RunningSandbox,
                                            eidgate_login: Callable[..., Any],
                                            tmp_path: Path, base_url: str, par: bool) -> None:
    """Flask's default port, another host, https: the plugin's sandbox takes the callback
    the app sends (before, only 127.0.0.1:8000 / localhost:8000: HTTP 400)."""
    providers = eidgate_sandbox.toml() + ("use_par = true\n" if par else "")
    client = flask_app(tmp_path, base_url, providers).test_client()
    page = eidgate_login(client, "/account", person="ftn-vaino")
    assert page.status_code == 200
    assert page.get_data(as_text=True) == "Hello Väinö"
    assert f"{base_url}/eidgate/callback" in eidgate_sandbox.client.redirect_uris


def test_the_config_the_plugin_hands_out_is_accepted(eidgate_sandbox: RunningSandbox,
                                                     eidgate_login: Callable[..., Any],
                                                     tmp_path: Path) -> None:
    """The README's config: base_url http://127.0.0.1:8000 and eidgate_sandbox.toml()."""
    client = flask_app(tmp_path, "http://127.0.0.1:8000", eidgate_sandbox.toml()).test_client()
    assert eidgate_login(client, "/account", person="mitid-sofie").status_code == 200


def test_a_refusal_says_why(eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
                            tmp_path: Path) -> None:
    providers = eidgate_sandbox.toml().replace('client_id = "demo"',
                                               'client_id = "not-the-demo-client"')
    client = flask_app(tmp_path, "http://127.0.0.1:8000", providers).test_client()
    with pytest.raises(AssertionError) as refused:
        eidgate_login(client, "/account")
    message = str(refused.value)
    assert "HTTP 400" in message
    assert "unknown client_id 'not-the-demo-client'" in message
    assert "'demo'" in message  # the client the sandbox does have


def test_the_sandbox_names_the_redirect_uri_it_got_and_those_registered() -> None:
    """A sandbox of its own (as `eidgate sandbox` runs): an unregistered redirect_uri is a
    400 page, no redirect, that names it and the registered ones."""
    with RunningSandbox(0, redirect_uris=("http://127.0.0.1:8000/eidgate/callback",)) as own:
        wrong = "http://127.0.0.1:5000/eidgate/callback"
        url = httpx2.URL(own.issuer + "/authorize", params={
            "response_type": "code", "client_id": "demo", "redirect_uri": wrong,
            "scope": "openid", "state": "s", "code_challenge": "x" * 43,
            "code_challenge_method": "S256"})
        page = httpx2.get(url)
        assert page.status_code == 400
        text = page.text
        assert "redirect_uri &#x27;http://127.0.0.1:5000/eidgate/callback&#x27; is not " \
               "registered" in text
        assert "registered: &#x27;http://127.0.0.1:8000/eidgate/callback&#x27;" in text
        assert "location" not in page.headers  # RFC 6749 4.1.2.1: MUST NOT redirect


def test_a_redirect_uri_no_client_could_register_is_still_refused(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any]) -> None:
    """RFC 6749 3.1.2: an absolute URI without a fragment; the plugin does not make the
    sandbox accept anything else, and says what it refused."""
    url = httpx2.URL(eidgate_sandbox.issuer + "/authorize", params={
        "response_type": "code", "client_id": "demo",
        "redirect_uri": "http://127.0.0.1:8000/eidgate/callback#fragment", "scope": "openid",
        "state": "s", "code_challenge": "x" * 43, "code_challenge_method": "S256"})
    with pytest.raises(AssertionError) as refused:
        eidgate_login(str(url), person="ftn-vaino")
    assert "HTTP 400" in str(refused.value)
    assert "is not registered for client 'demo'" in str(refused.value)
    assert "#fragment" in str(refused.value)

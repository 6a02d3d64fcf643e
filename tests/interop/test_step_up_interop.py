"""A ``max_age`` step-up against an independent, certified OpenID provider (panva's
oidc-provider), through the Flask adapter.

The person logs in once; the provider keeps its own session (its cookie in the browser),
so a second authorization request without ``prompt=login`` is answered from that session,
with no login form. A route with ``max_age`` must get a fresh one: the
gate asks for ``max_age`` and ``prompt=login`` (OIDC Core 3.1.2.1), the provider shows its
login form again, and the new ID token's ``auth_time`` is checked (3.1.3.7 (13)). When the
parameters are stripped on the way (a provider that ignores them), the provider answers
from its session (an old ``auth_time``, or none: it sends one only when asked) and the
callback refuses it. ``clock_skew = 0`` so
that seconds-long waits suffice; ``auth_time`` is in whole seconds.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import flask
import httpx2
import pytest

import eidgate
from eidgate._languages import STRINGS
from eidgate_adapters.flask import EidGate, current_identity, login_required

from ._driver import drive_login
from ._provider import OidcProvider

FTN = "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf"
BASE = "http://127.0.0.1:8000"
MAX_AGE = 2

pytestmark = pytest.mark.interop


@pytest.fixture
def app(oidc_provider: OidcProvider, tmp_path: Path) -> Iterator[flask.Flask]:
    op = oidc_provider
    config = eidgate.parse_config(
        {"eidgate": {"base_url": BASE, "secret_key": "k" * 32, "clock_skew": 0},
         "providers": {"op": {"issuer": op.issuer,
                              "client_id": op.clients["basic-client"]["client_id"],
                              "client_secret": op.clients["basic-client"]["client_secret"],
                              "scopes": ["openid", "profile"]}}}, base_dir=tmp_path)
    app = flask.Flask(__name__)
    app.config["SERVER_NAME"] = "127.0.0.1:8000"  # the test client's host: base_url's
    ext = EidGate(app, config=config)

    @app.get("/account")
    @login_required
    def account() -> str:
        return "account"

    @app.get("/pay")
    @login_required(max_age=MAX_AGE)
    def pay() -> str:
        assert current_identity.auth_time is not None
        return str(int(current_identity.auth_time.timestamp()))
    yield app
    assert ext.client is not None
    ext.client.close()


def at_provider(client: flask.testing.FlaskClient, path: str, browser: httpx2.Client,
                strip: tuple[str, ...] = ()) -> tuple[str, dict[str, list[str]], str]:
    """Open ``path``, follow the app to the provider; returns where the app sent the
    browser, what it asked, and where the provider sent it back (``strip``: parameters
    removed from the authorization request on the way)."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 303
    response = client.get(response.headers["Location"])  # the gate's /login
    assert response.status_code == 303
    authorize = response.headers["Location"]
    parts = urlsplit(authorize)
    asked = parse_qs(parts.query)
    sent = urlunsplit(parts._replace(query=urlencode(
        {k: v[0] for k, v in asked.items() if k not in strip})))
    return authorize, asked, drive_login(sent, login=FTN, browser=browser)


def callback(client: flask.testing.FlaskClient, back: str) -> flask.Response:
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def test_max_age_step_up_round_trip(app: flask.Flask) -> None:
    with httpx2.Client(follow_redirects=False, timeout=10) as browser, \
            app.test_client() as client:
        # not logged in: the first login asks for max_age already (and gets auth_time,
        # which oidc-provider sends only when asked: OIDC Core 2)
        _, asked, back = at_provider(client, "/pay", browser)
        assert asked["max_age"] == [str(MAX_AGE)] and asked["prompt"] == ["login"]
        assert callback(client, back).headers["Location"] == "/pay"
        first = int(client.get("/pay").get_data(as_text=True))
        time.sleep(MAX_AGE + 1.2)  # now older than max_age; the provider's session lives on

        # the route sends the person back with max_age and prompt=login ...
        _, asked, back = at_provider(client, "/pay", browser)
        assert asked["max_age"] == [str(MAX_AGE)] and asked["prompt"] == ["login"]
        done = callback(client, back)
        assert done.status_code == 303 and done.headers["Location"] == "/pay"
        page = client.get("/pay")
        assert page.status_code == 200
        fresh = int(page.get_data(as_text=True))
        # ... and the provider authenticated afresh, not from its session
        assert fresh >= first + MAX_AGE + 1
        assert fresh <= datetime.now().timestamp()


def test_an_old_authentication_from_the_providers_session_is_refused(
        app: flask.Flask) -> None:
    with httpx2.Client(follow_redirects=False, timeout=10) as browser, \
            app.test_client() as client:
        _, _, back = at_provider(client, "/account", browser)
        callback(client, back)
        time.sleep(MAX_AGE + 1.2)
        # max_age and prompt dropped on the way: the provider answers from its session
        _, asked, back = at_provider(client, "/pay", browser, strip=("max_age", "prompt"))
        assert asked["max_age"] == [str(MAX_AGE)]
        refused = callback(client, back)
        assert refused.status_code == 401
        text = refused.get_data(as_text=True)
        assert html.escape(STRINGS["login_too_old"]) in text
        assert f"max_age={MAX_AGE}" in text  # "try again" asks again
        assert client.get("/pay", headers={"Accept": "text/html"}).status_code == 303

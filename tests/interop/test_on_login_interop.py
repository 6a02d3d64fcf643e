"""The app's ``on_login`` hook with a login from an independent, certified OpenID provider
(panva's oidc-provider): through the Flask adapter (the sync driver, a sync hook) and the
ASGI middleware (the async driver, an ``async def`` hook), the hook gets the verified
login of the seed page's FTN person and what it returns is kept with the session.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import eidgate
from eidgate import Identity, LoginRefused, LoginResult
from eidgate_adapters import asgi
from eidgate_adapters.flask import EidGate, get_session_data, login_required

from ._driver import drive_login
from ._provider import OidcProvider

# the FTN example of the seed page "OIDC response examples" (seeds/004): its sub, and the
# national id its userinfo carries (signicat.national_id "070770-905D")
FTN = "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf"
CUSTOMERS = {"070770-905D": "C-1001"}

pytestmark = pytest.mark.interop


def config(op: OidcProvider, tmp_path: Path) -> eidgate.Config:
    creds = op.clients["basic-client"]
    return eidgate.parse_config(
        {"eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "k" * 32},
         "providers": {"op": {"issuer": op.issuer, "client_id": creds["client_id"],
                              "client_secret": creds["client_secret"],
                              "scopes": ["openid", "profile", "signicat.national_id",
                                         "ftn"]}}}, base_dir=tmp_path)


class Register:
    """The app's customer register, and every login its hook saw."""

    def __init__(self) -> None:
        self.seen: list[LoginResult] = []

    def customer(self, result: LoginResult) -> dict[str, Any]:
        self.seen.append(result)
        identity = result.identity
        assert identity is not None
        national = identity.national_id.value if identity.national_id else None
        if national not in CUSTOMERS:
            raise LoginRefused("not a customer")
        return {"customer": CUSTOMERS[national], "sub": identity.subject}


def check_seen(register: Register) -> None:
    assert len(register.seen) == 1
    result = register.seen[0]
    assert result.accepted and result.provider == "op"
    identity = result.identity
    assert identity is not None
    assert (identity.method, identity.subject, identity.full_name) == (
        "ftn", FTN, "Väinö Tunnistus")
    assert result.claims["ftn.idpId"] == "fi-op"


@pytest.fixture
def flask_app(oidc_provider: OidcProvider, tmp_path: Path
              ) -> Iterator[tuple[flask.Flask, Register]]:
    register = Register()
    app = flask.Flask(__name__)
    app.config["SERVER_NAME"] = "127.0.0.1:8000"  # the test client's host: base_url's
    ext = EidGate(app, config=config(oidc_provider, tmp_path), on_login=register.customer)

    @app.get("/account")
    @login_required
    def account() -> str:
        return json.dumps(dict(get_session_data()), sort_keys=True)
    yield app, register
    assert ext.client is not None
    ext.client.close()


def test_a_sync_hook_keeps_its_data_with_a_flask_login(
        flask_app: tuple[flask.Flask, Register]) -> None:
    app, register = flask_app
    with app.test_client() as client, httpx2.Client(follow_redirects=False,
                                                    timeout=10) as browser:
        start = client.get("/eidgate/login?provider=op&next=/account")
        assert start.status_code == 303
        back = urlsplit(drive_login(start.headers["Location"], login=FTN, browser=browser))
        done = client.get(f"{back.path}?{back.query}")
        assert done.status_code == 303 and done.headers["Location"] == "/account"
        page = client.get("/account")
        assert page.status_code == 200
        assert json.loads(page.get_data(as_text=True)) == {"customer": "C-1001", "sub": FTN}
    check_seen(register)


def test_an_async_hook_keeps_its_data_with_an_asgi_login(oidc_provider: OidcProvider,
                                                         tmp_path: Path) -> None:
    register = Register()
    logouts: list[Identity] = []

    async def on_login(result: LoginResult) -> dict[str, Any]:
        return register.customer(result)

    async def on_logout(identity: Identity) -> None:
        logouts.append(identity)

    async def account(request: Any) -> PlainTextResponse:
        return PlainTextResponse(json.dumps(dict(asgi.get_session_data(request)),
                                            sort_keys=True))

    app = asgi.EidGateMiddleware(Starlette(routes=[Route("/account", account)]),
                                 config=config(oidc_provider, tmp_path),
                                 protect=["/account"], on_login=on_login,
                                 on_logout=on_logout)
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False
                    ) as client, httpx2.Client(follow_redirects=False, timeout=10) as browser:
        start = client.get("/eidgate/login?provider=op&next=/account")
        assert start.status_code == 303
        back = urlsplit(drive_login(start.headers["location"], login=FTN, browser=browser))
        done = client.get(f"{back.path}?{back.query}")
        assert done.status_code == 303 and done.headers["location"] == "/account"
        assert client.get("/account").json() == {"customer": "C-1001", "sub": FTN}
        # logged out here: the audit hook gets the person, the session's data is gone
        out = client.post("/eidgate/logout")
        assert out.status_code in (302, 303)
        assert [(i.provider, i.subject) for i in logouts] == [("op", FTN)]
        assert client.get("/account", headers={"Accept": "application/json"}
                          ).status_code == 401
    check_seen(register)

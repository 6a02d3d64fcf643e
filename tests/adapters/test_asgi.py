"""The ASGI middleware against the sandbox eID hub (loopback): Starlette, FastAPI, Litestar and
plain ASGI, all driven by Starlette's test client."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import litestar
import pytest
from fastapi import Depends, FastAPI, Request
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from eidgate import Identity
from eidgate.sandbox import RunningSandbox
from eidgate_adapters.asgi import (
    EidGateMiddleware,
    get_identity,
    identity_required,
    login_required,
)

API = {"Accept": "application/json"}


def config_file(sandbox: RunningSandbox, tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "asgi-adapter-test-secret-0123456789"\n\n'
                    + sandbox.toml() + extra, encoding="utf-8")
    return str(path)


def starlette_app(config: str, **options: Any) -> Starlette:
    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse(f"public, {request.user.display_name or 'anonymous'}")

    async def account(request: Any) -> PlainTextResponse:  # guarded by protect=
        if request.method == "OPTIONS":
            return PlainTextResponse("preflight")
        identity = get_identity(request)
        return PlainTextResponse(f"account of {identity.full_name} via {identity.method}; "
                                 f"user {request.user.display_name}, auth "
                                 f"{request.auth.scopes}")

    @requires("authenticated")
    async def members(request: Any) -> PlainTextResponse:
        return PlainTextResponse(f"member {request.user.identity.method}")

    @login_required(loa="high")
    async def high(request: Any) -> PlainTextResponse:
        return PlainTextResponse(f"high: {get_identity(request.scope).loa}")

    @login_required(provider="sandbox")
    def sync_view(request: Any) -> PlainTextResponse:  # Starlette runs it in a thread
        return PlainTextResponse(f"sync ok, {request.user.display_name}")

    @login_required(provider="other")
    async def other_only(request: Any) -> PlainTextResponse:
        return PlainTextResponse(f"other: {get_identity(request).provider}")

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(f"ws {websocket.user.display_name or 'anonymous'}")
        await websocket.close()

    return Starlette(routes=[
        Route("/", home), Route("/account", account, methods=["GET", "OPTIONS"]),
        Route("/account/{rest:path}", account), Route("/members", members),
        Route("/high", high), Route("/sync", sync_view), Route("/other", other_only),
        Route("/päge", home), WebSocketRoute("/ws", ws), WebSocketRoute("/account/ws", ws),
    ], middleware=[Middleware(EidGateMiddleware, config=config, protect=["/account*"],
                              **options)])


@pytest.fixture
def config(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> str:
    return config_file(eidgate_sandbox, tmp_path)


@pytest.fixture
def config2(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> str:
    """Two providers (both the sandbox): a picker, and routes that want one of them."""
    return config_file(eidgate_sandbox, tmp_path, "\n" + eidgate_sandbox.toml("other"))


@pytest.fixture
def client(config: str) -> Any:
    with TestClient(starlette_app(config), follow_redirects=False) as client:
        yield client


@pytest.fixture
def client2(config2: str) -> Any:
    with TestClient(starlette_app(config2), follow_redirects=False) as client:
        yield client


def test_protected_page_logs_in_and_the_identity_is_on_the_scope(
        client: TestClient, eidgate_login: Callable[..., Any]) -> None:
    assert client.get("/").text == "public, anonymous"
    assert client.get("/members").status_code == 403  # Starlette's requires()
    page = eidgate_login(client, "/account", person="ftn-vaino")
    assert page.status_code == 200
    assert page.text == ("account of Väinö Tunnistus via ftn; user Väinö Tunnistus, "
                         "auth ('authenticated',)")
    assert client.get("/").text == "public, Väinö Tunnistus"
    assert client.get("/members").text == "member ftn"
    assert client.get("/sync").text == "sync ok, Väinö Tunnistus"
    assert client.get("/account/deeper/page").status_code == 200
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "ws Väinö Tunnistus"


def test_several_providers_send_the_browser_to_the_picker(client2: TestClient) -> None:
    client = client2
    picker = client.get("/account?tab=2")
    assert picker.status_code == 303
    assert picker.headers["location"] == "/eidgate/?next=%2Faccount%3Ftab%3D2"
    page = client.get(picker.headers["location"])
    assert page.status_code == 200
    assert page.text.count("eidgate sandbox") == 2
    assert client.get("/eidgate/jwks.json").json() == {"keys": []}
    assert client.get("/eidgate/nowhere").status_code == 404


def test_session_cookie_is_encrypted_httponly_lax_and_tampering_logs_out(
        client: TestClient, eidgate_login: Callable[..., Any]) -> None:
    start = client.get("/eidgate/login?provider=sandbox&next=/account")
    assert start.status_code == 303
    parts = urlsplit(eidgate_login(start.headers["location"], person="sbid-asa"))
    back = client.get(f"{parts.path}?{parts.query}")
    assert back.status_code == 303
    assert back.headers["location"] == "/account"
    set_cookies = back.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith("eidgate_session="))
    assert "; HttpOnly" in session
    assert "; SameSite=Lax" in session
    assert any(c.startswith("eidgate_login_") and "Max-Age=0" in c for c in set_cookies)
    value = session.split(";", 1)[0].split("=", 1)[1]
    for personal in ("Åsa", "Provström", "samordningsnummer", "sbid"):
        assert personal not in value
    assert len(value) < 4000
    client.cookies.clear()
    # another script's cookie that http.cookies.SimpleCookie refuses does not log out
    neighbours = f'prefs={{"theme": "dark"}}; eidgate_session={value}'
    assert client.get("/", headers={"cookie": neighbours}).text == "public, Åsa Provström"
    tampered = client.get("/account", headers={"cookie": f"eidgate_session={value[:-4]}AAAA"})
    assert tampered.status_code == 303  # logged out, not an error
    garbage = client.get("/", headers={"cookie": 'eidgate_session="\\x; =; ;;'})
    assert garbage.text == "public, anonymous"


def test_api_requests_get_401_json_and_no_login_state(client: TestClient) -> None:
    for path in ("/account", "/high", "/sync"):
        for headers in (API, {"X-Requested-With": "fetch"},
                        {"Sec-Fetch-Mode": "cors", "Accept": "text/html"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, path
            assert response.headers["content-type"] == "application/json"
            # the rule's one provider goes along (issue 12); no Referer: no next
            login_url = "/eidgate/login" + ("?provider=sandbox" if path == "/sync" else "")
            assert response.json() == {"error": "login_required", "login_url": login_url}
            assert response.headers["www-authenticate"] == 'eidgate error="login_required"'
            assert "set-cookie" not in response.headers
    assert not list(client.cookies.jar)
    # fail closed: an OPTIONS request is a request like any other (this endpoint, like a
    # bare ASGI handler, would answer it with the page)
    for headers in ({}, PREFLIGHT):
        refused = client.options("/account", headers={**API, **headers})
        assert refused.status_code == 401 and refused.text != "preflight"


PREFLIGHT = {"Origin": "https://spa.example.test", "Access-Control-Request-Method": "GET"}


def test_cors_preflights_pass_only_when_the_app_says_so(config: str) -> None:
    with TestClient(starlette_app(config, preflight=True)) as client:
        assert client.options("/account", headers=PREFLIGHT).text == "preflight"
        # a preflight has both headers (Fetch Standard 3.2.2); one alone is not one
        for partial in ({"Origin": PREFLIGHT["Origin"]},
                        {"Access-Control-Request-Method": "GET"}, {}):
            response = client.options("/account", headers={**API, **partial})
            assert response.status_code == 401, partial
        # only OPTIONS: the same headers on a GET are no pass
        assert client.get("/account", headers={**API, **PREFLIGHT}).status_code == 401


def test_step_up_when_the_level_is_too_low(client: TestClient,
                                           eidgate_login: Callable[..., Any]) -> None:
    eidgate_login(client, "/eidgate/login?provider=sandbox&next=/account",
                  person="mitid-abelone")  # level low
    response = client.get("/high")
    assert response.status_code == 303
    assert response.headers["location"] == "/eidgate/login?next=%2Fhigh&loa=high&provider=sandbox"
    api = client.get("/high", headers=API)
    assert api.status_code == 401
    assert api.json()["error"] == "insufficient_authentication"
    page = eidgate_login(client, "/high", person="mitid-sofie")  # level high
    assert page.text == "high: high"


def test_step_up_when_the_provider_is_not_allowed(client2: TestClient,
                                                  eidgate_login: Callable[..., Any]) -> None:
    client = client2
    eidgate_login(client, "/eidgate/login?provider=sandbox&next=/", person="ftn-aino")
    response = client.get("/other")
    assert response.status_code == 303
    assert response.headers["location"] == "/eidgate/login?next=%2Fother&provider=other"
    assert eidgate_login(client, "/other", person="ftn-aino").text == "other: other"


def test_middleware_options_loa_and_providers(config2: str,
                                              eidgate_login: Callable[..., Any]) -> None:
    app = starlette_app(config2, loa="substantial", providers=["other"])
    with TestClient(app, follow_redirects=False) as client:
        first = client.get("/account/x")
        assert first.headers["location"] == (
            "/eidgate/login?next=%2Faccount%2Fx&loa=substantial&provider=other")
        page = eidgate_login(client, "/account/x", person="nbid-kari")
        assert page.status_code == 200
        assert "via nbid" in page.text


def test_cancel_shows_a_page_with_try_again(client: TestClient,
                                            eidgate_login: Callable[..., Any]) -> None:
    page = eidgate_login(client, "/eidgate/login?provider=sandbox&next=/account",
                         person="cancel")
    assert page.status_code == 401
    assert "canceled" in page.text
    assert "/eidgate/login?provider=sandbox" in page.text
    assert "Traceback" not in page.text


def test_logout_ends_the_session_at_the_provider_too(
        client: TestClient, eidgate_login: Callable[..., Any],
        eidgate_sandbox: RunningSandbox) -> None:
    eidgate_login(client, "/eidgate/login?provider=sandbox&next=/account", person="nbid-kari")
    assert client.get("/").text == "public, Kari Nordmann"
    response = client.post("/eidgate/logout")
    assert response.status_code == 303
    assert response.headers["location"].startswith(eidgate_sandbox.issuer + "/logout?")
    assert "post_logout_redirect_uri=" in response.headers["location"]
    assert "eidgate_session" not in client.cookies
    assert client.get("/").text == "public, anonymous"
    assert client.get("/eidgate/logout").status_code == 405  # only POST logs out


@pytest.mark.parametrize("bad", ["//evil.example/", "/\\evil.example", "https://evil.example",
                                 "https:evil.example", "/%2F%2Fevil.example", "%2F%2Fevil"])
def test_next_cannot_leave_the_site(client: TestClient, eidgate_login: Callable[..., Any],
                                    bad: str) -> None:
    page = eidgate_login(client, f"/eidgate/login?provider=sandbox&next={quote(bad)}",
                         person="ftn-vaino")
    assert page.status_code == 200
    assert page.text == "public, Väinö Tunnistus"  # landed on "/"


def test_non_ascii_next_comes_back_percent_encoded(client: TestClient,
                                                  eidgate_login: Callable[..., Any]) -> None:
    start = client.get("/eidgate/login?provider=sandbox&next=/p%C3%A4ge")
    parts = urlsplit(eidgate_login(start.headers["location"], person="ftn-vaino"))
    back = client.get(f"{parts.path}?{parts.query}")
    assert back.headers["location"] == "/p%C3%A4ge"
    assert client.get(back.headers["location"]).text == "public, Väinö Tunnistus"


def test_several_tabs_can_log_in_at_once(client: TestClient,
                                         eidgate_login: Callable[..., Any]) -> None:
    starts = [client.get("/eidgate/login?provider=sandbox&next=/account") for _ in range(3)]
    backs = [urlsplit(eidgate_login(s.headers["location"], person="ftn-aino")) for s in starts]
    for parts in reversed(backs):
        response = client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == 303, response.text[:300]


def test_websockets_get_the_identity_and_protect_closes_them(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "ws anonymous"
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/account/ws"):
        pass
    assert refused.value.code == 1008


def test_lifespan_closes_the_connection_pool_and_a_restart_reopens_it(
        config: str, eidgate_login: Callable[..., Any]) -> None:
    app = EidGateMiddleware(starlette_app(config), config=config)
    for _ in range(2):
        with TestClient(app, follow_redirects=False) as client:
            assert not app.client.http.is_closed
            page = eidgate_login(client, "/eidgate/login?provider=sandbox&next=/",
                                 person="ftn-vaino")
            assert page.text == "public, Väinö Tunnistus"
        assert app.client.http.is_closed


def test_plain_asgi_app_and_get_identity_from_a_scope(
        config: str, eidgate_login: Callable[..., Any]) -> None:
    async def plain(scope: dict[str, Any], receive: Any, send: Any) -> None:
        identity = get_identity(scope)
        body = f"{scope['path']}: {identity.full_name if identity else 'anonymous'}".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body})

    app = EidGateMiddleware(plain, config=config, protect=["/account/*"])
    client = TestClient(app, follow_redirects=False)  # no lifespan: the app never sees one
    assert client.get("/").text == "/: anonymous"
    assert client.head("/account/x").status_code == 303
    page = eidgate_login(client, "/account/x", person="npa-erika")
    assert page.text == "/account/x: Erika Mustermann"
    asyncio.run(app.aclose())


def test_decorators_need_the_middleware_and_the_request(config: str) -> None:
    @login_required
    async def bare(request: Any) -> str:
        return "never"

    @login_required
    async def no_request() -> str:
        return "never"

    assert get_identity({"type": "http"}) is None
    with pytest.raises(RuntimeError, match="EidGateMiddleware"):
        asyncio.run(bare(Request({"type": "http", "method": "GET", "headers": []})))
    with pytest.raises(TypeError, match="must take the request"):
        asyncio.run(no_request())


LoggedIn = Annotated[Identity, Depends(identity_required())]
HighLevel = Annotated[Identity, Depends(identity_required(loa="high"))]


def fastapi_app(config: str) -> FastAPI:
    api = FastAPI()
    api.add_middleware(EidGateMiddleware, config=config)

    @api.get("/me")
    def me(identity: LoggedIn) -> dict[str, Any]:
        return {"name": identity.full_name, "loa": identity.loa}

    @api.get("/me/high")
    async def me_high(identity: HighLevel) -> str:
        return f"high: {identity.loa}"

    @api.get("/decorated")
    @login_required(provider="sandbox")
    async def decorated(request: Request) -> dict[str, Any]:
        return {"user": request.user.display_name, "auth": request.auth.scopes}

    return api


def test_fastapi_dependency_and_decorator(config: str,
                                          eidgate_login: Callable[..., Any]) -> None:
    with TestClient(fastapi_app(config), follow_redirects=False) as client:
        for path in ("/me", "/decorated"):
            api = client.get(path, headers=API)
            assert api.status_code == 401
            body = api.json()
            login_url = "/eidgate/login" + ("?provider=sandbox" if path == "/decorated"
                                            else "")
            assert body.get("detail", body) == {"error": "login_required",
                                                "login_url": login_url}
            assert api.headers["www-authenticate"] == 'eidgate error="login_required"'
            assert "set-cookie" not in api.headers
        browser = client.get("/me")
        assert browser.status_code == 303
        assert browser.headers["location"] == "/eidgate/login?next=%2Fme&provider=sandbox"
        page = eidgate_login(client, "/eidgate/login?provider=sandbox&next=/me",
                             person="mitid-abelone")
        assert page.json() == {"name": "Abelone Christensen", "loa": "low"}
        assert client.get("/decorated").json() == {"user": "Abelone Christensen",
                                                   "auth": ["authenticated"]}
        step_up = client.get("/me/high")
        assert step_up.status_code == 303
        assert "loa=high" in step_up.headers["location"]
        assert client.get("/me/high", headers=API).json()["detail"]["error"] == (
            "insufficient_authentication")
        assert eidgate_login(client, "/me/high", person="mitid-sofie").json() == "high: high"


@litestar.get("/")
async def litestar_home(request: litestar.Request[Any, Any, Any]) -> str:
    identity = get_identity(request)
    return f"public, {identity.full_name if identity else 'anonymous'}"


@litestar.get("/account/profile")
async def litestar_account(request: litestar.Request[Any, Any, Any]) -> str:
    return f"{request.url.path}: {request.user.display_name} {request.auth.scopes}"


def test_litestar_app(config: str, eidgate_login: Callable[..., Any]) -> None:
    inner = litestar.Litestar([litestar_home, litestar_account])
    app = EidGateMiddleware(inner, config=config, protect=["/account/*"], providers=["sandbox"])
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/").text == "public, anonymous"
        assert client.get("/account/x", headers=API).status_code == 401
        page = eidgate_login(client, "/account/profile", person="npa-erika")
        assert page.status_code == 200
        assert page.text == "/account/profile: Erika Mustermann ('authenticated',)"
        assert client.get("/").text == "public, Erika Mustermann"
    assert app.client.http.is_closed


def test_the_middleware_imports_no_framework() -> None:
    code = ("import sys, eidgate_adapters.asgi; "
            "bad = {'starlette', 'fastapi', 'litestar', 'quart', 'flask', 'werkzeug'}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []

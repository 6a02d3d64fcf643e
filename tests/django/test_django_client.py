"""The Django adapter through Django's test clients against the sandbox eID hub: the WSGI
handler (``client``) and the ASGI handler (``async_client``), pytest-django's fixtures,
the test project ``testsite`` with CSRF, sessions, auth and CommonMiddleware on."""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django_harness import SECRET

from eidgate import normalize
from eidgate._languages import STRINGS
from eidgate.sandbox import PEOPLE, RunningSandbox, TestPerson
from eidgate.web import CookieSessions
from eidgate_adapters.django import EidGateMiddleware, get_identity, get_session_data
from eidgate_adapters.django._gates import gates

pytestmark = pytest.mark.usefixtures("eidgate_settings")
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def test_login_with_the_plugin_and_the_identity_on_the_request(
        client: Client, eidgate_login: Callable[..., Any]) -> None:
    assert client.get("/").content == b"public, anonymous, user -"
    page = eidgate_login(client, "/account/", person="ftn-vaino")
    assert page.status_code == 200
    assert page.content.decode() == "account of Väinö Tunnistus via ftn"
    assert client.get("/").content.decode() == "public, Väinö Tunnistus, user -"
    assert client.get("/async/").content.decode() == "async Väinö"
    assert client.get("/cbv/").content.decode() == "cbv Väinö"
    assert client.get("/acbv/").content.decode() == "acbv Väinö"
    # the callback's answer keeps the gate's Referrer-Policy (SecurityMiddleware is on and
    # would set its own): the code in its URL must not travel on as a Referer
    start = client.get("/eidgate/login?provider=sandbox&next=/")
    callback = httpx2.URL(eidgate_login(start["Location"], person="ftn-vaino"))
    back = client.get(callback.raw_path.decode("ascii"))
    assert back.status_code == 303
    assert back["Referrer-Policy"] == "no-referrer"
    assert back["Cache-Control"] == "no-store"
    cookie = client.cookies["eidgate_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert "Väinö" not in cookie.value and "Tunnistus" not in cookie.value


@pytest.mark.parametrize("path", ["/account/", "/async/", "/cbv/", "/acbv/", "/protected/x"])
def test_api_calls_get_401_json_and_pages_a_redirect(client: Client, path: str) -> None:
    for headers in (JSON, {"X-Requested-With": "fetch"}, {"Sec-Fetch-Mode": "cors"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["error"] == "login_required"
        assert not response.cookies
    page = client.get(path, headers=HTML)
    assert page.status_code == 303
    assert page["Location"].startswith("/eidgate/login?")
    assert "provider=sandbox" in page["Location"]


def test_protect_follows_django_routing_and_append_slash(
        client: Client, eidgate_login: Callable[..., Any]) -> None:
    # CommonMiddleware sends /protected to /protected/ (APPEND_SLASH); that one is guarded
    moved = client.get("/protected", headers=HTML)
    assert moved.status_code == 301
    assert moved["Location"] == "/protected/"
    assert client.get("/protected/", headers=HTML).status_code == 303
    # spellings a server may read as the same path are guarded too
    for path in ("/Protected/a", "//protected/a", "/x/../protected/a", "/protected/./a"):
        assert client.get(path, headers=JSON).status_code in (401, 404), path
    assert client.get("/PROTECTED/a", headers=JSON).status_code == 401
    page = eidgate_login(client, "/protected/a/b?x=1", person="sbid-maja")
    assert page.content.decode() == "protected 'a/b' for Maja Exempelsson"


def test_step_up_when_the_level_is_too_low(client: Client,
                                           eidgate_login: Callable[..., Any]) -> None:
    eidgate_login(client, "/account/", person="mitid-abelone")  # level low
    response = client.get("/high/", headers=HTML)
    assert response.status_code == 303
    assert "loa=high" in response["Location"]
    assert client.get("/high/", headers=JSON).json()["error"] == "insufficient_authentication"
    assert client.get("/cbv/", headers=HTML).status_code == 303  # the mixin's loa
    page = eidgate_login(client, "/high/", person="mitid-sofie")  # level high
    assert page.content.decode() == "high: high"
    assert client.get("/cbv/").content.decode() == "cbv Sofie"


def test_a_step_up_below_the_level_is_refused(client: Client,
                                              eidgate_login: Callable[..., Any]) -> None:
    start = client.get("/eidgate/login?provider=sandbox&loa=high&next=/high/")
    url = httpx2.URL(start["Location"])
    asked = url.params["acr_values"].split()
    rest = " ".join(a for a in asked if not a.startswith("loa:"))
    url = url.copy_set_param("acr_values", rest) if rest else url.copy_remove_param(
        "acr_values")
    callback = httpx2.URL(eidgate_login(str(url), person="mitid-abelone"))  # level low
    page = client.get(callback.raw_path.decode("ascii"))
    assert page.status_code == 401
    assert html.escape(STRINGS["insufficient_loa"]) in page.content.decode()
    assert "eidgate_session" not in client.cookies or not client.cookies[
        "eidgate_session"].value
    assert client.get("/high/", headers=HTML).status_code == 303


def test_logout_ends_the_session_and_goes_to_the_provider(
        client: Client, eidgate_login: Callable[..., Any],
        eidgate_sandbox: RunningSandbox) -> None:
    eidgate_login(client, "/account/", person="nbid-kari")
    response = client.post("/eidgate/logout")
    assert response.status_code == 303
    assert response["Location"].startswith(eidgate_sandbox.issuer + "/logout?")
    assert client.cookies["eidgate_session"].value == ""
    assert client.get("/").content == b"public, anonymous, user -"
    assert client.get("/account/", headers=HTML).status_code == 303


def test_csrf_middleware_on_the_gate_keeps_its_own_rules(
        eidgate_login: Callable[..., Any], eidgate_sandbox: RunningSandbox) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/form/").status_code == 403  # the app's own POSTs: Django's CSRF
    eidgate_login(client, "/account/", person="ftn-vaino")
    # the gate's logout refuses a cross-site POST (Fetch Metadata / Origin) ...
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        assert client.post("/eidgate/logout", headers=headers).status_code == 403
    assert client.get("/account/").status_code == 200
    # ... and takes a same-origin one without Django's token
    same = client.post("/eidgate/logout", headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303
    # the back-channel logout is the provider's server: no token, answered by the gate
    # (400: the cookie store cannot end a session from the server, section 2.8)
    token = eidgate_sandbox.sandbox.logout_token(eidgate_sandbox.client.client_id,
                                                 sub="someone")
    answer = client.post("/eidgate/backchannel-logout", urlencode({"logout_token": token}),
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    assert answer.json()["error"] == "sessions_not_revocable"


def test_gate_routes_are_answered_before_django_routing(client: Client) -> None:
    assert client.get("/eidgate/jwks.json").json() == {"keys": []}
    assert "eidgate sandbox" in client.get("/eidgate/").content.decode()
    assert client.get("/eidgate").status_code == 200  # no APPEND_SLASH redirect: the gate's
    assert client.get("/eidgate/nothing").status_code == 404
    # a method a route does not take is the gate's answer too (its error page, no-store),
    # never an app view's; a GET never logs out
    for response in (client.put("/eidgate/login"), client.get("/eidgate/logout")):
        assert response.status_code in (404, 405)  # 405 with Allow once the gate says so
        assert response["Cache-Control"] == "no-store"


def test_without_the_middleware_the_urlconf_answers(
        settings: Any, eidgate_login: Callable[..., Any]) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "eidgate" not in m]
    client = Client()
    assert client.get("/protected/x").status_code == 200  # nothing guards protect now
    page = eidgate_login(client, "/account/", person="ftn-aino")
    assert page.status_code == 200
    assert page.content.decode().startswith("account of Aino")
    assert client.post("/eidgate/logout").status_code == 303
    assert client.get("/eidgate/nope").status_code == 404


class CountingStore(CookieSessions):
    """The cookie store, counting its reads."""

    loads = 0

    def load(self, value: str | None) -> Any:
        CountingStore.loads += 1
        return super().load(value)


def test_request_identity_is_lazy_and_none_for_a_visitor(
        eidgate_login: Callable[..., Any], client: Client, settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "sessions": CountingStore(
        [SECRET], 3600)}
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> Any:
        seen.append(request)
        return HttpResponse("ok")
    middleware = EidGateMiddleware(view)
    CountingStore.loads = 0
    middleware(RequestFactory().get("/", HTTP_COOKIE="eidgate_session=not-a-session"))
    assert CountingStore.loads == 0  # no view asked: the cookie was not read
    assert seen[0].identity is None  # type: ignore[attr-defined]
    assert seen[0].identity is None  # type: ignore[attr-defined]
    assert CountingStore.loads == 1  # read once, kept on the request
    eidgate_login(client, "/account/", person="ftn-vaino")
    value = client.cookies["eidgate_session"].value
    middleware(RequestFactory().get("/", HTTP_COOKIE=f"eidgate_session={value}"))
    assert seen[1].identity is not None  # type: ignore[attr-defined]
    assert get_identity(seen[1]) is seen[1].identity  # type: ignore[attr-defined]
    assert get_session_data(seen[1]) == {}  # no on_login hook: nothing kept
    with pytest.raises(AttributeError):
        seen[1].identity = None  # type: ignore[attr-defined,misc]


@pytest.mark.parametrize("person", PEOPLE, ids=[p.key for p in PEOPLE])
def test_every_test_person_logs_in(client: Client, eidgate_login: Callable[..., Any],
                                   person: TestPerson) -> None:
    page = eidgate_login(client, "/protected/me", person=person.key)
    assert page.status_code == 200
    name = normalize(dict(person.claims), person.eid).full_name
    assert name
    assert page.content.decode() == f"protected 'me' for {name}"


@pytest.mark.anyio
async def test_async_client_logs_in_steps_up_and_out(
        async_client: AsyncClient, eidgate_sandbox: RunningSandbox) -> None:
    async def login(path: str, person: str) -> Any:
        response = await async_client.get(path, headers=HTML)
        for _ in range(6):
            if response.status_code not in (302, 303):
                return response
            location = response["Location"]
            if location.startswith(eidgate_sandbox.issuer):
                async with httpx2.AsyncClient() as browser:
                    hub = await browser.get(httpx2.URL(location).copy_set_param(
                        "login_hint", person))
                location = httpx2.URL(hub.headers["location"]).raw_path.decode("ascii")
            response = await async_client.get(location, headers=HTML)
        raise AssertionError("too many redirects")

    assert (await async_client.get("/acbv/", headers=JSON)).status_code == 401
    page = await login("/acbv/", "mitid-abelone")
    assert page.content.decode() == "acbv Abelone"
    assert (await async_client.get("/async/")).content.decode() == "async Abelone"
    assert (await async_client.get("/high/", headers=HTML)).status_code == 303
    assert (await login("/high/", "mitid-sofie")).content.decode() == "high: high"
    assert (await async_client.post("/eidgate/logout")).status_code == 303
    assert (await async_client.get("/async/", headers=JSON)).status_code == 401
    # the routes ran on the ASGI path: the async driver of this event loop
    assert asyncio.get_running_loop() in gates()._loops


@pytest.mark.django_db
def test_logs_name_no_person_and_no_token(client: Client, eidgate_login: Callable[..., Any],
                                          caplog: pytest.LogCaptureFixture,
                                          settings: Any) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "users": True}
    caplog.set_level(logging.DEBUG)
    page = eidgate_login(client, "/account/", person="ftn-vaino")
    assert page.status_code == 200
    assert client.get("/").content.decode().startswith("public, Väinö Tunnistus, user eid-")
    value = client.cookies["eidgate_session"].value
    client.post("/eidgate/logout")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(
        ("eidgate", "django.request", "django.security")))
    assert "a new user for a login by provider sandbox" in text
    for secret in ("Väinö", "Tunnistus", "070770-905D", "code=", "state=", "eyJ", value):
        assert secret not in text, secret


def test_mounted_below_a_script_name(client: Client) -> None:
    # a project served at /app (SCRIPT_NAME): protect and the gate's routes are below it,
    # every URL the gate sends carries it
    mounted = {"SCRIPT_NAME": "/app", "headers": HTML}
    refused = client.get("/account/", **mounted)
    assert refused["Location"] == "/app/eidgate/login?next=%2Fapp%2Faccount%2F&provider=sandbox"
    guarded = client.get("/protected/x", **mounted)
    assert guarded["Location"].startswith("/app/eidgate/login?next=%2Fapp%2Fprotected%2Fx")
    login = client.get("/eidgate/login?provider=sandbox&next=/app/account/", **mounted)
    assert login.status_code == 303
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Feidgate%2Fcallback" in login[
        "Location"]  # base_url's, as eidgate.toml says (base_url includes any mount)

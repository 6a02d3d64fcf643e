"""Fresh logins for sensitive actions through the Django adapter: ``login_required(
max_age=...)`` and ``LoginRequiredMixin.max_age`` (OIDC Core 3.1.2.1: a login older than
that goes back to the provider with ``max_age`` and ``prompt=login``; RFC 9470 3: an API
call gets 401 naming ``max_age``). A login "ten minutes ago" is a real session whose
``auth_time`` is moved back through the app's own session store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.test import Client
from django.urls import path
from django.views import View

from eidgate.sandbox import RunningSandbox
from eidgate_adapters.django import LoginRequiredMixin
from eidgate_adapters.django._gates import gates

pytestmark = pytest.mark.usefixtures("eidgate_settings")
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def age_session(client: Client, seconds: int) -> None:
    """The client's session as if its login had been ``seconds`` earlier."""
    store = gates().gate.sessions
    found = store.load(client.cookies["eidgate_session"].value)
    assert found is not None
    identity, fields = found
    assert identity.auth_time is not None
    older = replace(identity, auth_time=identity.auth_time - timedelta(seconds=seconds))
    client.cookies["eidgate_session"] = store.save(older, **fields)


def test_a_stale_login_steps_up_and_returns(client: Client, eidgate_login: Callable[..., Any],
                                            eidgate_sandbox: RunningSandbox) -> None:
    page = eidgate_login(client, "/fresh/", person="ftn-vaino")
    assert page.content.decode() == "fresh: Väinö"
    age_session(client, 600)  # the login was ten minutes ago
    assert client.get("/account/").status_code == 200  # no max_age there
    moved = client.get("/fresh/", headers=HTML)
    assert moved.status_code == 303
    assert query(moved["Location"]) == {"next": "/fresh/", "max_age": "60",
                                        "provider": "sandbox"}
    authorize = client.get(moved["Location"])["Location"]
    sent = query(authorize)
    assert sent["max_age"] == "60" and sent["prompt"] == "login"
    callback = httpx2.URL(eidgate_login(authorize, person="ftn-vaino"))
    back = client.get(callback.raw_path.decode("ascii"))
    assert (back.status_code, back["Location"]) == (303, "/fresh/")
    assert client.get("/fresh/").content.decode() == "fresh: Väinö"


def test_api_call_with_a_stale_login_gets_401_naming_max_age(
        client: Client, eidgate_login: Callable[..., Any]) -> None:
    eidgate_login(client, "/fresh/", person="sbid-asa")
    age_session(client, 61 + gates().gate.config.clock_skew)
    response = client.get("/fresh/", headers=JSON)
    assert response.status_code == 401
    assert response.json()["error"] == "insufficient_authentication"
    assert response.json()["max_age"] == 60
    assert 'max_age="60"' in response["WWW-Authenticate"]


class Pay(LoginRequiredMixin, View):
    max_age = 300

    async def get(self, request: Any) -> Any:
        from django.http import HttpResponse

        return HttpResponse(f"pay {request.identity.first_name}")


urlpatterns = [path("pay/", Pay.as_view())]


def test_the_mixin_takes_max_age(settings: Any, client: Client,
                                 eidgate_login: Callable[..., Any]) -> None:
    settings.ROOT_URLCONF = __name__
    from django.urls import include

    urlpatterns.append(path("eidgate/", include("eidgate_adapters.django.urls")))
    try:
        assert eidgate_login(client, "/pay/", person="mitid-sofie").content == b"pay Sofie"
        age_session(client, 299)
        assert client.get("/pay/").content == b"pay Sofie"
        age_session(client, 302 + gates().gate.config.clock_skew)
        assert query(client.get("/pay/", headers=HTML)["Location"])["max_age"] == "300"
    finally:
        urlpatterns.pop()


def test_protect_takes_max_age_from_the_setting(settings: Any, client: Client,
                                                eidgate_login: Callable[..., Any]) -> None:
    settings.EIDGATE = {**settings.EIDGATE, "max_age": 120}
    assert eidgate_login(client, "/protected/x", person="ftn-aino").status_code == 200
    age_session(client, 121 + gates().gate.config.clock_skew)
    assert client.get("/").status_code == 200  # not protected
    refused = client.get("/protected/x", headers=JSON)
    assert refused.status_code == 401 and refused.json()["max_age"] == 120

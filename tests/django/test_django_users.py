"""The link to django.contrib.auth (EIDGATE["users"]): off by default; on, each verified
identity is one Django user by a stable key, so request.user, @permission_required and the
admin work, and an eidgate logout (also a back-channel one) logs the person out of Django."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django_harness import write_config
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)

from eidgate import LoginRefused
from eidgate.sandbox import RunningSandbox
from eidgate_adapters.django import get_identity, get_session_data
from eidgate_adapters.django.auth import USER_KEY, EidGateBackend, user_for, username

pytestmark = [pytest.mark.usefixtures("eidgate_settings"), pytest.mark.django_db]
HTML = {"Accept": "text/html"}


@pytest.fixture
def users(eidgate_settings: Any) -> Any:
    eidgate_settings.EIDGATE = {**eidgate_settings.EIDGATE, "users": True}
    return eidgate_settings


def user_of(client: Client) -> str:
    return client.get("/").content.decode().rpartition(", user ")[2]


def test_off_by_default_request_user_is_djangos(client: Client,
                                                eidgate_login: Callable[..., Any]) -> None:
    eidgate_login(client, "/account/", person="ftn-vaino")
    assert client.get("/").content.decode() == "public, Väinö Tunnistus, user -"
    assert not User.objects.exists()


@pytest.mark.usefixtures("users")
def test_one_user_per_issuer_and_subject(client: Client, eidgate_login: Callable[..., Any],
                                         eidgate_sandbox: RunningSandbox) -> None:
    eidgate_login(client, "/account/", person="ftn-vaino")
    name = user_of(client)
    assert name.startswith("eid-") and len(name) == 68
    user = User.objects.get()
    assert user.get_username() == name
    assert not user.has_usable_password()
    # the key is the issuer and the provider's subject, never the name
    request = client.get("/account/").wsgi_request
    identity = get_identity(request)
    assert identity is not None
    assert name == username(f"subject\n{eidgate_sandbox.issuer}\n{identity.subject}")
    assert "Väinö" not in name and "Tunnistus" not in name
    assert request.user.backend == "eidgate_adapters.django.auth.EidGateBackend"
    # the same person again: the same user; another person: another
    client.post("/eidgate/logout")
    assert user_of(client) == "-"
    eidgate_login(client, "/account/", person="ftn-vaino")
    assert user_of(client) == name
    client.post("/eidgate/logout")
    eidgate_login(client, "/account/", person="ftn-aino")
    assert user_of(client) not in ("-", name)
    assert User.objects.count() == 2


def test_national_id_key_and_no_creation(users: Any, client: Client,
                                         eidgate_login: Callable[..., Any]) -> None:
    users.EIDGATE = {**users.EIDGATE, "users": {"key": "national_id", "create": False}}
    eidgate_login(client, "/account/", person="ftn-vaino")
    assert user_of(client) == "-"  # no user made: the app provisions them
    assert not User.objects.exists()
    expected = username("national_id\nFI\nhetu\n070770-905D")
    User.objects.create(username=expected)
    assert user_of(client) == expected
    User.objects.filter(username=expected).update(is_active=False)
    assert user_of(client) == "-"  # a deactivated user is nobody


@pytest.mark.usefixtures("users")
def test_permission_required_and_the_admin(client: Client,
                                           eidgate_login: Callable[..., Any]) -> None:
    eidgate_login(client, "/account/", person="mitid-sofie")
    assert client.get("/perm/").status_code == 403
    user = User.objects.get()
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert client.get("/perm/").content.decode() == f"may view users: {user.username}"
    assert client.get("/admin/").status_code == 302  # not staff: the admin's login page
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    admin = client.get("/admin/auth/user/")
    assert admin.status_code == 200
    assert user.username in admin.content.decode()
    # logging out of eidgate logs out of Django
    client.post("/eidgate/logout")
    assert client.get("/perm/").status_code == 403
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("users")
def test_backend_authenticates_identities_only(eidgate_login: Callable[..., Any],
                                               client: Client) -> None:
    backend = EidGateBackend()
    assert backend.authenticate(None, username="x", password="y") is None
    eidgate_login(client, "/account/", person="sbid-maja")
    identity = get_identity(client.get("/").wsgi_request)
    assert identity is not None
    user = backend.authenticate(None, identity=identity)
    assert user is not None and user == user_for(identity, True)
    assert backend.get_user(user.pk) == user


@pytest.fixture
def redis_config(eidgate_sandbox: RunningSandbox, redis_server: RedisServer,  # noqa: F811
                 tmp_path: Path) -> Path:
    return write_config(eidgate_sandbox, tmp_path, extra=(
        f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
        f'key_prefix = "django-{secrets.token_hex(4)}:"\n'))


def test_a_back_channel_logout_ends_both(users: Any, redis_config: Path, client: Client,
                                         eidgate_login: Callable[..., Any],
                                         eidgate_sandbox: RunningSandbox) -> None:
    users.EIDGATE = {**users.EIDGATE, "config": redis_config}
    eidgate_login(client, "/account/", person="nbid-kari")
    name = user_of(client)
    assert name.startswith("eid-")
    assert client.get("/perm/").status_code == 403  # a user, without the permission
    identity = get_identity(client.get("/").wsgi_request)
    assert identity is not None
    # the provider's server ends the person's sessions (Back-Channel Logout 1.0 2.5)
    token = eidgate_sandbox.sandbox.logout_token(eidgate_sandbox.client.client_id,
                                                 sub=identity.subject)
    done = Client().post("/eidgate/backchannel-logout", urlencode({"logout_token": token}),
                         content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200, done.content
    assert user_of(client) == "-"
    assert client.get("/").content.decode() == "public, anonymous, user -"
    assert client.get("/account/", headers=HTML).status_code == 303


# -- the gate's hooks (on_login, on_logout) through EIDGATE ----------------------------------

def test_on_login_data_and_refusal_and_on_logout(eidgate_settings: Any, client: Client,
                                                 eidgate_login: Callable[..., Any]) -> None:
    seen: list[str] = []

    def on_login(result: Any) -> dict[str, Any] | None:
        if result.identity.first_name == "Aino":
            raise LoginRefused("No customer account for you here.")
        return {"customer": 42}

    def on_logout(identity: Any) -> None:
        seen.append(identity.provider)
    eidgate_settings.EIDGATE = {**eidgate_settings.EIDGATE, "on_login": on_login,
                                "on_logout": on_logout}
    eidgate_login(client, "/account/", person="ftn-vaino")
    request = client.get("/").wsgi_request
    assert get_session_data(request) == {"customer": 42}
    client.post("/eidgate/logout")
    assert seen == ["sandbox"]
    refused = eidgate_login(Client(), "/account/", person="ftn-aino")
    assert refused.status_code == 403
    assert "No customer account for you here." in refused.content.decode()


@pytest.mark.usefixtures("users")
def test_the_user_is_mapped_at_the_login_through_on_login(
        client: Client, eidgate_login: Callable[..., Any]) -> None:
    start = client.get("/eidgate/login?provider=sandbox&next=/")
    callback = httpx2.URL(eidgate_login(start["Location"], person="mitid-sofie"))
    assert not User.objects.exists()
    assert client.get(callback.raw_path.decode("ascii")).status_code == 303
    user = User.objects.get()  # made by the callback, before any view asked
    data = get_session_data(client.get("/account/").wsgi_request)
    assert data == {USER_KEY: str(user.pk)}
    assert user_of(client) == user.username
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert user_of(client) == "-"  # ModelBackend's rule: an inactive user is nobody
    user.delete()
    assert user_of(client) == "-"
    assert client.get("/account/").status_code == 200  # the eID login itself stays


@pytest.mark.django_db(transaction=True)  # an async hook maps in asgiref's own thread
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_apps_own_on_login_runs_first(users: Any, client: Client, kind: str,
                                          eidgate_login: Callable[..., Any]) -> None:
    def hook(result: Any) -> dict[str, Any]:
        return {"plan": "gold", USER_KEY: "not this"}

    async def ahook(result: Any) -> dict[str, Any]:
        return hook(result)
    users.EIDGATE = {**users.EIDGATE, "on_login": hook if kind == "sync" else ahook}
    eidgate_login(client, "/account/", person="sbid-maja")
    user = User.objects.get()
    data = get_session_data(client.get("/").wsgi_request)
    assert data == {"plan": "gold", USER_KEY: str(user.pk)}
    assert user_of(client) == user.username


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_the_user_link_through_the_asgi_handler(users: Any, async_client: Any,
                                                      eidgate_sandbox: RunningSandbox) -> None:
    from asgiref.sync import sync_to_async

    start = await async_client.get("/eidgate/login?provider=sandbox&next=/")
    async with httpx2.AsyncClient() as browser:
        hub = await browser.get(httpx2.URL(start["Location"]).copy_set_param(
            "login_hint", "ftn-vaino"))
    callback = httpx2.URL(hub.headers["location"]).raw_path.decode("ascii")
    assert (await async_client.get(callback)).status_code == 303  # on_login in a thread
    data = get_session_data((await async_client.get("/account/")).asgi_request)
    user = await sync_to_async(User.objects.get)(pk=data[USER_KEY])
    home = await async_client.get("/")
    assert home.content.decode() == f"public, Väinö Tunnistus, user {user.username}"

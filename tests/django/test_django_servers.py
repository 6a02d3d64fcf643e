"""The test project under real servers on 127.0.0.1, started and stopped by this module:
gunicorn (WSGI, the sync driver) and uvicorn (ASGI, the async driver and async views),
each on the Redis session store with the User link on, against the sandbox eID hub over
loopback. A browser is an httpx2 client with a cookie jar; the sandbox's back-channel
logout reaches each server from the sandbox's own process, as a broker's would."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from app_servers import stop, wait_until_serving
from django_harness import HERE, SECRET, write_config
from redis_server import RedisServer, free_port, redis_server  # noqa: F401 (the fixture)

from eidgate.sandbox import RunningSandbox, SandboxClient

KINDS = ("gunicorn", "uvicorn")
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


@dataclass
class Server:
    kind: str
    base: str
    client_id: str
    redis_url: str
    key_prefix: str


def command(kind: str, port: int) -> list[str]:
    if kind == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), "--host",
                "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "--no-access-log", "--lifespan", "off", "testsite.asgi:application"]
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
            "1", "--threads", "4", "--pythonpath", str(HERE), "--log-level", "warning",
            "testsite.wsgi:application"]




@pytest.fixture(scope="module")
def servers(eidgate_sandbox: RunningSandbox, redis_server: RedisServer,  # noqa: F811
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    directory = tmp_path_factory.mktemp("django-servers")
    database = directory / "db.sqlite3"
    env = {**os.environ, "TESTSITE_DB": str(database), "TESTSITE_USERS": "1",
           "DJANGO_SETTINGS_MODULE": "testsite.settings", "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    # the tables of django.contrib.auth, shared by both servers
    # (no system checks: each server's EIDGATE_CONFIG is written below)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0", "--skip-checks"],
                   env=env, check=True, timeout=120)
    processes: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    made: dict[str, Server] = {}
    try:
        for kind in KINDS:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            client_id, client_secret = f"django-{kind}", secrets.token_urlsafe(24)
            eidgate_sandbox.sandbox.register(SandboxClient(
                client_id, client_secret, (f"{base}/eidgate/callback",),
                post_logout_redirect_uris=(f"{base}/eidgate/logged-out",),
                backchannel_logout_uri=f"{base}/eidgate/backchannel-logout"))
            (directory / kind).mkdir()
            key_prefix = f"django-{kind}-{secrets.token_hex(4)}:"
            config = write_config(eidgate_sandbox, directory / kind, base_url=base,
                                  client=client_id, client_secret=client_secret, extra=(
                    f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
                    f'key_prefix = "{key_prefix}"\n'))
            made[kind] = Server(kind, base, client_id, redis_server.url, key_prefix)
            log = directory / f"{kind}.log"
            with log.open("wb") as out:
                processes.append((subprocess.Popen(
                    command(kind, port), cwd=directory, env={**env, "EIDGATE_CONFIG": str(
                        config)}, stdout=out, stderr=subprocess.STDOUT), base, log))
        for process, base, log in processes:
            wait_until_serving(process, base, log)
        yield made
    finally:
        for process, _, _ in processes:
            stop(process)
        for server in made.values():
            eidgate_sandbox.sandbox.clients.pop(server.client_id, None)


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    return servers[request.param]


def log_in(browser: httpx2.Client, server: Server, path: str, person: str,
           login: Callable[..., Any]) -> httpx2.Response:
    """Open ``path`` as a browser would, log ``person`` in at the sandbox, come back."""
    response = browser.get(server.base + path, headers=HTML)
    for _ in range(6):
        if response.status_code not in (301, 302, 303):
            return response
        location = str(response.url.join(response.headers["location"]))
        if not location.startswith(server.base):
            location = str(login(location, person=person))
        response = browser.get(location, headers=HTML)
    raise AssertionError("too many redirects")


def test_login_logout_and_the_user(server: Server, eidgate_login: Callable[..., Any]) -> None:
    with httpx2.Client() as browser:
        assert browser.get(server.base + "/account/", headers=JSON).status_code == 401
        page = log_in(browser, server, "/account/", "ftn-vaino", eidgate_login)
        assert page.text == "account of Väinö Tunnistus via ftn"
        home = browser.get(server.base + "/").text
        assert home.startswith("public, Väinö Tunnistus, user eid-")
        assert browser.get(server.base + "/async/").text == "async Väinö"
        assert browser.get(server.base + "/acbv/").text == "acbv Väinö"
        assert browser.get(server.base + "/cbv/").text == "cbv Väinö"
        assert browser.get(server.base + "/perm/").status_code == 403
        # CSRF stays on for the app; the gate's logout refuses a cross-site POST
        assert browser.post(server.base + "/form/").status_code == 403
        refused = browser.post(server.base + "/eidgate/logout",
                               headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert browser.get(server.base + "/account/").status_code == 200
        out = browser.post(server.base + "/eidgate/logout",
                           headers={"Origin": server.base})
        assert out.status_code == 303
        assert browser.get(server.base + "/").text == "public, anonymous, user -"
        assert browser.get(server.base + "/account/", headers=JSON).status_code == 401


def test_step_up_and_protect_with_append_slash(server: Server,
                                               eidgate_login: Callable[..., Any]) -> None:
    with httpx2.Client() as browser:
        moved = browser.get(server.base + "/protected", headers=HTML)
        assert (moved.status_code, moved.headers["location"]) == (301, "/protected/")
        guarded = browser.get(server.base + "/protected/", headers=HTML)
        assert guarded.status_code == 303
        page = log_in(browser, server, "/protected/x", "mitid-abelone", eidgate_login)
        assert page.text == "protected 'x' for Abelone Christensen"
        high = browser.get(server.base + "/high/", headers=HTML)
        assert high.status_code == 303 and "loa=high" in high.headers["location"]
        page = log_in(browser, server, "/high/", "mitid-sofie", eidgate_login)
        assert page.text == "high: high"


def test_back_channel_logout_from_the_sandbox(server: Server,
                                              eidgate_login: Callable[..., Any],
                                              eidgate_sandbox: RunningSandbox) -> None:
    with httpx2.Client() as browser:
        log_in(browser, server, "/account/", "nbid-kari", eidgate_login)
        assert "user eid-" in browser.get(server.base + "/").text
        # the person logs out at the provider: it ends its sessions with this app (those
        # of earlier tests too), sending a logout token for each (section 2.5)
        sids = [sid for sid, (_, clients) in eidgate_sandbox.sandbox._sessions.items()
                if server.client_id in clients]
        assert sids
        for sid in sids:
            assert eidgate_sandbox.sandbox.end_session(sid=sid) == {server.client_id: 200}
        assert browser.get(server.base + "/").text == "public, anonymous, user -"
        assert browser.get(server.base + "/account/", headers=JSON).status_code == 401


def test_max_age_steps_up_a_stale_login(server: Server, eidgate_login: Callable[..., Any]
                                        ) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from eidgate.web import RedisSessions
    from eidgate.web._redis import connect

    with httpx2.Client() as browser:
        page = log_in(browser, server, "/fresh/", "sbid-asa", eidgate_login)
        assert page.text == "fresh: Åsa"
        # the login as if ten minutes ago: the session re-saved by the app's own store
        store = RedisSessions(connect(server.redis_url), (SECRET,), 3600,
                              key_prefix=server.key_prefix, cache=False)
        try:
            found = store.load(browser.cookies["eidgate_session"])
            assert found is not None
            identity, fields = found
            assert identity.auth_time is not None
            value = store.save(replace(identity, auth_time=identity.auth_time - timedelta(
                seconds=600)), **fields)
        finally:
            store.close()
            store.redis.close()
        browser.cookies.set("eidgate_session", value, domain="127.0.0.1")  # replaces it
        assert browser.get(server.base + "/account/").status_code == 200
        stale = browser.get(server.base + "/fresh/", headers=JSON)
        assert stale.status_code == 401 and stale.json()["max_age"] == 60
        moved = browser.get(server.base + "/fresh/", headers=HTML)
        assert moved.status_code == 303 and "max_age=60" in moved.headers["location"]
        assert log_in(browser, server, "/fresh/", "sbid-asa", eidgate_login).text == \
            "fresh: Åsa"

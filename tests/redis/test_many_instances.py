"""Many instances, one Redis (issue 11): two uvicorn processes serving a Starlette app with
``EidGateMiddleware`` and two gunicorn processes serving a Flask app, each pair on one
``[eidgate.session] store = "redis"``, real servers on 127.0.0.1 started by this module.

The two instances of a kind share one ``base_url`` (instance A's): the browser, an httpx2
client with a cookie jar, begins a login at A and comes back to B by rewriting the port, as
a load balancer would send it. Proved for each kind: a login begun on one finishes on the
other and both serve it; logout on one ends the session on the other; a back-channel logout
the sandbox sends to A ends it on both; a revocation through ``RedisSessions.end`` from
this process (an app's admin) is seen by both. Every ending must reach every instance
within a second (each instance serves the session from its memory cache before).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from app_servers import stop, wait_until_serving
from redis_helpers import SECRET
from redis_server import RedisServer, free_port

from eidgate.sandbox import RunningSandbox, SandboxClient
from eidgate.web import RedisSessions
from eidgate.web._redis import connect

JSON = {"Accept": "application/json"}
PROPAGATION = 1.0  # seconds: every instance refuses an ended session within this

STARLETTE_APP = '''
import os
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from eidgate_adapters.asgi import EidGateMiddleware, get_identity

async def account(request):
    identity = get_identity(request)
    return PlainTextResponse(f"{os.environ['INSTANCE']} {identity.subject}")

async def home(request):
    return PlainTextResponse("public")

app = EidGateMiddleware(Starlette(routes=[Route("/", home), Route("/account", account)]),
                        config=os.environ["EIDGATE_CONFIG"], protect=["/account"])
'''

FLASK_APP = '''
import os
from flask import Flask
from eidgate_adapters.flask import EidGate, current_identity, login_required

app = Flask(__name__)
EidGate(app, config=os.environ["EIDGATE_CONFIG"])

@app.get("/")
def home():
    return "public"

@app.get("/account")
@login_required
def account():
    return f"{os.environ['INSTANCE']} {current_identity.subject}"
'''


@dataclass
class Pair:
    """Two instances of one app on one Redis: ``bases`` A and B, one ``base_url`` (A's)."""

    kind: str
    bases: tuple[str, str]
    client_id: str
    prefix: str
    issuer: str
    redis_url: str

    def store(self) -> RedisSessions:
        """The store as an app's admin script builds it (no cache: it only ends)."""
        return RedisSessions(connect(self.redis_url), (SECRET,), 3600,
                             key_prefix=self.prefix, cache=False)


def command(kind: str, port: int, directory: Path) -> list[str]:
    if kind == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "--app-dir", str(directory), "--host",
                "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "--no-access-log", "many_starlette:app"]
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
            "1", "--pythonpath", str(directory), "--log-level", "warning", "many_flask:app"]




@pytest.fixture(scope="module")
def pairs(eidgate_sandbox: RunningSandbox, redis_server: RedisServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Pair]]:
    """Both kinds' instances, started at once, stopped (also on failure) after the module."""
    directory = tmp_path_factory.mktemp("many")
    (directory / "many_starlette.py").write_text(STARLETTE_APP, encoding="utf-8")
    (directory / "many_flask.py").write_text(FLASK_APP, encoding="utf-8")
    processes: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    made: dict[str, Pair] = {}
    try:
        for kind in ("uvicorn", "gunicorn"):
            ports = free_port(), free_port()
            bases = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
            client_id, client_secret = f"many-{kind}", secrets.token_urlsafe(24)
            # the callback and logout URLs are A's: B is reached by the same base_url
            eidgate_sandbox.sandbox.register(SandboxClient(
                client_id, client_secret, (f"{bases[0]}/eidgate/callback",),
                post_logout_redirect_uris=(f"{bases[0]}/eidgate/logged-out",),
                backchannel_logout_uri=f"{bases[0]}/eidgate/backchannel-logout"))
            prefix = f"many-{kind}-{secrets.token_hex(4)}:"
            config = directory / f"{kind}.toml"
            config.write_text(
                f'[eidgate]\nbase_url = "{bases[0]}"\nsecret_key = "{SECRET}"\n\n'
                f'[providers.sandbox]\nissuer = "{eidgate_sandbox.issuer}"\n'
                f'client_id = "{client_id}"\nclient_secret = "{client_secret}"\n\n'
                f'[eidgate.session]\nstore = "redis"\nurl = "{redis_server.url}"\n'
                f'key_prefix = "{prefix}"\n', encoding="utf-8")
            made[kind] = Pair(kind, bases, client_id, prefix, eidgate_sandbox.issuer,
                              redis_server.url)
            for name, port in zip("AB", ports, strict=True):
                log = directory / f"{kind}-{name}.log"
                env = {**os.environ, "EIDGATE_CONFIG": str(config), "INSTANCE": name,
                       "PYTHONUNBUFFERED": "1"}
                with log.open("wb") as out:
                    processes.append((subprocess.Popen(
                        command(kind, port, directory), cwd=directory, env=env, stdout=out,
                        stderr=subprocess.STDOUT, start_new_session=True),
                        f"http://127.0.0.1:{port}", log))
        for process, base, log in processes:
            wait_until_serving(process, base, log)
        yield made
    finally:
        for process, _, _ in processes:
            stop(process)
        for pair in made.values():
            eidgate_sandbox.sandbox.clients.pop(pair.client_id, None)


KINDS = ["uvicorn", "gunicorn"]


def on(base: str, url: str) -> str:
    """``url`` (under the shared base_url) sent to the instance at ``base``."""
    return base + url.split("/", 3)[3].join(("/", ""))


def log_in(pair: Pair, browser: httpx2.Client, login: Callable[..., Any],
           person: str = "ftn-vaino") -> str:
    """Begin at A, come back to B; the session cookie's value."""
    a, b = pair.bases
    begun = browser.get(f"{a}/eidgate/login?provider=sandbox&next=/account")
    assert begun.status_code == 303, begun.text
    callback = str(login(begun.headers["location"], person=person))
    assert callback.startswith(f"{a}/eidgate/callback?")
    done = browser.get(on(b, callback))  # finished by the other instance
    assert done.status_code == 303 and done.headers["location"] == "/account", done.text
    value = browser.cookies.get("eidgate_session")
    assert value
    return str(value)


def served(base: str, value: str, client: httpx2.Client | None = None) -> httpx2.Response:
    """GET /account at ``base`` with the session cookie ``value`` (an API call: 401, not
    a redirect, once the session is over)."""
    headers = {**JSON, "Cookie": f"eidgate_session={value}"}
    if client is not None:
        return client.get(f"{base}/account", headers=headers)
    return httpx2.get(f"{base}/account", headers=headers, timeout=5)


def both_serve(pair: Pair, value: str) -> str:
    """Each instance serves the session (and now keeps it in its memory cache): the
    subject."""
    subjects = set()
    for name, base in zip("AB", pair.bases, strict=True):
        page = served(base, value)
        assert page.status_code == 200, page.text
        instance, subject = page.text.split(" ", 1)
        assert instance == name
        subjects.add(subject)
    assert len(subjects) == 1
    return subjects.pop()


def ended_everywhere(pair: Pair, value: str, since: float) -> float:
    """Poll both instances until each refuses the session; the seconds it took."""
    waiting = list(pair.bases)
    with httpx2.Client(timeout=5) as poll:  # kept-alive connections: the poll is cheap
        while waiting:
            waiting = [base for base in waiting if served(base, value, poll).status_code != 401]
            took = time.monotonic() - since
            assert took < PROPAGATION or not waiting, f"{waiting} serve it after {took:.2f}s"
            if waiting:
                time.sleep(0.005)
    print(f"\n{pair.kind}: ended on both instances in {took * 1000:.0f} ms")
    return took


@pytest.mark.parametrize("kind", KINDS)
def test_a_login_begun_on_one_instance_finishes_on_the_other(
        kind: str, pairs: dict[str, Pair], eidgate_login: Callable[..., Any]) -> None:
    pair = pairs[kind]
    with httpx2.Client(follow_redirects=False, timeout=10) as browser:
        value = log_in(pair, browser, eidgate_login)
        both_serve(pair, value)
        # and the other way round: begun at B (its redirect_uri is A's: the shared base_url)
        b, a = pair.bases[1], pair.bases[0]
        begun = browser.get(f"{b}/eidgate/login?provider=sandbox&next=/account")
        callback = str(eidgate_login(begun.headers["location"], person="ftn-vaino"))
        assert browser.get(on(a, callback)).status_code == 303
        assert browser.cookies.get("eidgate_session") != value  # a new session per login
        both_serve(pair, str(browser.cookies.get("eidgate_session")))
        # the state is spent everywhere: the same callback at B again is refused
        assert browser.get(on(b, callback)).status_code == 400


@pytest.mark.parametrize("kind", KINDS)
def test_logout_on_one_instance_ends_the_session_on_the_other(
        kind: str, pairs: dict[str, Pair], eidgate_login: Callable[..., Any]) -> None:
    pair = pairs[kind]
    with httpx2.Client(follow_redirects=False, timeout=10) as browser:
        value = log_in(pair, browser, eidgate_login)
        both_serve(pair, value)
        started = time.monotonic()
        out = browser.post(f"{pair.bases[0]}/eidgate/logout")
        assert out.status_code == 303
        assert browser.cookies.get("eidgate_session") is None
    ended_everywhere(pair, value, started)  # a copy of the cookie is refused by B too


@pytest.mark.parametrize("kind", KINDS)
def test_a_backchannel_logout_from_the_sandbox_ends_it_everywhere(
        kind: str, pairs: dict[str, Pair], eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any]) -> None:
    pair = pairs[kind]
    with httpx2.Client(follow_redirects=False, timeout=10) as browser:
        value = log_in(pair, browser, eidgate_login)
        subject = both_serve(pair, value)
        started = time.monotonic()
        # the person logs out at the provider: it POSTs a logout token to A
        answers = eidgate_sandbox.sandbox.end_session(sub=subject)
        assert answers[pair.client_id] == 200
        ended_everywhere(pair, value, started)
        # the browser still holds its cookie: it is logged out all the same
        page = browser.get(f"{pair.bases[1]}/account", headers=JSON)
        assert page.status_code == 401


@pytest.mark.parametrize("kind", KINDS)
def test_a_revocation_through_the_store_is_seen_by_all_within_a_second(
        kind: str, pairs: dict[str, Pair], eidgate_login: Callable[..., Any]) -> None:
    pair = pairs[kind]
    with httpx2.Client(follow_redirects=False, timeout=10) as one, \
            httpx2.Client(follow_redirects=False, timeout=10) as other:
        first = log_in(pair, one, eidgate_login)
        second = log_in(pair, other, eidgate_login)  # the same person, another browser
        subject = both_serve(pair, first)
        assert both_serve(pair, second) == subject
    admin = pair.store()
    try:
        started = time.monotonic()
        assert admin.end(pair.issuer, sub=subject) == 2  # "log me out everywhere"
        ended_everywhere(pair, first, started)
        ended_everywhere(pair, second, started)
    finally:
        admin.redis.close()

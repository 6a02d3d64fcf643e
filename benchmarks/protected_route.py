"""Requests per second of a protected route, Flask and Starlette, against the same route bare.

Flask budget (issue): a route behind eidgate's ``@login_required`` (logged in, the session
cookie sent) costs at most 1.15x the same route unprotected, and less than the usual
alternative: Flask's own signed session holding the user (what people write with Authlib)
checked by a hand-written decorator.

    (a) unprotected     GET /open in the eidgate app, the eidgate session cookie sent
    (b) eidgate         GET /protected, ``@login_required``, a real logged-in cookie
    (c) flask session   GET /user in an app with ``secret_key``, ``session["user"]`` checked
                        by a decorator, a real signed Flask session cookie

Starlette budget (issue 9): eidgate's ASGI middleware at most 1.25x the bare route.

    (a) bare            GET /account in a Starlette app with no middleware of its own
    (b) eidgate         the same app under ``EidGateMiddleware``, ``protect=["/account*"]``
    (c) + login_required  GET /decorated (not under ``protect``), ``@login_required``
        + requires()    GET /members, Starlette's ``requires("authenticated")`` reading the
                        ``scope["auth"]`` eidgate's middleware writes
    (d) Starlette's own ``SessionMiddleware`` + ``AuthenticationMiddleware`` (a backend
                        reading ``request.session["user"]``) + ``requires("authenticated")``,
                        a real signed Starlette session cookie
    reference           a do-nothing pure-ASGI middleware that only scans the headers for
                        the cookie and writes four scope keys: the floor for any middleware

Redis store (issue 11): the (b) rows again with ``[eidgate.session] store = "redis"`` on a
redis-server started on 127.0.0.1 for the run (no persistence), the cookie from a real
login through that store; goal: at most 1.1x the same route with the cookie store (reads
are served from each process's memory, invalidated through Redis pub/sub).

The eidgate cookie comes from a real login: the Flask app's test client and the sandbox eID
hub (on 127.0.0.1, port 0), as the pytest plugin does it; the Starlette apps read the same
config file (same secret), and the first checked request of (b) proves the middleware takes
that cookie as logged in. The Starlette session cookie is the one its ``SessionMiddleware``
sets on a real request. Each request is a direct call with a prepared request carrying a
browser's headers, so no client or server overhead is measured: WSGI
(``app.wsgi_app(environ, start_response)``), ASGI (``await app(scope, receive, send)`` on
one event loop, a uvicorn-shaped scope with new header objects each time, as a server parses
them). Time is the process's CPU time. All cases are interleaved, and the best of
``--rounds`` rounds is kept for each; every ratio is to a baseline measured in the same
run. Every view returns the same small body. On a busy machine, prefer more, shorter
rounds (``--rounds 20 --requests 3000``) and run it more than once.

    .venv/bin/python benchmarks/protected_route.py [--requests 10000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx2
from flask import Flask, redirect, session
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
    requires,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from werkzeug.test import EnvironBuilder

from eidgate import load_config
from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi
from eidgate_adapters.flask import EidGate, current_identity, login_required

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from redis_server import RedisServer  # the tests' redis-server on a free port

# the process's CPU time, not the wall clock: on a shared machine the other processes'
# turns on the CPU are not this request's cost (all of it runs in this one thread)
clock = time.process_time
BODY = "<!doctype html><title>account</title><p>Your account page.</p>"
# what Chromium sends on a page navigation (besides the cookie)
HEADERS = {
    "Host": "127.0.0.1:8000",
    "Connection": "keep-alive",
    "sec-ch-ua": '"Chromium";v="156", "Not-A.Brand";v="24"',
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"Linux"',
    "Upgrade-Insecure-Requests": "1",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/156.0.0.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
              "image/webp,image/apng,*/*;q=0.8",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-User": "?1",
    "Sec-Fetch-Dest": "document",
    "Referer": "http://127.0.0.1:8000/",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-GB,en;q=0.9,fi;q=0.8",
}


def config_file(sandbox: RunningSandbox, folder: Path, redis_url: str | None = None) -> Path:
    """The config; with ``redis_url``, sessions in that Redis (``[eidgate.session]``)."""
    config = folder / ("eidgate-redis.toml" if redis_url else "eidgate.toml")
    session = (f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis_url}"\n'
               'key_prefix = "bench:"\n' if redis_url else "")
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "benchmark-secret-0123456789abcdef"\n\n'
                      + sandbox.toml() + session, encoding="utf-8")
    return config


def eidgate_app(config: Path) -> Flask:
    app = Flask("eidgate_bench")
    EidGate(app, config=str(config))

    @app.get("/open")
    def open_page() -> str:
        return BODY

    @app.get("/protected")
    @login_required
    def protected_page() -> str:
        return BODY

    return app


def flask_session_app() -> Flask:
    app = Flask("flask_session_bench")
    app.secret_key = "benchmark-secret-0123456789abcdef"

    def user_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if "user" not in session:
                return redirect("/login")
            return view(*args, **kwargs)
        return wrapper

    @app.get("/open")
    def open_page() -> str:
        return BODY

    @app.get("/user")
    @user_required
    def user_page() -> str:
        return BODY

    @app.get("/login-as")
    def login_as() -> str:  # stands in for Authlib's callback: session["user"] = userinfo
        session["user"] = dict(USER)
        return "ok"

    return app


USER: dict[str, Any] = {}


def real_login(app: Flask, sandbox: RunningSandbox) -> str:
    """Log Väinö in through the sandbox; the eidgate session cookie's value."""
    with app.test_client() as client, httpx2.Client(follow_redirects=False) as browser:
        response = client.get("/eidgate/login?provider=sandbox&next=/protected")
        for _ in range(5):
            location = response.headers["location"]
            if location.startswith(sandbox.issuer):
                url = httpx2.URL(location).copy_set_param("login_hint", "ftn-vaino")
                location = browser.get(url).headers["location"]
            response = client.get(httpx2.URL(location).raw_path.decode("ascii"))
            if response.status_code == 200:
                break
        assert response.get_data(as_text=True) == BODY, response.status_code
        cookie = client.get_cookie("eidgate_session")
        assert cookie is not None
        with app.test_request_context("/", headers={"Cookie": f"eidgate_session={cookie.value}"}):
            assert current_identity
            USER.update(current_identity.to_session_dict())
        return cookie.value


def flask_login(app: Flask) -> str:
    with app.test_client() as client:
        assert client.get("/login-as").status_code == 200
        cookie = client.get_cookie("session")
        assert cookie is not None
        return cookie.value


def environ(path: str, cookie: str) -> dict[str, Any]:
    return EnvironBuilder(path=path, headers=[*HEADERS.items(), ("Cookie", cookie)]
                          ).get_environ()


def caller(app: Flask, env: dict[str, Any]) -> Callable[[int], float]:
    """A loop of ``n`` WSGI calls; returns seconds taken. Checks the response once first."""
    wsgi = app.wsgi_app
    status: list[str] = []

    def start_response(s: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
        status.append(s)

    body = b"".join(wsgi(dict(env), start_response))
    if not status[0].startswith("200") or body != BODY.encode():
        raise SystemExit(f"unexpected answer: {status[0]} {body[:200]!r}")

    def run(n: int) -> float:
        elapsed = 0.0
        for _ in range(0, n, BATCH):
            environs = [server_environ(env) for _ in range(BATCH)]
            t = clock()
            for each in environs:
                result: Iterable[bytes] = wsgi(each, start_response)
                for _chunk in result:
                    pass
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            elapsed += clock() - t
        status.clear()
        return elapsed
    return run


# -- Starlette ----------------------------------------------------------------------------

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Any]


async def account(request: Request) -> HTMLResponse:
    return HTMLResponse(BODY)


def starlette_bare() -> Starlette:
    return Starlette(routes=[Route("/account", account)])


def starlette_eidgate(config: Path) -> Starlette:
    """The bare app's route under ``protect``, plus the same view decorated (not protected)."""
    decorated = asgi.login_required(account)
    members = requires("authenticated")(account)
    return Starlette(routes=[Route("/account", account), Route("/decorated", decorated),
                             Route("/members", members)],
                     middleware=[Middleware(asgi.EidGateMiddleware, config=load_config(config),
                                            protect=["/account*"])])


class SessionUserBackend(AuthenticationBackend):
    """What a Starlette app with Authlib writes: the userinfo in the signed session."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials,
                                                                BaseUser] | None:
        user = conn.session.get("user")
        if user is None:
            return None
        return AuthCredentials(["authenticated"]), SimpleUser(user.get("full_name") or "")


def starlette_session() -> Starlette:
    async def login_as(request: Request) -> PlainTextResponse:  # stands in for the callback
        request.session["user"] = dict(USER)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/account", requires("authenticated")(account)),
                             Route("/login-as", login_as)],
                     middleware=[Middleware(SessionMiddleware,
                                            secret_key="benchmark-secret-0123456789abcdef"),
                                 Middleware(AuthenticationMiddleware,
                                            backend=SessionUserBackend())])


class Reference:
    """The floor: a pure-ASGI middleware that finds the cookie and writes four scope keys."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            cookie = None
            for name, value in scope["headers"]:
                if name == b"cookie":
                    cookie = value
            scope["eidgate.identity"] = cookie
            scope["eidgate.gate"] = self
            scope["user"] = None
            scope["auth"] = None
        await self.app(scope, receive, send)


def asgi_scope(path: str, cookie: str) -> Scope:
    """The scope uvicorn passes for a browser's GET (header names lower-case bytes)."""
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
               for k, v in {**HEADERS, "Cookie": cookie}.items()]
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000), "scheme": "http", "method": "GET",
            "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": headers}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _ignore(message: dict[str, Any]) -> None:
    pass


def asgi_caller(loop: asyncio.AbstractEventLoop, app: ASGIApp, scope: Scope
                ) -> Callable[[int], float]:
    """A loop of ``n`` ASGI calls on ``loop``; returns seconds. Checks the answer first."""
    sent: list[dict[str, Any]] = []

    async def keep(message: dict[str, Any]) -> None:
        sent.append(message)

    loop.run_until_complete(app(dict(scope), _receive, keep))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    if sent[0].get("status") != 200 or body != BODY.encode():
        raise SystemExit(f"unexpected answer: {sent[0].get('status')} {body[:200]!r}")

    async def calls(n: int) -> float:
        elapsed = 0.0
        for _ in range(0, n, BATCH):
            scopes = [server_made(scope) for _ in range(BATCH)]
            t = clock()
            for each in scopes:
                await app(each, _receive, _ignore)
            elapsed += clock() - t
        return elapsed

    def run(n: int) -> float:
        return loop.run_until_complete(calls(n))
    return run


# requests are made fresh (untimed) in batches this small, so that they are still in the
# CPU's caches when served, as a request the server has just parsed is
BATCH = 20


def server_made(scope: Scope) -> Scope:
    """``scope`` as a server builds it for each request: new path and header objects.

    A copy sharing them would let a middleware's caches skip hashing the Cookie header (a
    str or bytes caches its hash) where a server's fresh bytes would not.
    """
    fresh = scope.copy()
    fresh["path"] = "".join(scope["path"])
    fresh["headers"] = [(bytes(bytearray(k)), bytes(bytearray(v))) for k, v in scope["headers"]]
    return fresh


def starlette_login(loop: asyncio.AbstractEventLoop, app: ASGIApp) -> str:
    """The signed session cookie Starlette's ``SessionMiddleware`` sets for /login-as."""
    sent: list[dict[str, Any]] = []

    async def keep(message: dict[str, Any]) -> None:
        sent.append(message)
    loop.run_until_complete(app(asgi_scope("/login-as", ""), _receive, keep))
    for name, value in sent[0]["headers"]:
        if name == b"set-cookie" and value.startswith(b"session="):
            return str(value.decode("latin-1").split(";")[0])
    raise SystemExit("Starlette set no session cookie")


def report(title: str, best: dict[str, float]) -> None:
    """One line per case, with its ratio to the first (the baseline of the same run)."""
    print(title)
    base = next(iter(best.values()))
    for name, per in best.items():
        print(f"  {name:<41} {1 / per:>9,.0f} req/s  {per * 1e6:6.1f} us/request  "
              f"{per / base:5.2f}x")


def server_environ(env: dict[str, Any]) -> dict[str, Any]:
    """``env`` as a server builds it for each request: new strings (see :func:`server_made`)."""
    fresh = env.copy()
    for key in ("PATH_INFO", "HTTP_COOKIE"):
        if key in fresh:
            fresh[key] = "".join(fresh[key])
    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10000, help="per round and case")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", nargs="?", const="all",
                        choices=["all", "flask", "starlette"],
                        help="cProfile the eidgate cases afterwards (Flask (b), Starlette (b) "
                             "and (c)) and print the top entries")
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    stack = contextlib.ExitStack()
    redis = stack.enter_context(RedisServer(Path(stack.enter_context(
        tempfile.TemporaryDirectory())) / "redis"))
    with RunningSandbox(0, redirect_uris=("http://127.0.0.1:8000/eidgate/callback",)) as hub, \
            tempfile.TemporaryDirectory() as tmp:
        config = config_file(hub, Path(tmp))
        app = eidgate_app(config)
        value = real_login(app, hub)
        guarded = starlette_eidgate(config)  # reads the config now: the file goes
        redis_config = config_file(hub, Path(tmp), redis.url)
        redis_app = eidgate_app(redis_config)
        redis_value = real_login(redis_app, hub)
        redis_guarded = starlette_eidgate(redis_config)  # another instance, the same Redis
    other = flask_session_app()
    flask_cookie = flask_login(other)
    own = starlette_session()
    own_cookie = starlette_login(loop, own)
    flask_cases = {
        "(a) unprotected": caller(app, environ("/open", f"eidgate_session={value}")),
        "(b) eidgate @login_required": caller(app, environ("/protected",
                                                           f"eidgate_session={value}")),
        "(c) Flask session + decorator": caller(other, environ("/user",
                                                               f"session={flask_cookie}")),
        "    (unprotected, Flask-session app)": caller(other, environ("/open",
                                                                      f"session={flask_cookie}")),
        "(b) eidgate @login_required, Redis store": caller(
            redis_app, environ("/protected", f"eidgate_session={redis_value}")),
    }
    cookie = f"eidgate_session={value}"
    asgi_cases = {
        "(a) bare route": asgi_caller(loop, starlette_bare(), asgi_scope("/account", cookie)),
        "(b) eidgate middleware, protect=": asgi_caller(loop, guarded,
                                                        asgi_scope("/account", cookie)),
        "(c) eidgate middleware + login_required": asgi_caller(
            loop, guarded, asgi_scope("/decorated", cookie)),
        "    eidgate middleware + requires()": asgi_caller(loop, guarded,
                                                           asgi_scope("/members", cookie)),
        "(d) Starlette session + auth + requires": asgi_caller(
            loop, own, asgi_scope("/account", f"{cookie}; {own_cookie}")),
        "    reference: do-nothing middleware": asgi_caller(
            loop, Reference(starlette_bare()), asgi_scope("/account", cookie)),
        "(b) eidgate middleware, Redis store": asgi_caller(
            loop, redis_guarded, asgi_scope("/account", f"eidgate_session={redis_value}")),
    }
    cases = {**{("flask", k): v for k, v in flask_cases.items()},
             **{("starlette", k): v for k, v in asgi_cases.items()}}
    for run in cases.values():
        run(args.requests // 10)  # warm up
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):  # interleaved: a burst of load hits every case alike
        for key, run in cases.items():
            best[key] = min(best[key], run(args.requests) / args.requests)
    flask = {k: v for (kind, k), v in best.items() if kind == "flask"}
    report(f"Flask route, direct WSGI calls, best of {args.rounds} x {args.requests} requests:",
           flask)
    a, b, c = list(flask.values())[:3]
    print(f"  b/a = {b / a:.3f}  (budget <= 1.15)   c/a = {c / a:.3f}   "
          f"eidgate's overhead {(b - a) * 1e6:.1f} us, Flask session's {(c - a) * 1e6:.1f} us")
    verdict = "met" if b <= 1.15 * a and b < c else "MISSED"
    print(f"  budget {verdict}: eidgate <= 1.15x unprotected and cheaper than Flask's session")
    star = {k: v for (kind, k), v in best.items() if kind == "starlette"}
    print()
    report(f"Starlette route, direct ASGI calls, best of {args.rounds} x {args.requests} "
           f"requests:", star)
    bare = star["(a) bare route"]
    b = star["(b) eidgate middleware, protect="]
    c = star["(c) eidgate middleware + login_required"]
    print(f"  b/a = {b / bare:.3f}  (budget <= 1.25)   c/a = {c / bare:.3f}   eidgate's "
          f"overhead {(b - bare) * 1e6:.1f} us (b), {(c - bare) * 1e6:.1f} us (c)")
    print(f"  budget {'met' if b <= 1.25 * bare else 'MISSED'}: eidgate's middleware <= 1.25x "
          f"the bare Starlette route")
    flask_redis = flask["(b) eidgate @login_required, Redis store"]
    star_redis = star["(b) eidgate middleware, Redis store"]
    flask_ratio = flask_redis / flask["(b) eidgate @login_required"]
    star_ratio = star_redis / b
    print(f"\nRedis store / cookie store, the same (b) route: Flask {flask_ratio:.3f}, "
          f"Starlette {star_ratio:.3f}  (goal <= 1.10: "
          f"{'met' if max(flask_ratio, star_ratio) <= 1.10 else 'MISSED'})")
    stack.close()
    if args.profile in ("all", "flask"):
        profile_case("Flask (b)", cases[("flask", "(b) eidgate @login_required")],
                     args.requests)
    if args.profile in ("all", "starlette"):
        for name in ("(b) eidgate middleware, protect=",
                     "(c) eidgate middleware + login_required"):
            profile_case(f"Starlette {name}", cases[("starlette", name)], args.requests)


def profile_case(title: str, run: Callable[[int], float], requests: int) -> None:
    print(f"\n-- profile: {title}, {requests} requests")
    profile = cProfile.Profile()
    profile.runcall(run, requests)
    pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

"""Requests per second of a Flask route: unprotected, behind eidgate, behind Flask's session.

Budget (issue): a route behind eidgate's ``@login_required`` (logged in, the session cookie
sent) costs at most 1.15x the same route unprotected, and less than the usual alternative:
Flask's own signed session holding the user (what people write with Authlib) checked by a
hand-written decorator.

    (a) unprotected     GET /open in the eidgate app, the eidgate session cookie sent
    (b) eidgate         GET /protected, ``@login_required``, a real logged-in cookie
    (c) flask session   GET /user in an app with ``secret_key``, ``session["user"]`` checked
                        by a decorator, a real signed Flask session cookie

The cookie for (b) comes from a real login: the app's test client and the sandbox eID hub
(on 127.0.0.1, port 0), as the pytest plugin does it. Each request is a direct WSGI call
(``app.wsgi_app(environ, start_response)``) with a prepared environ carrying a browser's
headers, so no client overhead is measured; the three are interleaved, and the best of
``--rounds`` rounds is kept for each. Every view returns the same small body.

    .venv/bin/python benchmarks/protected_route.py [--requests 10000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx2
from flask import Flask, redirect, session
from werkzeug.test import EnvironBuilder

from eidgate.sandbox import RunningSandbox
from eidgate_adapters.flask import EidGate, current_identity, login_required

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


def eidgate_app(sandbox: RunningSandbox, folder: Path) -> Flask:
    config = folder / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "benchmark-secret-0123456789abcdef"\n\n'
                      + sandbox.toml(), encoding="utf-8")
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
    return EnvironBuilder(path=path, headers={**HEADERS, "Cookie": cookie}).get_environ()


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
        t = time.perf_counter()
        for _ in range(n):
            result: Iterable[bytes] = wsgi(env.copy(), start_response)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()
        elapsed = time.perf_counter() - t
        status.clear()
        return elapsed
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10000, help="per round and case")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the eidgate case afterwards and print the top entries")
    args = parser.parse_args()
    with RunningSandbox(0, redirect_uris=("http://127.0.0.1:8000/eidgate/callback",)) as hub, \
            tempfile.TemporaryDirectory() as tmp:
        app = eidgate_app(hub, Path(tmp))
        value = real_login(app, hub)
    other = flask_session_app()
    flask_cookie = flask_login(other)
    cases = {
        "(a) unprotected": caller(app, environ("/open", f"eidgate_session={value}")),
        "(b) eidgate @login_required": caller(app, environ("/protected",
                                                           f"eidgate_session={value}")),
        "(c) Flask session + decorator": caller(other, environ("/user",
                                                               f"session={flask_cookie}")),
        "    (unprotected, Flask-session app)": caller(other, environ("/open",
                                                                      f"session={flask_cookie}")),
    }
    for run in cases.values():
        run(args.requests // 10)  # warm up
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):
        for name, run in cases.items():
            best[name] = min(best[name], run(args.requests) / args.requests)
    print(f"Flask route, direct WSGI calls, best of {args.rounds} x {args.requests} requests:")
    for name, per in best.items():
        print(f"  {name:<38} {1 / per:>9,.0f} req/s  {per * 1e6:6.1f} us/request")
    a, b, c = (best[k] for k in list(cases)[:3])
    print(f"  b/a = {b / a:.3f}  (budget <= 1.15)   c/a = {c / a:.3f}   "
          f"eidgate's overhead {(b - a) * 1e6:.1f} us, Flask session's {(c - a) * 1e6:.1f} us")
    verdict = "met" if b <= 1.15 * a and b < c else "MISSED"
    print(f"  budget {verdict}: eidgate <= 1.15x unprotected and cheaper than Flask's session")
    if args.profile:
        run = cases["(b) eidgate @login_required"]
        profile = cProfile.Profile()
        profile.runcall(run, args.requests)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

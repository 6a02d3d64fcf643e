"""Every method on every gate route, a protected path and an unprotected one, through every
adapter: the status and whether the wrapped app was reached (issue 10).

The expected outcome of each row is written from the rules, not read from the code:

* RFC 9110 9.1: a method name is case-sensitive, so ``get`` is not ``GET`` and ``options``
  is not ``OPTIONS``; except in Flask, where Werkzeug upper-cases ``REQUEST_METHOD`` for its
  routing and for ``request.method``, so the gate and the view both read ``GET``.
* The gate's route/method table (README "Routes under route_prefix", RFC 9110 9.2.1): the
  picker, ``/logged-out`` and ``/jwks.json`` answer ``GET`` and ``HEAD``; ``/login`` and
  ``/callback`` only ``GET`` (a ``HEAD`` must not start a login or spend a code); ``/logout``
  only ``POST``, and ``403`` from another site (OWASP logout CSRF). Any other method on
  one of these routes is ``405`` with ``Allow`` naming those it takes (RFC 9110 15.5.6),
  ``get`` and ``PROPFIND`` too: RFC 9110 9.1's ``501`` is for a method the origin server
  as a whole does not implement, and the app behind the gate may implement any. Any other
  route is an unknown page: ``404``. Nothing under the prefix reaches the app.
* The gate answers every method under its prefix in every adapter, Flask included (its
  ``before_request`` takes the prefix before Flask's own routing could answer ``OPTIONS`` or
  ``405``, or hand the path to an app's catch-all rule); Starlette answers a method an
  endpoint's route does not list with ``405``.
* Fail closed (issue 10 item 1): a protected path needs a login for every method. Only an
  app that asks for it (``preflight=True``) lets a real CORS preflight through without one
  (Fetch 3.2.2: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``); the
  decorators may let ``OPTIONS`` through only where the framework answers it itself, which
  it does not for a view that lists ``OPTIONS`` (our bare handler does).
* A refused page navigation gets ``303`` to ``/eidgate/login`` (one provider), a refused
  API or CORS request (``Sec-Fetch-Mode: cors``) ``401`` JSON (README).

The wrapped app is a bare handler that answers every method with ``200`` and ``X-App``.
One sandbox, one real login per adapter (``eidgate_login``), the apps built once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.from_thread
import flask
import pytest
from adapter_drivers import Answer, Send, asgi_send, wsgi_send
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi, wsgi
from eidgate_adapters.flask import EidGate
from eidgate_adapters.flask import login_required as flask_login_required

SESSION = "eidgate_session"  # base_url is http://127.0.0.1: no "__Host-" prefix
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "get",
           "options")
GATE_PATHS = ("/eidgate", "/eidgate/", "/eidgate/login", "/eidgate/callback",
              "/eidgate/logout", "/eidgate/logged-out", "/eidgate/jwks.json", "/eidgate/nope")
PROTECTED, PUBLIC = "/private/page", "/public/page"
PATHS = (*GATE_PATHS, PROTECTED, PUBLIC)
# what a browser sends with a page navigation, and with a CORS preflight (Fetch 4.8: a
# preflight is cross-origin, "Accept: */*", "Sec-Fetch-Mode: cors")
NAVIGATION = {"Accept": "text/html,application/xhtml+xml"}
PREFLIGHT = {"Origin": "https://other.example", "Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "content-type", "Accept": "*/*",
             "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "cross-site",
             "Sec-Fetch-Dest": "empty"}
ALL = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]


@dataclass(frozen=True)
class Setup:
    """One way of putting the gate in front of the bare app."""

    family: str            # flask | asgi | wsgi
    guard: str             # protect (the middleware's protect=) | decorator (login_required)
    preflight: bool        # preflight=True given to the adapter

    @property
    def name(self) -> str:
        return f"{self.family}-{self.guard}{'-preflight' if self.preflight else ''}"


SETUPS = (Setup("flask", "protect", False), Setup("flask", "protect", True),
          Setup("flask", "decorator", False), Setup("asgi", "protect", False),
          Setup("asgi", "protect", True), Setup("asgi", "decorator", False),
          Setup("wsgi", "protect", False), Setup("wsgi", "protect", True))


@dataclass(frozen=True)
class Outcome:
    status: int
    reached: bool                       # the bare app answered
    location: str | None = None         # what Location must start with (303 rows)


REACHED = Outcome(200, True)
NOT_FOUND = Outcome(404, False)
NOT_ALLOWED = Outcome(405, False)
# the gate's routes and the methods each answers (README "Routes under route_prefix");
# a callable takes (session, cross_site)
GATE: dict[str, dict[str, Callable[[bool, bool], Outcome]]] = {
    "/": {"GET": lambda s, x: Outcome(200, False), "HEAD": lambda s, x: Outcome(200, False)},
    # no provider named: the default one, at the sandbox (OIDC Core 3.1.2.1)
    "/login": {"GET": lambda s, x: Outcome(303, False, "SANDBOX/authorize")},
    # no code, no state: not a response of ours (RFC 6749 4.1.2, 10.12)
    "/callback": {"GET": lambda s, x: Outcome(400, False)},
    # RP-Initiated Logout 1.0 2: a session of a provider with an end-session endpoint goes
    # there; none goes straight to logged-out; another site's POST is refused
    "/logout": {"POST": lambda s, x: Outcome(403, False) if x else Outcome(
        303, False, "SANDBOX/logout" if s else "/eidgate/logged-out")},
    "/logged-out": {"GET": lambda s, x: Outcome(200, False),
                    "HEAD": lambda s, x: Outcome(200, False)},
    "/jwks.json": {"GET": lambda s, x: Outcome(200, False),
                   "HEAD": lambda s, x: Outcome(200, False)},
}


def expect(setup: Setup, method: str, path: str, session: bool, cors: bool) -> Outcome:
    """The row's outcome, from the rules in the module docstring."""
    seen = method.upper() if setup.family == "flask" else method  # RFC 9110 9.1; Werkzeug
    if path in GATE_PATHS:
        route = path.removeprefix("/eidgate") or "/"
        answer = GATE.get(route, {}).get(seen)
        if answer is None:
            return NOT_ALLOWED if route in GATE else NOT_FOUND
        return answer(session, cors)
    if setup.name == "asgi-decorator" and path == PROTECTED and seen not in ALL:
        return Outcome(405, False)  # Starlette: the endpoint's route lists ALL, upper case
    if path == PUBLIC or session:
        return REACHED
    # protected, no session: only a real preflight the app let through passes (never at a
    # decorated view here: it lists OPTIONS, so no framework answers the preflight for it)
    lets_preflight = setup.preflight and setup.guard == "protect"
    if lets_preflight and seen == "OPTIONS" and cors:
        return REACHED
    if cors:  # Sec-Fetch-Mode: cors is no navigation
        return Outcome(401, False)
    return Outcome(303, False, "/eidgate/login?")


# -- the apps -----------------------------------------------------------------------------
def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "reached")])
    return [b"APP"]


class BareASGI:
    """A bare ASGI handler (a class, so that Starlette's Route passes every method)."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"x-app", b"reached")]})
        await send({"type": "http.response.body", "body": b"APP"})


def bare_view(p: str = "") -> flask.Response:
    return flask.Response(b"APP", headers={"X-App": "reached"})


def flask_app(config: str, setup: Setup) -> tuple[flask.Flask, EidGate]:
    app = flask.Flask(f"table_{setup.name}")
    if setup.guard == "protect":  # the whole app is the bare handler
        ext = EidGate(app, config, protect=["/private/*"], preflight=setup.preflight)
        app.add_url_rule("/", "root", bare_view, methods=ALL)
        app.add_url_rule("/<path:p>", "any", bare_view, methods=ALL)
    else:
        ext = EidGate(app, config)
        app.add_url_rule("/private/<path:p>", "private", flask_login_required(bare_view),
                         methods=ALL)
        app.add_url_rule("/public/<path:p>", "public", bare_view, methods=ALL)
    return app, ext


def starlette_app() -> Starlette:
    @asgi.login_required
    async def private(request: Any) -> PlainTextResponse:
        return PlainTextResponse("APP", headers={"X-App": "reached"})
    return Starlette(routes=[Route("/private/{p:path}", private, methods=ALL),
                             Route("/public/{p:path}", BareASGI())])




class Browser:
    """Enough of a browser for ``eidgate_login``: ``get`` with a cookie jar."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.jar: dict[str, str] = {}

    def get(self, url: str, follow_redirects: bool = False) -> Answer:
        path, _, query = url.partition("?")
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        answer = self.send("GET", path, query, {**NAVIGATION, **({"Cookie": cookie}
                                                                 if cookie else {})})
        for line in answer.cookies:
            name, _, rest = line.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in rest:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return answer


@pytest.fixture(scope="module")
def apps(eidgate_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, Send]]:
    config = Path(tmp_path_factory.mktemp("table")) / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "method-table-secret-0123456789"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    sends: dict[str, Send] = {}
    closers: list[Callable[[], Any]] = []
    with anyio.from_thread.start_blocking_portal() as portal:  # one event loop for ASGI
        for setup in SETUPS:
            if setup.family == "flask":
                app, ext = flask_app(str(config), setup)
                assert ext.client is not None
                closers.append(ext.client.close)
                sends[setup.name] = lambda m, p, q, h, app=app: wsgi_send(app, m, p, q, h)
            elif setup.family == "wsgi":
                middleware = wsgi.EidGateMiddleware(bare_wsgi, str(config),
                                                    protect=["/private/*"],
                                                    preflight=setup.preflight)
                closers.append(middleware.close)
                sends[setup.name] = (lambda m, p, q, h, app=middleware:
                                     wsgi_send(app, m, p, q, h))
            else:
                inner: Any = starlette_app() if setup.guard == "decorator" else BareASGI()
                options: dict[str, Any] = {} if setup.guard == "decorator" else {
                    "protect": ["/private/*"], "preflight": setup.preflight}
                amw = asgi.EidGateMiddleware(inner, str(config), **options)
                closers.append(lambda amw=amw: portal.call(amw.aclose))
                sends[setup.name] = (lambda m, p, q, h, app=amw:
                                     portal.call(asgi_send, app, m, p, q, h))
        yield sends
        for close in closers:
            close()


@pytest.fixture(scope="module")
def logins() -> dict[str, str]:
    return {}


@pytest.fixture
def session_of(apps: dict[str, Send], logins: dict[str, str],
               eidgate_login: Callable[..., Any]) -> Callable[[str], str]:
    """The session cookie of a real sandbox login, one per adapter family."""

    def session(family: str) -> str:
        if family not in logins:
            browser = Browser(apps[f"{family}-protect"])
            page = eidgate_login(browser, PROTECTED, person="ftn-vaino")
            assert (page.status, page.body) == (200, b"APP")
            logins[family] = browser.jar[SESSION]
        return logins[family]
    return session


# -- the table ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    setup: Setup
    method: str
    path: str
    session: bool
    cors: bool

    @property
    def id(self) -> str:
        return (f"{self.setup.name}|{self.method}|{self.path}|"
                f"{'session' if self.session else 'anon'}|{'cors' if self.cors else 'nav'}")


# Rows where the adapters contradict the rules (issue 10): strict, so a fix turns them red
# until the mark goes. Reproductions in the tests below the table.
# Two bugs this table found, fixed (the rows are plain rows now): Flask routed PUT, PATCH,
# DELETE and PROPFIND under /eidgate to the app's catch-all rule without a login (the gate
# now answers every method under its prefix), and login_required passed a forged CORS
# preflight to a view that lists OPTIONS (decorators now need a login for OPTIONS too: a
# framework that answers OPTIONS itself never calls the view).


def rows() -> Iterator[Any]:
    for setup in SETUPS:
        for method in METHODS:
            for path in PATHS:
                for session in (False, True):
                    for cors in (False, True):
                        row = Row(setup, method, path, session, cors)
                        yield pytest.param(row, id=row.id)


@pytest.mark.parametrize("row", list(rows()))
def test_method_route_adapter(row: Row, apps: dict[str, Send],
                              session_of: Callable[[str], str],
                              eidgate_sandbox: RunningSandbox) -> None:
    # a failure says what it is in its message; a traceback of this large module costs
    # pytest ~50 ms to render per xfail row
    __tracebackhide__ = True
    headers = dict(PREFLIGHT if row.cors else NAVIGATION)
    if row.session:
        headers["Cookie"] = f"{SESSION}={session_of(row.setup.family)}"
    want = expect(row.setup, row.method, row.path, row.session, row.cors)
    answer = apps[row.setup.name](row.method, row.path, "", headers)
    got = (answer.status, answer.reached)
    assert got == (want.status, want.reached), (
        f"{row.id}: got {got[0]} {'app reached' if got[1] else 'app not reached'}, "
        f"want {want.status} {'app reached' if want.reached else 'app not reached'}")
    if want.status == 405 and row.path in GATE_PATHS:  # RFC 9110 15.5.6: Allow MUST list
        route = row.path.removeprefix("/eidgate") or "/"
        assert answer.headers["allow"] == ", ".join(GATE[route])  # the route's methods
    else:
        assert "allow" not in answer.headers or row.path in (PROTECTED, PUBLIC)
    if want.location is not None:
        location = want.location.replace("SANDBOX", eidgate_sandbox.issuer)
        assert answer.headers["location"].startswith(location)
    if want.location == "/eidgate/login?":
        assert "next=%2Fprivate%2Fpage" in answer.headers["location"]
    if answer.status == 401:  # README: 401 JSON and no login state
        assert not answer.cookies
        if row.method.upper() != "HEAD":  # Werkzeug sends no body to HEAD (RFC 9110 9.3.2)
            assert json.loads(answer.body)["error"] == "login_required"


def test_the_table_covers_every_combination() -> None:
    """8 setups x 10 methods x 10 paths x session x preflight headers."""
    assert len(list(rows())) == len(SETUPS) * len(METHODS) * len(PATHS) * 4 == 3200


# -- the two bugs the table found, on their own ----------------------------------------------
def test_flask_protect_everything_serves_a_catch_all_under_the_prefix_without_login(
        eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """protect=["/*"] (everything needs a login) and a catch-all view that takes PUT: an
    anonymous PUT /eidgate/anything must not reach the view (fail closed)."""
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "method-table-secret-0123456789"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    app = flask.Flask("protect_all")
    ext = EidGate(app, str(config), protect=["/*"])
    app.add_url_rule("/<path:p>", "any", bare_view, methods=["GET", "PUT"])
    try:
        assert wsgi_send(app, "PUT", "/account", "", NAVIGATION).status == 303
        answer = wsgi_send(app, "PUT", "/eidgate/anything", "", NAVIGATION)
        assert not answer.reached, "the catch-all view answered an anonymous PUT"
    finally:
        assert ext.client is not None
        ext.client.close()


def test_decorated_flask_view_that_lists_options_is_not_served_to_a_forged_preflight(
        eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "method-table-secret-0123456789"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    app = flask.Flask("decorated")
    ext = EidGate(app, str(config))

    @app.route("/private", methods=["GET", "OPTIONS"])
    @flask_login_required
    def private() -> str:  # answers OPTIONS with the page, as a bare view does
        return "the private page"
    try:
        forged = {"Origin": "https://attacker.example", "Access-Control-Request-Method": "GET"}
        answer = wsgi_send(app, "OPTIONS", "/private", "", forged)
        assert b"the private page" not in answer.body
    finally:
        assert ext.client is not None
        ext.client.close()

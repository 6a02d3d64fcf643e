"""What the ASGI middleware's hot path remembers must never change an answer.

The middleware remembers, per ``Cookie`` header, the session cookie's value; per path (and
mount point), whether the gate owns or protects it; per identity, its ``EidUser`` and
whether ``protect``'s rule lets it in (``benchmarks/protected_route.py`` measures why).
These tests pin that each answer stays the one computed from scratch: after the memos fill
and empty, for every spelling of a path, every shape of ``Cookie`` header, and a session
store that ends sessions or hands out a new identity object on every read.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from eidgate import Identity, parse_config
from eidgate.web import CookieSessions, parse_cookies
from eidgate.web._rules import path_matcher
from eidgate_adapters import asgi

BASE = "http://127.0.0.1:8000"
SECRET = "hot-path-test-secret-0123456789abcdef"
COOKIE = "eidgate_session"  # over http on the loop-back interface: no "__Host-" prefix
BYPASSES = ["/private/x", "//private/x", "/x/../private/x", "/./private/x", "/PRIVATE/x",
            "/public/../private/x", "///private//x", "/private\\x", "/Private/./x"]
PUBLIC = ["/public/x", "/private/../public/x", "/privatex", "/", "/x/private/y"]
MANY = asgi._REMEMBERED * 2 + 10  # enough to fill and empty every memo twice


def person(name: str, loa: Any = "substantial", provider: str = "op") -> Identity:
    return Identity(name.lower(), "https://op.example.test", provider, "ftn", full_name=name,
                    loa=loa)


def config() -> Any:
    return parse_config({"eidgate": {"base_url": BASE, "secret_key": SECRET},
                         "providers": {"op": {"issuer": "https://op.example.test",
                                              "client_id": "rp", "client_secret": "s"}}})


async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The app: says who it sees, so a test reads the scope the middleware left."""
    SEEN.append(scope)
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


SEEN: list[dict[str, Any]] = []


def call(app: Any, path: str, *, cookies: list[bytes] = (), root: str = "",  # type: ignore[assignment]
         kind: str = "http") -> tuple[Any, dict[str, Any] | None]:
    """One raw ASGI request; (status or the websocket message type, the scope the app saw)."""
    sent: list[dict[str, Any]] = []
    SEEN.clear()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False} if kind == "http" \
            else {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html"),
               *((b"cookie", c) for c in cookies)]
    scope = {"type": kind, "path": root + path if root else path, "root_path": root,
             "query_string": b"", "headers": headers, "method": "GET", "scheme": "http"}
    asyncio.run(app(scope, receive, send))
    first = sent[0]
    return first.get("status", first["type"]), (SEEN[0] if SEEN else None)


@pytest.fixture
def app() -> Any:
    middleware = asgi.EidGateMiddleware(inner, config=config(), protect=["/private/*"])
    yield middleware
    asyncio.run(middleware.aclose())


def session(app: Any, identity: Identity) -> bytes:
    return f"{COOKIE}={app.gate.sessions.save(identity)}".encode()


# -- paths --------------------------------------------------------------------------------

def test_protect_still_matches_every_spelling_after_the_path_memo_fills(app: Any) -> None:
    for round_ in range(2):
        for path in BYPASSES:
            assert call(app, path)[0] == 303, (round_, path)  # a login redirect, not the page
        for path in PUBLIC:
            assert call(app, path)[0] == 200, (round_, path)
        for n in range(MANY):  # distinct paths: the memo fills, empties, fills again
            assert call(app, f"/public/{n}")[0] == 200


def test_a_long_path_is_answered_but_not_kept(app: Any) -> None:
    # the memo keeps no key over its limit (memory bounded by its size times that limit)
    assert call(app, "/private/" + "x" * 5000)[0] == 303
    assert call(app, "/public/" + "x" * 5000)[0] == 200
    assert call(app, "/private/" + "x" * 5000, root="/app")[0] == 303
    assert not any(len(str(key)) > 2000 for key in app._routes)


def test_the_same_path_under_another_mount_point_gets_its_own_answer(app: Any) -> None:
    # root_path is part of what is remembered: /app/private/x is protected below /app, and
    # also with the mount point in the pattern's place (failing closed), never confused
    for _ in range(2):
        assert call(app, "/app/private/x")[0] == 200  # no mount point: not under /private
        assert call(app, "/private/x", root="/app")[0] == 303  # the same scope["path"]
        assert call(app, "/public/x", root="/app")[0] == 200
        assert call(app, "/private/x")[0] == 303
        assert call(app, "/private/x", root="/private")[0] == 303  # fails closed


def test_gate_routes_are_owned_for_http_only_whatever_was_asked_before(app: Any) -> None:
    # a websocket below route_prefix goes to the app (the gate answers HTTP only)
    assert call(app, "/eidgate/jwks.json", kind="websocket")[0] == "websocket.accept"
    assert call(app, "/eidgate/jwks.json")[0] == 200
    assert call(app, "/eidgate/jwks.json", kind="websocket")[0] == "websocket.accept"
    assert call(app, "/eidgate/nothing-here")[0] == 404


def test_the_core_matcher_still_matches_after_its_memo_fills() -> None:
    protects = path_matcher(["/private/*"])
    for round_ in range(2):
        for path in BYPASSES:
            assert protects(path, ""), (round_, path)
            assert protects(path, "/app"), (round_, path)  # below a mount point too
        for path in PUBLIC:
            assert not protects(path, ""), (round_, path)
        for n in range(MANY):
            assert not protects(f"/public/{n}", "")


# -- the Cookie header --------------------------------------------------------------------

def test_the_cookie_is_read_as_parse_cookies_reads_it_whatever_its_shape(app: Any) -> None:
    value = app.gate.sessions.save(person("Aino"))
    # (headers as sent, logged in?) : parse_cookies' rules, one header or several (HTTP/2
    # splits Cookie, RFC 9113 8.2.3), the first of a name winning (RFC 6265 5.4)
    shapes: list[tuple[list[bytes], bool]] = [
        ([f"{COOKIE}={value}".encode()], True),
        ([f"a=1; {COOKIE}={value}; b=2".encode()], True),
        ([b"a=1", f"{COOKIE}={value}".encode()], True),
        ([f'{COOKIE}="{value}"'.encode()], True),
        ([f"  {COOKIE} = {value} ".encode()], True),
        ([f"{COOKIE}=junk; {COOKIE}={value}".encode()], False),
        ([f"{COOKIE}=junk", f"{COOKIE}={value}".encode()], False),  # type: ignore[list-item]
        ([f"{COOKIE}={value}; {COOKIE}=junk".encode()], True),
        ([f"x{COOKIE}={value}".encode()], False),
        ([f"{COOKIE.upper()}={value}".encode()], False),
        ([f"a={COOKIE}={value}".encode()], False),
        ([f"{COOKIE}={value}x".encode()], False),
        ([], False),
        ([b""], False),
    ]
    for round_ in range(2):
        for headers, logged_in in shapes:
            headers = [h.encode() if isinstance(h, str) else h for h in headers]
            _, scope = call(app, "/public/x", cookies=headers)
            assert scope is not None
            expected = parse_cookies("; ".join(h.decode("latin-1") for h in headers)).get(COOKIE)
            assert (scope[asgi.SCOPE_KEY] is not None) is logged_in is (
                app.gate.sessions.load(expected) is not None), (round_, headers)


def test_a_cookie_header_too_long_to_keep_is_still_read(app: Any) -> None:
    value = app.gate.sessions.save(person("Aino"))
    header = f"pad={'p' * 9000}; {COOKIE}={value}".encode()
    assert call(app, "/private/x", cookies=[header])[0] == 200
    assert call(app, "/private/x", cookies=[header.replace(b"pad=", b"pod=")])[0] == 200
    assert not any(len(key) > 8192 for key in app._session_values)


def test_many_visitors_fill_and_empty_the_cookie_memo_without_a_wrong_answer(
        app: Any) -> None:
    aino, other = session(app, person("Aino")), session(app, person("Other"))
    for n in range(MANY):
        _, scope = call(app, "/public/x", cookies=[f"visitor={n}".encode()])
        assert scope is not None and scope[asgi.SCOPE_KEY] is None
        if n % 300 == 0:
            for cookie, name in ((aino, "Aino"), (other, "Other")):
                _, scope = call(app, "/private/x", cookies=[cookie])
                assert scope is not None and scope[asgi.SCOPE_KEY].full_name == name
    assert len(app._session_values) <= asgi._REMEMBERED


class Revocable(CookieSessions):
    """A store that can end a session before it expires (as the Redis store does), and hands
    out a new identity object on every read (as a store that decodes each time does)."""

    def __init__(self) -> None:
        super().__init__([SECRET], 3600)
        self.ended: set[str] = set()

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        found = super().load(value)
        if found is None or value in self.ended:
            return None
        return Identity.from_session_dict(found[0].to_session_dict()), found[1]


def test_the_store_is_asked_on_every_request_so_an_ended_session_ends_at_once() -> None:
    store = Revocable()
    app = asgi.EidGateMiddleware(inner, config=config(), protect=["/private/*"],
                                 sessions=store)
    value = store.save(person("Aino"))
    header = f"{COOKIE}={value}".encode()
    for _ in range(3):
        assert call(app, "/private/x", cookies=[header])[0] == 200
    store.ended.add(value)
    assert call(app, "/private/x", cookies=[header])[0] == 303
    asyncio.run(app.aclose())


def test_a_remembered_cookie_session_still_ends_at_its_expiry() -> None:
    # the cookie store's answer is kept per Cookie header only until the session's end
    short = parse_config({"eidgate": {"base_url": BASE, "secret_key": SECRET,
                                      "session_max_age": 2},
                          "providers": {"op": {"issuer": "https://op.example.test",
                                               "client_id": "rp", "client_secret": "s"}}})
    app = asgi.EidGateMiddleware(inner, config=short, protect=["/private/*"])
    header = session(app, person("Aino"))  # ends at most 2 s from now (whole seconds)
    assert call(app, "/private/x", cookies=[header])[0] == 200  # now remembered
    assert call(app, "/private/x", cookies=[header])[0] == 200
    time.sleep(2.05)
    assert call(app, "/private/x", cookies=[header])[0] == 303
    asyncio.run(app.aclose())


# -- per identity: the user object and the rule -------------------------------------------

def test_one_read_only_user_and_auth_per_identity(app: Any) -> None:
    cookie = session(app, person("Aino"))
    _, first = call(app, "/private/x", cookies=[cookie])
    _, second = call(app, "/private/x", cookies=[cookie])
    assert first is not None and second is not None
    user = first["user"]
    assert second["user"] is user  # shared by the session's requests, so it cannot change
    assert (user.identity.full_name, user.is_authenticated, user.display_name) == (
        "Aino", True, "Aino")
    with pytest.raises(AttributeError):
        user.display_name = "someone else"
    with pytest.raises(AttributeError):
        user.is_authenticated = False
    auth = first["auth"]
    assert isinstance(auth, asgi.EidAuth)
    assert second["auth"] is auth  # shared too: nothing one request does reaches another
    assert auth.scopes == ("authenticated",)
    with pytest.raises(AttributeError):
        auth.scopes.append("admin")  # type: ignore[attr-defined]  # a tuple
    with pytest.raises(AttributeError):
        auth.scopes = ("authenticated", "admin")
    # an app grants its own scopes with its own credentials, for its own request only
    first["auth"] = object()
    _, third = call(app, "/private/x", cookies=[cookie])
    assert third is not None and third["auth"] is auth
    assert third["auth"].scopes == ("authenticated",)
    _, anonymous = call(app, "/public/x")
    assert anonymous is not None
    assert (anonymous["user"].identity, anonymous["user"].is_authenticated,
            anonymous["user"].display_name, anonymous["auth"].scopes) == (None, False, "", ())
    assert anonymous[asgi.SCOPE_KEY] is None and anonymous["eidgate.gate"] is app.gate


def test_the_rule_is_answered_for_each_identity_even_new_objects_every_time() -> None:
    # loa= on protect: an identity below it is sent to step up, whatever came before it;
    # the store gives a new Identity object per read, so nothing is found by object
    store = Revocable()
    app = asgi.EidGateMiddleware(inner, config=config(), protect=["/private/*"],
                                 sessions=store, loa="high")
    high = f"{COOKIE}={store.save(person('Aino', 'high'))}".encode()
    low = f"{COOKIE}={store.save(person('Other', 'substantial'))}".encode()
    for _ in range(50):
        status, scope = call(app, "/private/x", cookies=[high])
        assert status == 200 and scope is not None and scope["user"].display_name == "Aino"
        assert call(app, "/private/x", cookies=[low])[0] == 303
        status, scope = call(app, "/public/x", cookies=[low])
        assert status == 200 and scope is not None and scope["user"].display_name == "Other"
    asyncio.run(app.aclose())

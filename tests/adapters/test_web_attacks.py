"""The web layer as an attacker sees it: login CSRF, session cookies, open redirects,
reflected parameters, logout, methods and paths, caching, error pages, logs.

Two kinds of peers: the gate driven sans-IO against the crafted provider of the unit tests
(a browser here is a dict of cookies, so a test can be the attacker's browser and the
victim's at once), and the Flask, WSGI and ASGI adapters against the sandbox eID hub.
Expected behaviour comes from the specs cited on each test, not from the code.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import flask
import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider, drive
from itsdangerous import URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient

import eidgate
from eidgate import Config, RelyingParty, parse_config
from eidgate._languages import TRANSLATIONS
from eidgate.sandbox import RunningSandbox
from eidgate.web import Gate, WebRequest, WebResponse
from eidgate.web._sessions import MAX_COOKIE_BYTES, CookieSessions
from eidgate_adapters import asgi, wsgi
from eidgate_adapters.flask import EidGate, current_identity, login_required

APP = "https://app.example.test"
SECRET = "attack-test-secret-0123456789abcdef"
# RFC 6265bis 4.1.3.2: over https the session cookie carries the "__Host-" prefix, so no
# sibling subdomain can set one this site would read
SESSION = "__Host-eidgate_session"


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def make_config(secrets: Iterable[str] = (SECRET,), base_url: str = APP,
                **provider: Any) -> Config:
    table: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET, **provider}
    top = {"base_url": base_url, "secret_key": list(secrets)}  # the first signs, all verify
    return parse_config({"eidgate": top, "providers": {"op": table}})


def make_gate(op: CraftedProvider, clock: Clock, **config: Any) -> Gate:
    conf = make_config(**config)
    return Gate(conf, RelyingParty(conf, now=clock), now=clock)


@dataclass
class Browser:
    """A browser talking to one gate: keeps the cookies its answers set (RFC 6265bis 5.6)."""

    gate: Gate
    op: CraftedProvider
    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, query: str = "",
             headers: dict[str, str] | None = None) -> WebResponse:
        request = WebRequest(method, path, query, headers or {}, dict(self.cookies))
        response: WebResponse = drive(self.gate.handle(request), self.op)
        for cookie in response.cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def start(self, **params: str) -> dict[str, str]:
        """/login, then the provider: the callback parameters it sends the browser back with."""
        response = self.send("GET", "/eidgate/login", urlencode({"provider": "op", **params}))
        assert response.status == 303
        return self.op.authorize(location(response))

    def callback(self, params: dict[str, str]) -> WebResponse:
        return self.send("GET", "/eidgate/callback", urlencode(params))

    def identity(self) -> eidgate.Identity | None:
        return self.gate.identity(WebRequest("GET", "/", cookies=self.cookies))


def location(response: WebResponse) -> str:
    return dict(response.headers)["Location"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def op(clock: Clock) -> CraftedProvider:
    return CraftedProvider(now=clock, user={"sub": "victim-1", "name": "Vera Victim"})


@pytest.fixture
def gate(op: CraftedProvider, clock: Clock) -> Gate:
    return make_gate(op, clock)


def logged_in(gate: Gate, op: CraftedProvider) -> Browser:
    browser = Browser(gate, op)
    assert browser.callback(browser.start()).status == 303
    assert browser.identity() is not None
    return browser


# -- login CSRF and the pending-login cookie (RFC 9700 4.7, RFC 6749 10.12) ---------------

def test_an_attackers_callback_does_not_log_the_victim_in(gate: Gate,
                                                          op: CraftedProvider) -> None:
    attacker, victim = Browser(gate, op), Browser(gate, op)
    stolen = attacker.start()  # the attacker's own code and state, never used by them
    victim.start()  # the victim may even have a login of their own pending
    response = victim.callback(stolen)  # e.g. an <img> or a link on the attacker's page
    assert response.status == 400
    assert victim.identity() is None
    assert "eidgate_session" not in str(response.cookies)


def test_a_callback_without_any_pending_login_is_refused(gate: Gate,
                                                         op: CraftedProvider) -> None:
    browser = Browser(gate, op)
    params = browser.start()
    browser.cookies.clear()  # cookies blocked, or another browser
    assert browser.callback(params).status == 400
    assert browser.identity() is None


@pytest.mark.parametrize("forge", ["resigned", "unsigned", "edited", "truncated", "huge"])
def test_a_forged_pending_login_cookie_is_ignored(gate: Gate, op: CraftedProvider,
                                                  forge: str) -> None:
    attacker = Browser(gate, op)
    params = attacker.start()
    (name, value), = attacker.cookies.items()
    payload = URLSafeTimedSerializer(SECRET, salt="eidgate.pending").loads(value)
    # the attacker's cookie, made to look like the victim's (same state, another key)
    forged = {
        "resigned": URLSafeTimedSerializer("not-the-app-secret-0123456789abcd",
                                           salt="eidgate.pending").dumps(payload),
        "unsigned": base64.urlsafe_b64encode(json.dumps(payload).encode()).decode(),
        "edited": value.replace(value.split(".")[0], base64.urlsafe_b64encode(
            json.dumps({**payload, "next_url": "/admin"}).encode()).decode().rstrip("=")),
        "truncated": value[:-3],
        "huge": value + "A" * 8000,
    }[forge]
    victim = Browser(gate, op, {name: str(forged)})
    assert victim.callback(params).status == 400
    assert victim.identity() is None


def test_a_pending_login_is_single_use(gate: Gate, op: CraftedProvider) -> None:
    browser = Browser(gate, op)
    params = browser.start()
    kept = dict(browser.cookies)
    assert browser.callback(params).status == 303
    assert not any(n.startswith("__Host-eidgate_login_") for n in browser.cookies)
    # the same callback again, with the pending cookie put back (a replayed URL)
    replay = Browser(gate, op, kept)
    response = replay.callback(params)
    assert response.status in (400, 502)  # the provider refuses the used code
    assert replay.identity() is None


def test_a_late_callback_is_refused(gate: Gate, op: CraftedProvider, clock: Clock) -> None:
    browser = Browser(gate, op)
    params = browser.start()
    clock.t += gate.config.login_timeout + 1
    response = browser.callback(params)
    assert response.status == 400
    assert b"took too long" in response.body
    assert browser.identity() is None


def test_a_pending_login_for_another_issuer_is_refused(op: CraftedProvider,
                                                       clock: Clock) -> None:
    # the same secret and provider name, but the provider now is another issuer
    started = Browser(make_gate(op, clock), op)
    params = started.start()
    moved = make_gate(op, clock, issuer="https://other-op.example.test")
    browser = Browser(moved, op, dict(started.cookies))
    assert browser.callback(params).status == 400
    assert browser.identity() is None


def test_pending_logins_and_sessions_follow_key_rotation(op: CraftedProvider,
                                                         clock: Clock) -> None:
    old, new = "old-secret-0123456789abcdef012345", "new-secret-0123456789abcdef012345"
    before = Browser(make_gate(op, clock, secrets=[old]), op)
    params = before.start()
    session_browser = logged_in(before.gate, op)
    # first key signs, every key verifies
    rotated = make_gate(op, clock, secrets=[new, old])
    assert Browser(rotated, op, dict(session_browser.cookies)).identity() is not None
    during = Browser(rotated, op, dict(before.cookies))
    assert during.callback(params).status == 303
    fresh = during.cookies[SESSION]
    assert Browser(make_gate(op, clock, secrets=[old]), op, dict(during.cookies)
                   ).identity() is None  # sealed with the new key
    # the old key retired: its cookies read as logged out / no pending login
    retired = make_gate(op, clock, secrets=[new])
    assert Browser(retired, op, dict(session_browser.cookies)).identity() is None
    assert Browser(retired, op, {SESSION: fresh}).identity() is not None
    late = Browser(make_gate(op, clock, secrets=[old]), op)
    late_params = late.start()
    assert Browser(retired, op, dict(late.cookies)).callback(late_params).status == 400


def test_too_many_pending_logins_drop_the_oldest(gate: Gate, op: CraftedProvider) -> None:
    browser = Browser(gate, op)
    first = browser.start()
    for _ in range(gate.pending.limit):
        browser.start()
    assert len(browser.cookies) == gate.pending.limit  # RFC 6265bis 5.6: bounded jar use
    assert browser.callback(first).status == 400


def test_many_junk_pending_cookies_cost_nothing_and_break_nothing(gate: Gate,
                                                                  op: CraftedProvider) -> None:
    browser = Browser(gate, op)
    params = browser.start()
    for i in range(60):
        browser.cookies[f"__Host-eidgate_login_junk{i}"] = "x" * 3000
    assert browser.callback(params).status == 303


def test_pending_cookies_cannot_be_tossed_from_a_sibling_subdomain(gate: Gate,
                                                                   op: CraftedProvider) -> None:
    # A sibling subdomain can set "eidgate_login_*" for the parent domain (RFC 6265bis
    # 8.6), never a "__Host-" cookie (4.1.3.2): so the gate reads only "__Host-" ones.
    attacker = Browser(gate, op)
    stolen = attacker.start()
    (name, value), = attacker.cookies.items()
    assert name.startswith("__Host-eidgate_login_")
    victim = Browser(gate, op, {name.removeprefix("__Host-"): value})
    assert victim.callback(stolen).status == 400
    assert victim.identity() is None


def test_a_session_cookie_cannot_be_tossed_from_a_sibling_subdomain(gate: Gate,
                                                                    op: CraftedProvider) -> None:
    # The attacker logs in as themself and plants that session, without the prefix, from a
    # sibling subdomain (RFC 6265bis 8.6): the victim must not be logged in as the attacker.
    value = logged_in(gate, op).cookies[SESSION]
    victim = Browser(gate, op, {SESSION.removeprefix("__Host-"): value})
    assert victim.identity() is None


# -- the session cookie (itsdangerous's rule: tampered reads as logged out) --------------

def session_value(gate: Gate, op: CraftedProvider) -> str:
    return logged_in(gate, op).cookies[SESSION]


def tampered(value: str) -> list[str]:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))

    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    flips = [enc(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:]) for i in (0, 1, 12, 13, 40,
                                                                         len(raw) - 1)]
    return [*flips, enc(b"\x00" + raw[1:]), enc(b"\x02" + raw[1:]), value[:-1], value[:40],
            value[:10], "", "=", "====", "é" * 20, "\x00", value + "é", "A" * 5000,
            enc(raw[:29]), enc(raw[:28]), value + "A" * 4]


def test_a_tampered_or_truncated_session_cookie_reads_as_logged_out(
        gate: Gate, op: CraftedProvider) -> None:
    value = session_value(gate, op)
    for bad in tampered(value):
        assert Browser(gate, op, {SESSION: bad}).identity() is None, bad
        # and the gate's own routes never fail on it (no 500)
        response = Browser(gate, op, {SESSION: bad}).send("POST", "/eidgate/logout")
        assert response.status == 303


def test_a_session_from_an_app_with_another_secret_is_not_accepted(
        op: CraftedProvider, clock: Clock) -> None:
    value = session_value(make_gate(op, clock), op)
    other = make_gate(op, clock, secrets=["another-apps-secret-0123456789abc"])
    assert Browser(other, op, {SESSION: value}).identity() is None


def test_the_session_expires_on_the_server_not_only_by_max_age(
        gate: Gate, op: CraftedProvider, clock: Clock) -> None:
    browser = logged_in(gate, op)
    assert browser.identity() is not None  # now cached: the hot path
    clock.t += gate.config.session_max_age + 1
    assert browser.identity() is None  # a browser that ignores Max-Age gains nothing
    fresh = make_gate(op, clock)  # another worker, no cache
    assert Browser(fresh, op, dict(browser.cookies)).identity() is None


def test_a_shorter_session_max_age_ends_older_longer_sessions(op: CraftedProvider,
                                                               clock: Clock) -> None:
    conf = make_config()
    long_lived = Gate(conf, RelyingParty(conf, now=clock),
                      sessions=CookieSessions([SECRET], 8 * 3600, now=clock))
    value = session_value(long_lived, op)
    clock.t += 2 * 3600
    assert Browser(long_lived, op, {SESSION: value}).identity() is not None
    shortened = Gate(conf, RelyingParty(conf, now=clock),
                     sessions=CookieSessions([SECRET], 3600, now=clock))
    assert Browser(shortened, op, {SESSION: value}).identity() is None


def test_a_session_cookie_has_one_spelling(gate: Gate, op: CraftedProvider) -> None:
    # RFC 4648 3.3: characters outside the alphabet make the value invalid, not skipped
    value = session_value(gate, op)
    for variant in [value[:10] + "!" + value[10:], value[:10] + " " + value[10:],
                    value[:10] + "+/" + value[10:], value + "=", value + "==", value + "====",
                    value.replace("-", "+")]:
        if variant != value:
            assert Browser(gate, op, {SESSION: variant}).identity() is None, variant


def test_a_cookie_over_4kb_is_not_even_decrypted() -> None:
    codec = CookieSessions([SECRET], 3600)
    assert codec.load("A" * (MAX_COOKIE_BYTES + 1)) is None


class FullStore(CookieSessions):
    """A store that cannot keep this identity (as a cookie would be over 4 KB)."""

    def save(self, identity: eidgate.Identity, **extra: Any) -> str:
        raise eidgate.EidGateError("no room for this session", error="session_too_large")


@pytest.mark.parametrize("store", ["codec", "full"])
def test_an_identity_too_large_to_keep_is_an_error_page_not_a_500(
        op: CraftedProvider, clock: Clock, store: str) -> None:
    # a provider's (or a person's) very long name: OWASP Error Handling, no 500/trace
    op.user = {"sub": "long-1", "name": "N" * 5000, "given_name": "G" * 3000}
    conf = make_config()
    sessions = FullStore([SECRET], 3600) if store == "full" else None
    gate = Gate(conf, RelyingParty(conf, now=clock), now=clock, sessions=sessions)
    browser = Browser(gate, op)
    response = browser.callback(browser.start())
    assert response.status == 500
    assert b"<!doctype html>" in response.body
    assert b"Traceback" not in response.body and b"NNNN" not in response.body
    assert browser.identity() is None
    assert not browser.cookies  # the pending login is used up


# -- open redirects and header injection (RFC 9700 4.11, OWASP Unvalidated Redirects) ---

HOSTILE_NEXT = ["//evil.example", "/\\evil.example", "https://evil.example", "https:evil",
                "/%2F%2Fevil.example", "/%252F%252Fevil.example", "/%5Cevil.example",
                "/%09/evil.example", "/\t/evil.example", "\\\\evil.example", " //evil.example",
                "javascript:alert(1)", "/x\r\nSet-Cookie: eidgate_session=attacker",
                "/x%0d%0aSet-Cookie:%20a=b", "data:text/html,<script>alert(1)</script>"]


@pytest.mark.parametrize("bad", HOSTILE_NEXT)
def test_next_never_leaves_the_site_nor_splits_the_header(gate: Gate, op: CraftedProvider,
                                                          bad: str) -> None:
    browser = Browser(gate, op)
    response = browser.callback(browser.start(next=bad))
    assert response.status == 303
    target = location(response)
    assert target == "/"
    assert all(32 < ord(c) < 127 for c in target)


def test_a_long_next_keeps_the_pending_cookie_under_4kb(gate: Gate,
                                                        op: CraftedProvider) -> None:
    # a link with a huge next must not make a cookie the browser drops (RFC 6265bis 5.6)
    browser = Browser(gate, op)
    noisy = "/" + base64.urlsafe_b64encode(bytes(range(256)) * 40).decode()
    response = browser.send("GET", "/eidgate/login", urlencode({"provider": "op",
                                                                "next": noisy}))
    assert all(len(c) < 4096 for c in response.cookies)
    wide = "/" + "日本" * 900
    response = browser.send("GET", "/eidgate/login", urlencode({"provider": "op",
                                                                "next": wide}))
    assert all(len(c) < 4096 for c in response.cookies)
    params = op.authorize(location(response))
    assert location(browser.callback(params)) == "/"  # too long to keep: the start page
    ordinary = "/account/" + "a" * 1000 + "?tab=2"
    params = browser.start(next=ordinary)
    assert location(browser.callback(params)) == ordinary


def test_every_location_is_ascii_without_controls(gate: Gate) -> None:
    # RFC 9110 5.5: no CR/LF/NUL in a field value; RFC 3986 2.1 escapes for the rest
    for path in ["/a\r\nSet-Cookie: x=y", "/ä\x00b", "/\u2028x", "/x y"]:
        web = gate.guard(WebRequest("GET", path, "q=\r\n", {"accept": "text/html"}), None)
        assert web is not None
        value = location(web)
        assert value.isascii() and all(32 < ord(c) < 127 for c in value), value


@pytest.mark.parametrize(("name", "value"), [
    ("loa", '"><script>alert(1)</script>'), ("ui_locales", '"><img src=x onerror=1>'),
    ("providers", "<svg onload=1>,op"), ("next", '/"><script>alert(1)</script>'),
    ("provider", "'><script>"), ("next", "/x' onmouseover='alert(1)")])
def test_picker_parameters_are_not_reflected_as_markup(gate: Gate, op: CraftedProvider,
                                                      name: str, value: str) -> None:
    page = Browser(gate, op).send("GET", "/eidgate/", urlencode({name: value}))
    assert page.status == 200
    html = page.body.decode()
    assert "<script" not in html and "<svg" not in html and "<img" not in html
    assert "onerror" not in html and "onmouseover='" not in html and "' onmouseover" not in html
    links = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert links and all(link.startswith("/eidgate/login?provider=op") for link in links)
    if name == "loa":  # OIDC Core 3.1.2.1 acr_values: only a known level is passed on
        assert "loa=" not in html


def test_a_refused_next_goes_to_the_root_of_a_mounted_app(gate: Gate,
                                                          op: CraftedProvider) -> None:
    # below a mount point (SCRIPT_NAME /app) the fallback is the app's root, not the site's
    for value, expected in [("//evil.example", "/app/"), ("/", "/"), ("/app/x", "/app/x"),
                            (None, "/app/")]:
        query = urlencode({"provider": "op", **({"next": value} if value else {})})
        request = WebRequest("GET", "/eidgate/login", query, root="/app")
        response = drive(gate.handle(request), op)
        (cookie,) = response.cookies
        browser = Browser(gate, op, {cookie.split("=", 1)[0]: cookie.split("=", 1)[1]
                                     .split(";", 1)[0]})
        back = browser.callback(op.authorize(location(response)))
        assert location(back) == expected, value


def test_the_401_login_url_is_the_gates_own_path(gate: Gate) -> None:
    # a Host or X-Forwarded-Host header never names where to log in (OWASP host header)
    request = WebRequest("GET", "/api/x", "", {"accept": "application/json",
                                                "host": "evil.example",
                                                "x-forwarded-host": "evil.example"})
    web = gate.guard(request, None)
    assert web is not None and web.status == 401
    assert json.loads(web.body) == {"error": "login_required",
                                    "login_url": "/eidgate/login"}


# -- error pages (OWASP XSS and Error Handling cheat sheets) ---------------------------

@pytest.mark.parametrize("params", [
    {"error": "access_denied", "error_description": "<script>alert(1)</script>"},
    {"error": "<script>alert(2)</script>", "error_description": "x"},
    {"error": "server_error", "error_description": '"><img src=x onerror=alert(3)>'},
    {"error": "server_error", "error_description": "\u202eevil\r\nSet-Cookie: a=b"},
])
def test_provider_text_on_error_pages_is_escaped(gate: Gate, op: CraftedProvider,
                                                 params: dict[str, str]) -> None:
    browser = Browser(gate, op)
    start = browser.start()
    response = browser.callback({"state": start["state"], "iss": ISSUER, **params})
    assert response.status == 401
    html = response.body.decode()
    assert "<script" not in html and "<img" not in html and "\u202e" not in html
    assert "Traceback" not in html


@pytest.mark.parametrize("query", [
    "state=<script>alert(1)</script>&code=x", "code=x", "state=a&state=b",
    "error=<b>x</b>&state=<i>", "state=" + "s" * 100000, "%ff%fe=%ff&state=%00",
    "state=x&code=" + "c" * 3000 + "&iss=<x>"])
def test_a_hostile_callback_is_a_plain_400_page(gate: Gate, op: CraftedProvider,
                                                query: str) -> None:
    browser = Browser(gate, op)
    browser.start()
    response = browser.send("GET", "/eidgate/callback", query)
    assert response.status == 400
    html = response.body.decode()
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "sss" not in html and "ccc" not in html  # nothing of the query reflected


# -- logout (OWASP CSRF Prevention, OpenID Connect RP-Initiated Logout 1.0) -----------

@pytest.mark.parametrize(("headers", "refused"), [
    ({"sec-fetch-site": "cross-site"}, True),
    ({"sec-fetch-site": "same-site"}, True),  # a sibling subdomain is another app
    ({"sec-fetch-site": "cross-site", "origin": APP}, True),
    ({"origin": "https://evil.example"}, True),
    ({"origin": "null"}, True),
    ({"origin": "http://app.example.test"}, True),  # another scheme is another origin
    ({"sec-fetch-site": "same-origin", "origin": APP}, False),
    ({"sec-fetch-site": "none"}, False),  # typed or bookmarked by the person
    ({"origin": APP}, False),
    ({"origin": APP + ":443"}, True),  # browsers omit the default port (RFC 6454 6.2)
    ({}, False),  # no browser, or one that sends neither: nothing to go by
])
def test_a_cross_site_logout_is_refused(gate: Gate, op: CraftedProvider,
                                        headers: dict[str, str], refused: bool) -> None:
    browser = logged_in(gate, op)
    response = browser.send("POST", "/eidgate/logout", headers=headers)
    if refused:
        assert response.status == 403
        assert not response.cookies
        assert browser.identity() is not None
    else:
        assert response.status == 303
        assert browser.identity() is None


@pytest.mark.parametrize("language", ["en", "sv", "fi", "de"])
def test_the_refused_logout_page_speaks_the_browsers_language(
        gate: Gate, op: CraftedProvider, language: str) -> None:
    browser = logged_in(gate, op)
    response = browser.send("POST", "/eidgate/logout", headers={
        "sec-fetch-site": "cross-site", "accept-language": language})
    assert response.status == 403
    assert html.escape(TRANSLATIONS[language]["logout_refused"]) in response.body.decode()


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_only_post_logs_out(gate: Gate, op: CraftedProvider, method: str) -> None:
    # RFC 9110 9.2.1: GET and HEAD are safe (prefetch, <img>, link scanners)
    browser = logged_in(gate, op)
    response = browser.send(method, "/eidgate/logout")
    # RFC 9110 15.5.6: the route exists, not for this method; Allow lists the one it takes
    assert response.status == 405
    assert ("Allow", "POST") in response.headers
    assert not response.cookies
    assert browser.identity() is not None


def test_rp_initiated_logout_sends_no_token_and_the_registered_return_uri(
        op: CraftedProvider, clock: Clock) -> None:
    op.discovery_extra = {"end_session_endpoint": f"{ISSUER}/logout"}
    gate = make_gate(op, clock)
    browser = logged_in(gate, op)
    response = browser.send("POST", "/eidgate/logout", headers={"origin": APP})
    target = urlsplit(location(response))
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{ISSUER}/logout"
    query = parse_qs(target.query)
    # RP-Initiated Logout 1.0, 2/3: the exact registered post_logout_redirect_uri
    assert query == {"client_id": [CLIENT_ID],
                     "post_logout_redirect_uri": [f"{APP}/eidgate/logged-out"]}
    assert "eidgate_session=; Max-Age=0" in response.cookies[0]


# -- methods and paths ------------------------------------------------------------------

# a gate route asked with a method it does not take: 405 (RFC 9110 15.5.6); a path that
# is no route (exactly spelled): 404
@pytest.mark.parametrize(("method", "path", "status"), [
    ("POST", "/eidgate/", 405), ("PUT", "/eidgate/jwks.json", 405),
    ("POST", "/eidgate/login", 405), ("POST", "/eidgate/callback", 405),
    ("DELETE", "/eidgate/logged-out", 405), ("GET", "/eidgate/login/", 404),
    ("GET", "/eidgate//login", 404), ("GET", "/eidgate/LOGIN", 404),
    ("GET", "/eidgate/%2e%2e/login", 404), ("HEAD", "/eidgate/", 200),
    ("HEAD", "/eidgate/jwks.json", 200), ("GET", "/eidgate", 200),
    ("HEAD", "/eidgate/callback", 405), ("HEAD", "/eidgate/login", 405)])
def test_gate_routes_answer_only_their_methods_and_exact_paths(
        gate: Gate, op: CraftedProvider, method: str, path: str, status: int) -> None:
    response = Browser(gate, op).send(method, path)
    assert response.status == status
    assert not response.cookies


def test_a_head_on_the_callback_spends_nothing_the_browsers_get_needs(
        gate: Gate, op: CraftedProvider) -> None:
    # RFC 9110 9.2.1: a link checker's HEAD must not exchange the code or use up the
    # pending login
    browser = Browser(gate, op)
    params = browser.start()
    head = browser.send("HEAD", "/eidgate/callback", urlencode(params))
    assert head.status == 405 and not head.cookies
    assert browser.callback(params).status == 303
    assert browser.identity() is not None


def test_jwks_publishes_no_private_key_material(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(65537, 2048)
    pem = tmp_path / "rp.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    conf = make_config(client_auth="private_key_jwt", signing_key=str(pem),
                       client_secret=None)
    gate = Gate(conf, RelyingParty(conf))
    web = Browser(gate, CraftedProvider()).send("GET", "/eidgate/jwks.json")
    keys = json.loads(web.body)["keys"]
    assert keys
    for jwk in keys:  # RFC 7517 / 7518 6.3.2: the private members
        assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & set(jwk)


# -- headers on every answer (RFC 9111 5.2.2.5, RFC 6265bis 4.1.2) ---------------------

def test_every_gate_answer_is_no_store_and_cookies_are_strict(gate: Gate,
                                                             op: CraftedProvider) -> None:
    browser = Browser(gate, op)
    answers = [browser.send("GET", "/eidgate/"), browser.send("GET", "/eidgate/nowhere"),
               browser.send("GET", "/eidgate/jwks.json"),
               browser.send("GET", "/eidgate/logged-out")]
    params = browser.start()
    answers.append(browser.callback(params))
    answers.append(browser.send("GET", "/eidgate/callback", "state=x"))
    answers.append(browser.send("POST", "/eidgate/logout"))
    for web in [*answers, gate.guard(WebRequest("GET", "/a", "", {"accept": "text/html"}), None),
                gate.guard(WebRequest("GET", "/a", "", {"accept": "application/json"}), None)]:
        assert web is not None
        assert ("Cache-Control", "no-store") in web.all_headers()
        for cookie in web.cookies:
            assert cookie.endswith("; Path=/; HttpOnly; SameSite=Lax; Secure"), cookie
            assert cookie.startswith(("__Host-eidgate_session=", "__Host-eidgate_login_"))


def test_cookies_on_loopback_http_are_not_secure_nor_prefixed(op: CraftedProvider,
                                                              clock: Clock) -> None:
    # RFC 6265bis 4.1.3.2: a "__Host-" cookie needs Secure, which http:// cannot set
    gate = make_gate(op, clock, base_url="http://127.0.0.1:8000")
    response = Browser(gate, op).send("GET", "/eidgate/login", "provider=op")
    (cookie,) = response.cookies
    assert cookie.startswith("eidgate_login_")
    assert cookie.endswith("; Path=/; HttpOnly; SameSite=Lax")


# -- protect= on the path as a server may serve it (ASGI, WSGI) ------------------------

BYPASSES = ["//private/secret.txt", "/x/../private/secret.txt", "/./private/secret.txt",
            "/private/./secret.txt", "///private//secret.txt", "/PRIVATE/secret.txt",
            "/public/../private/secret.txt", "/private/secret.txt"]


async def asgi_get(app: Any, path: str) -> tuple[int, bytes]:
    """A raw ASGI request: the path exactly as a server (uvicorn, hypercorn) passes it on;
    test clients normalise dot segments before the app sees them."""
    sent: list[dict[str, Any]] = []
    received: list[int] = []

    async def receive() -> dict[str, Any]:
        if received:
            await asyncio.sleep(3600)  # no disconnect until the answer is out
        received.append(1)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html")]}
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


def static_site(tmp_path: Path) -> Path:
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "secret.txt").write_text("TOP SECRET")
    (tmp_path / "public").mkdir()
    return tmp_path


@pytest.mark.parametrize("path", BYPASSES)
def test_protect_cannot_be_bypassed_with_a_path_starlette_static_files_normalise(
        tmp_path: Path, path: str) -> None:
    # RFC 3986 5.2.4 / 6.2.2.3: StaticFiles serves //private/x and /x/../private/x as
    # /private/x (os.path.normpath), and a case-insensitive disk /PRIVATE/x too
    site = Starlette(routes=[Mount("/", StaticFiles(directory=static_site(tmp_path)))])
    conf = make_config(base_url="http://127.0.0.1:8000")
    app = asgi.EidGateMiddleware(site, config=conf, protect=["/private/*"])
    status, body = asyncio.run(asgi_get(app, path))
    assert status in (303, 404)
    assert b"TOP SECRET" not in body


def normalising_wsgi_app(environ: dict[str, Any],
                         start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A WSGI app that serves files the way most file servers look them up."""
    import posixpath

    path = posixpath.normpath(environ["PATH_INFO"]).lower()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"TOP SECRET" if path == "/private/secret.txt" else b"public"]


@pytest.mark.parametrize("path", BYPASSES)
def test_protect_cannot_be_bypassed_in_wsgi(path: str) -> None:
    conf = make_config(base_url="http://127.0.0.1:8000")
    app = wsgi.EidGateMiddleware(normalising_wsgi_app, config=conf, protect=["/private/*"])
    answers: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "",
               "QUERY_STRING": "", "HTTP_ACCEPT": "text/html", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "wsgi.url_scheme": "http"}
    body = b"".join(app(environ, lambda status, headers: answers.append(status)))
    assert answers[0].startswith("303")
    assert b"TOP SECRET" not in body
    app.close()


def test_a_protected_websocket_is_closed_whatever_the_path_spelling(tmp_path: Path) -> None:
    # RFC 6455 7.4.1 1008 (policy violation) before accept: the server answers 403
    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
    conf = make_config(base_url="http://127.0.0.1:8000")
    app = asgi.EidGateMiddleware(inner, config=conf, protect=["/live/*"])
    for path in ["/live/feed", "//live/feed", "/x/../live/feed", "/LIVE/feed"]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "websocket.connect"}

        async def send(message: dict[str, Any], sent: list[dict[str, Any]] = sent) -> None:
            sent.append(message)
        scope = {"type": "websocket", "path": path, "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"127.0.0.1:8000")], "scheme": "ws"}
        asyncio.run(app(scope, receive, send))
        assert sent == [{"type": "websocket.close", "code": 1008}], path


def test_protect_still_leaves_other_paths_alone(tmp_path: Path) -> None:
    site = Starlette(routes=[Mount("/", StaticFiles(directory=static_site(tmp_path)))])
    (tmp_path / "public" / "page.txt").write_text("hello")
    conf = make_config(base_url="http://127.0.0.1:8000")
    app = asgi.EidGateMiddleware(site, config=conf, protect=["/private/*"])
    for path in ["/public/page.txt", "/private/../public/page.txt", "/privatex/../public/page.txt"]:
        assert asyncio.run(asgi_get(app, path)) == (200, b"hello"), path


# -- the adapters against the sandbox --------------------------------------------------

def sandbox_config(sandbox: RunningSandbox, tmp_path: Path) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text(f'[eidgate]\nbase_url = "http://127.0.0.1:8000"\nsecret_key = "{SECRET}"'
                    f'\n\n{sandbox.toml()}', encoding="utf-8")
    return str(path)


def flask_app(config: str) -> flask.Flask:
    app = flask.Flask(__name__)
    EidGate(app, config=config)

    @app.get("/account")
    @login_required
    def account() -> str:
        return f"account of {current_identity.full_name}"
    return app


def test_flask_cross_site_logout_keeps_the_session(eidgate_sandbox: RunningSandbox,
                                                   eidgate_login: Callable[..., Any],
                                                   tmp_path: Path) -> None:
    app = flask_app(sandbox_config(eidgate_sandbox, tmp_path))
    with app.test_client() as client:
        assert eidgate_login(client, "/account", person="ftn-vaino").status_code == 200
        refused = client.post("/eidgate/logout", headers={"Sec-Fetch-Site": "cross-site",
                                                          "Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert refused.headers["Cache-Control"] == "no-store"
        assert client.get("/account").status_code == 200
        assert client.get("/eidgate/logout").status_code == 405
        assert client.get("/account").status_code == 200
        done = client.post("/eidgate/logout", headers={"Sec-Fetch-Site": "same-origin",
                                                       "Origin": "http://127.0.0.1:8000"})
        assert done.status_code == 303
        assert client.get("/account", headers={"Accept": "text/html"}).status_code == 303


def test_asgi_and_wsgi_gate_routes_refuse_unknown_methods(eidgate_sandbox: RunningSandbox,
                                                          tmp_path: Path) -> None:
    config = sandbox_config(eidgate_sandbox, tmp_path)

    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("home")
    starlette = asgi.EidGateMiddleware(Starlette(routes=[Route("/", home)]), config=config)
    werkzeug = wsgi.EidGateMiddleware(flask.Flask(__name__), config=config)
    with TestClient(starlette, follow_redirects=False) as client:
        for method in ("POST", "PUT", "DELETE", "OPTIONS"):
            response = client.request(method, "/eidgate/")
            assert response.status_code == 405
            assert response.headers["allow"] == "GET, HEAD"
            assert response.headers["cache-control"] == "no-store"
        assert client.head("/eidgate/").status_code == 200
        assert client.post("/eidgate/logout", headers={"origin": "https://evil.example"}
                           ).status_code == 403
    wclient = WerkzeugClient(werkzeug)
    assert wclient.post("/eidgate/logout", headers={"Origin": "https://evil.example"}
                        ).status.startswith("403 Forbidden")
    assert wclient.put("/eidgate/jwks.json").status_code == 405
    werkzeug.close()


def test_concurrent_logins_and_requests_share_one_gate(eidgate_sandbox: RunningSandbox,
                                                       eidgate_login: Callable[..., Any],
                                                       tmp_path: Path) -> None:
    # one gate, several threads (a threaded WSGI server): each browser keeps its own login
    app = flask_app(sandbox_config(eidgate_sandbox, tmp_path))
    people = ["ftn-vaino", "sbid-asa", "nbid-kari", "npa-erika"]
    seen: dict[str, str] = {}
    errors: list[BaseException] = []

    def one(person: str) -> None:
        try:
            with app.test_client() as client:
                page = eidgate_login(client, "/account", person=person)
                for _ in range(20):
                    assert client.get("/account").get_data(as_text=True) == page.get_data(
                        as_text=True)
                seen[person] = page.get_data(as_text=True)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(seen.values())) == len(people)


def test_attack_paths_log_no_secrets_nor_forged_lines(gate: Gate, op: CraftedProvider,
                                                      caplog: pytest.LogCaptureFixture
                                                      ) -> None:
    # OWASP Logging Cheat Sheet: no tokens, codes, state or personal data; no CR/LF
    caplog.set_level(logging.DEBUG)
    browser = Browser(gate, op)
    params = browser.start()
    browser.callback({**params, "iss": "https://evil\r\nFORGED"})
    params = browser.start()
    browser.callback({"state": params["state"], "iss": ISSUER,
                      "error": "access_denied\r\nFORGED",
                      "error_description": "Vera Victim\r\nFORGED"})
    browser.send("GET", "/eidgate/callback", "state=x%0aFORGED&code=y")
    browser.send("GET", "/eidgate/callback", "a%0d%0aFORGED=1&a%0d%0aFORGED=2")
    params = browser.start()
    browser.callback(params)
    browser.send("POST", "/eidgate/logout", headers={"origin": "https://evil\nFORGED"})
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("eidgate")]
    assert any("login accepted" in m for m in messages)
    for message in messages:
        assert "\n" not in message and "\r" not in message
        # the browser's text is logged only escaped (a repeated parameter's name), if at all
        assert "FORGED" not in message or "\\r\\nFORGED" in message
        assert params["code"] not in message and params["state"] not in message
        assert "Vera" not in message and "victim-1" not in message

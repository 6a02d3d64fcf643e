"""``POST {route_prefix}/backchannel-logout`` through every adapter (Flask, ASGI, WSGI), with
logout tokens signed by the sandbox eID hub's own key (joserfc, not eidgate code).

Expected answers come from OpenID Connect Back-Channel Logout 1.0: 2.5 (a form POST with
``logout_token``, from the provider's server: no browser, so no cookies and no CSRF check),
2.8 ("If the logout succeeded, the RP MUST respond with HTTP 200 OK"; "If the logout
request was invalid or the logout failed, the RP MUST respond with HTTP 400 Bad Request",
with an OAuth ``error``; "Cache-Control ... no-store"), the gate's method table (README:
any other method is an unknown page, 404) and its body bound (64 KB, read no further).
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import flask
import httpx2
import pytest
from joserfc import jwt
from recording_store import RecordingStore
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from werkzeug.test import Client as WerkzeugClient
from werkzeug.test import EnvironBuilder

from eidgate.sandbox import Request as SandboxRequest
from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi, wsgi
from eidgate_adapters.flask import EidGate

EVENT = "http://schemas.openid.net/event/backchannel-logout"  # 2.4
PATH = "/eidgate/backchannel-logout"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECRET = "backchannel-adapter-test-secret-0123456789"
FAMILIES = ("flask", "asgi", "wsgi")


def config_file(sandbox: RunningSandbox, tmp_path: Path) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    f'secret_key = "{SECRET}"\n\n' + sandbox.toml(), encoding="utf-8")
    return str(path)


def logout_token(sandbox: RunningSandbox, **change: Any) -> str:
    """A logout token as 2.4 describes it, signed with the sandbox's signing key."""
    now = int(time.time())
    claims = {"iss": sandbox.issuer, "aud": sandbox.client.client_id, "iat": now,
              "exp": now + 120, "jti": secrets.token_urlsafe(12), "sub": "sub-of-erika",
              "sid": "sid-" + secrets.token_urlsafe(6), "events": {EVENT: {}}, **change}
    key = sandbox.sandbox._keys[0]  # the key its ID tokens are signed with
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"},
                      {k: v for k, v in claims.items() if v is not None}, key)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "reached")])
    return [b"app"]


def starlette_app() -> Starlette:
    async def anything(request: Any) -> PlainTextResponse:
        return PlainTextResponse("app", headers={"X-App": "reached"})
    return Starlette(routes=[Route("/{path:path}", anything, methods=[
        "GET", "HEAD", "POST", "PUT", "OPTIONS"])])


async def bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"x-app", b"reached")]})
    await send({"type": "http.response.body", "body": b"app"})


@pytest.fixture
def make(eidgate_sandbox: RunningSandbox, tmp_path: Path
         ) -> Iterator[Callable[..., Callable[..., Answer]]]:
    """``make(family, **options)``: a send function for an app behind that adapter."""
    config = config_file(eidgate_sandbox, tmp_path)
    closing: list[Callable[[], Any]] = []

    def build(family: str, **options: Any) -> Callable[..., Answer]:
        if family == "flask":
            app = flask.Flask(__name__)
            extension = EidGate(app, config=config, **options)
            assert extension.client is not None
            closing.append(extension.client.close)
            return werkzeug_sender(WerkzeugClient(app))
        if family == "wsgi":
            middleware = wsgi.EidGateMiddleware(bare_wsgi, config=config, **options)
            closing.append(middleware.close)
            return werkzeug_sender(WerkzeugClient(middleware))
        client = TestClient(asgi.EidGateMiddleware(starlette_app(), config=config, **options))
        client.__enter__()
        closing.append(lambda: client.__exit__(None, None, None))

        def send(method: str, body: bytes = b"", headers: dict[str, str] | None = None,
                 path: str = PATH) -> Answer:
            r = client.request(method, "http://127.0.0.1:8000" + path, content=body,
                               headers=headers or {})
            return Answer(r.status_code, dict(r.headers), r.content)
        return send
    yield build
    for close in closing:
        close()


def werkzeug_sender(client: WerkzeugClient) -> Callable[..., Answer]:
    def send(method: str, body: bytes = b"", headers: dict[str, str] | None = None,
             path: str = PATH) -> Answer:
        r = client.open(path, method=method, data=body, headers=headers or {},
                        base_url="http://127.0.0.1:8000")
        return Answer(r.status_code, {k.lower(): v for k, v in r.headers.items()},
                      r.get_data())
    return send


def form(token: str) -> bytes:
    return urlencode({"logout_token": token}).encode()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_valid_logout_token_ends_the_sessions_it_names(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox) -> None:
    store = RecordingStore()
    send = make(family, sessions=store)
    token = logout_token(eidgate_sandbox, sid="sid-1", sub="sub-1")
    # a provider's server sends no Origin; even a cross-site one is no CSRF here (2.5)
    answer = send("POST", form(token), {**FORM, "Origin": "https://op.example",
                                        "Sec-Fetch-Site": "cross-site"})
    assert answer.status == 200  # 2.8
    assert answer.headers["cache-control"] == "no-store"  # 2.8
    assert "set-cookie" not in answer.headers  # no browser: no cookie
    assert "x-app" not in answer.headers  # the gate's, never the app's
    assert store.ended == [(eidgate_sandbox.issuer, "sid-1", "sub-1")]
    # 2.4: without sid, every session of the subject at the issuer
    assert send("POST", form(logout_token(eidgate_sandbox, sid=None, sub="sub-2")),
                FORM).status == 200
    assert store.ended[-1] == (eidgate_sandbox.issuer, None, "sub-2")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_bad_logout_token_is_a_400_with_a_json_error(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox) -> None:
    store = RecordingStore()
    send = make(family, sessions=store)
    for bad in (form(logout_token(eidgate_sandbox, nonce="n-0S6")),  # 2.6 (7)
                form(logout_token(eidgate_sandbox, aud="another-client")),  # 2.6 (4)
                form(logout_token(eidgate_sandbox, events={})),  # 2.6 (6)
                b"logout_token=not.a.jwt", b""):  # 2.5
        answer = send("POST", bad, FORM)
        assert answer.status == 400, bad
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.json()["error"] == "invalid_request"
        assert isinstance(answer.json()["error_description"], str)
    assert store.ended == []


@pytest.mark.parametrize("family", FAMILIES)
def test_a_replayed_logout_token_is_refused(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox) -> None:
    store = RecordingStore()
    send = make(family, sessions=store)
    body = form(logout_token(eidgate_sandbox))
    assert send("POST", body, FORM).status == 200
    assert send("POST", body, FORM).status == 400  # 2.6 (8)
    assert len(store.ended) == 1


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "OPTIONS"])
def test_other_methods_are_not_allowed(
        family: str, method: str, make: Callable[..., Callable[..., Answer]]) -> None:
    # Back-Channel Logout 1.0 2.5: POST only; RFC 9110 15.5.6: 405 with Allow
    store = RecordingStore()
    answer = make(family, sessions=store)(method)
    assert answer.status == 405
    assert answer.headers["allow"] == "POST"
    assert store.ended == []


@pytest.mark.parametrize("family", FAMILIES)
def test_a_body_over_the_bound_is_refused(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox) -> None:
    store = RecordingStore()
    send = make(family, sessions=store)
    token = logout_token(eidgate_sandbox)
    padded = form(token) + b"&pad=" + b"x" * (64 * 1024)
    answer = send("POST", padded, FORM)
    assert answer.status == 400
    assert "too large" in answer.json()["error_description"]
    assert store.ended == []
    # just under the bound is read whole
    fits = form(token) + b"&pad=" + b"x" * (64 * 1024 - len(form(token)) - 5)
    assert len(fits) == 64 * 1024
    assert send("POST", fits, FORM).status == 200


@pytest.mark.parametrize("family", FAMILIES)
def test_the_cookie_store_cannot_end_sessions_and_says_so(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox) -> None:
    # 2.8: "If ... the logout failed, the RP MUST respond with HTTP 400 Bad Request": the
    # cookie lives on in the browser, so a 200 would tell the provider a falsehood
    answer = make(family)("POST", form(logout_token(eidgate_sandbox)), FORM)
    assert answer.status == 400
    assert answer.json()["error"] == "sessions_not_revocable"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_store_that_fails_to_end_is_a_failed_logout(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingStore(fail=ConnectionError("redis://secret-host down"))
    token = logout_token(eidgate_sandbox, sub="sub-of-a-person", sid="sid-of-a-session")
    with caplog.at_level("INFO", logger="eidgate"):
        answer = make(family, sessions=store)("POST", form(token), FORM)
    assert answer.status == 400
    assert answer.json()["error"] == "server_error"
    assert b"secret-host" not in answer.body
    logged = caplog.text
    for private in (token, "sub-of-a-person", "sid-of-a-session", "secret-host"):
        assert private not in logged


@pytest.mark.parametrize("family", FAMILIES)
def test_no_token_or_identifier_in_the_log(
        family: str, make: Callable[..., Callable[..., Answer]],
        eidgate_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture) -> None:
    send = make(family, sessions=RecordingStore())
    good = logout_token(eidgate_sandbox, sub="sub-of-b", sid="sid-of-b")
    bad = logout_token(eidgate_sandbox, sub="sub-of-c", sid="sid-of-c", nonce="x")
    with caplog.at_level("INFO", logger="eidgate"):
        assert send("POST", form(good), FORM).status == 200
        assert send("POST", form(bad), FORM).status == 400
    assert "back-channel logout" in caplog.text
    for private in (good, bad, "sub-of-b", "sid-of-b", "sub-of-c", "sid-of-c"):
        assert private not in caplog.text


# -- the bound, from below: how much of a large body each adapter reads ------------------
class CountingInput(io.BytesIO):
    """A wsgi.input that counts what the application read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


@pytest.mark.parametrize("family", ["flask", "wsgi"])
def test_wsgi_adapters_read_no_more_than_the_bound(
        family: str, eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    config = config_file(eidgate_sandbox, tmp_path)
    if family == "flask":
        app: Any = flask.Flask(__name__)
        EidGate(app, config=config, sessions=RecordingStore())
    else:
        app = wsgi.EidGateMiddleware(bare_wsgi, config=config, sessions=RecordingStore())
    size = 4 * 1024 * 1024
    stream = CountingInput(b"logout_token=" + b"x" * size)
    environ = EnvironBuilder(path=PATH, method="POST", base_url="http://127.0.0.1:8000",
                             headers=FORM).get_environ()
    environ.update({"wsgi.input": stream, "CONTENT_LENGTH": str(size + 13)})
    statuses: list[str] = []
    b"".join(app(environ, lambda status, headers, *exc: statuses.append(status)))
    assert statuses[0].startswith("400")
    assert stream.taken <= 64 * 1024 + 1


def test_asgi_adapter_reads_no_more_than_the_bound(eidgate_sandbox: RunningSandbox,
                                                  tmp_path: Path) -> None:
    app = asgi.EidGateMiddleware(bare_asgi, config=config_file(eidgate_sandbox, tmp_path),
                                 sessions=RecordingStore())
    chunk, taken, sent = b"x" * 4096, [0], []

    async def receive() -> dict[str, Any]:
        taken[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": taken[0] < 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": PATH, "root_path": "",
             "query_string": b"", "headers": [(b"content-type", FORM["Content-Type"].encode())]}

    async def run() -> None:
        await app(scope, receive, send)
        await app.aclose()
    asyncio.run(run())
    assert sent[0]["status"] == 400
    assert taken[0] <= (64 * 1024 + 1) // 4096 + 1  # 17 chunks, not 1000


def test_a_client_that_goes_away_mid_body_sends_no_token(eidgate_sandbox: RunningSandbox,
                                                         tmp_path: Path) -> None:
    app = asgi.EidGateMiddleware(bare_asgi, config=config_file(eidgate_sandbox, tmp_path),
                                 sessions=RecordingStore())
    token = form(logout_token(eidgate_sandbox))
    messages = [{"type": "http.request", "body": token[:40], "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": PATH, "root_path": "",
             "query_string": b"", "headers": []}

    async def run() -> None:
        await app(scope, receive, send)
        await app.aclose()
    asyncio.run(run())
    assert sent[0]["status"] == 400  # a cut token is no token (2.5)


@pytest.mark.parametrize("length", ["", "abc", "-5"])
def test_wsgi_without_a_usable_content_length_reads_nothing(
        length: str, eidgate_sandbox: RunningSandbox, tmp_path: Path) -> None:
    app = wsgi.EidGateMiddleware(bare_wsgi, config=config_file(eidgate_sandbox, tmp_path),
                                 sessions=RecordingStore())
    stream = CountingInput(form(logout_token(eidgate_sandbox)))
    environ = EnvironBuilder(path=PATH, method="POST", base_url="http://127.0.0.1:8000",
                             headers=FORM).get_environ()
    environ.update({"wsgi.input": stream, "CONTENT_LENGTH": length})
    statuses: list[str] = []
    b"".join(app(environ, lambda status, headers, *exc: statuses.append(status)))
    app.close()
    # PEP 3333: no CONTENT_LENGTH, no reading (it could block): no token, 400
    assert statuses[0].startswith("400")
    assert stream.taken == 0


# -- the sandbox sends the logout tokens (2.5): the RP on a real loopback socket ----------
@pytest.fixture
def served(eidgate_sandbox: RunningSandbox, tmp_path: Path
           ) -> Iterator[tuple[wsgi.EidGateMiddleware, RecordingStore]]:
    """The WSGI adapter on 127.0.0.1, registered at the sandbox as the client's
    ``backchannel_logout_uri`` (2.2)."""
    store = RecordingStore()
    app = wsgi.EidGateMiddleware(bare_wsgi, config=config_file(eidgate_sandbox, tmp_path),
                                 protect=["/account/*"], sessions=store)

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = eidgate_sandbox.client
    client.backchannel_logout_uri = (f"http://127.0.0.1:{server.server_port}"
                                     "/eidgate/backchannel-logout")
    try:
        yield app, store
    finally:
        client.backchannel_logout_uri = None
        server.shutdown()
        server.server_close()
        app.close()


def test_the_sandbox_advertises_back_channel_logout(eidgate_sandbox: RunningSandbox) -> None:
    doc = httpx2.get(eidgate_sandbox.issuer + "/.well-known/openid-configuration",
                     timeout=5).json()
    # 2.1: "backchannel_logout_supported", "backchannel_logout_session_supported"
    assert doc["backchannel_logout_supported"] is True
    assert doc["backchannel_logout_session_supported"] is True


def test_a_logout_at_the_sandbox_ends_the_session_at_the_app(
        served: tuple[wsgi.EidGateMiddleware, RecordingStore],
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any]) -> None:
    app, store = served
    browser = WerkzeugClient(app)
    assert eidgate_login(browser, "/account/x", person="npa-erika").status_code == 200
    sid = store.saved[-1]["sid"]  # the ID token's sid, kept with the session (2.7)
    sub = eidgate_sandbox.sandbox.sub_for("npa-erika")
    # the person logs out at the sandbox, whose session cookie names the session
    answer = eidgate_sandbox.sandbox.handle(SandboxRequest(
        "GET", "/logout", {}, {"cookie": f"theme=dark; eidgate_sandbox_sid={sid}"}))
    assert answer.status == 200
    assert store.ended == [(eidgate_sandbox.issuer, sid, sub)]
    # that session is over at the sandbox: a second logout sends nothing
    assert eidgate_sandbox.sandbox.end_session(sid=sid) == {}


def test_the_sandbox_test_api_ends_every_session_of_a_person(
        served: tuple[wsgi.EidGateMiddleware, RecordingStore],
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any]) -> None:
    app, store = served
    sub = eidgate_sandbox.sandbox.sub_for("ftn-vaino")
    eidgate_sandbox.sandbox.end_session(sub=sub)  # sessions other tests left (one sandbox)
    store.ended.clear()
    for _ in range(2):  # two browsers, two sessions
        assert eidgate_login(WerkzeugClient(app), "/account/x",
                             person="ftn-vaino").status_code == 200
    answers = eidgate_sandbox.sandbox.end_session(sub=sub)
    assert answers == {eidgate_sandbox.client.client_id: 200}
    assert {(issuer, s) for issuer, _, s in store.ended} == {(eidgate_sandbox.issuer, sub)}
    assert {sid for _, sid, _ in store.ended} == {f["sid"] for f in store.saved[-2:]}


def test_the_app_refuses_a_broken_token_from_the_sandbox(
        served: tuple[wsgi.EidGateMiddleware, RecordingStore],
        eidgate_sandbox: RunningSandbox) -> None:
    _, store = served
    uri = eidgate_sandbox.client.backchannel_logout_uri
    assert uri is not None
    token = eidgate_sandbox.sandbox.logout_token(eidgate_sandbox.client.client_id,
                                                 sub="someone", nonce="n")  # 2.6 (7)
    answer = httpx2.post(uri, content=form(token), headers=FORM, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert store.ended == []


def test_the_sandbox_reports_what_each_delivery_got(
        served: tuple[wsgi.EidGateMiddleware, RecordingStore],
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any]) -> None:
    app, store = served
    sandbox, client = eidgate_sandbox.sandbox, eidgate_sandbox.client
    registered = client.backchannel_logout_uri

    def session() -> str:
        assert eidgate_login(WerkzeugClient(app), "/account/x",
                             person="npa-erika").status_code == 200
        return str(store.saved[-1]["sid"])

    # the app could not end the session: it answers 400 (2.8), the sandbox says so
    store.fail = ConnectionError("store down")
    assert sandbox.end_session(sid=session()) == {client.client_id: 400}
    store.fail = None
    # nobody listening, or a URI that is no web address: not delivered (0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    for uri in (f"http://127.0.0.1:{closed}/eidgate/backchannel-logout", "file:///etc/hosts"):
        client.backchannel_logout_uri = uri
        assert sandbox.end_session(sid=session()) == {client.client_id: 0}
    client.backchannel_logout_uri = None  # a client without one gets nothing
    assert sandbox.end_session(sid=session()) == {}
    client.backchannel_logout_uri = registered
    assert store.ended == []


def test_the_sandbox_encrypts_logout_tokens_as_it_encrypts_id_tokens() -> None:
    # 2.4: "the same keys are used to sign and encrypt Logout Tokens as are used for ID
    # Tokens"
    from joserfc import jwe
    from joserfc.jwk import RSAKey

    from eidgate.sandbox import Sandbox, SandboxClient

    key = RSAKey.generate_key(2048, parameters={"kid": "rp-enc", "use": "enc"}, private=True)
    sandbox = Sandbox("https://sandbox.eidgate.test")
    sandbox.register(SandboxClient("rp", "s", ("https://rp.example/cb",), encrypt_id_token=True,
                                   jwks={"keys": [key.as_dict(private=False)]}))
    token = sandbox.logout_token("rp", sid="s-1")
    assert token.count(".") == 4
    inner = jwe.decrypt_compact(token, key).plaintext
    assert inner is not None
    claims = jwt.decode(inner.decode(), sandbox._keys[0]).claims
    assert claims["sid"] == "s-1" and "sub" not in claims
    assert claims["events"] == {EVENT: {}}

"""Sessions stay small and pluggable; logs never carry personal data or tokens."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest

import eidgate
from eidgate.sandbox import PEOPLE, RunningSandbox
from eidgate.web import Gate, WebRequest
from eidgate.web._sessions import MAX_COOKIE_BYTES, CookieSessions
from eidgate_adapters.flask import EidGate, current_identity, login_required


@pytest.mark.parametrize("person", PEOPLE, ids=[p.key for p in PEOPLE])
def test_every_test_persons_session_cookie_fits_a_browser(person: Any) -> None:
    codec = CookieSessions(["k" * 32], 3600)
    identity = eidgate.normalize({"sub": "s" * 44, **person.claims}, person.eid,
                                 provider="a-long-provider-name", issuer="https://" + "x" * 60)
    value = codec.save(identity)
    cookie = f"eidgate_session={value}; Max-Age=28800; Path=/; HttpOnly; SameSite=Lax; Secure"
    assert len(cookie) < MAX_COOKIE_BYTES
    loaded = codec.load(value)
    assert loaded is not None
    assert loaded[0].to_session_dict() == identity.to_session_dict()


class MemoryStore:
    """A server-side SessionStore: the cookie holds only an opaque id."""

    def __init__(self) -> None:
        self.data: dict[str, eidgate.Identity] = {}

    def save(self, identity: eidgate.Identity, **fields: Any) -> str:
        key = secrets.token_urlsafe(24)
        self.data[key] = identity
        return key

    def load(self, value: str | None) -> tuple[eidgate.Identity, dict[str, Any]] | None:
        found = self.data.get(value or "")
        return (found, {}) if found else None

    def delete(self, value: str | None) -> None:
        self.data.pop(value or "", None)


def test_a_server_side_store_plugs_into_the_gate() -> None:
    config = eidgate.parse_config({
        "eidgate": {"base_url": "https://app.example.test", "secret_key": "k" * 32},
        "providers": {"op": {"issuer": "https://op.example.test", "client_id": "c",
                             "client_secret": "s" * 16}}})
    store = MemoryStore()
    gate = Gate(config, eidgate.RelyingParty(config), sessions=store)
    identity = eidgate.normalize({"sub": "u1", "given_name": "Ada", "family_name": "L"})
    key = store.save(identity)
    found = gate.identity(WebRequest("GET", "/", cookies={"__Host-eidgate_session": key}))
    assert found is identity
    assert len(key) < 40  # an opaque id, not the identity
    steps = gate.handle(WebRequest("POST", "/eidgate/logout",
                                   cookies={"__Host-eidgate_session": key}))
    # no provider to ask (the identity names none): only the store's calls, made in place
    response = eidgate.Client(config).run(steps)
    assert response.status == 303
    assert key not in store.data  # logout ended the server-side session


def test_no_personal_data_or_tokens_in_any_log(eidgate_sandbox: RunningSandbox,
                                               eidgate_login: Callable[..., Any],
                                               tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      'secret_key = "log-test-secret-0123456789abcdef"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    app = flask.Flask(__name__)
    EidGate(app, config=str(config))

    @app.get("/account")
    @login_required
    def account() -> str:
        return current_identity.subject

    caplog.set_level(logging.DEBUG)
    with app.test_client() as client:
        page = eidgate_login(client, "/account", person="nbid-kari")
        subject = page.get_data(as_text=True)
        client.post("/eidgate/logout")
        cookie_value = "never-logged"
    person = next(p for p in PEOPLE if p.key == "nbid-kari")
    secrets_and_pii = [subject, cookie_value, *[str(v) for k, v in person.claims.items()
                                                if k in ("name", "given_name", "family_name",
                                                         "birthdate", "signicat.national_id",
                                                         "nin")]]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "eidgate: login accepted" in logged  # eidgate does log the event...
    for value in secrets_and_pii:  # ...but never who
        assert value not in logged, value
    # nor codes, tokens or state from URLs, in eidgate's and httpx's records (httpcore's
    # DEBUG trace of this test's own "browser" shows the sandbox's redirect to the
    # callback; eidgate's own requests carry no secret in a URL or response header)
    for record in caplog.records:
        message = record.getMessage()
        if not record.name.startswith(("eidgate", "httpx2")) or "/authorize?" in message:
            continue  # other libraries, or the test browser's own navigation
        assert "code=" not in message
        assert "access_token" not in message
        assert "state=" not in message

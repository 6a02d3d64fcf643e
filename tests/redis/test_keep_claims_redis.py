"""``keep_claims`` with the Redis store (issue 12): by default the session keeps every raw
claim; a list keeps those; and what is kept, with ``auth_time``, survives a round trip
through each store (Redis: ``Identity.to_store_dict``, sealed; the cookie: the same dict,
sealed in the cookie), read back by another instance that has no cache of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask
import pytest
from redis_helpers import SECRET, person
from redis_server import RedisServer

from eidgate.sandbox import RunningSandbox
from eidgate.sandbox import person as sandbox_person
from eidgate.web import CookieSessions, RedisSessions
from eidgate_adapters.flask import EidGate, current_identity, login_required

Make = Callable[..., RedisSessions]
AUTH_TIME = datetime(2027, 1, 15, 8, 30, 5, tzinfo=UTC)


def test_kept_claims_and_auth_time_survive_the_redis_store(make_store: Make) -> None:
    identity = replace(person(), auth_time=AUTH_TIME)
    value = make_store().save(identity, sid="s-1")
    found = make_store().load(value)  # another instance: read from Redis, not a cache
    assert found is not None
    loaded, fields = found
    assert dict(loaded.claims) == dict(identity.claims)  # nested values too
    assert loaded.auth_time == AUTH_TIME and loaded.warnings == ("a warning",)
    assert loaded.to_dict() == identity.to_dict() and fields == {"sid": "s-1"}


def test_kept_claims_and_auth_time_survive_the_cookie_store() -> None:
    identity = replace(person(), auth_time=AUTH_TIME)
    value = CookieSessions([SECRET], 3600).save(identity)
    found = CookieSessions([SECRET], 3600).load(value)  # no shared decode cache
    assert found is not None
    assert found[0].to_dict() == identity.to_dict()
    # no claims kept: none in the cookie, and none read back
    bare = CookieSessions([SECRET], 3600).load(
        CookieSessions([SECRET], 3600).save(replace(identity, claims={})))
    assert bare is not None and dict(bare[0].claims) == {}
    assert bare[0].auth_time == AUTH_TIME


def make_app(sandbox: RunningSandbox, tmp_path: Path, redis_url: str, prefix: str,
             keep: str | None) -> tuple[flask.Flask, EidGate]:
    config = tmp_path / "eidgate.toml"
    config.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                      f'secret_key = "{SECRET}"\n\n' + sandbox.toml()
                      + (f"keep_claims = {keep}\n" if keep is not None else "")
                      + f'\n[eidgate.session]\nstore = "redis"\nurl = "{redis_url}"\n'
                      f'key_prefix = "{prefix}"\n', encoding="utf-8")
    app = flask.Flask(__name__)
    gate = EidGate(app, config=str(config))

    @app.get("/claims")
    @login_required
    def claims() -> str:
        return json.dumps(dict(current_identity.claims), sort_keys=True)
    return app, gate


@pytest.mark.parametrize(("keep", "prefix"), [
    (None, "keep-default:"), ('["*"]', "keep-star:"), ('["sub", "given_name"]', "keep-list:"),
    ("[]", "keep-none:")])
def test_keep_claims_with_the_redis_store(
        keep: str | None, prefix: str, eidgate_sandbox: RunningSandbox,
        redis_server: RedisServer, tmp_path: Path,
        eidgate_login: Callable[..., Any]) -> None:
    app, gate = make_app(eidgate_sandbox, tmp_path, redis_server.url, prefix, keep)
    assert gate.gate is not None and isinstance(gate.gate.sessions, RedisSessions)
    try:
        with app.test_client() as client:
            page = eidgate_login(client, "/claims", person="ftn-vaino")
            assert page.status_code == 200
            claims = json.loads(page.get_data(as_text=True))
    finally:
        gate.gate.sessions.close()
        assert gate.client is not None
        gate.client.close()
    sub = eidgate_sandbox.sandbox.sub_for("ftn-vaino")
    if keep == "[]":
        assert claims == {}
    elif keep == '["sub", "given_name"]':
        assert claims == {"sub": sub, "given_name": "Väinö"}
    else:  # the default with a server-side store, and "*": every verified claim
        for name, value in sandbox_person("ftn-vaino").claims.items():
            assert claims[name] == value, name
        assert claims["sub"] == sub and claims["iss"] == eidgate_sandbox.issuer
        assert isinstance(claims["auth_time"], int)

"""The README's "Tokens for API calls" example runs as written against the sandbox with the
Redis store (its API call goes to the sandbox's userinfo endpoint, which takes the
provider's access tokens: RFC 6750 2.1), and docs/tokens.md's FastAPI endpoint answers as
the page says (every block of both also compiles and loads in tests/test_docs.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)

from eidgate.sandbox import RunningSandbox, SandboxClient

ROOT = Path(__file__).resolve().parents[1]
SECRET = "docs-tokens-secret-0123456789"


def python_block(path: Path, after: str, containing: str) -> str:
    """The first python block after the heading ``after`` that contains ``containing``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after)
    for found in re.finditer(r"^```python\n(.*?)^```$", text[start:], re.S | re.M):
        if containing in found[1]:
            return found[1]
    raise AssertionError(f"{path.name}: no python block with {containing!r} after {after!r}")


def write_config(sandbox: RunningSandbox, redis: RedisServer, directory: Path, name: str
                 ) -> str:
    """A client of its own at the sandbox (60 s access tokens), asking for offline_access
    as the README says, and the Redis store; returns the client id."""
    sandbox.sandbox.register(SandboxClient(name, SECRET, (
        "http://127.0.0.1:8000/eidgate/callback",), token_lifetime=60))
    (directory / "eidgate.toml").write_text(
        f'[eidgate]\nbase_url = "http://127.0.0.1:8000"\nsecret_key = "{SECRET}"\n\n'
        f'[eidgate.session]\nstore = "redis"\nurl = "{redis.url}"\nkey_prefix = "{name}:"\n\n'
        f'[providers.hub]\nissuer = "{sandbox.issuer}"\nclient_id = "{name}"\n'
        f'client_secret = "{SECRET}"\nscopes = ["openid", "profile", "offline_access"]\n',
        encoding="utf-8")
    return name


def test_readme_tokens_block_calls_an_api_and_refreshes(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        redis_server: RedisServer, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    client_id = write_config(eidgate_sandbox, redis_server, tmp_path, "docs-tokens-readme")
    monkeypatch.chdir(tmp_path)  # the block reads "eidgate.toml"
    code = python_block(ROOT / "README.md", "### Tokens for API calls", "get_access_token()")
    namespace: dict[str, Any] = {"__name__": "docs_tokens"}
    exec(compile(code, "README tokens", "exec"), namespace)  # noqa: S102 (our own docs)
    namespace["API"] = eidgate_sandbox.issuer + "/userinfo"  # an API that takes the token
    app = namespace["app"]
    ext = app.extensions["eidgate"]
    refresh = eidgate_sandbox.sandbox.refresh
    try:
        with app.test_client() as client:
            page = eidgate_login(client, "/accounts", person="ftn-vaino")
            assert page.status_code == 200
            assert page.get_json()["given_name"] == "Väinö"  # the API took the token
            # 40 s later the token has less than 30 s left: refreshed, and still taken
            ext.gate.rp.now = lambda: time.time() + 40
            assert client.get("/accounts").get_json()["given_name"] == "Väinö"
            assert refresh.granted[client_id] == 1
            # the provider refuses the next refresh: the session ends, a login is asked for
            refresh.revoke(client_id)
            ext.gate.rp.now = lambda: time.time() + 200
            again = client.get("/accounts")
            assert again.status_code == 302
            assert again.headers["Location"] == "/eidgate/login?next=/accounts"
            assert client.get("/accounts", headers={"Accept": "application/json"}
                              ).status_code == 401
    finally:
        ext.client.close()
        ext.gate.sessions.close()


def test_tokens_page_fastapi_block_calls_the_api(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
        redis_server: RedisServer, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    write_config(eidgate_sandbox, redis_server, tmp_path, "docs-tokens-page")
    monkeypatch.chdir(tmp_path)
    code = python_block(ROOT / "docs" / "tokens.md", "## In your code", "FastAPI()")
    namespace: dict[str, Any] = {"__name__": "docs_tokens_fastapi"}
    exec(compile(code, "docs/tokens.md FastAPI", "exec"), namespace)  # noqa: S102
    namespace["API"] = eidgate_sandbox.issuer + "/userinfo"
    app = namespace["app"]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = eidgate_login(client, "/accounts", person="mitid-sofie")
        assert page.status_code == 200 and page.json()["sub"]
        eidgate_sandbox.sandbox.refresh.revoke("docs-tokens-page")
        app.gate.rp.now = lambda: time.time() + 200
        refused = client.get("/accounts", headers={"Accept": "application/json"})
        assert refused.status_code == 401
        assert refused.json()["detail"] == {"error": "refresh_refused",
                                             "login_url": "/eidgate/login"}
    app.gate.sessions.close()

"""The README's "Step-up for sensitive actions (max_age)" example runs against the sandbox,
and docs/step-up.md's FastAPI example answers an API call as the page says (every block of
both also compiles in tests/test_docs.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from eidgate.sandbox import RunningSandbox

ROOT = Path(__file__).resolve().parents[1]


def python_block(path: Path, after: str, containing: str) -> str:
    """The first python block after the heading ``after`` that contains ``containing``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after)
    for found in re.finditer(r"^```python\n(.*?)^```$", text[start:], re.S | re.M):
        if containing in found[1]:
            return found[1]
    raise AssertionError(f"{path.name}: no python block with {containing!r} after {after!r}")


def write_config(sandbox: RunningSandbox, directory: Path) -> None:
    (directory / "eidgate.toml").write_text(
        '[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
        'secret_key = "docs-step-up-secret-0123456789"\n\n' + sandbox.toml(), encoding="utf-8")


def test_readme_step_up_block_asks_for_a_fresh_login(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)  # the block reads "eidgate.toml"
    code = python_block(ROOT / "README.md", "### Step-up for sensitive actions (max_age)",
                        "max_age=300")
    namespace: dict[str, Any] = {"__name__": "docs_step_up"}
    exec(compile(code, "README step-up", "exec"), namespace)  # noqa: S102 (our own docs)
    app = namespace["app"]
    gate = app.extensions["eidgate"].gate
    try:
        with app.test_client() as client:
            page = eidgate_login(client, "/payments/new", person="ftn-vaino")
            assert page.get_data(as_text=True) == "Pay as Väinö Tunnistus"
            # the login was ten minutes ago: the page sends the person back to log in
            cookie = client.get_cookie("eidgate_session")
            assert cookie is not None
            identity, fields = gate.sessions.load(cookie.value)
            client.set_cookie("eidgate_session", gate.sessions.save(
                replace(identity, auth_time=identity.auth_time - timedelta(minutes=10)),
                **fields))
            again = client.get("/payments/new", headers={"Accept": "text/html"})
            assert again.status_code == 303
            assert parse_qs(urlsplit(again.headers["Location"]).query)["max_age"] == ["300"]
            page = eidgate_login(client, "/payments/new", person="ftn-vaino")
            assert page.get_data(as_text=True) == "Pay as Väinö Tunnistus"
    finally:
        app.extensions["eidgate"].client.close()


def test_step_up_page_fastapi_block_answers_an_api_call(
        eidgate_sandbox: RunningSandbox, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    write_config(eidgate_sandbox, tmp_path)
    monkeypatch.chdir(tmp_path)
    code = python_block(ROOT / "docs" / "step-up.md", "Starlette and FastAPI",
                        "identity_required(max_age=300)")
    namespace: dict[str, Any] = {"__name__": "docs_step_up_fastapi"}
    exec(compile(code, "docs/step-up.md FastAPI", "exec"), namespace)  # noqa: S102
    with TestClient(namespace["app"], follow_redirects=False) as client:
        answer = client.post("/api/payments", headers={"Accept": "application/json"})
    assert answer.status_code == 401
    # not logged in at all: the page's JSON, with the max_age the route needs
    detail = json.loads(answer.text)["detail"]
    assert detail["error"] == "login_required" and detail["max_age"] == 300
    assert urlsplit(detail["login_url"]).path == "/eidgate/login"
    assert parse_qs(urlsplit(detail["login_url"]).query)["max_age"] == ["300"]

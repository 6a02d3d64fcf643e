"""The examples run and do what the README says, against the sandbox eID hub."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import eidgate
from eidgate.sandbox import RunningSandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_shared_example_config_loads() -> None:
    config = eidgate.load_config(EXAMPLES / "eidgate.toml")
    assert list(config.providers) == ["sandbox", "ftn", "mitid", "sbid", "idin"]
    assert config.providers["mitid"].acr_values == ("idp:mitid",)


def test_flask_example_logs_in_shows_identity_and_logs_out(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the example's config, pointed at this test session's sandbox
    data = tomllib.loads((EXAMPLES / "eidgate.toml").read_text(encoding="utf-8"))
    lines = ['[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
             'secret_key = "example-test-secret-0123456789abcdef"\n']
    for name, table in data["providers"].items():
        acr = table.get("acr_values", [])
        lines.append(f'[providers.{name}]\nlabel = "{table["label"]}"\n'
                     f'issuer = "{eidgate_sandbox.issuer}"\nclient_id = "demo"\n'
                     f'client_secret = "{eidgate_sandbox.client.client_secret}"\n'
                     f"acr_values = {acr!r}\n".replace("'", '"'))
    config = tmp_path / "eidgate.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("EIDGATE_CONFIG", str(config))
    spec = importlib.util.spec_from_file_location("flask_example", EXAMPLES / "flask_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "flask_example", module)
    spec.loader.exec_module(module)
    with module.app.test_client() as client:
        assert "Not logged in." in client.get("/").get_data(as_text=True)
        picker = client.get("/account", headers={"Accept": "text/html"})
        assert picker.status_code == 303
        page = eidgate_login(client, "/eidgate/login?provider=mitid&next=/account",
                             person="mitid-frederik")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Hello Frederik" in text
        assert "mitid" in text
        assert "Logged in as Frederik" in client.get("/").get_data(as_text=True)
        logout = client.post("/eidgate/logout")
        assert logout.status_code == 303
        assert "Not logged in." in client.get("/").get_data(as_text=True)

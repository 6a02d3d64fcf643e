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


def point_examples_at(sandbox: RunningSandbox, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples' shared eidgate.toml, pointed at this test session's sandbox."""
    # the example's own file, every provider pointed at this sandbox (labels, acr_values
    # and the rest as the examples have them)
    text = (EXAMPLES / "eidgate.toml").read_text(encoding="utf-8")
    assert text.count('"http://127.0.0.1:8800"') == len(tomllib.loads(text)["providers"])
    lines = [text.replace('"http://127.0.0.1:8800"', f'"{sandbox.issuer}"')
             .replace('"demo-secret-do-not-use-in-production"',
                      f'"{sandbox.client.client_secret}"')]
    config = tmp_path / "eidgate.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("EIDGATE_CONFIG", str(config))


def load_example(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, f"example_{name}", module)
    spec.loader.exec_module(module)
    return module


def test_flask_example_logs_in_shows_identity_and_logs_out(
        eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    point_examples_at(eidgate_sandbox, tmp_path, monkeypatch)
    module = load_example("flask_app", monkeypatch)
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


def test_fastapi_example(eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    point_examples_at(eidgate_sandbox, tmp_path, monkeypatch)
    module = load_example("fastapi_app", monkeypatch)
    with TestClient(module.app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").json() == {"logged_in_as": None}
        assert client.get("/account", headers={"Accept": "application/json"}
                          ).status_code == 401
        page = eidgate_login(client, "/eidgate/login?provider=sbid&next=/account",
                             person="sbid-daga")
        assert page.status_code == 200
        assert page.json()["method"] == "sbid"
        assert client.get("/").json() == {"logged_in_as": "Daga Krok"}


def test_starlette_example(eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    point_examples_at(eidgate_sandbox, tmp_path, monkeypatch)
    module = load_example("starlette_app", monkeypatch)
    with TestClient(module.app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").text == "Hello anonymous"
        page = eidgate_login(client, "/eidgate/login?provider=idin&next=/account",
                             person="idin-voorbeeld")
        assert page.status_code == 200
        assert "logged in with idin at level substantial" in page.text


def test_wsgi_example(eidgate_sandbox: RunningSandbox, eidgate_login: Callable[..., Any],
                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.test import Client as WerkzeugClient

    point_examples_at(eidgate_sandbox, tmp_path, monkeypatch)
    module = load_example("wsgi_app", monkeypatch)
    client = WerkzeugClient(module.application)
    assert "anonymous" in client.get("/").get_data(as_text=True)
    page = eidgate_login(client, "/eidgate/login?provider=ftn&next=/account/",
                         person="ftn-eero")
    assert page.status_code == 200
    assert "/account/: Eero" in page.get_data(as_text=True)
    module.application.close()


def test_each_example_says_how_to_run_it(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The run line in each example's docstring names that file, or an app in it."""
    point_examples_at(eidgate_sandbox, tmp_path, monkeypatch)
    for name in ("flask_app", "wsgi_app", "fastapi_app", "starlette_app"):
        module = load_example(name, monkeypatch)
        doc = module.__doc__ or ""
        served = [attr for attr in ("app", "application") if f"{name}:{attr}" in doc]
        assert f"examples/{name}.py" in doc or served, name
        for attr in served:
            assert callable(getattr(module, attr)), f"{name}:{attr}"
        if served:  # run by an ASGI server that eidgate does not install
            assert "pip install uvicorn" in doc, name
        close = getattr(getattr(module, "application", None), "close", None)
        if close is not None:
            close()

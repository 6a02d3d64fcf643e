"""The evidence archive through the adapters: stored before the login is kept (no evidence,
no login), and under ASGI off the event loop (a sink may write files or upload)."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi
from eidgate_adapters.flask import EidGate, current_identity, login_required


class Sink:
    """An evidence sink that remembers what it stored and in which thread, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.stored: list[tuple[str, bytes]] = []
        self.threads: list[int] = []

    def store(self, name: str, archive: bytes) -> None:
        self.threads.append(threading.get_ident())
        if self.fail:
            raise OSError("disk full")
        self.stored.append((name, archive))


@pytest.fixture
def config(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> str:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    f'secret_key = "{"e" * 32}"\n\n' + eidgate_sandbox.toml(), encoding="utf-8")
    return str(path)


def starlette_app(config: str, sink: Sink, loop_threads: list[int]) -> Any:
    async def account(request: Request) -> PlainTextResponse:
        loop_threads.append(threading.get_ident())  # an async endpoint runs on the loop
        identity = asgi.get_identity(request)
        return PlainTextResponse(f"account of {identity.full_name if identity else None}")

    return asgi.EidGateMiddleware(Starlette(routes=[Route("/account", account)]),
                                  config=config, protect=["/account"], evidence=sink)


def test_asgi_stores_the_archive_off_the_event_loop(config: str,
                                                    eidgate_login: Callable[..., Any]) -> None:
    sink, loop_threads = Sink(), []
    with TestClient(starlette_app(config, sink, loop_threads)) as client:
        page = eidgate_login(client, "/account", person="ftn-vaino")
    assert page.status_code == 200
    assert page.text == "account of Väinö Tunnistus"
    assert len(sink.stored) == 1
    names = zipfile.ZipFile(io.BytesIO(sink.stored[0][1])).namelist()
    assert "identity.json" in names and "token_response.json" in names
    assert loop_threads and sink.threads[0] not in loop_threads


@pytest.mark.parametrize("kind", ["asgi", "flask"])
def test_no_evidence_no_login(kind: str, config: str,
                              eidgate_login: Callable[..., Any]) -> None:
    sink = Sink(fail=True)
    if kind == "asgi":
        app: Any = starlette_app(config, sink, [])
        client: Any = TestClient(app)
    else:
        flask_app = flask.Flask(__name__)
        EidGate(flask_app, config=config, evidence=sink)

        @flask_app.get("/account")
        @login_required
        def account() -> str:
            return f"account of {current_identity.full_name}"
        client = flask_app.test_client()
    with client:
        page = eidgate_login(client, "/account", person="ftn-vaino")
        assert page.status_code == 500
        text = page.text if kind == "asgi" else page.get_data(as_text=True)
        assert "Väinö" not in text and "Traceback" not in text and "disk full" not in text
        assert sink.threads and not sink.stored
        again = client.get("/account", headers={"Accept": "application/json"})
        assert again.status_code == 401  # not logged in: no session was kept

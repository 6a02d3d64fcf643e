"""The callback's ``code`` and ``state`` stay out of the servers' access logs (issue 10
item 5), with the settings the deployment guide gives (docs/deployment.md, "Access logs"),
taken from the guide itself.

Real servers on 127.0.0.1, each a subprocess on a free port serving an example app
(uvicorn: examples/starlette_app.py; gunicorn: examples/flask_app.py) against the sandbox
eID hub: a real login, whose callback URL carries a real code and state, then a request
whose ``Referer`` is that URL (a link followed from a page at the callback). The server is
stopped and its access log read. Without the settings the code is in the log (so each
test can fail); with them, neither the code nor the state is, while the paths are.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from app_servers import wait_until_serving
from doc_blocks import block

from eidgate.sandbox import RunningSandbox, SandboxClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

try:  # not in the dev extra yet: its cases are skipped, saying so, until it is
    import gunicorn  # noqa: F401
    HAVE_GUNICORN = True
except ImportError:
    HAVE_GUNICORN = False


def readme_block(lang: str, marker: str) -> str:
    """The one ``lang`` block of the documentation (README or docs/) with ``marker``."""
    return block(None, lang, marker).code


def readme_gunicorn_format() -> str:
    """The ``--access-logformat`` the guide's gunicorn command gives."""
    command = readme_block("sh", "--access-logformat")
    found = re.search(r"--access-logformat '([^']*)'", command)
    assert found is not None
    return found[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config_for(sandbox: RunningSandbox, port: int, directory: Path) -> Path:
    """An eidgate.toml for an app on ``port``, with a sandbox client registered for it."""
    base = f"http://127.0.0.1:{port}"
    client = sandbox.sandbox.register(SandboxClient(
        f"access-logs-{port}", "access-logs-secret-0123456789", (f"{base}/eidgate/callback",),
        post_logout_redirect_uris=(f"{base}/eidgate/logged-out",)))
    path = directory / "eidgate.toml"
    path.write_text(f'[eidgate]\nbase_url = "{base}"\n'
                    'secret_key = "access-logs-secret-0123456789"\n\n'
                    f'[providers.sandbox]\nissuer = "{sandbox.issuer}"\n'
                    f'client_id = "{client.client_id}"\n'
                    f'client_secret = "{client.client_secret}"\n', encoding="utf-8")
    return path


def server_command(server: str, settings: str, port: int, directory: Path) -> list[str]:
    """The command line of ``server`` with the guide's ``settings`` (or none)."""
    bind = ["--host", "127.0.0.1", "--port", str(port)]
    if server == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES), *bind,
                   "starlette_app:app"]
        if settings == "readme filter":
            (directory / "logging.json").write_text(
                readme_block("json", "callback_logs.RedactCallback"), encoding="utf-8")
            command[3:3] = ["--log-config", "logging.json"]
        return command
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--pythonpath", str(EXAMPLES), "--access-logfile", "-"]
    if settings == "readme filter":
        (directory / "gunicorn.conf.py").write_text(
            readme_block("python", 'getLogger("gunicorn.access")'), encoding="utf-8")
        command += ["--config", "gunicorn.conf.py"]
    elif settings == "readme format":
        command += ["--access-logformat", readme_gunicorn_format()]
    return [*command, "flask_app:app"]



def log_in(base: str, eidgate_login: Callable[..., Any]) -> str:
    """A real login through the server; the callback URL it opened."""
    with httpx2.Client(base_url=base, headers={"Accept": "text/html"},
                       follow_redirects=False, timeout=10) as browser:
        to_login = browser.get("/account")
        assert to_login.status_code == 303, to_login.text
        to_provider = browser.get(to_login.headers["location"])
        assert to_provider.status_code == 303
        callback = str(eidgate_login(to_provider.headers["location"], person="ftn-vaino"))
        assert callback.startswith(f"{base}/eidgate/callback?")
        back = browser.get(callback.removeprefix(base))
        assert back.status_code == 303, back.text
        page = browser.get("/account")
        assert page.status_code == 200 and "Tunnistus" in page.text
        # a link followed from a page at the callback sends its URL as Referer
        browser.get("/", headers={"Referer": callback})
    return callback


CASES = [("uvicorn", "default", True), ("uvicorn", "readme filter", False),
         ("gunicorn", "default", True), ("gunicorn", "readme filter", False),
         ("gunicorn", "readme format", False)]


@pytest.mark.parametrize(("server", "settings", "leaks"), CASES,
                         ids=[f"{s}-{c.replace(' ', '-')}" for s, c, _ in CASES])
def test_access_log_keeps_the_callbacks_code_and_state_out(
        server: str, settings: str, leaks: bool, eidgate_sandbox: RunningSandbox,
        eidgate_login: Callable[..., Any], tmp_path: Path) -> None:
    if server == "gunicorn" and not HAVE_GUNICORN:
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "EIDGATE_CONFIG": str(config_for(eidgate_sandbox, port, tmp_path)),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
           "PYTHONUNBUFFERED": "1"}
    (tmp_path / "callback_logs.py").write_text(
        readme_block("python", "class RedactCallback("), encoding="utf-8")
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(server_command(server, settings, port, tmp_path),
                                   cwd=tmp_path, env=env, stdout=stdout, stderr=stderr)
        try:
            wait_until_serving(process, base, err)
            callback = log_in(base, eidgate_login)
        finally:
            process.send_signal(signal.SIGTERM)  # graceful: both servers flush and exit
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    logged = out.read_text(errors="replace") + err.read_text(errors="replace")
    query = parse_qs(urlsplit(callback).query)
    code, state = query["code"][0], query["state"][0]
    assert len(code) >= 16 and len(state) >= 32  # real values: a miss cannot be by chance
    access = [line for line in logged.splitlines() if '"GET /' in line]
    assert any("GET /account" in line for line in access), logged  # the log is written
    assert any("/eidgate/callback" in line for line in access), logged  # paths are kept
    if leaks:  # the problem the guide's settings solve (issue 10 item 5)
        assert code in logged and state in logged
    else:
        assert code not in logged, logged
        assert state not in logged, logged
    if settings == "readme filter":  # only the callback's query goes; others stay
        assert "/eidgate/login?next=%2Faccount&provider=sandbox" in logged, logged
        assert "/eidgate/callback?[redacted]" in logged, logged

"""`eidgate sandbox`, `eidgate check` and the pytest plugin, as a user meets them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import eidgate
from eidgate import Client, PendingLogins
from eidgate._cli import main
from eidgate.sandbox import RunningSandbox


def write_config(path: Path, providers: str) -> Path:
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "0123456789abcdef0123456789abcdef"\n\n' + providers,
                    encoding="utf-8")
    return path


def test_check_passes_for_a_good_config(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "eidgate.toml", eidgate_sandbox.toml())
    assert main(["check", str(config)]) == 0
    out = capsys.readouterr().out
    assert "all providers OK" in out
    assert eidgate_sandbox.issuer in out


def test_check_reports_every_problem(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    good = eidgate_sandbox.toml("good")
    unsupported = eidgate_sandbox.toml("es256") + 'id_token_algorithms = ["ES256"]\n'
    closed = ('[providers.down]\nissuer = "http://127.0.0.1:9"\nclient_id = "x"\n'
              'client_secret = "y"\n')
    config = write_config(tmp_path / "eidgate.toml", "\n".join((good, unsupported, closed)))
    assert main(["check", str(config)]) == 1
    out = capsys.readouterr().out
    assert "none of id_token_algorithms" in out
    assert "down" in out
    assert "cannot reach" in out or "NO" in out
    assert "problems found" in out


def test_check_names_the_config_mistake(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "eidgate.toml", '[providers.x]\nisuer = "https://a"\n')
    assert main(["check", str(config)]) == 1
    err = capsys.readouterr().err
    assert "isuer" in err
    assert "did you mean 'issuer'" in err


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell starts a background job


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_eidgate_sandbox_command_serves_logins(tmp_path: Path, stop: signal.Signals) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "eidgate", "sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=ignore_sigint)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        issuer = next(x.split(": ", 1)[1].strip() for x in lines if "issuer:" in x)
        assert "ftn-vaino" in text
        assert "client_secret" in text
        table = text.split("In eidgate.toml:", 1)[1].split("Ctrl-C", 1)[0]
        config = eidgate.parse_config(
            {"eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "k" * 32},
             **__import__("tomllib").loads(table)})
        with Client(config) as client:
            redirect = client.begin_login(login_hint="sbid-asa")
            import httpx2

            back = httpx2.get(redirect.url).headers["location"]
            result = client.complete_login(urlsplit(back).query,
                                           PendingLogins([redirect.pending]))
        assert result.accepted
        assert result.identity is not None
        assert result.identity.method == "sbid"
        assert result.identity.national_id is not None
        assert result.identity.national_id.type == "samordningsnummer"
        assert issuer == result.issuer
    finally:
        proc.send_signal(stop)
        try:
            _, err = proc.communicate(timeout=10)  # also closes the pipes
        except subprocess.TimeoutExpired:
            proc.kill()  # never leave a server behind, even when the test fails
            _, err = proc.communicate()
    assert proc.returncode == 0, err


def test_plugin_fixtures_log_a_person_in(eidgate_sandbox: RunningSandbox,
                                         eidgate_login: Callable[..., str],
                                         tmp_path: Path) -> None:
    config = write_config(tmp_path / "eidgate.toml", eidgate_sandbox.toml())
    with Client(eidgate.load_config(config)) as client:
        redirect = client.begin_login()
        back = eidgate_login(redirect.url, person="npa-erika")
        assert back.startswith("http://127.0.0.1:8000/eidgate/callback?")
        result = client.complete_login(urlsplit(back).query,
                                       PendingLogins([redirect.pending]))
    assert result.identity is not None
    assert result.identity.method == "npa"
    assert result.identity.nationality == "DE"


def test_plugin_logs_in_through_an_apps_test_client(eidgate_sandbox: RunningSandbox,
                                                    eidgate_login: Callable[..., Any],
                                                    tmp_path: Path) -> None:
    """A minimal Flask app on the core (what an adapter does), driven by its test client."""
    import flask

    config = eidgate.load_config(write_config(tmp_path / "eidgate.toml",
                                              eidgate_sandbox.toml()))
    client = Client(config)
    app = flask.Flask(__name__)
    app.secret_key = "test-only-secret-key-0123456789"

    @app.get("/account")
    def account() -> Any:
        if "name" not in flask.session:
            redirect = client.begin_login(next_url="/account")
            flask.session["pending"] = [redirect.pending.to_dict()]
            return flask.redirect(redirect.url)
        return f"Hello {flask.session['name']}"

    @app.get("/eidgate/callback")
    def callback() -> Any:
        pending = PendingLogins.from_list(flask.session.pop("pending", []))
        result = client.complete_login(flask.request.query_string.decode(), pending)
        assert result.identity is not None
        flask.session["name"] = result.identity.full_name
        return flask.redirect(result.next_url)

    with app.test_client() as test_client:
        page = eidgate_login(test_client, "/account", person="nbid-anders")
        assert page.status_code == 200
        assert page.get_data(as_text=True) == "Hello Anders Test Karpedamsvik"
    client.close()


def test_running_sandbox_stops_even_when_never_started() -> None:
    idle = RunningSandbox(0, redirect_uris=("http://127.0.0.1:5555/eidgate/callback",))
    assert idle.client.post_logout_redirect_uris == (
        "http://127.0.0.1:5555/eidgate/logged-out", "http://127.0.0.1:5555/")
    idle.stop()  # must return, not wait for a serve loop that never ran

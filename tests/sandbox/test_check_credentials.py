"""``eidgate check`` checks the client's credentials where the provider lets a client
authenticate without a person, and names an issuer mismatch (issue 12).

Expected answers from the specs: RFC 6749 4.1.3 (the server authenticates the client, then
checks that the code was issued to it: a made-up code is ``invalid_grant`` for a good
client) and 5.2 (``invalid_client``: client authentication failed); RFC 9126 2.1 (a pushed
authorization request authenticates the client: ``201`` or ``invalid_client``); OpenID
Connect Discovery 4.3 (the document's issuer must be the configured one).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from eidgate._cli import main
from eidgate.sandbox import RunningSandbox

WRONG_SECRET = "not-the-sandbox-secret-0123456789"


def config(path: Path, providers: str) -> Path:
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "check-credentials-0123456789"\n\n' + providers,
                    encoding="utf-8")
    return path


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["check", str(path)])
    return status, capsys.readouterr().out


@pytest.mark.parametrize("par", [False, True], ids=["token-endpoint", "par"])
def test_good_credentials_are_reported_ok(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          par: bool) -> None:
    table = eidgate_sandbox.toml() + ("use_par = true\n" if par else "")
    status, out = run_check(config(tmp_path / "eidgate.toml", table), capsys)
    assert status == 0, out
    assert "credentials OK" in out
    assert "REFUSED" not in out
    assert "all providers OK" in out


@pytest.mark.parametrize("par", [False, True], ids=["token-endpoint", "par"])
@pytest.mark.parametrize("mistake", ["secret", "client_id"])
def test_a_wrong_client_id_or_secret_is_refused_and_fails_the_check(
        eidgate_sandbox: RunningSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture, par: bool, mistake: str) -> None:
    table = eidgate_sandbox.toml()
    if mistake == "secret":
        table = table.replace(eidgate_sandbox.client.client_secret or "", WRONG_SECRET)
    else:
        table = table.replace('client_id = "demo"', 'client_id = "not-registered"')
    table += "use_par = true\n" if par else ""
    with caplog.at_level(logging.DEBUG):
        status, out = run_check(config(tmp_path / "eidgate.toml", table), capsys)
    assert status == 1, out
    assert "credentials REFUSED (invalid_client)" in out
    assert "all providers OK" not in out
    assert "problems found" in out
    # the secret that was sent is printed and logged nowhere
    assert WRONG_SECRET not in out + caplog.text


def test_an_issuer_mismatch_is_named(eidgate_sandbox: RunningSandbox, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The config names the sandbox as http://localhost:PORT; it calls itself 127.0.0.1."""
    table = eidgate_sandbox.toml().replace("http://127.0.0.1:", "http://localhost:")
    status, out = run_check(config(tmp_path / "eidgate.toml", table), capsys)
    assert status == 1
    row = next(line for line in out.splitlines() if line.startswith("sandbox"))
    assert "issuer mismatch" in row
    assert " NO " not in row
    assert eidgate_sandbox.issuer in out  # the issuer the document does name


def test_an_unreachable_provider_still_reads_no(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    table = ('[providers.down]\nissuer = "http://127.0.0.1:9"\nclient_id = "x"\n'
             'client_secret = "y"\n')
    status, out = run_check(config(tmp_path / "eidgate.toml", table), capsys)
    assert status == 1
    row = next(line for line in out.splitlines() if line.startswith("down"))
    assert row.split()[1] == "NO"
    assert "credentials" not in out  # nothing to check the credentials at

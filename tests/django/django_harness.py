"""Helpers of tests/django, imported by name (``from conftest import`` would get whichever
of the suite's conftest modules pytest loaded last)."""

from __future__ import annotations

from pathlib import Path

from eidgate.sandbox import RunningSandbox

HERE = Path(__file__).resolve().parent

SECRET = "django-adapter-test-secret-0123456789"


def write_config(sandbox: RunningSandbox, directory: Path, *, base_url: str =
                 "http://127.0.0.1:8000", extra: str = "", client: str | None = None,
                 client_secret: str | None = None) -> Path:
    """An eidgate.toml for the sandbox (its demo client, or ``client``)."""
    table = sandbox.toml()
    if client is not None:
        table = (f'[providers.sandbox]\nissuer = "{sandbox.issuer}"\nclient_id = "{client}"\n'
                 f'client_secret = "{client_secret}"\n')
    path = directory / "eidgate.toml"
    path.write_text(f'[eidgate]\nbase_url = "{base_url}"\nsecret_key = "{SECRET}"\n'
                    f"{extra}\n{table}", encoding="utf-8")
    return path

"""Django for tests/django: the test project ``testsite`` (settings, URLs, views), set up
once; pytest-django's fixtures (``client``, ``async_client``, ``settings``, ``db``) work.

DJANGO_SETTINGS_MODULE is set only while Django sets up: left in the environment, every
subprocess another test starts (a fresh pytest) would try to import ``testsite``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["DJANGO_SETTINGS_MODULE"] = "testsite.settings"
try:
    import django

    django.setup()
finally:
    del os.environ["DJANGO_SETTINGS_MODULE"]

from eidgate.sandbox import RunningSandbox  # noqa: E402

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


@pytest.fixture(scope="session")
def sandbox_config(eidgate_sandbox: RunningSandbox,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(eidgate_sandbox, tmp_path_factory.mktemp("django"))


@pytest.fixture
def eidgate_settings(settings: Any, sandbox_config: Path) -> Any:
    """The test project's EIDGATE, on this session's sandbox (users off); pytest-django's
    ``settings`` puts it back after the test."""
    settings.EIDGATE = {"config": sandbox_config, "protect": ["/protected/*"]}
    return settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Django's ASGI handler and asgiref run on asyncio

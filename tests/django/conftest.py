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

from django_harness import write_config  # noqa: E402

from eidgate.sandbox import RunningSandbox  # noqa: E402


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

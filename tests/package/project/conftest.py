"""The app's eidgate.toml, pointed at the sandbox of the eidgate pytest plugin."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def config(eidgate_sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "eidgate.toml"
    path.write_text('[eidgate]\nbase_url = "http://127.0.0.1:8000"\n'
                    'secret_key = "package-test-secret-0123456789"\n\n'
                    + eidgate_sandbox.toml(), encoding="utf-8")
    return path

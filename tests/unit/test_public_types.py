"""The public API keeps its types for the type checker: ``login_required`` keeps the view's
type, ``Client.run`` returns what the flow returns, ``Gate.open`` the driver it was given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ROOT / "tests" / "typing" / "check_public_types.py"


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--config-file", str(ROOT / "pyproject.toml"), str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)


def test_public_types_hold() -> None:
    result = _mypy(CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_type_is_caught(tmp_path: Path) -> None:
    # the check above can fail: a decorated view does not become Any
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from typing import assert_type\n"
                     "from eidgate_adapters.flask import login_required\n\n"
                     "@login_required(loa='high')\n"
                     "def view() -> str:\n    return ''\n\n"
                     "assert_type(view(), int)\n", encoding="utf-8")
    result = _mypy(wrong)
    assert result.returncode == 1
    assert "assert_type" in result.stdout or "Expression is of type" in result.stdout

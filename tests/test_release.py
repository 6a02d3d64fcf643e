"""The release artefacts a bank's open-source intake asks for are present and agree.

One version (``eidgate/_version.py``) is what ``eidgate.__version__``, ``eidgate
--version``, the package metadata (hatchling reads the same file) and the changelog say; the
licence is MIT in the metadata and in the LICENSE file; nothing in the repository points at
a file outside it, so a plain clone is the whole project.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import eidgate

ROOT = Path(__file__).resolve().parents[1]
# what a working copy accumulates and is not part of the repository
_NOT_OURS = {".git", ".venv", ".venv-demo", ".venv-package", "node_modules", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".hypothesis", "site", "dist", "build",
             "__pycache__"}


def test_one_version_everywhere() -> None:
    source = (ROOT / "eidgate" / "_version.py").read_text(encoding="utf-8")
    written = re.fullmatch(r'(?s).*\n__version__ = "([0-9][0-9a-z.+-]*)"\n', source)
    assert written is not None
    assert eidgate.__version__ == written[1]
    assert "__version__" not in eidgate.__all__  # a module attribute, not a name to import
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "eidgate/_version.py"


def test_cli_prints_the_version() -> None:
    done = subprocess.run([sys.executable, "-m", "eidgate", "--version"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"eidgate {eidgate.__version__}\n")


def test_changelog_is_keep_a_changelog_and_names_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "https://keepachangelog.com/en/1.1.0/" in text
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert headings[0][0] == "Unreleased"
    released = [version for version, _ in headings[1:]]
    # this version is either released (a dated heading) or the one Unreleased announces
    assert eidgate.__version__ in released or re.search(
        rf"^To be released as {re.escape(eidgate.__version__)} ", text, re.M)
    kinds = set(re.findall(r"^### (\w+)$", text, re.M))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed",
                               "Security"}


def test_license_is_mit_in_the_file_and_the_metadata() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 eidgate developers\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert project["project"]["authors"] == [{"name": "eidgate developers"}]


def _repository_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and not _NOT_OURS.intersection(parts) and not any(
                p.startswith(".venv") for p in parts):
            found.append(path)
    return found


def test_nothing_points_outside_the_repository() -> None:
    # the folder beside the repository this project was started from; spelled in two parts
    # so that this file does not find itself
    outside = re.compile("(?:\\.\\./|\\b)" + "shared" + r"/(?:seeds|reference|DESIGN)")
    files = _repository_files()
    assert len(files) > 100
    pointing = []
    for path in files:
        if path.suffix not in {".py", ".md", ".toml", ".yml", ".yaml", ".txt", ".json", ""}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pointing += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
                     for m in outside.finditer(text)]
    assert pointing == []

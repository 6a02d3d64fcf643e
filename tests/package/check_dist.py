"""``make dist``: what the sdist and the wheel in a folder must hold, or a clear failure.

    python tests/package/check_dist.py dist

The wheel: exactly the packages ``eidgate`` and ``eidgate_adapters`` (never the folder
``adapters`` or the tests), both ``py.typed``, the sandbox, the pytest plugin and its
``pytest11`` entry point, the ``eidgate`` command, the licence, and the version of
``eidgate/_version.py``. The sdist: the source, the tests with their fixtures, the docs, the
licence and the changelog.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WHEEL_FILES = ("eidgate/__init__.py", "eidgate/py.typed", "eidgate/_version.py",
               "eidgate/pytest_plugin.py", "eidgate/sandbox/__init__.py",
               "eidgate/sandbox/_provider.py", "eidgate/web/__init__.py",
               "eidgate/_cli/__init__.py", "eidgate_adapters/__init__.py",
               "eidgate_adapters/py.typed", "eidgate_adapters/flask.py",
               "eidgate_adapters/asgi.py", "eidgate_adapters/wsgi.py")
SDIST_FILES = ("LICENSE", "CHANGELOG.md", "README.md", "SECURITY.md", "pyproject.toml",
               "mkdocs.yml", "docs/index.md", "eidgate/py.typed",
               "adapters/eidgate_adapters/py.typed", "tests/seed_claims.py",
               "tests/fixtures/seeds/000_f00e0b9ea03ab768.txt",
               "tests/fixtures/seeds/004_0228862f3da5f85d.txt")


def version() -> str:
    text = (ROOT / "eidgate" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if found is None:
        raise SystemExit("eidgate/_version.py: no __version__ line")
    return found[1]


def problems_of_wheel(path: Path, expected: str) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        info = f"eidgate-{expected}.dist-info"
        tops = {name.split("/", 1)[0] for name in names}
        if tops != {"eidgate", "eidgate_adapters", info}:
            problems.append(f"top-level entries {sorted(tops)}, expected eidgate, "
                            f"eidgate_adapters and {info}")
        problems += [f"missing {name}" for name in WHEEL_FILES if name not in names]
        if f"{info}/licenses/LICENSE" not in names:
            problems.append(f"missing {info}/licenses/LICENSE")
        else:
            licence = wheel.read(f"{info}/licenses/LICENSE").decode()
            if not licence.startswith("MIT License"):
                problems.append("the wheel's LICENSE is not the MIT licence")
        metadata = wheel.read(f"{info}/METADATA").decode() if f"{info}/METADATA" in names \
            else ""
        for line in (f"Version: {expected}", "License-Expression: MIT",
                     "Provides-Extra: flask", "Provides-Extra: asgi"):
            if line not in metadata.splitlines():
                problems.append(f"METADATA lacks {line!r}")
        entry_points = wheel.read(f"{info}/entry_points.txt").decode() \
            if f"{info}/entry_points.txt" in names else ""
        for section, line in (("[pytest11]", "eidgate = eidgate.pytest_plugin"),
                              ("[console_scripts]", "eidgate = eidgate._cli:main")):
            block = entry_points.partition(section)[2].partition("\n[")[0]
            if line not in block.splitlines():
                problems.append(f"entry_points.txt lacks {line!r} under {section}")
    return problems


def problems_of_sdist(path: Path, expected: str) -> list[str]:
    with tarfile.open(path) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    problems = [f"sdist is missing {name}" for name in SDIST_FILES if name not in names]
    problems += [f"sdist holds {name}" for name in names
                 if name.startswith((".hypothesis/", ".venv", "site/", "dist/"))]
    return problems


def main(folder: str) -> int:
    expected = version()
    dist = Path(folder)
    wheels = sorted(dist.glob("eidgate-*.whl"))
    sdists = sorted(dist.glob("eidgate-*.tar.gz"))
    if [w.name for w in wheels] != [f"eidgate-{expected}-py3-none-any.whl"] or \
            [s.name for s in sdists] != [f"eidgate-{expected}.tar.gz"]:
        print(f"check_dist: expected one wheel and one sdist of {expected} in {dist}, found "
              f"{[p.name for p in wheels + sdists]}", file=sys.stderr)
        return 1
    problems = problems_of_wheel(wheels[0], expected) + problems_of_sdist(sdists[0], expected)
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_dist: {wheels[0].name} and {sdists[0].name} hold what they must")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))

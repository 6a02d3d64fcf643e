"""``make package``: the built wheel, installed into a fresh venv, works for a user project.

    python tests/package/run.py dist

A new virtual environment in a temporary folder gets the wheel from ``dist/`` with its
``flask`` and ``asgi`` extras (its dependencies resolved from its own metadata, as ``pip
install eidgate[flask,asgi]`` would), plus what the user project itself uses (FastAPI,
pytest, httpx for Starlette's test client). The project (``tests/package/project``) is copied
beside it and tested with that venv's pytest, so no file of this checkout is importable: a
module left out of the wheel, a missing dependency, a broken entry point fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
USER_PACKAGES = ("fastapi", "httpx", "pytest")


def main(folder: str) -> int:
    wheels = sorted(Path(folder).resolve().glob("eidgate-*.whl"))
    if len(wheels) != 1:
        print(f"package: one wheel expected in {folder}, found {len(wheels)}; run make dist",
              file=sys.stderr)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eidgate-package-") as tmp:
        venv, project = Path(tmp) / "venv", Path(tmp) / "project"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-qq",
                        "--disable-pip-version-check",
                        f"eidgate[flask,asgi] @ {wheels[0].as_uri()}", *USER_PACKAGES],
                       check=True)
        shutil.copytree(HERE / "project", project,
                        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        # nothing of the checkout on the path: a clean environment, the project's folder
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYTHON", "COVERAGE", "VIRTUAL_ENV"))}
        env |= {"PYTHONDONTWRITEBYTECODE": "1", "PATH": f"{venv / 'bin'}:{env['PATH']}"}
        done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                              cwd=project, env=env, check=False)
    print(f"package: the wheel in a fresh venv, user project "
          f"{'passed' if done.returncode == 0 else 'FAILED'} "
          f"({time.monotonic() - started:.0f} s)")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))

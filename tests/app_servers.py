"""Real app servers the tests start on 127.0.0.1 (uvicorn, gunicorn): waiting until one
serves, and stopping it so that it writes its coverage data."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx2


def wait_until_serving(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Until ``base + "/"`` answers at all (any status); fails with the server's log when
    it exits first or does not answer within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base} exited: {log.read_text(errors='replace')}")
        try:
            httpx2.get(base + "/", timeout=1)
            return
        except httpx2.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{base} did not start in 30 s: {log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn and gunicorn exit gracefully: coverage data written), then SIGKILL
    to the process group when it started its own session (gunicorn's workers), else to it."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()

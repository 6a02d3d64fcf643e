"""A real ``redis-server`` for the tests: on a free loop-back port, no persistence.

``make test`` installs Debian's redis-server with apt when it is missing (as it does
Chromium). The ``redis_server`` fixture starts one for the whole test session and stops it
at the end; :class:`RedisServer` starts private ones (a test that stops its Redis).
Without the binary the tests that need it are skipped with a loud reason, and fail under
CI (``CI`` set): a Redis test must never vanish quietly from a CI run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"
MISSING = (f"REDIS TESTS NOT RUN: {BINARY} is not installed; run `make test` (it installs "
           "Debian's redis-server with apt) or `apt-get install redis-server`")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_redis() -> None:
    """Skip (fail under CI) when redis-server is not installed."""
    if not os.access(BINARY, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)


class RedisServer:
    """One redis-server process on 127.0.0.1 (``url``); :meth:`stop` and :meth:`start`
    again on the same port (a Redis that went away and came back)."""

    def __init__(self, directory: Path, port: int | None = None, *,
                 replica_of: RedisServer | None = None) -> None:
        self.directory = directory
        self.replica_of = replica_of
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        require_redis()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--daemonize", "no",
             "--protected-mode", "yes", "--loglevel", "warning",
             *(["--replicaof", "127.0.0.1", str(self.replica_of.port)]
               if self.replica_of else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"redis-server exited ({self.process.returncode}): {err}")
            if self.ping():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer PING on port {self.port} in 10 s")

    def ping(self) -> bool:
        """True if the server answers PING (RESP, over a plain socket)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server for the test session (shared: tests use their own key prefixes or
    flush their database)."""
    require_redis()
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


class SentinelServer(RedisServer):
    """A Redis Sentinel (``redis-server --sentinel``, the same binary) watching a primary
    under the service name ``service``; its ``url`` is the sentinel's own."""

    def __init__(self, directory: Path, primary: RedisServer, service: str = "mymaster"
                 ) -> None:
        super().__init__(directory)
        self.primary = primary
        self.service = service

    def start(self) -> SentinelServer:
        require_redis()
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "sentinel.conf"  # Sentinel rewrites its own file
        conf.write_text(f"port {self.port}\nbind 127.0.0.1\ndir {self.directory}\n"
                        f"sentinel monitor {self.service} 127.0.0.1 {self.primary.port} 1\n"
                        f"sentinel down-after-milliseconds {self.service} 1000\n"
                        f"sentinel failover-timeout {self.service} 5000\n",
                        encoding="utf-8")
        self.process = subprocess.Popen([BINARY, str(conf), "--sentinel"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"redis sentinel exited ({self.process.returncode}): {err}")
            if self.ping():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis sentinel did not answer PING on port {self.port} in 10 s")

"""Many complete logins at once through real servers, sessions in Redis (issue 11).

Three processes on 127.0.0.1, free ports: a redis-server (no persistence), the sandbox eID
hub under uvicorn, and the app: a Starlette app behind eidgate's ASGI adapter
(``EidGateMiddleware``) under uvicorn, with ``[eidgate.session] store = "redis"``. This
process is N browsers at once, each over its own connections (HTTP/1.1, no shared cookie
jar): GET the protected page -> 303 to /eidgate/login -> 303 to the sandbox -> the
sandbox picks a person by login_hint -> 302 to the callback -> the app exchanges the code,
checks the ID token, fetches userinfo, consumes the state and stores the session in Redis
-> 303 -> the protected page, served with the new session. A login counts only if that
page says who logged in; anything else is a failure, and any failure fails the run.

Goal (issue 11): N = 500 concurrent complete logins, zero failures; printed: logins/s and
the p50/p99 of one login's wall time (first request to the protected page).

    .venv/bin/python benchmarks/many_logins.py [--logins 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from redis_server import RedisServer  # the tests' redis-server on a free port

SECRET = "many-logins-client-secret"
APP_SECRET = "many-logins-app-secret-0123456789abcdef"
PEOPLE = ["ftn-vaino", "idin-stegenga", "mitid-sofie", "npa-erika", "sbid-asa"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_sandbox(port: int, app_base: str) -> None:
    """The sandbox under uvicorn (own process), the app registered as a client."""
    import uvicorn

    from eidgate.sandbox import Sandbox, SandboxClient

    hub = Sandbox(f"http://127.0.0.1:{port}")
    hub.register(SandboxClient("many", SECRET, (f"{app_base}/eidgate/callback",)))
    uvicorn.run(hub.asgi_app(), host="127.0.0.1", port=port, log_level="warning",
                access_log=False, lifespan="off", backlog=4096)


def serve_app(port: int, config: str) -> None:
    """The app under uvicorn (own process): /account protected by EidGateMiddleware."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from eidgate_adapters.asgi import EidGateMiddleware, get_identity

    async def account(request: Request) -> PlainTextResponse:
        identity = get_identity(request)
        return PlainTextResponse(f"hello {identity.method if identity else '?'}")

    app = EidGateMiddleware(Starlette(routes=[Route("/account", account)]), config=config,
                            protect=["/account"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                backlog=4096)


def wait_until_up(url: str) -> None:
    for _ in range(400):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # answering
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not start")


def cpu_seconds(pid: int | None) -> float:
    """A process's CPU time so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


async def fetch(url: str, cookies: dict[str, str]) -> tuple[int, str | None, bytes]:
    """One GET over its own connection: (status, Location, body); ``cookies`` is the
    browser's jar (updated from Set-Cookie)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
        writer.write(f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} "
                     f"HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/html\r\n"
                     f"{'Cookie: ' + jar + chr(13) + chr(10) if jar else ''}"
                     "Connection: close\r\n\r\n".encode())
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status, location = int(lines[0].split(" ", 2)[1]), None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "location":
            location = value.strip()
        elif name.lower() == "set-cookie":
            pair = value.strip().split(";", 1)[0]
            key, _, val = pair.partition("=")
            if "Max-Age=0" in value:
                cookies.pop(key, None)
            else:
                cookies[key] = val
    return status, location, body


async def login(app: str, person: str) -> float:
    """One person's complete login in a fresh browser; its wall time."""
    started = time.perf_counter()
    cookies: dict[str, str] = {}
    url, steps = f"{app}/account", 0
    while True:
        target = url if url.startswith("http") else app + url
        if "/authorize" in target and "login_hint=" not in target:
            target += f"&login_hint={person}"
        status, location, body = await fetch(target, cookies)
        if status not in (302, 303):
            break
        assert location, f"HTTP {status} without a Location"
        url, steps = location, steps + 1
        assert steps < 8, "too many redirects"
    assert status == 200, f"HTTP {status}: {body[:200]!r}"
    assert body.startswith(b"hello "), f"not the protected page: {body[:200]!r}"
    assert "eidgate_session" in cookies, "no session cookie"
    return time.perf_counter() - started


async def burst(app: str, n: int) -> tuple[list[float], list[str], float]:
    started = time.perf_counter()
    results = await asyncio.gather(*(login(app, PEOPLE[i % len(PEOPLE)]) for i in range(n)),
                                   return_exceptions=True)
    wall = time.perf_counter() - started
    times = [r for r in results if isinstance(r, float)]
    failures = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    return times, failures, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=500, help="concurrent logins per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    hub_port, app_port = free_port(), free_port()
    app = f"http://127.0.0.1:{app_port}"
    failed = 0
    with tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp) / "redis") as redis:
        config = Path(tmp) / "eidgate.toml"
        config.write_text(
            f'[eidgate]\nbase_url = "{app}"\nsecret_key = "{APP_SECRET}"\n'
            "http_timeout = 30\n\n"
            f'[providers.sandbox]\nissuer = "http://127.0.0.1:{hub_port}"\n'
            f'client_id = "many"\nclient_secret = "{SECRET}"\n\n'
            f'[eidgate.session]\nstore = "redis"\nurl = "{redis.url}"\n', encoding="utf-8")
        servers = [spawn.Process(target=serve_sandbox, args=(hub_port, app), daemon=True),
                   spawn.Process(target=serve_app, args=(app_port, str(config)), daemon=True)]
        for server in servers:
            server.start()
        try:
            wait_until_up(f"http://127.0.0.1:{hub_port}/.well-known/openid-configuration")
            wait_until_up(f"{app}/eidgate/logged-out")
            asyncio.run(burst(app, 20))  # warm: discovery, keys, pools, the interpreter
            print(f"{'round':>5}{'logins':>8}{'failed':>8}{'wall':>9}{'logins/s':>10}"
                  f"{'p50':>9}{'p99':>9}{'max':>9}{'app CPU':>10}{'hub CPU':>10}")
            for n in range(1, args.rounds + 1):
                used = [cpu_seconds(server.pid) for server in servers]
                times, failures, wall = asyncio.run(burst(app, args.logins))
                hub_cpu, app_cpu = (cpu_seconds(server.pid) - before
                                    for server, before in zip(servers, used, strict=True))
                failed += len(failures)
                cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
                print(f"{n:>5}{len(times):>8}{len(failures):>8}{wall:>8.2f}s"
                      f"{len(times) / wall:>10.0f}{cuts[49] * 1e3:>7.0f}ms"
                      f"{cuts[98] * 1e3:>7.0f}ms{max(times) * 1e3:>7.0f}ms"
                      f"{app_cpu / args.logins * 1e3:>8.1f}ms{hub_cpu / args.logins * 1e3:>8.1f}ms",
                      flush=True)
                for failure in sorted(set(failures))[:5]:
                    print(f"      {failure[:300]}")
        finally:
            for server in servers:
                server.terminate()
                server.join()
    print("""
logins    complete logins started at once (a fresh browser each), finished with the
          protected page served; failed: any other outcome (goal: 0)
wall      from the first request of the round to the last login's page
p50/p99   one login's wall time (7 HTTP requests over loopback, 2 of them the app's
          own to the sandbox, the session stored in Redis)
app CPU   the app server's CPU time per login (one uvicorn process: eidgate, the ASGI
          adapter, Starlette, redis-py); hub CPU: the sandbox's (one uvicorn process).
          All at once on few cores, p50 is close to the round's wall time: the servers'
          CPU, not waiting, sets it""")
    if failed:
        raise SystemExit(f"{failed} login(s) failed")


if __name__ == "__main__":
    main()

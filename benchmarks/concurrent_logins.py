"""Many logins at once: eidgate's AsyncClient against the sandbox under uvicorn on loopback.

The sandbox eID hub runs in its own process (uvicorn on 127.0.0.1, a free port) with
``--delay`` (50 ms) added to each of its responses, so one login's latency chain is three
delays: the browser's authorize step, the token request, the userinfo request (discovery
and JWKS are fetched once, before the first burst). This process is the relying party:
C logins start at once (begin -> the sandbox picks a person by login_hint -> callback ->
token -> ID token checks -> userinfo -> normalisation), and its CPU time is what is
measured; the server's CPU is not. The browser step is a bare HTTP/1.1 GET over an asyncio
stream (a few µs of this process's CPU), so what is counted is eidgate and its HTTP stack.

Budget (issue 9): RP CPU per login at C = 200 at most 1.5x its value at C = 1, measured in
the same run.

    .venv/bin/python benchmarks/concurrent_logins.py [--levels 1,10,100,200] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import eidgate
from eidgate import AsyncClient, PendingLogins

REDIRECT = "http://127.0.0.1:8000/eidgate/callback"
SECRET = "demo-secret-123"
PEOPLE = ["ftn-vaino", "idin-stegenga", "mitid-sofie", "npa-erika", "sbid-asa"]


def serve(port: int, delay: float) -> None:
    """The sandbox under uvicorn, every HTTP response ``delay`` seconds late (own process)."""
    import uvicorn

    from eidgate.sandbox import Sandbox, SandboxClient

    hub = Sandbox(f"http://127.0.0.1:{port}")
    hub.register(SandboxClient("demo", SECRET, (REDIRECT,)))
    inner = hub.asgi_app()

    async def slow(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__cpu":  # the server's CPU so far
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"%f" % time.process_time()})
            return
        if scope["type"] == "http":
            await asyncio.sleep(delay)  # a network and a provider farther away than loopback
        await inner(scope, receive, send)

    uvicorn.run(slow, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                lifespan="off", backlog=4096)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(issuer: str) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(issuer + "/.well-known/openid-configuration",
                                        timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the sandbox did not start")


async def browse(url: str) -> str:
    """The person's browser at the authorize endpoint: returns the redirect's Location."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Connection: close\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    finally:
        writer.close()
    assert head.startswith("HTTP/1.1 302"), head[:200]
    for line in head.split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "location":
            return value.strip()
    raise AssertionError("no Location in " + head[:200])


async def login(client: AsyncClient, person: str) -> None:
    redirect = await client.begin_login(login_hint=person)
    back = await browse(redirect.url)
    result = await client.complete_login(urlsplit(back).query,
                                         PendingLogins([redirect.pending]))
    assert result.accepted, result.error
    assert result.identity is not None


def server_cpu(issuer: str) -> float:
    with urllib.request.urlopen(issuer + "/__cpu", timeout=5) as answer:
        return float(answer.read())


async def bursts(client: AsyncClient, c: int, minimum: int) -> tuple[list[float], float, int]:
    """Bursts of ``c`` concurrent logins until at least ``minimum`` logins ran:
    (wall time of each burst, this process's CPU seconds, logins)."""
    walls: list[float] = []
    done = 0
    cpu = time.process_time()
    while done < minimum:
        t = time.perf_counter()
        await asyncio.gather(*(login(client, PEOPLE[i % len(PEOPLE)]) for i in range(c)))
        walls.append(time.perf_counter() - t)
        done += c
    return walls, time.process_time() - cpu, done


async def measure(issuer: str, levels: list[int], minimum: int) -> None:
    config = eidgate.parse_config({
        "eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "s" * 32},
        "providers": {"sandbox": {"issuer": issuer, "client_id": "demo",
                                  "client_secret": SECRET}}})
    async with AsyncClient(config) as client:
        await client.warm_up()
        await bursts(client, max(levels), 1)  # warm: pool, caches, the interpreter
        print(f"{'C':>5}{'bursts':>8}{'wall/burst':>12}{'RP CPU/login':>14}{'x C=1':>8}"
              f"{'server CPU/login':>18}")
        base = None
        for c in levels:
            served = server_cpu(issuer)
            walls, cpu, done = await bursts(client, c, minimum)
            served = server_cpu(issuer) - served
            per = cpu / done
            base = base or per
            print(f"{c:>5}{len(walls):>8}{statistics.median(walls) * 1e3:>10.0f}ms"
                  f"{per * 1e3:>12.2f}ms{per / base:>7.2f}x{served / done * 1e3:>16.2f}ms",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,10,100,200")
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--min-logins", type=int, default=200,
                        help="logins per level at least (C=1 runs this many in sequence)")
    args = parser.parse_args()
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(port, args.delay), daemon=True)
    server.start()
    try:
        issuer = f"http://127.0.0.1:{port}"
        wait_until_up(issuer)
        asyncio.run(measure(issuer, [int(c) for c in args.levels.split(",")],
                            args.min_logins))
    finally:
        server.terminate()
        server.join()
    print(f"""
C             concurrent logins per burst, each a full login through the sandbox
              ({args.delay * 1e3:.0f} ms added to each response: 3 round trips per login)
wall/burst    median wall time of one burst of C logins
RP CPU/login  this process's CPU time (the relying party) per login; x C=1: budget <= 1.5x
server CPU    the sandbox server's CPU per login (its own process): one process, so when
              C x this exceeds the wall time, the wall time is the server's, not the RP's""")


if __name__ == "__main__":
    main()

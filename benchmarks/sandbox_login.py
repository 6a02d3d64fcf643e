"""A whole sandbox login, end to end in-process: eidgate's client and the sandbox eID hub.

Budget (issue 4): < 20 ms per login on this machine. Both sides run in this process through
httpx2's WSGI transport: begin, the person picked by login_hint, callback, token exchange,
ID token and userinfo checks, normalisation. Cold (first login, discovery + JWKS) is shown
apart from warm logins.

    .venv/bin/python benchmarks/sandbox_login.py [--logins 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import urlsplit

import httpx2

import eidgate
from eidgate import Client, PendingLogins
from eidgate.sandbox import Sandbox, SandboxClient

ISSUER = "https://sandbox.eidgate.test"
REDIRECT = "http://127.0.0.1:8000/eidgate/callback"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args()
    hub = Sandbox(ISSUER)
    hub.register(SandboxClient("demo", "demo-secret-123", (REDIRECT,)))
    config = eidgate.parse_config({
        "eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "s" * 32},
        "providers": {"sandbox": {"issuer": ISSUER, "client_id": "demo",
                                  "client_secret": "demo-secret-123"}}})
    transport = httpx2.WSGITransport(app=hub.wsgi_app())
    browser = httpx2.Client(transport=transport, follow_redirects=False)

    def login(client: Client, person: str) -> float:
        t = time.perf_counter()
        redirect = client.begin_login(login_hint=person)
        back = browser.get(redirect.url).headers["location"]
        result = client.complete_login(urlsplit(back).query, PendingLogins([redirect.pending]))
        elapsed = time.perf_counter() - t
        assert result.accepted
        assert result.identity is not None
        return elapsed

    with Client(config, transport=transport) as client:
        cold = login(client, "ftn-vaino")
        people = ["ftn-vaino", "idin-stegenga", "mitid-sofie", "npa-erika", "sbid-asa"]
        warm = [login(client, people[i % len(people)]) for i in range(args.logins)]
    print(f"cold login (discovery + JWKS): {cold * 1e3:.1f} ms")
    print(f"warm login: median {statistics.median(warm) * 1e3:.2f} ms, "
          f"p95 {sorted(warm)[int(len(warm) * 0.95)] * 1e3:.2f} ms over {len(warm)} "
          f"(budget < 20 ms)")


if __name__ == "__main__":
    main()

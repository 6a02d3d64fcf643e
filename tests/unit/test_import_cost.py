"""``import eidgate`` stays cheap: what it must not load up front (issue 9, cold start).

Timing lives in benchmarks/normalize.py; this pins the cause instead. joserfc's key module
imports ``cryptography.x509`` (~50-90 ms), the protocol layer httpx2/pyjwt, the evidence
archive zipfile: each loads on first use, and that first use still works.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("joserfc", "cryptography", "jwt", "httpx2", "httpcore2", "anyio", "zipfile")


def loaded_after(code: str) -> list[str]:
    probe = (f"import sys; {code}; import json; "
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return [m for m in json.loads(out.stdout) if m in HEAVY]


def test_import_eidgate_loads_no_crypto_http_or_zip() -> None:
    assert loaded_after("import eidgate") == []


def test_a_config_without_keys_loads_no_key_handling() -> None:
    code = ("import eidgate; eidgate.parse_config({'eidgate': {'base_url': "
            "'https://app.example', 'secret_key': 's' * 32}, 'providers': {'op': {"
            "'issuer': 'https://op.example', 'client_id': 'c', 'client_secret': 'x'}}})")
    assert loaded_after(code) == []


@pytest.mark.parametrize(("code", "loads"), [
    ("eidgate.generate_key('enc')", "joserfc"),
    ("eidgate.Client", "httpx2"),
])
def test_first_use_loads_what_it_needs(code: str, loads: str) -> None:
    assert loads in loaded_after(f"import eidgate; {code}")


_NO_SNIFFIO = '''
import asyncio, sys
attempts = []
class Absent:  # sniffio not installed (it is optional for httpcore2 and anyio)
    def find_spec(self, name, path=None, target=None):
        if name == "sniffio":
            attempts.append(name)
            raise ModuleNotFoundError(name)
sys.modules.pop("sniffio", None)
sys.meta_path.insert(0, Absent())
import eidgate

async def answer(reader, writer):
    try:
        while await reader.readuntil(b"\\r\\n\\r\\n"):
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n{}")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()  # the client closed its pooled connection

async def main():
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = "http://127.0.0.1:%d/" % server.sockets[0].getsockname()[1]
    config = eidgate.parse_config({"eidgate": {"base_url": "https://app.example",
        "secret_key": "s" * 32}, "providers": {"op": {"issuer": url[:-1],
        "client_id": "c", "client_secret": "x"}}})
    async with eidgate.AsyncClient(config) as client:  # the driver's own HTTP client
        await client.http.get(url)
        before = len(attempts)
        await asyncio.gather(*(client.http.get(url) for _ in range(20)))
        print(len(attempts) - before)
    await asyncio.sleep(0.1)  # the handlers see their connections closed
    server.close()
asyncio.run(main())
'''


def test_no_import_is_attempted_per_request() -> None:
    """httpcore 1.x tried ``import sniffio`` inside every async request when it was not
    installed (158 failed imports for these 20 requests under httpx 0.29/httpcore 1.0.9,
    issue 9 measured ~12 % of the CPU of a login burst); httpcore2 and anyio look once, at
    import. Pinned for the driver's HTTP stack."""
    out = subprocess.run([sys.executable, "-c", _NO_SNIFFIO], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "0"

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

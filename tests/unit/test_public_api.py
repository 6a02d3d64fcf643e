"""The public surface is explicit and pinned (users' code depends on these names)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import eidgate
from eidgate._cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_all_is_pinned_and_sorted() -> None:
    assert eidgate.__all__ == sorted(eidgate.__all__)
    assert set(eidgate.__all__) == {
        "AsyncClient", "CallbackError", "Client", "Config", "ConfigError", "DiscoveryError",
        "EidGateError", "HttpRequest", "HttpResponse", "InvalidTokenError", "LoginRedirect",
        "LoginRefused", "LoginResult", "PendingLogin", "PendingLogins", "ProviderConfig",
        "ProviderError",
        "ProviderMetadata", "ProviderUnavailable", "RPKey", "RefreshRefused",
        "RelyingParty",
        "TokenEndpointError", "generate_key", "load_config", "parse_callback", "parse_config",
        "write_key", "Address", "Identity", "NationalId", "normalize", "parse_national_id",
        "DirectorySink", "EvidenceSink", "evidence_archive", "Level", "LogoutRequest",
        "LogoutTokenError", "MemoryReplayCache", "ReplayCache"}
    for name in eidgate.__all__:
        assert getattr(eidgate, name) is not None


def test_errors_form_one_tree_with_codes_and_statuses() -> None:
    for name in eidgate.__all__:
        obj = getattr(eidgate, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, eidgate.EidGateError), name
            assert obj.error and 400 <= obj.status <= 599, name


def test_core_imports_no_web_framework_and_adapters_folder_is_not_a_package(
        tmp_path: Path) -> None:
    code = ("import sys, eidgate; "
            "bad = {'flask', 'starlette', 'fastapi', 'werkzeug', 'quart', 'django'}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert json.loads(out.stdout.replace("'", '"')) == []
    assert not (ROOT / "adapters" / "__init__.py").exists()
    # From any directory but the repository root (where every folder is a PEP 420 namespace
    # package), the installed project exposes eidgate and eidgate_adapters, never `adapters`.
    probe = subprocess.run([sys.executable, "-c", "import adapters"], capture_output=True,
                           text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert probe.returncode != 0
    assert "No module named 'adapters'" in probe.stderr
    import eidgate_adapters

    assert Path(eidgate_adapters.__file__).parent == ROOT / "adapters" / "eidgate_adapters"


def test_cli_generates_keys_that_the_config_loads(tmp_path: Path, capsys: object) -> None:
    assert main(["keys", "generate", "--out", str(tmp_path / "keys")]) == 0
    sig = json.loads((tmp_path / "keys" / "signing.jwk.json").read_text())
    enc = json.loads((tmp_path / "keys" / "encryption.jwk.json").read_text())
    assert (sig["use"], sig["alg"], enc["use"], enc["alg"]) == ("sig", "RS256", "enc",
                                                                "RSA-OAEP")
    assert "d" in sig and "d" in enc  # private keys
    assert oct((tmp_path / "keys" / "signing.jwk.json").stat().st_mode & 0o777) == "0o600"
    config = eidgate.parse_config({
        "eidgate": {"base_url": "https://app.example", "secret_key": "s" * 32},
        "providers": {"p": {"issuer": "https://op.example", "client_id": "c",
                            "client_auth": "private_key_jwt",
                            "signing_key": "keys/signing.jwk.json",
                            "decryption_keys": ["keys/encryption.jwk.json"]}}},
        base_dir=tmp_path)
    published = config.jwks()["keys"]
    assert {k["kid"] for k in published} == {sig["kid"], enc["kid"]}
    assert all("d" not in k for k in published)
    # a second run refuses to overwrite keys already registered at a provider
    assert main(["keys", "generate", "--out", str(tmp_path / "keys")]) == 1

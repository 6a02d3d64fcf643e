"""Start and stop the interop OpenID provider (node/server.mjs, panva's oidc-provider).

Used by ``conftest.py``; kept apart so tests can import the types for annotations.
Nothing here imports eidgate.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypedDict

from joserfc.jwk import RSAKey

from ._seed_accounts import ACCOUNTS, SCOPE_CLAIMS

NODE_DIR: Final[Path] = Path(__file__).resolve().parent / "node"
REDIRECT_URI: Final[str] = "http://127.0.0.1:8000/eidgate/callback"
STARTUP_TIMEOUT: Final[float] = 20.0

# RFC 6749 2.3.1: client_secret_basic form-urlencodes id and secret before base64.  oidc-provider
# is lenient with raw values, so the colon in the id (splits the Basic pair) and the "+" and "%"
# in the secret (decoded as space / invalid escape) make an RP that skips the encoding fail.
BASIC_CLIENT_ID: Final[str] = "basic:client"
BASIC_CLIENT_SECRET: Final[str] = "s3cret: with &special=chars+100%"


class ClientCredentials(TypedDict):
    """How an RP authenticates as one of the configured clients."""

    client_id: str
    #: None for private_key_jwt clients (they sign with ``OidcProvider.sig_key_path``).
    client_secret: str | None


@dataclass(frozen=True)
class OidcProvider:
    """A running oidc-provider, as handed to tests by the ``oidc_provider`` fixture."""

    #: ``http://127.0.0.1:<port>``; discovery: ``issuer + "/.well-known/openid-configuration"``.
    issuer: str
    #: name ("basic-client", "post-client", "pkjwt-client", "enc-client", "par-client",
    #: "ro-client", "bcl-client") -> credentials.
    clients: Mapping[str, ClientCredentials]
    #: Private RSA JWK (use sig, alg RS256) registered for pkjwt-client, ro-client, enc-client.
    sig_key_path: Path
    #: Private RSA JWK (use enc, alg RSA-OAEP) registered for enc-client.
    enc_key_path: Path
    #: The only redirect_uri every client has registered.
    redirect_uri: str
    #: account id (== sub, == the login to type) -> claims the provider holds for it.
    accounts: Mapping[str, Mapping[str, Any]]
    #: The provider's stderr (oidc-provider warnings, crashes).
    log_path: Path
    #: The JSON handed to server.mjs.
    config_path: Path
    #: Raw client metadata as registered, by name.
    client_metadata: Mapping[str, Mapping[str, Any]] = field(repr=False)
    #: bcl-client's back-channel logout URI: a loop-back port free when the provider
    #: started, for the test's relying party to listen on.
    backchannel_logout_uri: str = ""

    def log_text(self) -> str:
        """The provider's stderr so far (for assertion messages)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class _Running:
    provider: OidcProvider
    process: subprocess.Popen[bytes]


def ensure_node_modules() -> None:
    """Run ``npm ci`` in node/ unless oidc-provider is installed already."""
    if (NODE_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "the interop tests need node and npm on PATH (node >= 18) to install and run "
            f"panva's oidc-provider; run `npm ci` in {NODE_DIR} once they are installed"
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`npm ci` in {NODE_DIR} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


def _rsa_key(kid: str, use: str, alg: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": use, "alg": alg}, private=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _client_metadata(sig_key: RSAKey, enc_key: RSAKey, backchannel_logout_uri: str = ""
                     ) -> dict[str, dict[str, Any]]:
    sig_public = sig_key.as_dict(private=False)
    enc_public = enc_key.as_dict(private=False)
    common: dict[str, Any] = {
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    return {
        "basic-client": {
            **common,
            "client_id": BASIC_CLIENT_ID,
            "client_secret": BASIC_CLIENT_SECRET,
            "token_endpoint_auth_method": "client_secret_basic",
        },
        "post-client": {
            **common,
            "client_id": "post-client",
            "client_secret": "post-client-secret",
            "token_endpoint_auth_method": "client_secret_post",
        },
        "pkjwt-client": {
            **common,
            "client_id": "pkjwt-client",
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "RS256",
            "jwks": {"keys": [sig_public]},
        },
        "enc-client": {
            **common,
            "client_id": "enc-client",
            "client_secret": "enc-client-secret",
            "token_endpoint_auth_method": "client_secret_basic",
            "id_token_signed_response_alg": "RS256",
            "id_token_encrypted_response_alg": "RSA-OAEP",
            "id_token_encrypted_response_enc": "A128CBC-HS256",
            "userinfo_signed_response_alg": "RS256",
            "userinfo_encrypted_response_alg": "RSA-OAEP",
            "userinfo_encrypted_response_enc": "A128CBC-HS256",
            "jwks": {"keys": [enc_public, sig_public]},
        },
        "par-client": {
            **common,
            "client_id": "par-client",
            "client_secret": "par-client-secret",
            "token_endpoint_auth_method": "client_secret_basic",
            "require_pushed_authorization_requests": True,
        },
        "ro-client": {
            **common,
            "client_id": "ro-client",
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "RS256",
            "request_object_signing_alg": "RS256",
            "jwks": {"keys": [sig_public]},
        },
        # OpenID Connect Back-Channel Logout 1.0 2.2: logout tokens, naming the session
        "bcl-client": {
            **common,
            "client_id": "bcl-client",
            "client_secret": "bcl-client-secret",
            "token_endpoint_auth_method": "client_secret_basic",
            "backchannel_logout_uri": backchannel_logout_uri,
            "backchannel_logout_session_required": True,
        },
    }


def _read_ready(stdout_path: Path, process: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        first_line = stdout_path.read_text(encoding="utf-8").partition("\n")
        if first_line[1]:  # a complete line
            line = first_line[0].strip()
            if not line.startswith("READY http://127.0.0.1:"):
                raise RuntimeError(f"unexpected first line from server.mjs: {line!r}")
            return line.removeprefix("READY ")
        if process.poll() is not None:
            raise RuntimeError(
                f"server.mjs exited with {process.returncode} before READY:\n"
                + log_path.read_text(encoding="utf-8", errors="replace")
            )
        time.sleep(0.02)
    raise RuntimeError(
        f"server.mjs did not print READY within {STARTUP_TIMEOUT:.0f} s:\n"
        + log_path.read_text(encoding="utf-8", errors="replace")
    )


def start(workdir: Path) -> _Running:
    """Write keys and config into ``workdir``, start server.mjs, wait for READY."""
    ensure_node_modules()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")

    sig_key = _rsa_key("rp-sig-1", "sig", "RS256")
    enc_key = _rsa_key("rp-enc-1", "enc", "RSA-OAEP")
    sig_key_path = workdir / "rp-sig.jwk.json"
    enc_key_path = workdir / "rp-enc.jwk.json"
    sig_key_path.write_text(json.dumps(sig_key.as_dict(private=True)), encoding="utf-8")
    enc_key_path.write_text(json.dumps(enc_key.as_dict(private=True)), encoding="utf-8")

    backchannel_logout_uri = f"http://127.0.0.1:{_free_port()}/eidgate/backchannel-logout"
    metadata = _client_metadata(sig_key, enc_key, backchannel_logout_uri)
    config_path = workdir / "config.json"
    config_path.write_text(
        json.dumps(
            {"clients": list(metadata.values()), "accounts": ACCOUNTS, "claims": SCOPE_CLAIMS},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )

    stdout_path = workdir / "server.stdout"
    log_path = workdir / "server.stderr"
    with stdout_path.open("wb") as out, log_path.open("wb") as err:
        process = subprocess.Popen(
            [node, str(NODE_DIR / "server.mjs"), str(config_path)],
            cwd=NODE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    try:
        issuer = _read_ready(stdout_path, process, log_path)
    except BaseException:
        stop(process)
        raise

    provider = OidcProvider(
        issuer=issuer,
        clients={
            name: ClientCredentials(
                client_id=meta["client_id"], client_secret=meta.get("client_secret")
            )
            for name, meta in metadata.items()
        },
        sig_key_path=sig_key_path,
        enc_key_path=enc_key_path,
        redirect_uri=REDIRECT_URI,
        accounts=ACCOUNTS,
        log_path=log_path,
        config_path=config_path,
        client_metadata=metadata,
        backchannel_logout_uri=backchannel_logout_uri,
    )
    return _Running(provider=provider, process=process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, wait up to 5 s, then SIGKILL; always reaps the child."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)

"""RP-side CPU cost of a full eidgate login, against the cost of its unavoidable crypto.

Full logins (begin -> provider -> callback -> token -> ID token checks -> userinfo) run
through ``eidgate.Client`` against an in-process provider reached through an httpx
transport. Time spent inside the provider (its handler, signing, encrypting, the simulated
browser step) is measured and subtracted, leaving the relying party's own time per login.
The baseline, measured in the same run on the same tokens and keys: the RSA operations no
relying party can avoid (one signature check per signed token, one RSA-OAEP decryption per
encrypted token).

Budget (issue 2): RP-side time <= 1.5x the unavoidable crypto; 0 discovery/JWKS fetches
per login once warm.

    .venv/bin/python benchmarks/login_cpu.py [--logins 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx
import jwt
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from joserfc import jwe
from joserfc.jwk import RSAKey

import eidgate
from eidgate import Client, PendingLogins


class TimedProvider(CraftedProvider):
    """The crafted provider, with a stopwatch around everything it does."""

    spent: float = 0.0

    def handle(self, request: eidgate.HttpRequest) -> eidgate.HttpResponse:
        t = time.perf_counter()
        try:
            return super().handle(request)
        finally:
            self.spent += time.perf_counter() - t

    def transport(self) -> httpx.MockTransport:
        inner = super().transport()

        def handler(request: httpx.Request) -> httpx.Response:
            # The whole transport handler is the provider's side: decoding our request,
            # answering it, and building the httpx response.
            t = time.perf_counter()
            before = self.spent
            try:
                return inner.handler(request)  # type: ignore[no-any-return]
            finally:
                self.spent = before + time.perf_counter() - t
        return httpx.MockTransport(handler)

    def authorize(self, url: str, **extra: str) -> dict[str, str]:
        t = time.perf_counter()
        try:
            return super().authorize(url, **extra)
        finally:
            self.spent += time.perf_counter() - t


def build(encrypted: bool, tmp: Path) -> tuple[Client, TimedProvider, dict[str, Any] | None]:
    op = TimedProvider(userinfo_mode="jwe" if encrypted else "json",
                       user={"sub": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf", "name": "Väinö Tunnistus",
                             "signicat.national_id": "070770-905D", "ftn.idpId": "fi-op"})
    provider: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT_ID,
                                "client_secret": CLIENT_SECRET}
    jwk = None
    if encrypted:
        jwk = eidgate.generate_key("enc")
        eidgate.write_key(tmp / "enc.json", jwk)
        provider["decryption_keys"] = ["enc.json"]
        op.encrypt_to = {k: jwk[k] for k in ("kty", "n", "e", "kid")}
    cfg = eidgate.parse_config({"eidgate": {"base_url": "https://app.example.test",
                                            "secret_key": "b" * 32},
                                "providers": {"op": provider}}, base_dir=tmp)
    client = Client(cfg, transport=op.transport())
    client.warm_up()
    return client, op, jwk


def one_login(client: Client, op: TimedProvider) -> tuple[float, float]:
    op.spent = 0.0
    t = time.perf_counter()
    redirect = client.begin_login(next_url="/")
    params = op.authorize(redirect.url)
    result = client.complete_login(params, PendingLogins([redirect.pending]))
    total = time.perf_counter() - t
    assert result.accepted
    return total, op.spent


def unavoidable(op: TimedProvider, jwk: dict[str, Any] | None, rounds: int) -> float:
    """Seconds for the RSA operations of one login, timed directly with `cryptography`."""
    token = op.sign({"iss": ISSUER, "sub": "x", "aud": CLIENT_ID, "exp": 2**31, "iat": 0})
    head, payload, sig = token.split(".")
    public = op.keys[0].private.public_key()
    signature = jwt.utils.base64url_decode(sig)
    signed = f"{head}.{payload}".encode()
    checks = 2 if jwk else 1  # signed ID token (+ signed userinfo when encrypted)
    decrypts = 2 if jwk else 0  # RSA-OAEP key unwrap of ID token and userinfo
    private = RSAKey.import_key(jwk).private_key if jwk else None
    wrapped = None
    if jwk:
        cek = b"k" * 32
        wrapped = private.public_key().encrypt(cek, padding.OAEP(
            padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))  # RSA-OAEP = SHA-1 (RFC 7518)
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(checks):
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        for _ in range(decrypts):
            private.decrypt(wrapped, padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(),
                                                  None))
        samples.append(time.perf_counter() - t)
    _ = jwe  # the provider encrypts with joserfc; imported for the reader
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=300)
    args = parser.parse_args()
    print(f"{'scenario':<38}{'RP/login':>10}{'crypto':>10}{'ratio':>8}{'crypto%':>9}"
          f"{'fetches':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for encrypted in (False, True):
            client, op, jwk = build(encrypted, Path(tmp))
            for _ in range(20):
                one_login(client, op)  # warm caches and the interpreter
            before = client.fetches
            rp_side = []
            for _ in range(args.logins):
                total, provider = one_login(client, op)
                rp_side.append(total - provider)
            fetches = (client.fetches - before) / args.logins
            rp = statistics.median(rp_side)
            crypto = unavoidable(op, jwk, args.logins)
            name = ("encrypted ID token + signed/encrypted userinfo" if encrypted
                    else "signed ID token + JSON userinfo")
            print(f"{name:<38.38}{rp * 1e6:>8.0f}us{crypto * 1e6:>8.0f}us{rp / crypto:>7.2f}x"
                  f"{100 * crypto / rp:>8.0f}%{fetches:>9.2f}")
            client.close()
    print("\nratio = RP-side time per login / unavoidable RSA work in that login "
          "(budget <= 1.5x); fetches = discovery+JWKS requests per warm login (budget 0)")


if __name__ == "__main__":
    main()

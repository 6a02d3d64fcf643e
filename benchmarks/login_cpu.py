"""RP-side CPU cost of a full eidgate login, against the cost of its unavoidable crypto.

Full logins (begin -> provider -> callback -> token -> ID token checks -> userinfo) run
through ``eidgate.Client`` against an in-process provider reached through an httpx2
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
import base64
import hashlib
import hmac
import json
import secrets
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx2
import jwt
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider
from crafted import REDIRECT_URI as REDIRECT
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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

    def transport(self) -> httpx2.MockTransport:
        inner = super().transport()

        def handler(request: httpx2.Request) -> httpx2.Response:
            # The whole transport handler is the provider's side: decoding our request,
            # answering it, and building the httpx2 response.
            t = time.perf_counter()
            before = self.spent
            try:
                return inner.handler(request)  # type: ignore[no-any-return]
            finally:
                self.spent = before + time.perf_counter() - t
        return httpx2.MockTransport(handler)

    def authorize(self, url: str, **extra: str) -> dict[str, str]:
        t = time.perf_counter()
        try:
            return super().authorize(url, **extra)
        finally:
            self.spent += time.perf_counter() - t


SCENARIOS = {  # name: (ID token encrypted, userinfo mode)
    "signed ID token, JSON userinfo": (False, "json"),
    "encrypted ID token, JSON userinfo": (True, "json"),
    "encrypted ID token + userinfo (JWE/JWS)": (True, "jwe"),
}


def build(encrypted: bool, userinfo: str, tmp: Path) -> tuple[Client, TimedProvider,
                                                              dict[str, Any] | None]:
    op = TimedProvider(userinfo_mode=userinfo,
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


def median_us(fn: Any, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def baselines(op: TimedProvider, jwk: dict[str, Any] | None, userinfo: str,
              rounds: int) -> tuple[float, float]:
    """(unavoidable RSA work, library floor) of one login, timed directly in this run.

    RSA work: one PKCS#1 v1.5 check per signed token, one RSA-OAEP unwrap per encrypted
    token, with `cryptography` alone. Library floor: the same tokens through the libraries
    eidgate must use (pyjwt decode, joserfc decrypt) plus two httpx2 requests (token,
    userinfo) over a transport that answers instantly.
    """
    claims = {"iss": ISSUER, "sub": "x", "aud": CLIENT_ID, "exp": 2**31, "iat": 0}
    token = op.sign(claims)
    head, payload, sig = token.split(".")
    public = op.keys[0].private.public_key()
    signature = jwt.utils.base64url_decode(sig)
    signed = f"{head}.{payload}".encode()
    checks = 2 if userinfo == "jwe" else 1
    decrypts = (1 if jwk else 0) + (1 if userinfo == "jwe" else 0)
    oaep = padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # RFC 7518 4.3
    private = RSAKey.import_key(jwk) if jwk else None
    wrapped = private.public_key.encrypt(b"k" * 32, oaep) if private else b""
    sealed = op.encrypt(token) if jwk else ""
    registry = jwe.JWERegistry(algorithms=["RSA-OAEP", "A128CBC-HS256"],
                               strict_check_header=False)

    def rsa_only() -> None:
        for _ in range(checks):
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        for _ in range(decrypts):
            private.private_key.decrypt(wrapped, oaep)  # type: ignore[union-attr]

    answer = httpx2.Response(200, json={"access_token": "a", "token_type": "Bearer"})
    bare = httpx2.Client(transport=httpx2.MockTransport(lambda request: answer))
    pyjws = jwt.PyJWS()

    def libraries() -> None:
        bare.post("https://op.example.test/token", content=b"grant_type=authorization_code")
        bare.get("https://op.example.test/userinfo")
        for _ in range(checks):
            pyjws.decode_complete(token, public, algorithms=["RS256"])
        for _ in range(decrypts):
            jwe.decrypt_compact(sealed, private, registry=registry)  # type: ignore[arg-type]

    return median_us(rsa_only, rounds), median_us(libraries, rounds)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def minimum(op: TimedProvider, jwk: dict[str, Any] | None, userinfo: str,
            rounds: int) -> float:
    """The least CPU any Python relying party spends on this login, timed in this run.

    Not a relying party (it checks nothing but the signatures and the MAC): three random
    values and an S256 challenge, one urlencoded authorization URL, the callback query
    parsed, two requests straight into an httpx2 transport (no client layer), the JSON
    decoded, and the JWS/JWE opened with `cryptography` primitives alone (RFC 7515 5.2,
    RFC 7516 5.2, RFC 7518 5.2.2.2). If this alone exceeds the budget, no implementation
    that speaks HTTP through httpx2 can meet it.
    """
    claims = {"iss": ISSUER, "sub": "x", "aud": CLIENT_ID, "exp": 2**31, "iat": 0,
              "nonce": "n" * 43, "name": "Väinö Tunnistus"}
    jws = op.sign(claims)
    id_token = op.encrypt(jws) if jwk else jws
    token_body = json.dumps({"access_token": "a" * 43, "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token}).encode()
    info = {"sub": "x", "name": "Väinö Tunnistus"}
    info_body = json.dumps(info).encode() if userinfo == "json" else \
        op.encrypt(op.sign({"iss": ISSUER, "aud": CLIENT_ID, **info})).encode()
    answers = {"/token": httpx2.Response(200, content=token_body),
               "/userinfo": httpx2.Response(200, content=info_body)}
    transport = httpx2.MockTransport(lambda request: answers[request.url.path])
    token_url, info_url = httpx2.URL(ISSUER + "/token"), httpx2.URL(ISSUER + "/userinfo")
    public = op.keys[0].private.public_key()
    private = RSAKey.import_key(jwk).private_key if jwk else None
    oaep = padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()

    def open_jws(token: str) -> Any:
        head, payload, sig = token.split(".")
        public.verify(_b64(sig), f"{head}.{payload}".encode(), padding.PKCS1v15(),
                      hashes.SHA256())
        return json.loads(_b64(payload))

    def open_jwe(token: str) -> str:
        head, key, iv, text, tag = token.split(".")
        cek = private.decrypt(_b64(key), oaep)  # type: ignore[union-attr]
        aad = head.encode()
        mac = hmac.new(cek[:16], aad + _b64(iv) + _b64(text) + struct.pack(">Q", len(aad) * 8),
                       hashlib.sha256).digest()[:16]
        assert hmac.compare_digest(mac, _b64(tag))
        plain = Cipher(algorithms.AES(cek[16:]), modes.CBC(_b64(iv))).decryptor()
        padded = plain.update(_b64(text)) + plain.finalize()
        return padded[:-padded[-1]].decode()

    def login() -> None:
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        url = ISSUER + "/authorize?" + urlencode({
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
            "scope": "openid profile", "state": state, "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(), "code_challenge_method": "S256"})
        query = dict(parse_qsl(f"code={'c' * 43}&state={state}&iss={ISSUER}"))
        form = urlencode({"grant_type": "authorization_code", "code": query["code"],
                          "redirect_uri": REDIRECT, "code_verifier": verifier}).encode()
        answer = transport.handle_request(httpx2.Request("POST", token_url, content=form, headers={
            "Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"}))
        tokens = json.loads(answer.read())
        token = tokens["id_token"]
        open_jws(open_jwe(token) if jwk else token)
        answer = transport.handle_request(httpx2.Request("GET", info_url, headers={
            "Authorization": "Bearer " + tokens["access_token"]}))
        body = answer.read()
        json.loads(body) if userinfo == "json" else open_jws(open_jwe(body.decode()))
        assert url

    return median_us(login, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=300)
    args = parser.parse_args()
    print(f"{'scenario':<42}{'RP/login':>10}{'RSA':>8}{'ratio':>7}{'RSA%':>6}"
          f"{'minimum':>15}{'lib floor':>15}{'eidgate':>9}{'fetches':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (encrypted, userinfo) in SCENARIOS.items():
            client, op, jwk = build(encrypted, userinfo, Path(tmp))
            for _ in range(20):
                one_login(client, op)  # warm caches and the interpreter
            before = client.fetches
            rp_side = []
            for _ in range(args.logins):
                total, provider = one_login(client, op)
                rp_side.append(total - provider)
            fetches = (client.fetches - before) / args.logins
            rp = statistics.median(rp_side)
            rsa, floor = baselines(op, jwk, userinfo, args.logins)
            least = minimum(op, jwk, userinfo, args.logins)
            print(f"{name:<42}{rp * 1e6:>8.0f}us{rsa * 1e6:>6.0f}us{rp / rsa:>6.2f}x"
                  f"{100 * rsa / rp:>5.0f}%{least * 1e6:>6.0f}us ({least / rsa:4.1f}x)"
                  f"{floor * 1e6:>6.0f}us ({floor / rsa:4.1f}x){(rp - floor) * 1e6:>7.0f}us"
                  f"{fetches:>9.2f}")
            client.close()
    print("""
RP/login  relying-party time per login (provider's own time subtracted), median
RSA       the unavoidable RSA operations of that login, timed alone; ratio = RP/RSA
          (budget <= 1.5x), RSA% = share of the RP time that is that crypto
minimum   the least any Python RP must do for this login (see minimum()): random values,
          URL, two requests straight into the httpx2 transport, JSON, raw crypto; (x RSA)
lib floor the same tokens through pyjwt/joserfc plus two bare httpx2 requests; (x RSA)
eidgate   RP/login - lib floor: what eidgate's own code adds
fetches   discovery + JWKS requests per warm login (budget 0)""")


if __name__ == "__main__":
    main()

"""A crafted OpenID provider for sans-IO tests: it answers HttpRequest values directly.

It is deliberately small and explicit. Tests change what it sends (claims, headers, keys,
discovery fields, content types) to build every negative case. It checks what a real
provider checks of the relying party: PKCE S256, the client authentication, the redirect URI.
Tokens are made with pyjwt / joserfc directly, never with eidgate code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwe
from joserfc.jwk import ECKey, RSAKey

from eidgate import HttpRequest, HttpResponse
from eidgate._calls import Call, advance

ISSUER = "https://op.example.test"
CLIENT_ID = "rp-client"
CLIENT_SECRET = "rp secret: with &special=chars"
REDIRECT_URI = "https://app.example.test/eidgate/callback"

_RSA_CACHE: list[rsa.RSAPrivateKey] = []


def rsa_key(index: int = 0) -> rsa.RSAPrivateKey:
    """Deterministic-per-session RSA keys (generation is slow; reuse them)."""
    while len(_RSA_CACHE) <= index:
        _RSA_CACHE.append(rsa.generate_private_key(65537, 2048))
    return _RSA_CACHE[index]


@dataclass
class SigningKey:
    kid: str | None
    private: Any
    alg: str = "RS256"

    def public_jwk(self, **extra: Any) -> dict[str, Any]:
        pub = self.private.public_key()
        if isinstance(pub, rsa.RSAPublicKey):
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(pub))
        else:
            data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(pub))
        if self.kid is not None:
            data["kid"] = self.kid
        data.update(use="sig", **extra)
        return data


def json_response(data: Any, status: int = 200, content_type: str = "application/json"
                  ) -> HttpResponse:
    return HttpResponse(status, {"content-type": content_type}, json.dumps(data).encode())


@dataclass
class Grant:
    nonce: str
    challenge: str
    redirect_uri: str
    client_id: str


@dataclass
class CraftedProvider:
    """An OpenID provider whose every answer a test can bend."""

    issuer: str = ISSUER
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey("k1", rsa_key(0))])
    signing_kid: str | None = "k1"
    # the relying party's public encryption JWK; when set, ID token and userinfo are JWE
    encrypt_to: dict[str, Any] | None = None
    jwe_alg: str = "RSA-OAEP"
    jwe_enc: str = "A128CBC-HS256"
    userinfo_mode: str = "json"  # json | jwt | jwe
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "user-1", "name": "Test"})
    id_claims: dict[str, Any] = field(default_factory=dict)   # overrides / additions
    drop_id_claims: tuple[str, ...] = ()
    id_header: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    discovery_extra: dict[str, Any] = field(default_factory=dict)
    token_extra: dict[str, Any] = field(default_factory=dict)
    client_auth: str = "client_secret_basic"
    client_public_jwk: dict[str, Any] | None = None  # for private_key_jwt
    now: Callable[[], float] = time.time
    overrides: dict[str, Callable[[HttpRequest], HttpResponse]] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    requests: list[HttpRequest] = field(default_factory=list)
    par_requests: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- endpoints ---------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "pushed_authorization_request_endpoint": f"{self.issuer}/par",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "authorization_response_iss_parameter_supported": True,
                **self.discovery_extra}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys]}

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        path = urlsplit(request.url).path
        if path in self.overrides:
            return self.overrides[path](request)
        if path == "/.well-known/openid-configuration":
            return json_response(self.discovery())
        if path == "/jwks":
            return json_response(self.jwks())
        if path == "/token":
            return self.token(request)
        if path == "/userinfo":
            return self.userinfo(request)
        if path == "/par":
            return self.par(request)
        return json_response({"error": "not_found"}, 404)

    def authorize(self, url: str, **extra: str) -> dict[str, str]:
        """What the browser would bring back to the callback after a successful login."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if "request_uri" in query:
            query = {**self.par_requests[query["request_uri"]], **query}
        if "request" in query:
            query.update(jwt.decode(query["request"], options={"verify_signature": False}))
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(query["nonce"], query["code_challenge"],
                                  query["redirect_uri"], query["client_id"])
        return {"code": code, "state": query["state"], "iss": self.issuer, **extra}

    def _client_ok(self, request: HttpRequest, form: dict[str, str]) -> bool:
        if self.client_auth == "client_secret_basic":
            header = request.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return False
            ident, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return (unquote_plus(ident), unquote_plus(secret)) == (self.client_id,
                                                                   self.client_secret)
        if self.client_auth == "client_secret_post":
            return (form.get("client_id"), form.get("client_secret")) == (self.client_id,
                                                                          self.client_secret)
        assert self.client_public_jwk is not None
        assertion = form.get("client_assertion", "")
        key = jwt.PyJWK(self.client_public_jwk)
        # times are checked against this provider's (injected) clock, not the machine's
        claims = jwt.decode(assertion, key, algorithms=[key.algorithm_name],
                            audience=[f"{self.issuer}/token", self.issuer],
                            options={"verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
        fresh = claims["iat"] - 5 <= self.now() < claims["exp"]
        return fresh and claims["iss"] == claims["sub"] == self.client_id and bool(claims["jti"])

    def par(self, request: HttpRequest) -> HttpResponse:
        form = {k: v[0] for k, v in parse_qs((request.body or b"").decode()).items()}
        if not self._client_ok(request, form):
            return json_response({"error": "invalid_client"}, 401)
        uri = f"urn:ietf:params:oauth:request_uri:{secrets.token_urlsafe(8)}"
        self.par_requests[uri] = {k: v for k, v in form.items() if not k.startswith("client_")}
        return json_response({"request_uri": uri, "expires_in": 60}, 201)

    def token(self, request: HttpRequest) -> HttpResponse:
        form = {k: v[0] for k, v in parse_qs((request.body or b"").decode()).items()}
        if not self._client_ok(request, form):
            return json_response({"error": "invalid_client"}, 401)
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return json_response({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if digest.rstrip(b"=").decode() != grant.challenge:  # RFC 7636 4.6
            return json_response({"error": "invalid_grant",
                                  "error_description": "PKCE verifier mismatch"}, 400)
        access = secrets.token_urlsafe(24)
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                "id_token": self.id_token(grant.nonce, access), **self.token_extra}
        return json_response(body)

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        key = next(k for k in self.keys if k.kid == self.signing_kid) if self.signing_kid \
            else self.keys[0]
        headers = {"kid": key.kid} if key.kid else {}
        headers.update(header or {})
        alg = headers.pop("alg", key.alg)
        return jwt.encode(claims, key.private, algorithm=alg, headers=headers)

    def encrypt(self, plaintext: str, cty: str | None = "JWT") -> str:
        assert self.encrypt_to is not None
        recipient = RSAKey.import_key(self.encrypt_to) if self.encrypt_to["kty"] == "RSA" \
            else ECKey.import_key(self.encrypt_to)
        header: dict[str, Any] = {"alg": self.jwe_alg, "enc": self.jwe_enc,
                                  "kid": self.encrypt_to.get("kid")}
        if cty:
            header["cty"] = cty
        registry = jwe.JWERegistry(algorithms=[self.jwe_alg, self.jwe_enc],
                                   strict_check_header=False)
        return jwe.encrypt_compact(header, plaintext, recipient, registry=registry)

    def id_token(self, nonce: str, access_token: str) -> str:
        now = int(self.now())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": self.user["sub"],
                                  "aud": self.client_id, "exp": now + 300, "iat": now,
                                  "nonce": nonce, "auth_time": now - 5,
                                  "at_hash": at_hash(access_token)}
        claims.update(self.id_claims)
        for name in self.drop_id_claims:
            claims.pop(name, None)
        token = self.sign(claims, self.id_header)
        return self.encrypt(token) if self.encrypt_to else token

    def userinfo(self, request: HttpRequest) -> HttpResponse:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return json_response({"error": "invalid_token"}, 401)
        claims = {**self.user, **self.userinfo_claims}
        if self.userinfo_mode == "json":
            return json_response(claims)
        token = self.sign({"iss": self.issuer, "aud": self.client_id, **claims})
        if self.userinfo_mode == "jwe":
            token = self.encrypt(token)
        return HttpResponse(200, {"content-type": "application/jwt"}, token.encode())

    # -- an httpx transport, for drivers ----------------------------------------------
    def transport(self) -> httpx2.MockTransport:
        def handler(request: httpx2.Request) -> httpx2.Response:
            # httpx2.Headers is a case-insensitive mapping, like the headers a server sees
            answer = self.handle(HttpRequest(request.method, str(request.url),
                                             request.headers, request.read()))
            return httpx2.Response(answer.status, headers=dict(answer.headers),
                                  content=answer.body)
        return httpx2.MockTransport(handler)


def at_hash(access_token: str, digest: Callable[[bytes], Any] = hashlib.sha256) -> str:
    half = digest(access_token.encode()).digest()
    half = half[: len(half) // 2]
    return base64.urlsafe_b64encode(half).rstrip(b"=").decode()


def drive(steps: Generator[Any, Any, Any], op: CraftedProvider) -> Any:
    """Run a sans-IO flow against the crafted provider (what a driver does, minus I/O); a
    gate's calls (session store, hooks) are made in place, as the sync driver makes them."""
    try:
        request = next(steps)
        while True:
            if isinstance(request, Call):
                request = advance(steps, request)
                continue
            request = steps.send(op.handle(request))
    except StopIteration as done:
        return done.value


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# -- the crafted provider on a real socket ----------------------------------------------

class ServedProvider(ThreadingHTTPServer):
    """A :class:`CraftedProvider` (``op``) answering on 127.0.0.1 over real TCP, counting
    the connections it accepts; ``delay`` keeps many requests in flight at once."""

    daemon_threads = True
    connections = 0
    delay = 0.0
    request_queue_size = 128  # a burst of connections must not overflow the backlog (5)
    op: CraftedProvider

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # one per accepted TCP connection
        super().process_request(request, client_address)


class _ProviderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ServedProvider

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.server.delay)
        answer = self.server.op.handle(HttpRequest(
            self.command, self.server.op.issuer + self.path, dict(self.headers.items()), body))
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served_provider(**op: Any) -> Iterator[ServedProvider]:
    """A :class:`ServedProvider` on a free loopback port whose issuer is its own address
    (``op``: more :class:`CraftedProvider` fields), stopped on exit."""
    server = ServedProvider(("127.0.0.1", 0), _ProviderHandler)
    server.op = CraftedProvider(issuer=f"http://127.0.0.1:{server.server_port}", **op)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()

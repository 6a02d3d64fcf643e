"""What a hostile provider does to its answers, crafted by hand from bare primitives.

Tools for the tests of the relying party against a hostile or broken OpenID provider: sign
any JSON text (even JSON no library would write), swap or re-sign the crafted provider's ID
token, rewrite its token response, and build JWEs by hand (RFC 7516) for the relying party's
decryption keys. Never eidgate code: a test that crafted its attack with the code under test
could not catch that code's mistakes.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import zlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import jwt
from crafted import CraftedProvider, json_response
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eidgate import HttpRequest, HttpResponse, generate_key

EVIL = "https://evil.example.test"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def count(op: CraftedProvider, path: str) -> int:
    """How many requests the provider has had for ``path``."""
    return sum(urlsplit(r.url).path == path for r in op.requests)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_raw(op: CraftedProvider, payload: bytes, header: Mapping[str, Any] | None = None,
             alg: str = "RS256") -> str:
    """A compact JWS over ``payload`` bytes exactly as given (so it may hold any JSON text)."""
    key = op.keys[0]
    protected = {"alg": alg, "kid": key.kid, **(header or {})}
    signing_input = f"{b64url(json.dumps(protected).encode())}.{b64url(payload)}"
    algorithm = jwt.get_algorithm_by_name(alg)
    signature = algorithm.sign(signing_input.encode("ascii"), key.private)
    return f"{signing_input}.{b64url(signature)}"


def swap_id_token(op: CraftedProvider, make: Callable[[dict[str, Any], str], str]) -> None:
    """``/token`` answers normally, but its ID token is ``make(honest claims, signed)``."""
    def token(request: HttpRequest) -> HttpResponse:
        answer = op.token(request)
        body = json.loads(answer.body)
        if "id_token" in body:
            signed = body["id_token"]
            claims = jwt.decode(signed, options={"verify_signature": False})
            body["id_token"] = make(claims, signed)
        return json_response(body, answer.status)
    op.overrides["/token"] = token


def raw_claims(op: CraftedProvider, text: Callable[[dict[str, Any]], str],
               header: Mapping[str, Any] | None = None) -> None:
    """The ID token payload is the JSON text ``text(honest claims)``, validly signed."""
    swap_id_token(op, lambda claims, _: sign_raw(op, text(claims).encode(), header))


def replace_token_response(op: CraftedProvider, change: Callable[[dict[str, Any]], Any]
                           ) -> None:
    def token(request: HttpRequest) -> HttpResponse:
        body = json.loads(op.token(request).body)
        return json_response(change(body))
    op.overrides["/token"] = token


def resign(op: CraftedProvider, header: dict[str, Any] | None = None,
           key: Any = None) -> None:
    """``/token`` answers normally, its ID token re-signed with ``key`` and ``header``."""
    def token(request: HttpRequest) -> HttpResponse:
        answer = op.token(request)
        body = json.loads(answer.body)
        if "id_token" in body:
            claims = jwt.decode(body["id_token"], options={"verify_signature": False})
            body["id_token"] = jwt.encode(claims, key or op.keys[0].private, algorithm="RS256",
                                          headers={"kid": "k1", **(header or {})})
        return json_response(body, answer.status)
    op.overrides["/token"] = token


@functools.cache
def rp_key(kty: str) -> dict[str, Any]:
    return generate_key("enc", kty)  # type: ignore[arg-type]


def public_of(jwk: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "crv", "x", "y", "kid")}


def handmade_jwe(plaintext: bytes, *, compress: bool = False, body_tag: bytes | None = None,
                 body_iv: bytes | None = None, **extra: Any) -> str:
    """RSA-OAEP + A256GCM for the relying party's RSA key (RFC 7516 5.1, RFC 7518 4.3/5.3).

    ``compress`` deflates the plaintext first (RFC 7516 4.1.3, ``zip: DEF``, RFC 1951).
    """
    jwk = rp_key("RSA")
    public = jwt.algorithms.RSAAlgorithm.from_jwk(public_of(jwk))
    assert isinstance(public, rsa.RSAPublicKey)
    header = {"alg": "RSA-OAEP", "enc": "A256GCM", "kid": jwk["kid"], **extra}
    if compress:
        header["zip"] = "DEF"
        squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
        plaintext = squeezer.compress(plaintext) + squeezer.flush()
    protected = b64url(json.dumps(header).encode())
    cek, nonce = os.urandom(32), body_iv if body_iv is not None else os.urandom(12)
    sha1 = hashes.SHA1()  # noqa: S303 (RFC 7518 4.3: "RSA-OAEP" is defined with SHA-1)
    wrapped = public.encrypt(cek, padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1,
                                               label=None))
    sealed = AESGCM(cek).encrypt(nonce if nonce else b"\0" * 12, plaintext,
                                 protected.encode("ascii"))
    return ".".join((protected, b64url(wrapped), b64url(nonce), b64url(sealed[:-16]),
                     b64url(sealed[-16:] if body_tag is None else body_tag)))


def junk_jwe(header: Mapping[str, Any]) -> str:
    """A five-part token with ``header`` and random other parts (fails after key agreement)."""
    return ".".join((b64url(json.dumps(header).encode()), b64url(os.urandom(40)),
                     b64url(os.urandom(12)), b64url(os.urandom(32)), b64url(os.urandom(16))))

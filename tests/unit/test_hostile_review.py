"""A hostile OpenID provider, case by case: what it sends and what the relying party must do.

Each case comes from a clause of a specification (cited beside it) or from a known attack on
other relying parties (alg confusion, decompression bombs, PBES2 iteration counts, invalid
curve points, parser differentials, header injection, mix-up). The outcome a test expects is
the one the specification requires; a traceback of any other exception type is always a bug.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from conftest import Clock, Harness, make_config
from crafted import (
    CLIENT_ID,
    ISSUER,
    CraftedProvider,
    SigningKey,
    at_hash,
    drive,
    ec_key,
    json_response,
    rsa_key,
)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import eidgate
from eidgate import (
    CallbackError,
    DiscoveryError,
    EidGateError,
    HttpRequest,
    HttpResponse,
    InvalidTokenError,
    PendingLogins,
    ProviderError,
    RelyingParty,
    generate_key,
    parse_config,
    write_key,
)

Build = Callable[..., Harness]
EVIL = "https://evil.example.test"


# -- crafting by hand (bare primitives, never eidgate code) ------------------------------

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


def id_claims_for(op: CraftedProvider, nonce: str, access_token: str) -> dict[str, Any]:
    now = int(op.now())
    return {"iss": op.issuer, "sub": "user-1", "aud": op.client_id, "exp": now + 300,
            "iat": now, "nonce": nonce, "at_hash": at_hash(access_token)}


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


@pytest.fixture
def enc(harness: Build, tmp_path: Path) -> Callable[..., Harness]:
    """A harness whose relying party has an RSA and an EC decryption key."""
    write_key(tmp_path / "rsa.json", rp_key("RSA"))
    write_key(tmp_path / "ec.json", rp_key("EC"))

    def build(op: CraftedProvider | None = None, **extra: Any) -> Harness:
        return harness(op, decryption_keys=["rsa.json", "ec.json"], **extra)
    return build


def rejected(h: Harness, error: type[EidGateError] = InvalidTokenError,
             match: str | None = None) -> EidGateError:
    with pytest.raises(error, match=match) as caught:
        h.login()
    assert caught.value.status >= 500  # the provider misbehaved, not the browser
    return caught.value


# -- JSON numbers: NaN / Infinity / overflow (RFC 8259 6, RFC 7519 2 NumericDate) --------

@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", '{"exp": NaN}',
                                  '{"exp": Infinity}', '[-Infinity]'])
def test_parse_json_refuses_non_standard_constants(text: str) -> None:
    # RFC 8259 6: "Numeric values that cannot be represented ... (such as Infinity and NaN)
    # are not permitted." Python's json.loads accepts them unless told not to.
    with pytest.raises(ValueError, match="JSON"):
        eidgate._json.parse_json(text)


@pytest.mark.parametrize(("name", "literal"), [
    ("exp", "Infinity"), ("exp", "NaN"), ("exp", "1e309"), ("exp", "1" + "0" * 400),
    ("iat", "-Infinity"), ("iat", "NaN"), ("nbf", "NaN"), ("auth_time", "1e999"),
    ("iat", "-" + "9" * 400),
])
def test_non_finite_or_overflowing_numeric_dates_are_rejected(
        harness: Build, name: str, literal: str) -> None:
    """RFC 7519 2: a NumericDate is a finite JSON number; `exp: Infinity` never expires."""
    h = harness()

    def text(claims: dict[str, Any]) -> str:
        claims[name] = "@@"
        return json.dumps(claims).replace('"@@"', literal)
    raw_claims(h.op, text)
    rejected(h, match="ID token")


@pytest.mark.parametrize("claim", ["nonce", "given_name"])
def test_lone_surrogates_in_claims_are_rejected(harness: Build, claim: str) -> None:
    """RFC 7493 2.1 (I-JSON): no lone surrogates. Python's json.loads lets "\ud800" through
    as a str that cannot be encoded: the nonce comparison or the session cookie would then
    crash with UnicodeEncodeError instead of refusing the token."""
    h = harness()
    raw_claims(h.op, lambda c: json.dumps({**c, claim: "\ud800"}))
    rejected(h, match="ID token")


def test_lone_surrogates_in_userinfo_are_rejected(harness: Build) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"},
        b'{"sub": "user-1", "family_name": "\\udc80"}')
    rejected(h, ProviderError, match="userinfo")


@pytest.mark.parametrize("text", ['"\\ud83d\\ude00"', '"\U0001F600"'])
def test_paired_surrogate_escapes_are_one_character(text: str) -> None:
    # RFC 8259 7: an astral character may be written as an escaped surrogate pair
    assert eidgate._json.parse_json(text.encode()) == "\U0001F600"
    assert eidgate._json.parse_json(text) == "\U0001F600"


def test_duplicate_claim_names_are_rejected(harness: Build) -> None:
    """RFC 7519 4 / RFC 7515 5.2: reject duplicate member names (we choose rejection over
    last-wins so that no other parser, e.g. an auditor reading the evidence, sees another
    ``sub`` than we did)."""
    h = harness()
    raw_claims(h.op, lambda c: json.dumps(c)[:-1] + ', "sub": "admin"}')
    rejected(h, match="ID token")


def test_duplicate_header_names_are_rejected(harness: Build) -> None:
    h = harness()

    def make(claims: dict[str, Any], _: str) -> str:
        key = h.op.keys[0]
        protected = b'{"alg": "RS256", "kid": "k1", "alg": "none"}'
        signing_input = f"{b64url(protected)}.{b64url(json.dumps(claims).encode())}"
        signature = jwt.get_algorithm_by_name("RS256").sign(signing_input.encode(),
                                                             key.private)
        return f"{signing_input}.{b64url(signature)}"
    swap_id_token(h.op, make)
    rejected(h, match="ID token")


@pytest.mark.parametrize("value", [True, False, "1800000300", [1800000300],
                                   {"t": 1800000300}, None])
def test_exp_of_the_wrong_json_type_is_rejected(harness: Build, value: Any) -> None:
    """RFC 7519 2 / 4.1.4: exp is a JSON number; a bool (a Python int) is not one."""
    h = harness()
    h.op.id_claims["exp"] = value
    rejected(h, match="exp")


# -- JWS header tricks (RFC 7515 4.1, RFC 8725 3.1) --------------------------------------

@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", "", "HS256", "RS1",
                                 "RSA-OAEP", "dir"])
def test_unlisted_alg_values_are_rejected(harness: Build, alg: str) -> None:
    """OIDC Core 3.1.3.7 (7)/(8), RFC 8725 3.1: only allow-listed algorithms, never none."""
    h = harness()
    swap_id_token(h.op, lambda c, signed: ".".join(
        (b64url(json.dumps({"alg": alg, "kid": "k1"}).encode()), *signed.split(".")[1:2],
         "")))
    rejected(h, match="not allowed")


@pytest.mark.parametrize("header", [
    {"crit": []},  # RFC 7515 4.1.11: the empty list MUST NOT be used
    {"crit": "urn:x"},  # not a list
    {"crit": ["exp"], "exp": 1},  # an extension we do not understand
    {"crit": ["b64"], "b64": False},  # RFC 7797: unencoded payload, not for JWTs
    {"b64": False},
    {"crit": ["alg"]},  # 4.1.11: MUST NOT name header parameters of this specification
])
def test_crit_and_b64_headers_are_rejected(harness: Build, header: dict[str, Any]) -> None:
    h = harness()
    raw_claims(h.op, json.dumps, header)
    rejected(h, match="ID token")


def test_embedded_keys_in_the_header_are_never_trusted_or_fetched(harness: Build) -> None:
    """RFC 8725 3.10 / OIDC Core 10.1: keys come from the provider's jwks_uri only; a token
    signed by an attacker who names his own key (jwk, jku, x5u, x5c) is not accepted."""
    h = harness()
    attacker = rsa_key(1)
    pub = SigningKey("k1", attacker).public_jwk()

    def make(claims: dict[str, Any], _: str) -> str:
        return jwt.encode(claims, attacker, algorithm="RS256", headers={
            "kid": "k1", "jwk": pub, "jku": f"{EVIL}/jwks", "x5u": f"{EVIL}/cert",
            "x5c": ["MIIB"]})
    swap_id_token(h.op, make)
    rejected(h, match="signature")
    assert not [r for r in h.op.requests if "evil" in r.url]


@pytest.mark.parametrize("kid", ["../../../../etc/passwd", "' OR 1=1 --", "k1\x00",
                                 "k" * 10_000, "\u202ek1"])
def test_junk_kid_is_a_clean_key_error(harness: Build, kid: str) -> None:
    h = harness()
    h.op.id_header["kid"] = kid
    error = rejected(h, match="kid")
    assert len(str(error)) < 300  # a hostile value is never copied whole into a message


@pytest.mark.parametrize("kid", [1, ["k1"], {"k": 1}, True])
def test_kid_that_is_not_a_string_is_rejected(harness: Build, kid: Any) -> None:
    """RFC 7515 4.1.4: kid is a string; a non-string is not "no kid"."""
    h = harness()
    raw_claims(h.op, json.dumps, {"kid": kid})
    rejected(h, match="ID token|kid")


@pytest.mark.parametrize("extra", [
    {"use": "enc"},  # RFC 7517 4.2: an encryption key
    {"key_ops": ["encrypt", "wrapKey"]},  # RFC 7517 4.3: not for verification
    {"key_ops": "verify"},  # not a list: malformed, not usable
    {"use": ["sig"]},  # not a string: malformed
])
def test_keys_not_for_verification_are_not_used(harness: Build, extra: dict[str, Any]) -> None:
    h = harness()
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [{
        **h.op.keys[0].public_jwk(), **extra}]})
    rejected(h, match="RS256")


def test_malformed_jwks_entries_are_skipped_and_good_key_still_works(harness: Build) -> None:
    h = harness()
    good = h.op.keys[0].public_jwk()
    junk: list[Any] = [
        None, 1, "x", [], {}, {"kty": None}, {"kty": ["RSA"]}, {"kty": "RSA"},
        {"kty": "RSA", "n": 5, "e": "AQAB", "kid": "k1"},
        {"kty": "RSA", "n": "AAAA", "e": ["AQAB"], "kid": "k1"},
        {"kty": "RSA", "n": "!!!", "e": "AQAB", "kid": "k1"},
        {"kty": "EC", "crv": "P-256", "x": 1, "y": None, "kid": "k1"},
        {"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA", "kid": "k1"},
        {"kty": "EC", "crv": "P-256", "x": b64url(b"\1" * 32), "y": b64url(b"\2" * 32),
         "kid": "k1"},  # not a point on the curve
        {"kty": "OKP", "crv": "X25519", "x": b64url(b"\0" * 32), "kid": "k1"},
        {"kty": "oct", "k": b64url(b"secret"), "kid": "k1"},
        {**good, "kid": 7}, {**good, "alg": 7}, {**good, "crv": ["P-256"]},
        good,
    ]
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": junk})
    assert h.login().accepted


def test_private_key_in_jwks_is_not_used(harness: Build) -> None:
    """RFC 7517 / OIDC Discovery 3: a jwks_uri publishes public keys; a private one is a
    leak, not a key to trust."""
    h = harness()
    from jwt.algorithms import RSAAlgorithm
    private = {**json.loads(RSAAlgorithm.to_jwk(h.op.keys[0].private)), "kid": "k1"}
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [private]})
    rejected(h, match="RS256")


def test_oct_key_in_jwks_never_verifies_hs256(harness: Build) -> None:
    """OIDC Core 10.1: HS* keys are the client secret, never a key from the jwks_uri."""
    h = harness(client_secret="s" * 40, id_token_algorithms=["RS256", "HS256"])
    h.op.client_secret = "s" * 40
    shared = b"k" * 40
    h.op.overrides["/jwks"] = lambda r: json_response(
        {"keys": [{"kty": "oct", "k": b64url(shared), "kid": "k1"}]})
    swap_id_token(h.op, lambda c, _: jwt.encode(c, shared, algorithm="HS256",
                                                headers={"kid": "k1"}))
    rejected(h, match="signature")


@pytest.mark.parametrize("size", [0, 63, 65, 128])
def test_es256_with_a_wrong_length_signature_is_rejected(harness: Build, size: int) -> None:
    """RFC 7518 3.4: an ES256 signature is exactly 64 octets (R || S)."""
    op = CraftedProvider(keys=[SigningKey("e1", ec_key(), "ES256")], signing_kid="e1")
    h = harness(op)
    swap_id_token(h.op, lambda c, signed: ".".join(
        (*signed.split(".")[:2], b64url(os.urandom(size)))))
    rejected(h, match="signature")


def test_eddsa_ed25519_is_accepted() -> None:
    """RFC 8037 3.1: EdDSA with an Ed25519 OKP key (a positive control for the OKP path)."""
    private = ed25519.Ed25519PrivateKey.generate()
    jwk = {**json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key())),
           "kid": "ed", "use": "sig"}
    from eidgate._oidc.metadata import parse_jwks
    keys = parse_jwks({"keys": [jwk]})
    assert len(keys) == 1 and keys[0].fits("EdDSA") and not keys[0].fits("RS256")


# -- JWE (RFC 7516, RFC 7518 4, RFC 8725 3.x) -------------------------------------------

def test_zip_def_bomb_is_refused(enc: Build) -> None:
    """RFC 7516 4.1.3 / RFC 8725 3.9? ``zip: DEF`` turns a small token into gigabytes; an ID
    token is never that big, so compressed JWEs are refused (or bounded) without inflating."""
    h = enc()
    bomb = b"{" + b" " * (200 * 1024 * 1024) + b"}"
    token = handmade_jwe(bomb, compress=True, cty="JWT")
    assert len(token) < 1024 * 1024
    swap_id_token(h.op, lambda c, _: token)
    started = time.monotonic()
    rejected(h, match="ID token")
    assert time.monotonic() - started < 2


def test_small_zip_def_id_token_is_refused_or_verified(enc: Build) -> None:
    """A small honest compressed nested JWT: either refused cleanly or fully verified."""
    h = enc()
    swap_id_token(h.op, lambda c, signed: handmade_jwe(signed.encode(), compress=True,
                                                      cty="JWT"))
    with contextlib.suppress(InvalidTokenError):
        assert h.login().accepted


@pytest.mark.parametrize("header", [
    {"alg": "dir", "enc": "A256GCM"},
    {"alg": "A128KW", "enc": "A128GCM"},
    {"alg": "A256GCMKW", "enc": "A256GCM", "iv": "AAAA", "tag": "AAAA"},
    {"alg": "PBES2-HS256+A128KW", "enc": "A128GCM", "p2s": b64url(b"salt" * 4),
     "p2c": 2_000_000_000},
    {"alg": "RSA1_5", "enc": "A128GCM"},
    {"alg": "RSA-OAEP", "enc": "A128CTR"},
    {"alg": "RSA-OAEP", "enc": None},
    {"alg": ["RSA-OAEP"], "enc": "A128GCM"},
    {"alg": "ECDH-ES", "enc": {"x": 1}},
])
def test_jwe_algorithms_outside_the_allow_list_are_refused_at_once(
        enc: Build, header: dict[str, Any]) -> None:
    """RFC 8725 3.2: no symmetric/password key management from a provider (PBES2's p2c is a
    CPU bomb); RFC 7518 5.1: only registered content encryption."""
    h = enc()
    swap_id_token(h.op, lambda c, _: junk_jwe(header))
    started = time.monotonic()
    rejected(h, match="ID token")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("epk", [
    "not-an-object", None, 7, [], {}, {"kty": "EC"}, {"kty": "EC", "crv": "P-256"},
    {"kty": "EC", "crv": "P-256", "x": 1, "y": 2},
    # RFC 7518 4.6 / invalid-curve attacks: a point that is not on P-256
    {"kty": "EC", "crv": "P-256", "x": b64url(b"\1" * 32), "y": b64url(b"\2" * 32)},
    # a point on another curve than our key's
    {"kty": "EC", "crv": "P-384", "x": b64url(b"\1" * 48), "y": b64url(b"\2" * 48)},
    {"kty": "OKP", "crv": "X25519", "x": b64url(b"\0" * 32)},
    {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
    {"kty": "EC", "crv": "P-256", "x": "!!", "y": "!!"},
    {"kty": "EC", "crv": "P-256", "x": "", "y": ""},
])
@pytest.mark.parametrize("alg", ["ECDH-ES", "ECDH-ES+A128KW"])
def test_ecdh_es_with_a_bad_ephemeral_key_is_rejected(enc: Build, epk: Any, alg: str) -> None:
    h = enc()
    header: dict[str, Any] = {"alg": alg, "enc": "A128GCM", "kid": rp_key("EC")["kid"]}
    if epk is not None:
        header["epk"] = epk
    swap_id_token(h.op, lambda c, _: junk_jwe(header))
    rejected(h, match="ID token")


@pytest.mark.parametrize("variant", ["truncated-tag", "empty-tag", "wrong-tag", "empty-iv",
                                     "short-iv", "junk-ciphertext", "junk-key", "not-b64"])
def test_damaged_jwe_is_rejected(enc: Build, variant: str) -> None:
    h = enc()

    def make(claims: dict[str, Any], signed: str) -> str:
        if variant == "truncated-tag":
            return handmade_jwe(signed.encode(), body_tag=os.urandom(8))
        if variant == "empty-tag":
            return handmade_jwe(signed.encode(), body_tag=b"")
        if variant == "wrong-tag":
            return handmade_jwe(signed.encode(), body_tag=os.urandom(16))
        if variant == "empty-iv":
            return handmade_jwe(signed.encode(), body_iv=b"")
        parts = handmade_jwe(signed.encode()).split(".")
        if variant == "short-iv":
            parts[2] = b64url(b"\0")
        elif variant == "junk-ciphertext":
            parts[3] = b64url(os.urandom(33))
        elif variant == "junk-key":
            parts[1] = b64url(os.urandom(7))
        else:
            parts[2] = "***"
        return ".".join(parts)
    swap_id_token(h.op, make)
    rejected(h, match="ID token")


def test_jwe_inside_jwe_is_rejected(enc: Build) -> None:
    """OIDC Core 10.2: signed, then encrypted once; the inner content must be a JWS."""
    h = enc()
    swap_id_token(h.op, lambda c, signed: handmade_jwe(
        handmade_jwe(signed.encode()).encode(), cty="JWT"))
    rejected(h, match="ID token")


@pytest.mark.parametrize("plaintext", [b"", b"   ", b"\xff\xfe", b"[1,2]", b"null",
                                       b"a.b.c", b"\x00" * 10, "é.é.é".encode()])
def test_jwe_with_a_plaintext_that_is_not_a_jws_is_rejected(enc: Build,
                                                            plaintext: bytes) -> None:
    """OIDC Core 2 / 10.2: an encrypted ID token's plaintext is a signed JWT, nothing else."""
    h = enc()
    swap_id_token(h.op, lambda c, _: handmade_jwe(plaintext, cty="JWT"))
    rejected(h, match="ID token")


def test_encrypted_unsigned_id_token_with_cty_json_is_rejected(enc: Build) -> None:
    h = enc()
    swap_id_token(h.op, lambda c, _: handmade_jwe(b"  \n" + json.dumps(c).encode(),
                                                  cty="JSON"))
    rejected(h, match="not signed")


# -- token endpoint (RFC 6749 5.1 / 5.2 / 7.1, OIDC Core 3.1.3.3) ------------------------

@pytest.mark.parametrize("token_type", ["Bearer", "bearer", "BEARER", "BeArEr"])
def test_token_type_is_compared_case_insensitively(harness: Build, token_type: str) -> None:
    """RFC 6749 5.1 / 7.1: token_type is case insensitive."""
    h = harness()
    h.op.token_extra = {"token_type": token_type}
    assert h.login().accepted


@pytest.mark.parametrize("change", [
    pytest.param(lambda b: [b], id="json-array"),
    pytest.param(lambda b: "text", id="json-string"),
    pytest.param(lambda b: {**b, "access_token": 12345}, id="access-token-number"),
    pytest.param(lambda b: {**b, "access_token": ["a"]}, id="access-token-list"),
    pytest.param(lambda b: {**b, "access_token": "abc\r\nX-Injected: 1"}, id="crlf"),
    pytest.param(lambda b: {**b, "access_token": "abc\ndef"}, id="lf"),
    pytest.param(lambda b: {**b, "access_token": "ab\u00e9"}, id="non-ascii"),
    pytest.param(lambda b: {**b, "access_token": ""}, id="empty"),
    pytest.param(lambda b: {**b, "id_token": None}, id="id-token-null"),
    pytest.param(lambda b: {**b, "id_token": {"a": 1}}, id="id-token-object"),
    pytest.param(lambda b: {k: v for k, v in b.items() if k != "token_type"},
                 id="no-token-type"),
    pytest.param(lambda b: {"error": "invalid_grant"}, id="200-with-error-only"),
    pytest.param(lambda b: {**b, "token_type": "Bearer\r\n"}, id="token-type-crlf"),
    pytest.param(lambda b: {**b, "token_type": "DPoP"}, id="token-type-dpop"),
])
def test_malformed_token_responses_are_provider_errors(harness: Build,
                                                       change: Callable[[Any], Any]) -> None:
    h = harness()
    replace_token_response(h.op, change)
    rejected(h, ProviderError)
    # RFC 6750 2.1: nothing malformed may reach the userinfo request's Authorization header
    assert not [r for r in h.op.requests if r.url.endswith("/userinfo")]


def test_200_with_error_and_tokens_is_refused(harness: Build) -> None:
    """RFC 6749 5.2: an ``error`` member means the request failed, whatever else is there."""
    h = harness()
    replace_token_response(h.op, lambda b: {**b, "error": "invalid_grant"})
    rejected(h, ProviderError, match="invalid_grant|error")


def test_duplicate_keys_in_token_response_are_refused(harness: Build) -> None:
    """RFC 8259 4 / RFC 7519 4: no duplicate names; a last-wins parser and a first-wins
    parser would see different ID tokens."""
    h = harness()

    def token(request: HttpRequest) -> HttpResponse:
        body = op_token = h.op.token(request).body
        del op_token
        return HttpResponse(200, {"content-type": "application/json"},
                            body[:-1] + b', "id_token": "e30.e30.e30"}')
    h.op.overrides["/token"] = token
    rejected(h, ProviderError)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 201, 204, 206])
def test_token_endpoint_non_200_is_refused(harness: Build, status: int) -> None:
    """RFC 6749 5.1: success is HTTP 200 (a redirect is never followed with our code)."""
    h = harness()

    def token(request: HttpRequest) -> HttpResponse:
        answer = h.op.token(request)
        return HttpResponse(status, {"content-type": "application/json",
                                     "location": EVIL}, answer.body)
    h.op.overrides["/token"] = token
    rejected(h, ProviderError, match=str(status))


def test_token_error_with_html_and_huge_description(harness: Build) -> None:
    h = harness()
    body = json.dumps({"error": "<script>alert(1)</script>",
                       "error_description": "x" * 100_000 + "\r\n"}).encode()
    h.op.overrides["/token"] = lambda r: HttpResponse(400, {"content-type": "text/html"}, body)
    error = rejected(h, eidgate.TokenEndpointError)
    # RFC 6749 5.2: the error code's charset allows "<" and ">"; escaping is the page's job.
    # The description is never copied, and nothing unbounded or multi-line gets through.
    assert "xxx" not in str(error) and len(str(error)) < 300 and "\n" not in str(error)


# -- userinfo (OIDC Core 5.3) ----------------------------------------------------------

def test_userinfo_cannot_add_protocol_claims_the_id_token_lacks(harness: Build) -> None:
    """OIDC Core 2 / 5.3.2: acr, amr, auth_time, iss, aud, nonce... describe the
    authentication and are only trusted from the signed ID token. Userinfo that adds one
    the ID token did not have (say a higher acr) must not make it into the result."""
    h = harness()
    h.op.drop_id_claims = ("auth_time", "acr", "amr")
    forged = {"acr": "urn:signicat:loa:high", "amr": ["hwk"], "auth_time": 1,
              "azp": "someone", "sid": "x", "jti": "y", "nbf": 0}
    h.op.userinfo_claims = forged
    result = h.login()
    assert result.accepted
    for name in forged:
        assert name not in result.claims, name
    assert result.claims["iss"] == ISSUER and result.claims["aud"] == CLIENT_ID


def test_userinfo_cannot_override_protocol_claims(harness: Build) -> None:
    h = harness()
    h.op.id_claims["acr"] = "urn:signicat:loa:low"
    h.op.userinfo_claims = {"iss": EVIL, "aud": "other", "nonce": "n",
                            "acr": "urn:signicat:loa:high", "exp": 9e9}
    result = h.login()
    assert result.claims["iss"] == ISSUER
    assert result.claims["acr"] == "urn:signicat:loa:low"
    assert result.claims["aud"] == CLIENT_ID


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_userinfo_jwt_with_an_unlisted_alg_is_rejected(harness: Build, alg: str) -> None:
    h = harness()

    def userinfo(request: HttpRequest) -> HttpResponse:
        claims = {"sub": "user-1", "iss": ISSUER, "aud": CLIENT_ID}
        token = jwt.encode(claims, "k" * 40 if alg == "HS256" else "", algorithm=alg)
        return HttpResponse(200, {"content-type": "application/jwt"}, token.encode())
    h.op.overrides["/userinfo"] = userinfo
    rejected(h, match="userinfo")


@pytest.mark.parametrize("body", [b'{"sub": "user-1", "x": NaN}', b'{"sub": "user-1", '
                                  b'"sub": "user-2"}', b"\xff\xfe\x00", b"[]",
                                  b'{"sub": "user-1", "n": 1e400}'])
def test_unusable_userinfo_json_is_rejected(harness: Build, body: bytes) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"}, body)
    rejected(h, ProviderError)


@pytest.mark.parametrize("sub", ["user-1\x00", " user-1", 1, None, ["user-1"]])
def test_userinfo_sub_must_be_exactly_the_id_tokens(harness: Build, sub: Any) -> None:
    """OIDC Core 5.3.2: userinfo sub MUST exactly match the ID token's, else not used."""
    h = harness()
    h.op.userinfo_claims = {"sub": sub}
    rejected(h, match="sub")


# -- discovery (OpenID Connect Discovery 1.0 3 / 4.3, RFC 8414 2) ------------------------

@pytest.mark.parametrize("name", ["token_endpoint", "jwks_uri", "userinfo_endpoint",
                                  "authorization_endpoint"])
@pytest.mark.parametrize("value", [
    "http://op.example.test/x",  # Discovery 3: https (outside localhost, see below)
    "https://",  # no host
    "https:///path",
    "https://op.example.test/a b",  # a space
    "https://op.example.test/\r\nX-Injected: 1",
    "https://op.example.test/\x00",
    "https://op.example.test:99999/x",  # no such port
    "https://user:pw@op.example.test/x",  # userinfo in a URL: phishing, refuse
    "https://op.example.test/x#frag",  # RFC 6749 3.1 / 3.2: no fragment
    "javascript:alert(1)", "file:///etc/passwd", "//op.example.test/x", "/relative",
    "https://[::1/x",
])
def test_unusable_endpoint_urls_are_discovery_errors(harness: Build, name: str,
                                                     value: str) -> None:
    h = harness()
    h.op.discovery_extra = {name: value}
    rejected(h, DiscoveryError, match=name)


def local_config(tmp_path: Path, issuer: str) -> eidgate.Config:
    return parse_config({"eidgate": {"base_url": "http://localhost:8000",
                                     "secret_key": "x" * 32},
                         "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                                              "client_secret": "s"}}}, base_dir=tmp_path)


@pytest.mark.parametrize("value", ["http://evil.example.test/token",
                                   "http://localhost.evil.example.test/token",
                                   "http://127.0.0.1.nip.io/token"])
def test_plain_http_endpoint_elsewhere_is_refused_even_for_a_local_issuer(
        tmp_path: Path, clock: Clock, value: str) -> None:
    """Discovery 3 / RFC 8414 2: https. A local (sandbox) issuer may use http on the loop-back
    host only, never to send our client secret and the code in clear to another host."""
    issuer = "http://localhost:9999"
    op = CraftedProvider(issuer=issuer, now=clock)
    op.discovery_extra = {"token_endpoint": value}
    rp = RelyingParty(local_config(tmp_path, issuer), now=clock)
    with pytest.raises(DiscoveryError, match="token_endpoint"):
        drive(rp.begin(), op)


def test_plain_http_on_the_loopback_is_allowed_for_a_local_issuer(tmp_path: Path,
                                                                  clock: Clock) -> None:
    issuer = "http://localhost:9999"
    op = CraftedProvider(issuer=issuer, now=clock)
    op.discovery_extra = {"token_endpoint": "http://127.0.0.1:9999/token"}
    rp = RelyingParty(local_config(tmp_path, issuer), now=clock)
    assert drive(rp.begin(), op).url.startswith(issuer)


def test_endpoints_on_other_https_hosts_are_allowed(harness: Build) -> None:
    """Discovery 3 does not require one host (many providers serve keys from a CDN)."""
    h = harness()
    h.op.discovery_extra = {"jwks_uri": "https://keys.example.test/jwks"}
    h.op.overrides["/jwks"] = lambda r: json_response(h.op.jwks())
    assert h.login().accepted


@pytest.mark.parametrize("body", [b"[]", b'{"keys": {}}', b'{"keys": "x"}', b"null",
                                  b'{"keys": null}'])
def test_jwks_of_the_wrong_shape_is_a_discovery_error(harness: Build, body: bytes) -> None:
    h = harness()
    h.op.overrides["/jwks"] = lambda r: HttpResponse(200, {"content-type": "application/json"},
                                                     body)
    rejected(h, DiscoveryError)


def test_ten_thousand_keys_are_bounded(harness: Build) -> None:
    h = harness()
    good = h.op.keys[0].public_jwk()
    many = [good] + [{"kty": "RSA", "kid": f"x{i}"} for i in range(10_000)]
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": many})
    started = time.monotonic()
    assert h.login().accepted
    h.op.id_header["kid"] = "x9999"
    with pytest.raises(InvalidTokenError, match="x9999"):
        h.login()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("value", [["https://par"], 7, "", None, "x" * 100_000])
def test_par_request_uri_must_be_a_reasonable_string(harness: Build, value: Any) -> None:
    """RFC 9126 2.2: request_uri is a string (a URN or URL), short enough for a URL."""
    h = harness(use_par=True)
    h.op.overrides["/par"] = lambda r: json_response({"request_uri": value,
                                                      "expires_in": 60}, 201)
    with pytest.raises(ProviderError, match="request_uri"):
        h.begin()


@pytest.mark.parametrize("body", [[], {"request_uri": "urn:x", "expires_in": "60"}])
def test_par_response_of_other_shapes(harness: Build, body: Any) -> None:
    h = harness(use_par=True)
    h.op.overrides["/par"] = lambda r: json_response(body, 201)
    with contextlib.suppress(ProviderError):
        h.begin()


# -- callback (RFC 6749 4.1.2, RFC 9207, RFC 9700 4.4) ------------------------------------

def test_callback_values_that_are_not_strings_are_refused(harness: Build) -> None:
    """RFC 6749 4.1.2: state and code are single string values (a framework's multi-dict
    handed over as lists must not crash, nor be sent to the token endpoint)."""
    h = harness()
    redirect = h.begin()
    params: dict[str, Any] = dict(h.op.authorize(redirect.url))
    for bad in ({**params, "state": [params["state"]]}, {**params, "code": [params["code"]]},
                {**params, "iss": [ISSUER]}, {**params, "code": None}):
        with pytest.raises(CallbackError):
            drive_complete(h, bad)


def drive_complete(h: Harness, params: Any) -> eidgate.LoginResult:
    result: eidgate.LoginResult = drive(h.rp.complete(params, h.pending), h.op)
    return result


def test_code_and_error_together_are_never_accepted(harness: Build) -> None:
    """RFC 6749 4.1.2 / 4.1.2.1: a response is either success or error; both is not a
    success (and the code is not redeemed)."""
    h = harness()
    redirect = h.begin()
    params = h.op.authorize(redirect.url, error="access_denied")
    try:
        result = h.complete(params)
    except CallbackError:
        result = None
    assert result is None or result.status != "accepted"
    assert not [r for r in h.op.requests if r.url.endswith("/token")]


@pytest.mark.parametrize("description", [
    "x" * 100_000, "<script>alert(1)</script>", "line1\r\nline2\x00\x1b[31m\x7f",
    "\u202eevil\u2028\u2029", "é" * 600,
])
def test_error_description_is_bounded_and_has_no_control_characters(
        harness: Build, description: str) -> None:
    """RFC 6749 4.1.2.1: error_description is printable ASCII; what we keep of it is short
    and free of control, bidi and line-separator characters (safe to log and render)."""
    h = harness()
    redirect = h.begin()
    params = {"state": redirect.pending.state, "iss": ISSUER, "error": "access_denied",
              "error_description": description}
    result = h.complete(params)
    assert result.status in ("rejected", "canceled")
    kept = result.error_description or ""
    assert len(kept) <= 512
    assert all(ch.isprintable() for ch in kept), repr(kept)


def test_mix_up_between_two_providers_is_refused(tmp_path: Path, clock: Clock) -> None:
    """RFC 9207 / RFC 9700 4.4: a login begun at provider A, answered with B's iss."""
    other = "https://other.example.test"
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {
                               "a": {"issuer": ISSUER, "client_id": CLIENT_ID,
                                     "client_secret": "s"},
                               "b": {"issuer": other, "client_id": CLIENT_ID,
                                     "client_secret": "s"}}}, base_dir=tmp_path)
    op_a = CraftedProvider(now=clock)
    op_b = CraftedProvider(issuer=other, now=clock)

    def both(request: HttpRequest) -> HttpResponse:
        return (op_b if request.url.startswith(other) else op_a).handle(request)
    rp = RelyingParty(config, now=clock)
    pending = PendingLogins()

    def run(steps: Any) -> Any:
        try:
            request = next(steps)
            while True:
                request = steps.send(both(request))
        except StopIteration as done:
            return done.value
    redirect = run(rp.begin("a"))
    pending.add(redirect.pending)
    params = op_a.authorize(redirect.url)
    params["iss"] = other  # the attacker's provider B claims the response
    with pytest.raises(CallbackError, match="iss"):
        run(rp.complete(params, pending))
    assert not [r for r in op_b.requests if r.url.endswith("/token")]


def test_pending_config_for_unknown_provider(tmp_path: Path, clock: Clock) -> None:
    config = make_config(tmp_path)
    rp = RelyingParty(config, now=clock)
    login = eidgate.PendingLogin(state="s", nonce="n", code_verifier="v", provider="gone",
                                 issuer=ISSUER, redirect_uri="x", next_url="/",
                                 created_at=clock())
    steps = rp.complete({"state": "s", "code": "c"}, PendingLogins([login]))
    with pytest.raises(CallbackError):
        drive(steps, CraftedProvider(now=clock))


@pytest.mark.parametrize("extra", [
    {"crit": 1}, {"crit": None}, {"crit": "AAAA"}, {"crit": True}, {"crit": 1.5},
    {"crit": {"a": 1}}, {"crit": [1]}, {"crit": ["x"]}, {"zip": None}, {"zip": "DEF"},
    {"zip": 1}, {"kid": ["k"]},
])
def test_jwe_header_members_of_the_wrong_type_are_rejected(enc: Build,
                                                          extra: dict[str, Any]) -> None:
    """RFC 7516 4.1 / 7515 4.1.11: malformed header members make the JWE invalid; whatever
    the JOSE library trips over, the relying party reports an invalid token."""
    h = enc()
    swap_id_token(h.op, lambda c, signed: handmade_jwe(signed.encode(), cty="JWT", **extra))
    rejected(h, match="ID token")


@pytest.mark.parametrize("epk", [{"kty": "AAAA"}, {"kty": ""}, {"kty": 1},
                                 {"kty": "EC", "crv": "AAAA", "x": "AA", "y": "AA"},
                                 {"kty": "EC", "crv": None}, {"kty": "OKP", "crv": "x"}])
def test_ecdh_es_epk_of_unknown_kinds_is_rejected(enc: Build, epk: dict[str, Any]) -> None:
    h = enc()
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": rp_key("EC")["kid"], "epk": epk}
    swap_id_token(h.op, lambda c, _: junk_jwe(header))
    rejected(h, match="ID token")


# -- the drivers: compression, deadlines, URLs (RFC 9110 8.4 / 12.5.3) ---------------------

DRIVERS = pytest.mark.parametrize("kind", ["sync", "async"])


def driver_login(kind: str, config: eidgate.Config, op: CraftedProvider, clock: Clock,
                 transport: Any = None) -> eidgate.LoginResult:
    """One login through eidgate.Client or eidgate.AsyncClient (default transport if None)."""
    async def scenario() -> eidgate.LoginResult:
        if kind == "sync":
            with eidgate.Client(config, transport=transport, now=clock) as client:
                redirect = client.begin_login()
                return client.complete_login(op.authorize(redirect.url),
                                             PendingLogins([redirect.pending]))
        async with eidgate.AsyncClient(config, transport=transport, now=clock) as aclient:
            redirect = await aclient.begin_login()
            return await aclient.complete_login(op.authorize(redirect.url),
                                                PendingLogins([redirect.pending]))
    import asyncio
    return asyncio.run(scenario())


def encoded(op: CraftedProvider, path: str, coding: str,
            body: Callable[[bytes], bytes]) -> httpx2.MockTransport:
    """The crafted provider, answering ``path`` with ``body(honest body)`` and a coding."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        if request.url.path != path:
            return httpx2.Response(answer.status, headers=dict(answer.headers),
                                  content=answer.body)
        # streamed, as from a socket (httpx would read and decode an in-memory body itself)
        return httpx2.Response(answer.status, stream=Streamed(body(answer.body)), headers={
            **answer.headers, "content-encoding": coding})
    transport = httpx2.MockTransport(handler)
    transport.seen = seen  # type: ignore[attr-defined]
    return transport


class Streamed(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    def __init__(self, body: bytes, size: int = 64 * 1024) -> None:
        self.chunks = [body[i:i + size] for i in range(0, len(body), size)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def gzip_bytes(data: bytes) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


@functools.cache
def gzip_bomb() -> bytes:
    """About 256 MiB of spaces after a JSON object, gzipped to about 256 KiB."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1024 * 1024)
    return b"".join([squeezer.compress(b"{}")] + [squeezer.compress(block)
                                                   for _ in range(256)] + [squeezer.flush()])


@DRIVERS
def test_gzip_bomb_is_cut_off_without_inflating_it(kind: str, tmp_path: Path,
                                                   clock: Clock) -> None:
    """RFC 9110 8.4: a coded body is bounded by its decoded size (1 MiB), and decoding stops
    there: the relying party never holds the gigabyte (peak memory stays small)."""
    import tracemalloc
    bomb = gzip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", "gzip", lambda body: bomb)
    tracemalloc.start()
    try:
        with pytest.raises(ProviderError, match="bytes"):
            driver_login(kind, make_config(tmp_path), op, clock, transport)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, peak


@DRIVERS
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_honest_compressed_answers_still_work(kind: str, coding: str, tmp_path: Path,
                                              clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    pack = gzip_bytes if coding == "gzip" else zlib.compress
    transport = encoded(op, "/token", coding, pack)
    assert driver_login(kind, make_config(tmp_path), op, clock, transport).accepted
    # RFC 9110 12.5.3: we asked for no coding at all
    assert all(r.headers["accept-encoding"] == "identity"
               for r in transport.seen)  # type: ignore[attr-defined]


@DRIVERS
@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip", "x-evil"])
def test_content_codings_we_cannot_bound_are_refused(kind: str, coding: str, tmp_path: Path,
                                                     clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", coding, lambda body: body)
    with pytest.raises(ProviderError, match="coding"):
        driver_login(kind, make_config(tmp_path), op, clock, transport)


@DRIVERS
def test_corrupt_gzip_is_a_provider_error(kind: str, tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", "gzip", lambda body: b"\x1f\x8b" + os.urandom(64))
    with pytest.raises(ProviderError):
        driver_login(kind, make_config(tmp_path), op, clock, transport)


@DRIVERS
@pytest.mark.parametrize("url", ["https://xn--/token", "https://256.1.1.1/token",
                                 "https://xn--zz-/token", "https://a.XN--ZZ-.example/token"])
def test_endpoint_url_httpx_cannot_send_to_is_a_provider_error(
        kind: str, url: str, tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    op.discovery_extra = {"token_endpoint": url}
    with pytest.raises(ProviderError):
        driver_login(kind, make_config(tmp_path), op, clock, op.transport())


class Trickler:
    """A real HTTP server on the loop-back: sends ``head`` at once, then ``tail`` one byte at
    a time every ``delay`` seconds."""

    def __init__(self, head: bytes, tail: bytes, delay: float) -> None:
        import socket
        import threading
        self.head, self.tail, self.delay = head, tail, delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        import threading
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: Any) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.head)
                for i in range(len(self.tail)):
                    if self.stop.wait(self.delay):
                        return
                    conn.sendall(self.tail[i:i + 1])
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@DRIVERS
@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_provider_is_cut_off_at_the_timeout(kind: str, where: str,
                                                        tmp_path: Path, clock: Clock) -> None:
    """Every outbound call has a timeout (DESIGN: bounded, no hangs): in total, not per byte.
    httpx's read timeout applies per socket read; a byte every 0.05 s never trips it."""
    body = b'{"issuer": "x"}' + b" " * 200
    head = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\nx-pad: " + b"a" * 200 + b"\r\n\r\n")
    server = Trickler(b"", head + body, 0.05) if where == "headers" else Trickler(
        head, body, 0.05)
    try:
        issuer = f"http://127.0.0.1:{server.port}"
        config = parse_config({"eidgate": {"base_url": "http://localhost:8000",
                                           "secret_key": "x" * 32, "http_timeout": 1},
                               "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                                                    "client_secret": "s"}}},
                              base_dir=tmp_path)
        started = time.monotonic()
        with pytest.raises(eidgate.ProviderUnavailable):
            driver_login(kind, config, CraftedProvider(issuer=issuer, now=clock), clock)
        assert time.monotonic() - started < 3
    finally:
        server.close()


@pytest.mark.parametrize("where", ["jws-alg", "jwe-kid", "jwe-alg", "discovery-issuer",
                                   "token-content-type"])
def test_megabyte_header_values_are_not_copied_into_error_messages(enc: Build,
                                                                   where: str) -> None:
    h = enc()
    huge = "A" * 500_000
    if where == "jws-alg":
        swap_id_token(h.op, lambda c, signed: ".".join(
            (b64url(json.dumps({"alg": huge}).encode()), *signed.split(".")[1:])))
    elif where == "jwe-kid":
        swap_id_token(h.op, lambda c, _: junk_jwe({"alg": "RSA-OAEP", "enc": "A128GCM",
                                                   "kid": huge}))
    elif where == "jwe-alg":
        swap_id_token(h.op, lambda c, _: junk_jwe({"alg": huge, "enc": "A128GCM"}))
    elif where == "token-content-type":
        h.op.overrides["/token"] = lambda r: HttpResponse(
            200, {"content-type": f"text/{huge.lower()}"}, b"<html>not JSON</html>")
    else:
        h.op.discovery_extra = {"issuer": huge}
    with pytest.raises(EidGateError) as caught:
        h.login()
    assert len(str(caught.value)) < 500


@DRIVERS
@pytest.mark.parametrize("status", [302, 307, 308])
def test_redirects_are_not_followed_even_by_a_callers_client(kind: str, status: int,
                                                             tmp_path: Path,
                                                             clock: Clock) -> None:
    """RFC 9110 15.4.8: a 307/308 repeats the POST, code and client secret included; the
    token endpoint's redirect is an error, whatever the caller's httpx client would do."""
    op = CraftedProvider(now=clock)
    sent: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(str(request.url))
        if request.url.path == "/token" and request.url.host == "op.example.test":
            return httpx2.Response(status, headers={"location": f"{EVIL}/steal"})
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers),
                              content=answer.body)
    config = make_config(tmp_path)

    async def scenario() -> None:
        if kind == "sync":
            http = httpx2.Client(transport=httpx2.MockTransport(handler), follow_redirects=True)
            with http, eidgate.Client(config, http=http, now=clock) as client:
                redirect = client.begin_login()
                client.complete_login(op.authorize(redirect.url),
                                      PendingLogins([redirect.pending]))
            return
        ahttp = httpx2.AsyncClient(transport=httpx2.MockTransport(handler),
                                  follow_redirects=True)
        async with ahttp, eidgate.AsyncClient(config, http=ahttp, now=clock) as aclient:
            redirect = await aclient.begin_login()
            await aclient.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending]))
    import asyncio
    with pytest.raises(ProviderError, match=str(status)):
        asyncio.run(scenario())
    assert not [u for u in sent if u.startswith(EVIL)]


@pytest.mark.parametrize(("name", "value", "match"), [
    ("nonce", ["n"], "nonce"), ("nonce", None, "nonce"), ("nonce", 1, "nonce"),
    ("aud", [], "aud"), ("aud", [None], "aud"), ("aud", {"x": CLIENT_ID}, "aud"),
    ("aud", "", "aud"), ("azp", [CLIENT_ID], "azp"), ("azp", "", "azp"),
    ("sub", "u" * 256, "sub"), ("sub", "üser", "sub"), ("sub", ["user-1"], "sub"),
    ("iss", [ISSUER], "issuer"), ("iss", None, "issuer"), ("iss", ISSUER.upper(), "issuer"),
    ("at_hash", 1, "at_hash"), ("at_hash", [], "at_hash"), ("auth_time", "5", "auth_time"),
    ("nbf", True, "nbf"), ("iat", None, "iat"),
])
def test_id_token_claims_of_the_wrong_type_or_value_are_rejected(
        harness: Build, name: str, value: Any, match: str) -> None:
    """OIDC Core 2 (types: iss/sub/nonce/azp strings, aud string or array of strings, times
    NumericDate, sub at most 255 ASCII characters) and 3.1.3.7 (2)-(11)."""
    h = harness()
    if name == "iss":  # pyjwt refuses to sign a non-string iss: sign the JSON by hand
        raw_claims(h.op, lambda c: json.dumps({**c, "iss": value}))
    else:
        h.op.id_claims[name] = value
    rejected(h, match=match)


@pytest.mark.parametrize("expires_in", [-1, 0, 1e308, "60", None, [60], 10**40])
def test_par_expires_in_of_any_shape_does_not_break_the_login(harness: Build,
                                                              expires_in: Any) -> None:
    """RFC 9126 2.2: expires_in is informative for the client; eidgate does not rely on it,
    so an absurd value neither crashes nor changes anything."""
    h = harness(use_par=True)
    par = h.op.par

    def answer(request: HttpRequest) -> HttpResponse:
        body = json.loads(par(request).body)
        return json_response({**body, "expires_in": expires_in}, 201)
    h.op.overrides["/par"] = answer
    assert h.login().accepted

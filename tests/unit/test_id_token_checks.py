"""Negative (and matching positive) cases of the OpenID Foundation's RP certification.

Each case bends one answer of the crafted provider and says what the relying party must do.
Expected outcomes come from OIDC Core 1.0 (3.1.3.5, 3.1.3.7, 5.3.2, 10.1), RFC 7518 / RFC 8725
(algorithms), RFC 6749 5.2 (token errors) and OpenID Connect Discovery 1.0 (4.3); never from
what eidgate happens to return.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
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
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe
from joserfc.errors import SecurityWarning
from joserfc.jwk import RSAKey
from tampering import swap_id_token
from unit_harness import Harness

from eidgate import (
    DiscoveryError,
    EidGateError,
    HttpRequest,
    HttpResponse,
    InvalidTokenError,
    ProviderError,
    TokenEndpointError,
    generate_key,
    write_key,
)

Build = Callable[..., Harness]
Setup = Callable[[Harness], None]
# RFC 7518 3.2: an HS256 key must be at least as long as the hash output (32 bytes).
LONG_SECRET = "a client secret that is long enough for HS256 (RFC 7518 3.2)"
OTHER = "another-client"
EVIL = "https://evil.example.test"


# -- crafting helpers (pyjwt / joserfc / hmac by hand, never eidgate code) -------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hs256(claims: Mapping[str, Any], secret: bytes, **header: Any) -> str:
    """A compact HS256 JWS made by hand (pyjwt refuses a PEM key as HMAC secret)."""
    signing_input = (b64url(json.dumps({"alg": "HS256", "typ": "JWT", **header}).encode())
                     + "." + b64url(json.dumps(claims).encode()))
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


@functools.cache
def rp_encryption_jwk() -> dict[str, Any]:
    """The relying party's private RSA encryption JWK (generated once per session)."""
    return generate_key("enc")


def rp_public_jwk() -> dict[str, Any]:
    return {k: v for k, v in rp_encryption_jwk().items() if k in ("kty", "n", "e", "kid")}


def encrypt(plaintext: str, *, alg: str = "RSA-OAEP", enc: str = "A128CBC-HS256",
            kid: str | None = None, **extra: Any) -> str:
    """A compact JWE for the relying party's key; ``extra`` adds header fields."""
    public = rp_public_jwk()
    header: dict[str, Any] = {"alg": alg, "enc": enc, "kid": kid or public["kid"], **extra}
    registry = jwe.JWERegistry(algorithms=[alg, enc], strict_check_header=False)
    with warnings.catch_warnings():
        # joserfc warns when asked for RSA1_5; crafting one on purpose is the point here.
        warnings.simplefilter("ignore", SecurityWarning)
        return jwe.encrypt_compact(header, plaintext, RSAKey.import_key(public),
                                   registry=registry)


def reissue(make: Callable[[str, dict[str, Any]], str]) -> Setup:
    """Let the provider answer ``/token`` as usual, then swap its ID token for ``make(...)``.

    ``make`` receives the provider's signed ID token and its claims (right nonce, at_hash).
    """
    def setup(h: Harness) -> None:
        swap_id_token(h.op, lambda claims, signed: make(signed, claims))
    return setup


def answer(path: str, status: int, body: bytes,
           content_type: str = "application/json") -> Setup:
    """The provider answers ``path`` with a fixed response."""
    def setup(h: Harness) -> None:
        h.op.overrides[path] = lambda request: HttpResponse(
            status, {"content-type": content_type}, body)
    return setup


def claims(**values: Any) -> Setup:
    """ID token claims set to fixed values."""
    return lambda h: h.op.id_claims.update(values)


def claims_at(**offsets: int) -> Setup:
    """ID token time claims set to ``now + offset`` seconds."""
    return lambda h: h.op.id_claims.update(
        {name: int(h.clock()) + offset for name, offset in offsets.items()})


def drop(*names: str) -> Setup:
    def setup(h: Harness) -> None:
        h.op.drop_id_claims = names
    return setup


def header(**values: Any) -> Setup:
    return lambda h: h.op.id_header.update(values)


def op_fields(**values: Any) -> Setup:
    def setup(h: Harness) -> None:
        for name, value in values.items():
            setattr(h.op, name, value)
    return setup


def publish(*keys: Callable[[CraftedProvider], dict[str, Any]]) -> Setup:
    """The provider's JWKS publishes exactly ``keys`` (the provider still signs as before)."""
    def setup(h: Harness) -> None:
        op = h.op
        op.overrides["/jwks"] = lambda request: json_response(
            {"keys": [make(op) for make in keys]})
    return setup


def both(*setups: Setup) -> Setup:
    def setup(h: Harness) -> None:
        for step in setups:
            step(h)
    return setup


def public_pem(op: CraftedProvider) -> bytes:
    """The provider's public RSA key as PEM: what a key-confusion attacker uses as secret."""
    private: rsa.RSAPrivateKey = op.keys[0].private
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def encrypted_id_token(**jwe_params: Any) -> Setup:
    """The provider's signed ID token, wrapped in a JWE built here (nested JWT)."""
    return reissue(lambda signed, _: encrypt(signed, cty="JWT", **jwe_params))


def handmade_jwe(plaintext: bytes, **extra: Any) -> str:
    """RSA-OAEP + A256GCM built from RFC 7516 5.1 / RFC 7518 4.3, 5.3 with bare primitives.

    joserfc refuses to produce some headers (an unknown ``crit``); this needs no JOSE library.
    """
    public = jwt.algorithms.RSAAlgorithm.from_jwk(rp_public_jwk())
    assert isinstance(public, rsa.RSAPublicKey)
    protected = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM",
                                   "kid": rp_public_jwk()["kid"], **extra}).encode())
    cek, iv = os.urandom(32), os.urandom(12)
    sha1 = hashes.SHA1()  # noqa: S303 (RFC 7518 4.3: "RSA-OAEP" is defined with SHA-1)
    wrapped = public.encrypt(cek, padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1,
                                               label=None))
    sealed = AESGCM(cek).encrypt(iv, plaintext, protected.encode("ascii"))
    return ".".join((protected, b64url(wrapped), b64url(iv), b64url(sealed[:-16]),
                     b64url(sealed[-16:])))


def signed_with_rs384(digest: Callable[[bytes], Any]) -> Setup:
    """An RS384 ID token whose at_hash is computed with ``digest`` (OIDC Core 3.1.3.6)."""
    def setup(h: Harness) -> None:
        op = h.op
        op.keys = [SigningKey("k1", rsa_key(0), "RS384")]

        def token(request: HttpRequest) -> HttpResponse:
            body = json.loads(op.token(request).body)
            values = jwt.decode(body["id_token"], options={"verify_signature": False})
            values["at_hash"] = at_hash(body["access_token"], digest)
            body["id_token"] = op.sign(values)
            return json_response(body)

        op.overrides["/token"] = token
    return setup


CRIT = {"crit": ["urn:example:unknown"], "urn:example:unknown": 1}


def userinfo_without_sub(h: Harness) -> None:
    h.op.overrides["/userinfo"] = lambda request: json_response({"name": "Test"})


def discovery_without_jwks_uri(h: Harness) -> None:
    doc = {k: v for k, v in h.op.discovery().items() if k != "jwks_uri"}
    h.op.overrides["/.well-known/openid-configuration"] = lambda request: json_response(doc)


def token_without_id_token(h: Harness) -> None:
    op = h.op

    def token(request: HttpRequest) -> HttpResponse:
        body = json.loads(op.token(request).body)
        del body["id_token"]
        return json_response(body)

    op.overrides["/token"] = token


def encrypt_everything(h: Harness) -> None:
    h.op.encrypt_to = rp_public_jwk()


# -- the table ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    setup: Setup
    error: type[EidGateError] = InvalidTokenError
    match: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    login: Mapping[str, Any] = field(default_factory=dict)
    attrs: Mapping[str, Any] = field(default_factory=dict)


def case(id: str, setup: Setup, error: type[EidGateError] = InvalidTokenError,
         match: str | None = None, **kw: Any) -> Any:
    return pytest.param(Case(setup, error, match, **kw), id=id)


ENC = {"decryption_keys": ["enc.json"]}
HS = {"client_secret": LONG_SECRET}

REJECTED = [
    # OIDC Core 3.1.3.7 (2): iss exactly equal to the issuer identifier.
    case("wrong-iss", claims(iss=EVIL), match="issuer"),
    case("iss-with-trailing-slash", claims(iss=ISSUER + "/"), match="issuer"),
    # (3): aud contains our client_id; untrusted extra audiences are rejected.
    case("wrong-aud", claims(aud=OTHER), match="audience"),
    case("aud-missing", drop("aud"), match="aud"),
    case("untrusted-extra-aud", claims(aud=[CLIENT_ID, OTHER], azp=CLIENT_ID),
         match="untrusted"),
    # (4)/(5): several audiences need azp; azp, when present, must be our client_id.
    case("several-aud-without-azp", claims(aud=[CLIENT_ID, OTHER]), match="azp",
         config={"trusted_audiences": [OTHER]}),
    case("azp-not-our-client", claims(azp=OTHER), match="azp"),
    case("azp-not-our-client-several-aud", claims(aud=[CLIENT_ID, OTHER], azp=OTHER),
         match="azp", config={"trusted_audiences": [OTHER]}),
    # OIDC Core 2: sub is REQUIRED, a non-empty string.
    case("missing-sub", drop("sub"), match="'sub'"),
    case("empty-sub", claims(sub=""), match="'sub'"),
    case("sub-not-a-string", claims(sub=12345), match="'sub'"),
    # (10) / RFC 7519 2: iat is REQUIRED and a NumericDate (a JSON number).
    case("missing-iat", drop("iat"), match="iat"),
    case("iat-as-string", claims(iat="1800000000"), match="iat"),
    case("iat-in-future-beyond-leeway", claims_at(iat=120), match="future"),
    # (9): now before exp, with a bounded skew (60 s by default).
    case("expired-beyond-leeway", claims_at(exp=-61), match="expired"),
    case("missing-exp", drop("exp"), match="exp"),
    # RFC 7519 4.1.5: not before nbf.
    case("nbf-in-future", claims_at(nbf=120), match="nbf"),
    # (11): nonce present and equal to the one sent.
    case("missing-nonce", drop("nonce"), match="nonce"),
    case("nonce-mismatch", claims(nonce="a-nonce-from-another-login"), match="nonce"),
    # (6): the signature must verify with the provider's key named by kid.
    case("bad-signature", publish(lambda op: SigningKey("k1", rsa_key(1)).public_jwk()),
         match="signature"),
    case("tampered-payload", reissue(lambda signed, c: ".".join(
        (signed.split(".")[0], b64url(json.dumps({**c, "sub": "admin"}).encode()),
         signed.split(".")[2]))), match="signature"),
    # (7)/(8), RFC 8725 3.1/3.2: no "none"; HS* never with the provider's public key.
    case("alg-none", reissue(lambda signed, c: jwt.encode(
        c, "", algorithm="none", headers={"kid": "k1"})), match="not allowed"),
    case("hs256-keyed-with-public-pem", lambda h: reissue(
        lambda signed, c: hs256(c, public_pem(h.op), kid="k1"))(h), match="not allowed"),
    case("hs256-keyed-with-public-pem-hs-allowed", lambda h: reissue(
        lambda signed, c: hs256(c, public_pem(h.op), kid="k1"))(h), match="signature",
         config={"id_token_algorithms": ["RS256", "HS256"], **HS}),
    # OIDC Core 10.1: HS* with the client secret only when the client asked for it.
    case("hs256-client-secret-not-configured", lambda h: reissue(
        lambda signed, c: hs256(c, h.op.client_secret.encode()))(h), match="not allowed"),
    # RFC 7517 4.1/4.4, RFC 7518 3.1: the key's kty (and alg, if given) must fit the alg.
    case("rs256-but-jwks-has-only-ec",
         publish(lambda op: SigningKey("k1", ec_key(), "ES256").public_jwk()), match="RS256"),
    case("jwk-alg-rs384-for-rs256-token",
         publish(lambda op: op.keys[0].public_jwk(alg="RS384")), match="RS256"),
    # RFC 7515 4.1.11: an unknown critical header makes the JWS invalid.
    case("jws-unknown-crit", header(**CRIT), match="ID token"),
    # OIDC Core 10.1.1: unknown kid even after a refetch.
    case("unknown-kid", header(kid="never-published"), match="never-published"),
    case("no-kid-several-rsa-keys",
         op_fields(keys=[SigningKey(None, rsa_key(0)), SigningKey("k2", rsa_key(1))],
                   signing_kid=None), match="several"),
    # 3.1.3.8 / 3.2.2.9: at_hash, when present, must match the access token.
    case("at-hash-wrong", claims(at_hash=b64url(b"0123456789abcdef")), match="at_hash"),
    # 3.1.3.6: at_hash uses the hash of the JOSE header's alg (SHA-384 for RS384).
    case("at-hash-sha256-for-rs384", signed_with_rs384(hashlib.sha256), match="at_hash"),
    # (13), max_age requested, auth_time missing or too old: a rejected login result (the
    # person is asked to log in again), not a bad token: tests/unit/test_max_age.py
    # (1), RFC 8725 3.2: RSA1_5 never; decrypt only with our registered keys.
    case("jwe-rsa1_5", encrypted_id_token(alg="RSA1_5"), match="RSA1_5", config=ENC),
    case("jwe-unknown-kid", encrypted_id_token(kid="not-our-key"), match="not-our-key", config=ENC),
    case("jwe-without-decryption-keys", encrypted_id_token(), match="decryption_keys"),
    # RFC 7516 4.1.13 (RFC 7515 4.1.11): an unknown critical header makes the JWE invalid.
    case("jwe-unknown-crit", reissue(
        lambda signed, c: handmade_jwe(signed.encode(), cty="JWT", **CRIT)),
         match="ID token", config=ENC),
    # OIDC Core 2: an ID token MUST be signed (then optionally encrypted).
    case("jwe-encrypted-not-signed", reissue(
        lambda signed, c: encrypt(json.dumps(c))), match="not signed", config=ENC),
    case("jwe-encrypted-not-signed-dotty-json", both(claims(note="a.b.c.d"), reissue(
        lambda signed, c: encrypt(json.dumps(c)))), match="not signed", config=ENC),
    # OIDC Core 5.3.2: userinfo sub must equal the ID token's; signed userinfo names us.
    case("userinfo-other-sub", op_fields(userinfo_claims={"sub": "user-2"}),
         match="userinfo .*sub"),
    case("userinfo-without-sub", userinfo_without_sub, match="userinfo .*sub"),
    case("signed-userinfo-wrong-iss",
         op_fields(userinfo_mode="jwt", userinfo_claims={"iss": EVIL}),
         match="userinfo .*issuer"),
    case("signed-userinfo-wrong-aud",
         op_fields(userinfo_mode="jwt", userinfo_claims={"aud": OTHER}),
         match="userinfo .*audience"),
    case("userinfo-text-html", answer("/userinfo", 200, b'{"sub": "user-1"}', "text/html"),
         ProviderError, match="content type"),
    # OIDC Core 3.1.3.3 / RFC 6749 5.1-5.2: the token response.
    case("token-without-id-token", token_without_id_token, ProviderError, match="id_token"),
    case("token-type-mac", op_fields(token_extra={"token_type": "mac"}), ProviderError,
         match="Bearer"),
    case("token-not-json", answer("/token", 200, b"<html>hello</html>", "text/html"),
         ProviderError, match="not JSON"),
    case("token-http-500", answer("/token", 500, b'{"error": "server_error"}'),
         ProviderError, match="500"),
    case("token-invalid-grant",
         answer("/token", 400, b'{"error": "invalid_grant", "error_description": "no"}'),
         TokenEndpointError, match="invalid_grant", attrs={"provider_error": "invalid_grant"}),
    # Discovery 4.3 / 3: the document speaks for its own issuer and names a jwks_uri.
    case("discovery-issuer-mismatch", op_fields(discovery_extra={"issuer": EVIL}),
         DiscoveryError, match="issuer"),
    case("discovery-missing-jwks-uri", discovery_without_jwks_uri, DiscoveryError,
         match="jwks_uri"),
]

ACCEPTED = [
    pytest.param(Case(lambda h: None), id="baseline"),
    pytest.param(Case(claims(aud=[CLIENT_ID, OTHER], azp=CLIENT_ID),
                      config={"trusted_audiences": [OTHER]}), id="trusted-extra-aud-with-azp"),
    pytest.param(Case(claims(azp=CLIENT_ID)), id="azp-is-our-client"),
    pytest.param(Case(claims_at(exp=-30)), id="expired-within-leeway"),
    pytest.param(Case(claims_at(iat=30)), id="iat-in-future-within-leeway"),
    pytest.param(Case(claims_at(nbf=30)), id="nbf-within-leeway"),
    pytest.param(Case(op_fields(keys=[SigningKey(None, rsa_key(0))], signing_kid=None)),
                 id="no-kid-one-key"),
    pytest.param(Case(drop("at_hash")), id="at-hash-absent"),
    pytest.param(Case(lambda h: None, login={"max_age": 300}), id="max-age-recent-auth-time"),
    pytest.param(Case(lambda h: reissue(lambda signed, c: hs256(c, LONG_SECRET.encode()))(h),
                      config={"id_token_algorithms": ["HS256"], **HS}),
                 id="hs256-client-secret-configured"),
    pytest.param(Case(op_fields(keys=[SigningKey("e1", ec_key(), "ES256")],
                                signing_kid="e1")), id="es256-with-ec-key"),
    pytest.param(Case(encrypted_id_token(alg="RSA-OAEP-256", enc="A256GCM"), config=ENC),
                 id="jwe-rsa-oaep-256-a256gcm"),
    pytest.param(Case(encrypted_id_token(alg="RSA-OAEP", enc="A256CBC-HS512"), config=ENC),
                 id="jwe-rsa-oaep-a256cbc-hs512"),
    pytest.param(Case(encrypted_id_token(**{"x-broker-trace": "abc123",
                                             "urn:example:tenant": "t1"}), config=ENC),
                 id="jwe-extra-unknown-header-fields"),
    pytest.param(Case(reissue(lambda signed, c: handmade_jwe(signed.encode(), cty="JWT")),
                      config=ENC), id="jwe-handmade-rsa-oaep-a256gcm"),
    pytest.param(Case(signed_with_rs384(hashlib.sha384)), id="rs384-with-sha384-at-hash"),
    pytest.param(Case(op_fields(userinfo_mode="jwt")), id="signed-userinfo"),
    pytest.param(Case(both(encrypt_everything, op_fields(userinfo_mode="jwe")), config=ENC),
                 id="signed-and-encrypted-userinfo"),
]


@pytest.fixture
def build(harness: Build, tmp_path: Path) -> Build:
    """The harness, with the relying party's encryption key written as ``enc.json``."""
    write_key(tmp_path / "enc.json", rp_encryption_jwk())

    def make(item: Case) -> Harness:
        if "client_secret" in item.config:
            h = harness(CraftedProvider(client_secret=item.config["client_secret"]),
                        **item.config)
        else:
            h = harness(**item.config)
        item.setup(h)
        return h
    return make


@pytest.mark.parametrize("item", REJECTED)
def test_rejected(build: Build, item: Case) -> None:
    h = build(item)
    with pytest.raises(item.error, match=item.match) as caught:
        h.login(**item.login)
    for name, value in item.attrs.items():
        assert getattr(caught.value, name) == value
    assert caught.value.status >= 500  # the provider misbehaved, not the browser


@pytest.mark.parametrize("item", ACCEPTED)
def test_accepted(build: Build, item: Case) -> None:
    h = build(item)
    result = h.login(**item.login)
    assert result.status == "accepted"
    assert result.subject == "user-1"
    assert result.id_token_claims["iss"] == ISSUER
    assert result.claims["name"] == "Test"


# -- key retrieval: refetch on unknown kid, rotation, cool-down (OIDC Core 10.1.1) ---------

def jwks_fetches(op: CraftedProvider) -> int:
    return sum(1 for r in op.requests if r.url == f"{ISSUER}/jwks")


def warmed(harness: Build) -> Harness:
    h = harness()
    drive(h.rp.warm(), h.op)
    assert jwks_fetches(h.op) == 1
    return h


def test_unknown_kid_is_refetched_exactly_once(harness: Build) -> None:
    h = warmed(harness)
    h.op.id_header["kid"] = "never-published"
    with pytest.raises(InvalidTokenError, match="kid"):
        h.login()
    assert jwks_fetches(h.op) == 2


def test_key_rotation_is_picked_up_with_one_fetch(harness: Build) -> None:
    h = warmed(harness)
    assert h.login().accepted
    assert jwks_fetches(h.op) == 1  # a warm relying party does not fetch per login
    h.op.keys.append(SigningKey("k2", rsa_key(1)))
    h.op.signing_kid = "k2"
    h.clock.t += 5
    result = h.login()
    assert result.accepted
    assert jwks_fetches(h.op) == 2
    assert h.login().accepted  # the new key is now cached
    assert jwks_fetches(h.op) == 2


def test_unknown_kid_refetch_has_a_cool_down(harness: Build) -> None:
    h = warmed(harness)
    for _ in range(2):
        h.op.id_header["kid"] = secrets.token_hex(8)
        with pytest.raises(InvalidTokenError, match="kid"):
            h.login()
        h.clock.t += 10
    assert jwks_fetches(h.op) == 2  # warm-up plus ONE forced refetch within 60 s
    h.clock.t += 61
    h.op.id_header["kid"] = secrets.token_hex(8)
    with pytest.raises(InvalidTokenError, match="kid"):
        h.login()
    assert jwks_fetches(h.op) == 3


# -- encrypted but not signed (OIDC Core 2 for ID tokens; 5.3.2 allows it for userinfo) ----

def encrypted_json_userinfo(body: Mapping[str, Any]) -> Setup:
    """Userinfo as a JWE whose plaintext is the JSON claims (encrypted, not signed)."""
    def setup(h: Harness) -> None:
        h.op.overrides["/userinfo"] = lambda request: HttpResponse(
            200, {"content-type": "application/jwt"}, encrypt(json.dumps(body)).encode())
    return setup


@pytest.mark.parametrize("extra", [
    pytest.param({}, id="no-dots"),
    pytest.param({"email": "test@example-mail.com", "locale": "fi.FI.x"}, id="three-dots"),
    # regression: the plaintext was once taken for a JWS when it held exactly two dots
    pytest.param({"email": "test.person@example.com"}, id="two-dots"),
])
def test_encrypted_unsigned_userinfo_is_accepted(build: Build, extra: dict[str, str]) -> None:
    body = {"sub": "user-1", "name": "Test", **extra}
    h = build(Case(encrypted_json_userinfo(body), config=ENC))
    result = h.login()
    assert result.accepted
    assert result.userinfo_claims == body


def test_encrypted_unsigned_userinfo_with_another_sub_is_rejected(build: Build) -> None:
    h = build(Case(encrypted_json_userinfo({"sub": "user-2"}), config=ENC))
    with pytest.raises(InvalidTokenError, match="sub"):
        h.login()


def test_jwks_bounds_key_sizes_and_count() -> None:
    """RFC 7518 3.3 (>= 2048 bits); oversized keys and oversized sets are not used."""
    from cryptography.hazmat.primitives.asymmetric import rsa as _rsa

    from eidgate._oidc.metadata import parse_jwks

    def jwk(bits: int, kid: str) -> dict[str, Any]:
        # a public key is just (n, e): any odd n of the right size will do, and making one
        # is instant where generating an 8200-bit key pair takes seconds
        n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        public = _rsa.RSAPublicNumbers(65537, n).public_key()
        data: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        return {**data, "kid": kid}

    small, large, ok = jwk(1024, "small"), jwk(8200, "large"), jwk(2048, "ok")
    assert [k.kid for k in parse_jwks({"keys": [small, large, ok]})] == ["ok"]
    many = {"keys": [ok] * 100 + [{**ok, "kid": "beyond"}]}
    assert "beyond" not in {k.kid for k in parse_jwks(many)}
    assert len(parse_jwks(many)) == 100

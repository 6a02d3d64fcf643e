"""The ID token as a JWS (RFC 7515, RFC 8725): algorithms, headers, keys, types.

Only listed algorithms, no `crit` or `b64`, keys from the provider's JWKS only (never from the
header), a `kid` that is a string, explicit JWT types of other kinds refused, claims of the
wrong JSON type refused. The claim checks themselves (iss, aud, exp, nonce ...) are in
test_id_token_checks.py. The peer is the crafted provider (tests/crafted.py), driven sans-IO,
its answers tampered with by hand (tests/tampering.py); each expectation comes from the clause
cited beside it. A traceback of any exception other than the one expected is a bug.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jwt
import pytest
from crafted import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    CraftedProvider,
    SigningKey,
    drive,
    ec_key,
    rsa_key,
)
from cryptography.hazmat.primitives.asymmetric import ed25519
from tampering import EVIL, b64url, raw_claims, resign, swap_id_token
from unit_harness import Build, Clock, Harness, rejected

from eidgate import InvalidTokenError, parse_config


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


def test_id_token_signed_by_another_configured_providers_key_is_refused(
        tmp_path: Path, clock: Clock) -> None:
    """OIDC Core 3.1.3.7 (6): verified with the keys of the issuer the login went to only,
    even when the other provider's key has the same kid (mix-up between two providers)."""
    other = CraftedProvider(issuer="https://other.example.test", now=clock,
                            keys=[SigningKey("k1", rsa_key(1))])
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {
                               "op": {"issuer": ISSUER, "client_id": CLIENT_ID,
                                      "client_secret": CLIENT_SECRET},
                               "other": {"issuer": other.issuer, "client_id": CLIENT_ID,
                                         "client_secret": CLIENT_SECRET}}},
                          base_dir=tmp_path)
    op = CraftedProvider(now=clock)
    h = Harness(config, op, clock)
    drive(h.rp.warm("other"), other)  # the other provider's key is cached in the same app
    resign(op, key=other.keys[0].private)
    with pytest.raises(InvalidTokenError, match="signature"):
        h.login(provider="op")
    resign(op, {"kid": "k-other"}, key=other.keys[0].private)
    with pytest.raises(InvalidTokenError, match="kid"):
        h.login(provider="op")


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "logout+jwt",
                                 "oauth-authz-req+jwt", "secevent+jwt"])
def test_a_jwt_typed_as_another_kind_is_not_an_id_token(harness: Build, typ: str) -> None:
    h = harness()
    resign(h.op, {"typ": typ})
    with pytest.raises(InvalidTokenError, match="type"):
        h.login()


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt"])
def test_a_jwt_typed_jwt_is_still_an_id_token(harness: Build, typ: str) -> None:
    h = harness()
    resign(h.op, {"typ": typ})
    assert h.login().accepted

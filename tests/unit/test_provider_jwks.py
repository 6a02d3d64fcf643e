"""The provider's JWKS (RFC 7517): which keys may verify a token, and bounds.

Keys for another use, private or symmetric keys, members of the wrong type and keys on other
curves never verify anything; a malformed entry is skipped without losing the good keys; a JWKS
of the wrong shape is a discovery error; ten thousand keys are bounded. The peer is the crafted
provider (tests/crafted.py), driven sans-IO, its answers tampered with by hand
(tests/tampering.py); each expectation comes from the clause cited beside it. A traceback of
any exception other than the one expected is a bug.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from crafted import CraftedProvider, SigningKey, ec_key, json_response
from tampering import b64url, swap_id_token
from unit_harness import Build, rejected

from eidgate import DiscoveryError, HttpResponse, InvalidTokenError


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


def good_jwk(op: CraftedProvider, **extra: Any) -> dict[str, Any]:
    return {**op.keys[0].public_jwk(), **extra}


@pytest.mark.parametrize("extra", [
    pytest.param({"alg": 1}, id="alg-number"),
    pytest.param({"alg": ["RS256"]}, id="alg-list"),
    pytest.param({"alg": {"RS256": True}}, id="alg-object"),
    pytest.param({"kid": ["k1"]}, id="kid-list"),
    pytest.param({"alg": "none"}, id="alg-none"),
    pytest.param({"alg": "HS256"}, id="alg-hs256"),
    pytest.param({"e": "AQ"}, id="rsa-e-1"),
    pytest.param({"n": "AQAB"}, id="rsa-tiny-modulus"),
    pytest.param({"kty": "oct", "k": "c2VjcmV0"}, id="oct"),
])
def test_a_jwks_key_with_a_malformed_member_verifies_nothing(
        harness: Build, extra: dict[str, Any]) -> None:
    """RFC 7517 4.4: alg is a string; a key whose alg is 1 once verified every algorithm."""
    h = harness()
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [good_jwk(h.op, **extra)]})
    with pytest.raises(InvalidTokenError, match="no RS256 key"):
        h.login()


def test_a_malformed_kid_does_not_make_a_key_the_default_for_tokens_without_kid(
        harness: Build) -> None:
    h = harness()
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [good_jwk(h.op, kid=7)]})
    h.op.signing_kid = None
    h.op.keys[0].kid = None
    with pytest.raises(InvalidTokenError, match="without kid"):
        h.login()


@pytest.mark.parametrize("crv", ["P-192", "secp256k1", 5, None])
def test_ec_keys_on_other_curves_never_verify_es256(harness: Build, crv: Any) -> None:
    """RFC 7518 3.4: ES256 is P-256 only."""
    key = SigningKey("e1", ec_key(), "ES256")
    op = CraftedProvider(keys=[key], signing_kid="e1")
    h = harness(op, id_token_algorithms=["ES256"])
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [
        {**key.public_jwk(), "crv": crv}]})
    with pytest.raises(InvalidTokenError):
        h.login()

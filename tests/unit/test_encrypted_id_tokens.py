"""Encrypted ID tokens (RFC 7516 JWE, RFC 7518): what the relying party decrypts.

Algorithms outside the allow-list refused before any work, decompression bombs (`zip: DEF`)
refused, bad ECDH-ES ephemeral keys, damaged or nested JWEs, plaintexts that are not a JWS,
header members of the wrong type, and no decryption keys at all: each a clean error. The peer
is the crafted provider (tests/crafted.py), driven sans-IO, its answers tampered with by hand
(tests/tampering.py); each expectation comes from the clause cited beside it. A traceback of
any exception other than the one expected is a bug.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from tampering import b64url, handmade_jwe, junk_jwe, rp_key, swap_id_token
from unit_harness import Build, rejected

from eidgate import InvalidTokenError, generate_key


def test_zip_def_bomb_is_refused(enc: Build) -> None:
    """RFC 7516 4.1.3 / RFC 8725 3.6: ``zip: DEF`` turns a small token into gigabytes; an ID
    token is never that big, so compressed JWEs are refused (or bounded) without inflating."""
    h = enc()
    bomb = b"{" + b" " * (200 * 1024 * 1024) + b"}"
    token = handmade_jwe(bomb, compress=True, cty="JWT")
    assert len(token) < 1024 * 1024
    swap_id_token(h.op, lambda c, _: token)
    started = time.monotonic()
    rejected(h, match="ID token")
    assert time.monotonic() - started < 2


def test_small_zip_def_id_token_is_refused_too(enc: Build) -> None:
    """A small honest compressed nested JWT is refused as cleanly as the bomb: RFC 8725 3.6,
    compression SHOULD NOT be done before encryption, so no honest provider needs it, and
    refusing every ``zip`` is the one rule that cannot be inflated past a bound."""
    h = enc()
    swap_id_token(h.op, lambda c, signed: handmade_jwe(signed.encode(), compress=True,
                                                      cty="JWT"))
    rejected(h, InvalidTokenError, match="ID token")


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


def test_a_jwe_id_token_without_decryption_keys_is_a_clear_error(harness: Build) -> None:
    jwk = generate_key("enc", "RSA")
    h = harness()
    h.op.encrypt_to = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid")}
    with pytest.raises(InvalidTokenError, match="decryption_keys"):
        h.login()

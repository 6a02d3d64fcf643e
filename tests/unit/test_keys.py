"""The relying party's own keys: generate_key, write_key, and the published JWKS.

Expected values come from RFC 7517 / 7518 (key members, private members, algorithms) and
RFC 7638 (thumbprints), computed here with hashlib and json, never with eidgate or joserfc.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from eidgate import ConfigError, generate_key, parse_config, write_key

# RFC 7518 6.2.2 (EC), 6.3.2 (RSA), RFC 8037 2 (OKP): members of a private key only.
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth"}
# RFC 7638 3.2: the required members per key type.
REQUIRED = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}


def b64u_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64u_bytes(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64u_uint(value: int) -> str:
    """RFC 7518 6.3.1.1 / 2: the unsigned big-endian integer in as few octets as possible."""
    return b64u_bytes(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def rfc7638_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 3.1: JSON of the required members, lexicographic order, no whitespace."""
    members = {name: jwk[name] for name in REQUIRED[jwk["kty"]]}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def public_half(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


@functools.cache
def generated(use: str, kty: str) -> dict[str, Any]:
    return generate_key(use, kty)  # type: ignore[arg-type]


@functools.cache
def rsa_private() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def pem(key: Any) -> bytes:
    return bytes(key.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))


def config_with(tmp_path: Path, *providers: dict[str, Any]) -> Any:
    tables = {f"p{i}": {"issuer": f"https://op{i}.example.test", "client_id": f"rp-{i}",
                        "client_secret": "client-secret-value", **p}
              for i, p in enumerate(providers)}
    return parse_config({"eidgate": {"base_url": "https://app.example.test",
                                     "secret_key": "x" * 32},
                         "providers": tables}, base_dir=tmp_path)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """Make the test independent of the runner's umask: only write_key may restrict."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# -- the thumbprint helper itself ------------------------------------------------------
def test_thumbprint_helper_matches_rfc7638_example() -> None:
    # RFC 7638 3.1, the example RSA key and its thumbprint
    n = ("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
         "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
         "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
         "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"
         "Cur-kEgU8awapJzKnqDKgw")
    jwk = {"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}
    assert rfc7638_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


# -- generate_key ----------------------------------------------------------------------
def test_generate_rsa_signing_key() -> None:
    jwk = generated("sig", "RSA")
    assert jwk["kty"] == "RSA"
    assert jwk["use"] == "sig"
    assert jwk["alg"] == "RS256"  # RFC 7518 3.1 / 3.3
    assert len(b64u_decode(jwk["n"])) * 8 == 2048
    assert jwk["e"] == "AQAB"
    assert {"d", "p", "q", "dp", "dq", "qi"} <= set(jwk)  # a private key (RFC 7518 6.3.2)
    assert jwk["kid"] == rfc7638_thumbprint(jwk)


def test_generate_rsa_encryption_key() -> None:
    jwk = generated("enc", "RSA")
    assert jwk["kty"] == "RSA"
    assert jwk["use"] == "enc"
    # RFC 7518 4.1 / RFC 8725 3.2: RSA-OAEP family, never RSA1_5
    assert jwk["alg"] in ("RSA-OAEP", "RSA-OAEP-256")
    assert "d" in jwk
    assert jwk["kid"] == rfc7638_thumbprint(jwk)


@pytest.mark.parametrize(("use", "algs"), [("sig", ("ES256",)),
                                           ("enc", ("ECDH-ES", "ECDH-ES+A128KW",
                                                    "ECDH-ES+A192KW", "ECDH-ES+A256KW"))])
def test_generate_ec_key(use: str, algs: tuple[str, ...]) -> None:
    jwk = generated(use, "EC")
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    assert jwk["use"] == use
    assert jwk["alg"] in algs  # RFC 7518 3.4: P-256 signs with ES256
    assert len(b64u_decode(jwk["x"])) == len(b64u_decode(jwk["y"])) == 32
    assert len(b64u_decode(jwk["d"])) == 32
    assert jwk["kid"] == rfc7638_thumbprint(jwk)


@pytest.mark.parametrize("kty", ["RSA", "EC"])
def test_generated_signing_key_signs_and_its_public_half_verifies(kty: str) -> None:
    jwk = generated("sig", kty)
    token = jwt.encode({"sub": "x"}, jwt.PyJWK(jwk).key, algorithm=jwk["alg"],
                       headers={"kid": jwk["kid"]})
    public = jwt.PyJWK(public_half(jwk))
    assert jwt.decode(token, public.key, algorithms=[jwk["alg"]]) == {"sub": "x"}


def test_generated_keys_are_fresh() -> None:
    a, b = generate_key("sig", "EC"), generate_key("sig", "EC")
    assert a["d"] != b["d"]
    assert a["kid"] != b["kid"]


# -- write_key -------------------------------------------------------------------------
@pytest.mark.usefixtures("umask_zero")
def test_write_key_is_owner_only_and_round_trips(tmp_path: Path) -> None:
    jwk = generated("sig", "EC")
    path = write_key(tmp_path / "signing.jwk.json", jwk)
    assert path == tmp_path / "signing.jwk.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == jwk


@pytest.mark.usefixtures("umask_zero")
def test_write_key_over_an_existing_readable_file_restricts_it(tmp_path: Path) -> None:
    path = tmp_path / "signing.jwk.json"
    path.write_text("{}")
    path.chmod(0o644)
    write_key(path, generated("sig", "EC"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- Config.jwks() ---------------------------------------------------------------------
@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    write_key(tmp_path / "sig.json", generated("sig", "RSA"))
    write_key(tmp_path / "enc.json", generated("enc", "RSA"))
    (tmp_path / "set.json").write_text(json.dumps({"keys": [
        {**generated("enc", "EC"), "kid": "ec-enc"},
        {**generated("sig", "EC"), "kid": "ec-sig"},  # "use": "sig": not a decryption key
    ]}))
    return tmp_path


def test_jwks_publishes_public_halves_with_kid_use_alg(key_dir: Path) -> None:
    config = config_with(key_dir,
                         {"client_auth": "private_key_jwt", "signing_key": "sig.json",
                          "decryption_keys": ["enc.json", "set.json"]})
    keys = config.jwks()["keys"]
    by_kid = {(k["kid"], k["use"]): k for k in keys}
    sig, enc = generated("sig", "RSA"), generated("enc", "RSA")
    ec_enc = generated("enc", "EC")
    assert set(by_kid) == {(sig["kid"], "sig"), (enc["kid"], "enc"), ("ec-enc", "enc")}
    for key in keys:
        assert not PRIVATE_MEMBERS & set(key), key
        assert key["kid"] and key["use"] in ("sig", "enc") and key["alg"]
    assert by_kid[(sig["kid"], "sig")]["alg"] == "RS256"
    for (kid, use), source in (((sig["kid"], "sig"), sig), ((enc["kid"], "enc"), enc),
                               (("ec-enc", "enc"), ec_enc)):
        published = by_kid[(kid, use)]
        for member in REQUIRED[source["kty"]]:
            assert published[member] == source[member]
    json.dumps(config.jwks())  # JSON-ready


def test_jwks_deduplicates_keys_shared_by_providers(key_dir: Path) -> None:
    shared = {"client_auth": "private_key_jwt", "signing_key": "sig.json",
              "decryption_keys": ["enc.json"]}
    config = config_with(key_dir, shared, dict(shared), {"request_object": True,
                                                        "signing_key": "sig.json"})
    keys = config.jwks()["keys"]
    assert sorted((k["kid"], k["use"]) for k in keys) == sorted(
        [(generated("sig", "RSA")["kid"], "sig"), (generated("enc", "RSA")["kid"], "enc")])


def test_kid_is_the_rfc7638_thumbprint_when_the_file_has_none(tmp_path: Path) -> None:
    rsa_enc = {k: v for k, v in generated("enc", "RSA").items() if k != "kid"}
    (tmp_path / "enc-no-kid.json").write_text(json.dumps(rsa_enc))
    (tmp_path / "enc.pem").write_bytes(pem(rsa_private()))
    ec_private = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "sig.pem").write_bytes(pem(ec_private))
    (tmp_path / "named.json").write_text(json.dumps({**generated("sig", "EC"),
                                                     "kid": "my-own-kid"}))
    config = config_with(tmp_path,
                         {"client_auth": "private_key_jwt", "signing_key": "sig.pem",
                          "decryption_keys": ["enc-no-kid.json", "enc.pem"]},
                         {"request_object": True, "signing_key": "named.json"})
    sig_kids = [k["kid"] for k in config.jwks()["keys"]
                if k["use"] == "sig" and k["kid"] != "my-own-kid"]
    numbers = rsa_private().public_key().public_numbers()
    pem_rsa = {"kty": "RSA", "n": b64u_uint(numbers.n), "e": b64u_uint(numbers.e)}
    ec_numbers = ec_private.public_key().public_numbers()
    # RFC 7518 6.2.1.2 / 6.2.1.3: x and y are the full 32-byte coordinates (left-padded)
    pem_ec = {"kty": "EC", "crv": "P-256",
              "x": b64u_bytes(ec_numbers.x.to_bytes(32, "big")),
              "y": b64u_bytes(ec_numbers.y.to_bytes(32, "big"))}
    assert sig_kids == [rfc7638_thumbprint(pem_ec)]
    enc_kids = [k["kid"] for k in config.jwks()["keys"] if k["use"] == "enc"]
    assert sorted(enc_kids) == sorted([rfc7638_thumbprint(rsa_enc),
                                       rfc7638_thumbprint(pem_rsa)])
    # a kid given in the file is kept
    assert "my-own-kid" in {k["kid"] for k in config.jwks()["keys"]}


def test_rsa1_5_is_refused_as_decryption_algorithm(tmp_path: Path) -> None:
    # RFC 8725 3.2: RSA1_5 is vulnerable to padding-oracle attacks
    (tmp_path / "enc.json").write_text(json.dumps({**generated("enc", "RSA"),
                                                   "alg": "RSA1_5"}))
    with pytest.raises(ConfigError) as info:
        config_with(tmp_path, {"decryption_keys": ["enc.json"]})
    assert "RSA1_5" in str(info.value)
    assert "decryption_keys" in str(info.value)


def test_ed25519_key_is_refused_as_decryption_key(tmp_path: Path) -> None:
    (tmp_path / "ed.pem").write_bytes(pem(ed25519.Ed25519PrivateKey.generate()))
    with pytest.raises(ConfigError):
        config_with(tmp_path, {"decryption_keys": ["ed.pem"]})

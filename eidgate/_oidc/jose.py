"""JOSE operations on what the provider sends: JWE decryption (joserfc) and JWS checks (pyjwt).

Nothing here parses base64url JSON by hand: joserfc reads JWE, pyjwt reads JWS.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import jwt
from jwt.exceptions import PyJWTError
from jwt.utils import base64url_decode, base64url_encode

from .._errors import InvalidTokenError, shown
from .._json import parse_json
from .._keys import RPKey

if TYPE_CHECKING:
    from joserfc.jwe import JWERegistry

# RFC 7518 4.1 / RFC 8725 3.2: key management algorithms we accept. RSA1_5 is excluded on
# purpose (Bleichenbacher padding oracle); so are direct and symmetric key wrapping.
JWE_ALGORITHMS = ("RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW",
                  "ECDH-ES+A256KW")
# RFC 7518 5.1: content encryption algorithms.
JWE_ENCRYPTIONS = ("A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM",
                   "A256GCM")


@cache
def _registry() -> JWERegistry:
    # joserfc.jwe loads on the first encrypted token (~10 ms of imports a provider that
    # only signs never needs). Unregistered JWE header fields (brokers add their own) are
    # tolerated, unknown `crit` is not.
    from joserfc import jwe

    return jwe.JWERegistry(algorithms=[*JWE_ALGORITHMS, *JWE_ENCRYPTIONS],
                           strict_check_header=False)


_JWS = jwt.PyJWS()
_KEY_TYPES_FOR_JWE_ALG = {"RSA": ("RSA",), "ECD": ("EC", "OKP")}


def is_jwe(token: str) -> bool:
    """RFC 7516 7.1: a compact JWE has five parts, a compact JWS three."""
    return token.count(".") == 4


def decrypt(token: str, keys: Sequence[RPKey], what: str) -> bytes:
    """Decrypt a compact JWE with the relying party's keys, choosing by ``kid``."""
    header = protected_header(token, what)
    alg, enc, kid = header.get("alg"), header.get("enc"), header.get("kid")
    if alg == "RSA1_5":
        raise InvalidTokenError(f"{what}: JWE alg RSA1_5 refused (padding oracle, RFC 8725 "
                                "3.2); configure the provider to use RSA-OAEP")
    if alg not in JWE_ALGORITHMS or enc not in JWE_ENCRYPTIONS:
        raise InvalidTokenError(f"{what}: JWE alg {shown(alg)} / enc {shown(enc)} "
                                "not allowed")
    # RFC 7516 4.1.3 / RFC 8725 3.x: "zip": "DEF" inflates a 1 MiB token to gigabytes; no
    # OpenID provider needs it for an ID token, so compressed JWEs are refused outright.
    if "zip" in header:
        raise InvalidTokenError(f"{what}: compressed JWE (zip) refused")
    if not keys:
        raise InvalidTokenError(f"{what} is encrypted but the provider has no decryption_keys "
                                "configured")
    kinds = _KEY_TYPES_FOR_JWE_ALG[str(alg)[:3]]
    candidates = [k for k in keys if k.jwk.key_type in kinds]
    if kid is not None:
        candidates = [k for k in candidates if k.kid == kid]
    if not candidates:
        raise InvalidTokenError(f"{what}: no decryption key for kid {shown(kid)} and alg {alg}")
    from joserfc import jwe
    from joserfc.errors import JoseError

    registry = _registry()
    for key in candidates:
        try:
            return jwe.decrypt_compact(token, key.jwk, registry=registry).plaintext or b""
        except (JoseError, ValueError) as exc:
            failure: Exception = exc
        except (TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
            # joserfc reads hostile header members (epk, crit, iv, ...) assuming their JSON
            # types; a wrong type surfaces as one of these: a bad token, not our bug.
            failure = exc
    raise InvalidTokenError(f"{what}: JWE decryption failed") from failure


def protected_header(token: str, what: str) -> dict[str, Any]:
    """The (not yet verified) protected header of a compact JWS or JWE.

    RFC 7515 7.1 / RFC 7516 7.1: the first part is the base64url protected header. Only
    ``alg``, ``enc`` and ``kid`` are read from it, to pick a key; pyjwt and joserfc then
    parse and check the whole token themselves.
    """
    try:
        header = parse_json(base64url_decode(token.split(".", 1)[0]))
    except (ValueError, UnicodeError) as exc:
        raise InvalidTokenError(f"{what}: malformed header") from exc
    if not isinstance(header, dict):
        raise InvalidTokenError(f"{what}: malformed header")
    return header


def verify(token: str, key: Any, alg: str, what: str) -> dict[str, Any]:
    """Verify a compact JWS with exactly ``alg`` and return its JSON object payload."""
    try:
        payload = _JWS.decode_complete(token, key, algorithms=[alg])["payload"]
        claims = parse_json(payload)
    except (PyJWTError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        # pyjwt's own errors, or a header member of a JSON type pyjwt did not expect
        # a signature the provider's published keys (or, for HS*, the client secret) do not
        # verify: keys that do not match the configuration (RFC 7515 5.2)
        raise InvalidTokenError(f"{what}: signature check failed ({type(exc).__name__})",
                                misconfigured=True) from exc
    except ValueError as exc:
        raise InvalidTokenError(f"{what}: payload is not JSON") from exc
    if not isinstance(claims, dict):
        raise InvalidTokenError(f"{what}: payload is not a JSON object")
    return claims


def left_hash(value: str, alg: str) -> str:
    """OIDC Core 3.1.3.6 / 3.3.2.11: base64url of the left half of the hash of ``value``."""
    if alg == "EdDSA":
        import hashlib

        digest = hashlib.sha512(value.encode("ascii")).digest()  # Ed25519 uses SHA-512
    else:
        digest = _JWS.get_algorithm_by_name(alg).compute_hash_digest(value.encode("ascii"))
    return base64url_encode(digest[: len(digest) // 2]).decode("ascii")


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())

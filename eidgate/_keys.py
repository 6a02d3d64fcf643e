"""The relying party's own keys: loading, generating, and publishing their public halves.

Keys are read from JWK files (a single JWK or a JWK set) or PEM files. A key without a
``kid`` gets its RFC 7638 thumbprint as ``kid``, so the ``kid`` is stable across restarts and
the provider can pick the right key from our published JWKS.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import ConfigError
from ._json import parse_json

if TYPE_CHECKING:
    # joserfc.jwk imports cryptography.x509 (~50 ms): loaded only when a key is read or
    # generated, so that `import eidgate` and a config without keys stay cheap
    from joserfc.jwk import ECKey, OKPKey, RSAKey

    PrivateJWK = RSAKey | ECKey | OKPKey

Use = Literal["sig", "enc"]

# RFC 7518 3.1 / RFC 8037 3.1: the default algorithm for each key type and curve.
_DEFAULT_SIG_ALG = {"RSA": "RS256", "P-256": "ES256", "P-384": "ES384", "P-521": "ES512",
                    "Ed25519": "EdDSA"}
# RFC 7518 4.1 / RFC 8037 3.2: RSA-OAEP (never RSA1_5) for RSA; ECDH-ES for EC and
# X25519/X448 (Ed25519/Ed448 keys can only sign).
_DEFAULT_ENC_ALG = {"RSA": "RSA-OAEP", "P-256": "ECDH-ES", "P-384": "ECDH-ES",
                    "P-521": "ECDH-ES", "X25519": "ECDH-ES", "X448": "ECDH-ES"}


@dataclass(frozen=True, slots=True, eq=False)
class RPKey:
    """One private key of the relying party, with the ``kid``, ``use`` and ``alg`` it serves."""

    kid: str
    use: Use
    alg: str
    jwk: PrivateJWK = field(repr=False)

    @property
    def private_key(self) -> Any:
        """The ``cryptography`` private key object (what pyjwt signs with)."""
        return self.jwk.private_key

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK dict, with ``kid``, ``use`` and ``alg``."""
        data: dict[str, Any] = dict(self.jwk.as_dict(private=False))
        for private in ("d", "p", "q", "dp", "dq", "qi", "oth"):
            data.pop(private, None)
        data.update(kid=self.kid, use=self.use, alg=self.alg)
        return data


def _import(data: str | dict[str, Any], origin: str, file: str, key: str) -> PrivateJWK:
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

    kty = data.get("kty") if isinstance(data, dict) else None
    kinds = [kty] if isinstance(kty, str) else ["RSA", "EC", "OKP"]
    for kind in kinds:
        try:
            imported = KeySet.import_key_set({"keys": [data]}).keys[0] if isinstance(
                data, dict) else _import_pem(data, kind)
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        if isinstance(imported, RSAKey | ECKey | OKPKey):
            if not imported.is_private:
                raise ConfigError(
                    f"{origin} holds a public key; point this at the PRIVATE key "
                    "(generate one with: eidgate keys generate)", file=file, key=key)
            return imported
    raise ConfigError(
        f"{origin} is not a private RSA, EC or OKP key in JWK or PEM form", file=file, key=key)


def _import_pem(text: str, kind: str) -> PrivateJWK:
    from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

    imported = JWKRegistry.import_key(text.encode(), kind)
    if not isinstance(imported, RSAKey | ECKey | OKPKey):
        raise ValueError(kind)
    return imported


def load_keys(path: Path, use: Use, *, file: str, key: str) -> list[RPKey]:
    """Read one key file (JWK, JWK set, or PEM) into :class:`RPKey` values for ``use``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, or not UTF-8
        raise ConfigError(
            f"cannot read key file {str(path)!r} "
            f"({getattr(exc, 'strerror', None) or type(exc).__name__}); check the path "
            "(relative paths are relative to the config file) and its permissions",
            file=file, key=key) from exc
    items: list[str | dict[str, Any]]
    if text.lstrip().startswith("{"):
        try:
            doc = parse_json(text)
        except ValueError as exc:
            raise ConfigError(f"{str(path)!r} is not valid JSON", file=file, key=key) from exc
        if not isinstance(doc, dict):
            raise ConfigError(f"{str(path)!r} is not a JWK or JWK set", file=file, key=key)
        items = list(doc["keys"]) if isinstance(doc.get("keys"), list) else [doc]
    else:
        items = [text]
    keys: list[RPKey] = []
    for item in items:
        jwk = _import(item, str(path), file, key)
        meta = item if isinstance(item, dict) else {}
        if meta.get("use") not in (None, use):
            continue  # a JWK set may carry keys for the other use
        keys.append(_rp_key(jwk, use, meta.get("kid"), meta.get("alg"), file=file, key=key))
    if not keys:
        raise ConfigError(f"{str(path)!r} holds no key usable for {use!r}", file=file, key=key)
    return keys


def _rp_key(jwk: PrivateJWK, use: Use, kid: object, alg: object, *, file: str,
            key: str) -> RPKey:
    kty = jwk.key_type
    crv = jwk.get("crv") if kty != "RSA" else None
    if not isinstance(alg, str):
        table = _DEFAULT_SIG_ALG if use == "sig" else _DEFAULT_ENC_ALG
        found = table.get(str(crv or kty))
        if found is None:
            raise ConfigError(f"no default {use} algorithm for a {kty} {crv} key; set 'alg' "
                              "in the JWK", file=file, key=key)
        alg = found
    if alg == "RSA1_5":
        raise ConfigError("RSA1_5 is refused (padding-oracle attacks); use RSA-OAEP",
                          file=file, key=key)
    return RPKey(kid if isinstance(kid, str) and kid else jwk.thumbprint(), use, alg, jwk)


def generate_key(use: Use = "sig", kty: Literal["RSA", "EC"] = "RSA") -> dict[str, Any]:
    """Generate a private JWK for the relying party (``kid`` = RFC 7638 thumbprint).

    ``use="sig"`` keys sign ``private_key_jwt`` assertions and request objects; ``use="enc"``
    keys decrypt encrypted ID tokens and userinfo. RSA keys are 2048-bit, EC keys P-256.
    """
    from joserfc.jwk import ECKey, RSAKey
    from joserfc.jwk import generate_key as _jose_generate

    jwk = (RSAKey.generate_key(2048, private=True) if kty == "RSA"
           else _jose_generate("EC", "P-256", private=True))
    assert isinstance(jwk, RSAKey | ECKey)
    rp = _rp_key(jwk, use, None, None, file="<generated>", key="kty")
    return {**jwk.as_dict(private=True), "kid": rp.kid, "use": use, "alg": rp.alg}


def write_key(path: str | os.PathLike[str], jwk: dict[str, Any]) -> Path:
    """Write a private JWK to ``path`` readable by the owner only (mode 0600)."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT's mode only applies to a new file
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(jwk, out, indent=2)
        out.write("\n")
    return target


def public_jwks(keys: list[RPKey]) -> dict[str, list[dict[str, Any]]]:
    """A JWKS document with the public halves of ``keys``, one entry per ``kid`` and use."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for k in keys:
        if (k.kid, k.use) not in seen:
            seen.add((k.kid, k.use))
            out.append(k.public_jwk())
    return {"keys": out}

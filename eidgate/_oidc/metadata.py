"""What we know about each OpenID provider: its discovery document and its signing keys.

Theory of operation
-------------------
A :class:`ProviderState` is a small cache owned by one relying party (one per configured
provider). Its methods are generators in the sans-IO style: they yield the HTTP requests
they need and receive the responses, so the sync and async drivers share them.

* Discovery and JWKS are fetched once and kept for ``ttl`` seconds, so a warm relying party
  makes no discovery or JWKS request per login. If a refresh fails, the stale copy is used
  for up to ``stale_grace`` seconds (an outage of the provider's metadata endpoint must not
  break logins that could still be verified).
* A token signed with a ``kid`` we do not know triggers one JWKS refetch (the provider
  rotated its keys). After a forced refetch no other is made for ``cooldown`` seconds, so
  random ``kid`` values from an attacker cannot become a fetch storm against the provider.
* Both items sit in a typed slot, ``_Cached[T]`` (the value, when it was fetched, the rules
  above and a lock that is never held across a ``yield``), so the rules are written once.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from jwt.exceptions import InvalidKeyError, PyJWTError

from .._config import ProviderConfig, is_local_url
from .._errors import (
    DiscoveryError,
    InvalidTokenError,
    ProviderError,
    ProviderUnavailable,
    at_step,
    shown,
)
from .addresses import endpoint_refusal
from .http import HttpRequest, HttpResponse, expect_ok, json_object

log = logging.getLogger("eidgate")
T = TypeVar("T")
#: A verification key from a provider's JWKS (pyjwt verifies with these objects).
PublicKey: TypeAlias = RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey | Ed448PublicKey
_PUBLIC_KEY_TYPES = (RSAPublicKey, EllipticCurvePublicKey, Ed25519PublicKey, Ed448PublicKey)

# JWS alg -> (kty, crv) the verification key must have (RFC 7518 3.1, RFC 8037 3.1).
_KEY_TYPE_FOR_ALG: dict[str, tuple[str, frozenset[str | None]]] = {
    **{a: ("RSA", frozenset({None})) for a in
       ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    "ES256": ("EC", frozenset({"P-256"})),
    "ES384": ("EC", frozenset({"P-384"})),
    "ES512": ("EC", frozenset({"P-521"})),
    "EdDSA": ("OKP", frozenset({"Ed25519", "Ed448"})),
}
_MIN_RSA_BITS = 2048  # RFC 7518 3.3: 2048 or larger
_MAX_RSA_BITS = 8192  # larger keys only serve to make each verification slow
_MAX_KEYS = 100  # a JWKS is a handful of keys; more is a provider bug or an attack
_MAX_URL = 2048
_URL_CHARS = re.compile(r"[\x21-\x7e]+")  # RFC 3986 2: printable ASCII, no space


def _usable_url(value: str, allow_http: bool) -> bool:
    """An endpoint URL we may send a request (or the browser) to.

    Discovery 3 / RFC 8414 2: endpoints are https URLs. Plain http only for a loop-back
    issuer's loop-back endpoints (the sandbox): never the client secret or a code in clear
    to another host. RFC 3986: ASCII without spaces or controls; a host; no ``user:pw@``
    (a phishing trick); RFC 6749 3.1 / 3.2: no fragment.
    """
    if len(value) > _MAX_URL or not _URL_CHARS.fullmatch(value):
        return False
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a bad IPv6 literal or a port out of range
        return False
    scheme_ok = parts.scheme == "https" or (
        parts.scheme == "http" and allow_http and is_local_url(value))
    return (scheme_ok and port_ok and bool(parts.hostname) and "@" not in parts.netloc
            and "#" not in value)


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of an OpenID Provider's discovery document that eidgate uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    require_pushed_authorization_requests: bool = False
    authorization_response_iss_parameter_supported: bool = False
    end_session_endpoint: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_document(cls, doc: dict[str, Any], expected_issuer: str) -> ProviderMetadata:
        """Check a discovery document (OpenID Connect Discovery 1.0, section 3 and 4.3)."""
        # Discovery 4.3: the issuer MUST be identical to the one used to fetch the document.
        if doc.get("issuer") != expected_issuer:
            mismatch = DiscoveryError(
                f"discovery document names issuer {shown(doc.get('issuer'), 200)}, expected "
                f"{expected_issuer!r} exactly (a provider may only speak for itself)")
            mismatch.issuer_mismatch = True
            raise mismatch
        allow_http = is_local_url(expected_issuer)

        def url(name: str, required: bool) -> str | None:
            value = doc.get(name)
            if value is None and not required:
                return None
            if not isinstance(value, str) or not _usable_url(value, allow_http):
                raise DiscoveryError(f"discovery document: {name} must be an absolute https "
                                     "URL with a host, and no credentials or fragment")
            # OWASP SSRF Prevention Cheat Sheet: a provider must not point the relying party
            # (its client secret, codes, tokens) at link-local or cloud metadata hosts, nor
            # at private (RFC 1918, RFC 4193) or loop-back ones unless it is there itself.
            # The authorization endpoint is the browser's, but a provider naming one there
            # is no provider to trust either. By spelling here; by address in the drivers.
            refusal = endpoint_refusal(value, expected_issuer)
            if refusal is not None:
                raise DiscoveryError(f"discovery document: {name} points inside the network: "
                                     f"{refusal}")
            return value

        # Discovery 3: these three are REQUIRED for a code-flow provider.
        auth, token, jwks = (url(n, True) for n in
                             ("authorization_endpoint", "token_endpoint", "jwks_uri"))
        assert auth is not None
        assert token is not None
        assert jwks is not None
        types = doc.get("response_types_supported")
        # Discovery 3: a JSON array of strings; RFC 8414 2: a value of another type makes
        # the document invalid (not "absent", which would silently drop a check).
        if types is not None and (not isinstance(types, list) or not all(
                isinstance(t, str) for t in types)):
            raise DiscoveryError("discovery document: response_types_supported must be a "
                                 "JSON array of strings")
        if types is not None and "code" not in types:
            raise DiscoveryError("provider does not support response_type=code")

        def flag(name: str) -> bool:
            # RFC 9207 3 / RFC 9126 5: JSON booleans. "true" (a string) or 1 must not be
            # read as false: the iss flag turns on the mix-up defence, so fail closed.
            value = doc.get(name, False)
            if value is None:
                return False
            if not isinstance(value, bool):
                raise DiscoveryError(f"discovery document: {name} must be true or false")
            return value
        return cls(
            issuer=expected_issuer, authorization_endpoint=auth, token_endpoint=token,
            jwks_uri=jwks, userinfo_endpoint=url("userinfo_endpoint", False),
            pushed_authorization_request_endpoint=url(
                "pushed_authorization_request_endpoint", False),
            require_pushed_authorization_requests=flag("require_pushed_authorization_requests"),
            authorization_response_iss_parameter_supported=flag(
                "authorization_response_iss_parameter_supported"),
            end_session_endpoint=url("end_session_endpoint", False),
            raw=doc)


@dataclass(frozen=True, slots=True)
class ProviderKey:
    """One verification key from the provider's JWKS, parsed once."""

    kid: str | None
    kty: str
    crv: str | None
    alg: str | None
    key: PublicKey = field(repr=False)

    def fits(self, alg: str) -> bool:
        """Key type, curve and (if the JWK names one) algorithm agree with ``alg``."""
        kty, curves = _KEY_TYPE_FOR_ALG[alg]
        return self.kty == kty and self.crv in curves and self.alg in (None, alg)


_PARSERS: dict[str, Callable[[dict[str, Any]], object]] = {
    "RSA": RSAAlgorithm.from_jwk, "EC": ECAlgorithm.from_jwk, "OKP": OKPAlgorithm.from_jwk}


def parse_jwks(doc: dict[str, Any]) -> tuple[ProviderKey, ...]:
    """Parse a JWKS document (RFC 7517 5); unusable keys are skipped, not fatal."""
    entries = doc.get("keys")
    if not isinstance(entries, list):
        raise DiscoveryError("JWKS document has no 'keys' list")
    if len(entries) > _MAX_KEYS:
        log.warning("provider JWKS has %d keys; only the first %d are used", len(entries),
                    _MAX_KEYS)
    keys = []
    for entry in entries[:_MAX_KEYS]:
        if not isinstance(entry, dict):
            continue
        # RFC 7517 4.2/4.3: keys meant for encryption only are not signature keys; a
        # malformed use / key_ops (not a string / not a list) makes the key unusable.
        ops = entry.get("key_ops", ["verify"])
        if entry.get("use", "sig") != "sig" or not isinstance(ops, list) or "verify" not in ops:
            continue
        kty = entry.get("kty")
        parser = _PARSERS.get(str(kty))
        if parser is None:
            continue
        try:
            key = parser(entry)
        except (InvalidKeyError, PyJWTError, ValueError, TypeError, KeyError):
            log.warning("skipping a malformed %s key in the provider's JWKS", kty)
            continue
        if not isinstance(key, _PUBLIC_KEY_TYPES):
            continue  # a JWKS must only publish public keys
        if isinstance(key, RSAPublicKey) and not _MIN_RSA_BITS <= key.key_size <= _MAX_RSA_BITS:
            log.warning("skipping an RSA key of %d bits in the provider's JWKS", key.key_size)
            continue
        kid, alg, crv = entry.get("kid"), entry.get("alg"), entry.get("crv")
        # RFC 7517 4.4 / 4.5, RFC 7518 6.2.1.1: alg, kid and crv are strings. A key whose
        # alg is 1 must not become a key for every algorithm, nor one whose kid is [..]
        # the key for a token without kid: a malformed member makes the key unusable.
        if not all(isinstance(v, str | None) for v in (kid, alg, crv)):
            log.warning("skipping a %s key with a malformed kid, alg or crv", kty)
            continue
        keys.append(ProviderKey(kid, str(kty), crv, alg, key))
    return tuple(keys)


class _Cached(Generic[T]):
    """One cached item of a provider (its discovery metadata, or its keys): the value, when
    it was fetched, and the rules that decide who refreshes it, written once for both.

    Deciding to refresh and noting the attempt is one step under the slot's lock (the sync
    driver runs logins in many threads; two must not both pass a cool-down check). The lock
    is never held across a ``yield``: the request itself goes out unlocked, so a slow
    provider holds up nobody but the login that is refreshing.
    """

    __slots__ = ("_forced_at", "_lock", "_tried_at", "cooldown", "fetched_at", "stale_grace",
                 "ttl", "value", "what")

    def __init__(self, what: str, *, ttl: float, cooldown: float, stale_grace: float) -> None:
        self.what = what  # "discovery document", "JWKS": for the log and the error
        self.ttl, self.cooldown, self.stale_grace = ttl, cooldown, stale_grace
        self.value: T | None = None
        self.fetched_at = -math.inf
        self._tried_at = -math.inf  # when a login last began a refresh
        self._forced_at = -math.inf  # when a refresh out of turn last began (kid miss)
        self._lock = threading.Lock()

    def cached(self, now: float) -> T | None:
        """The copy this login uses, or None when this login is the one to refresh it.

        With a usable copy, a refresh another login began less than ``cooldown`` ago (still
        in flight, or failed: the provider is down) is not repeated: each login would
        otherwise wait a full timeout for the same answer, and a thousand concurrent logins
        would send a thousand requests.
        """
        with self._lock:
            value, age = self.value, now - self.fetched_at
            if value is not None and (age < self.ttl or (
                    age < self.stale_grace and now - self._tried_at < self.cooldown)):
                return value
            self._tried_at = now
            return None

    def may_force(self, now: float) -> bool:
        """Whether a refresh out of turn may go now (at most one per ``cooldown``)."""
        with self._lock:
            if now - self._forced_at < self.cooldown:
                return False
            self._forced_at = now
            return True

    def refresh(self, now: float, provider: str, fetch: Generator[HttpRequest, HttpResponse, T]
                ) -> Generator[HttpRequest, HttpResponse, T]:
        """Run ``fetch`` and keep its value; on an outage serve the stale copy if one may be."""
        try:
            value = yield from fetch
        except DiscoveryError:
            # the provider answered, wrongly: a stale copy must not paper over that (and
            # the next login asks again rather than being served the cache)
            self._tried_at = -math.inf
            raise
        except ProviderError as exc:
            stale = self.value
            # an empty stale key set verifies nothing: the outage is reported instead
            if stale and now - self.fetched_at < self.stale_grace:
                log.warning("provider %s: %s refresh failed (%s); using the cached copy",
                            provider, self.what, exc.error)
                return stale
            if isinstance(exc, ProviderUnavailable):
                raise  # keep the precise type: timeout or connection refused
            wrapped = DiscoveryError(f"provider {provider!r}: cannot load its {self.what}: "
                                     f"{exc.description}", status=exc.status,
                                     provider_error=exc.provider_error,
                                     http_status=exc.http_status)
            # the provider's own words and where it failed, for the operator's log
            wrapped.provider_description = exc.provider_description
            wrapped.at(exc.provider or provider, exc.step or "discovery")
            raise wrapped from exc
        self.value, self.fetched_at = value, now
        return value


class ProviderState:
    """Cached discovery metadata and signing keys of one provider (see module docstring)."""

    def __init__(self, config: ProviderConfig, *, ttl: float = 3600.0, cooldown: float = 60.0,
                 stale_grace: float = 86400.0):
        self.config = config
        times = {"ttl": ttl, "cooldown": cooldown, "stale_grace": stale_grace}
        self._metadata = _Cached[ProviderMetadata]("discovery document", **times)
        self._keys = _Cached[tuple[ProviderKey, ...]]("JWKS", **times)
        #: Number of discovery and JWKS requests made (for benchmarks and `eidgate check`).
        self.fetches = 0

    @property
    def metadata(self) -> ProviderMetadata | None:
        """The discovery metadata last fetched (None before the first fetch)."""
        return self._metadata.value

    @property
    def keys(self) -> tuple[ProviderKey, ...]:
        """The provider's signature keys last fetched (none before the first fetch)."""
        return self._keys.value or ()

    def _get(self, url: str, what: str) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        self.fetches += 1
        response = yield HttpRequest("GET", url, {"Accept": "application/json"},
                                     timeout=self.config.timeout, issuer=self.config.issuer)
        expect_ok(response, what)
        return json_object(response, what)

    def _load_metadata(self) -> Generator[HttpRequest, HttpResponse, ProviderMetadata]:
        # Discovery 4: strip a trailing "/" from the issuer before appending the path.
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        with at_step(self.config.name, "discovery"):
            doc = yield from self._get(url, "discovery")
            return ProviderMetadata.from_document(doc, self.config.issuer)

    def _load_keys(self, jwks_uri: str) -> Generator[HttpRequest, HttpResponse,
                                                     tuple[ProviderKey, ...]]:
        with at_step(self.config.name, "jwks"):
            return parse_jwks((yield from self._get(jwks_uri, "JWKS")))

    def ensure_metadata(self, now: float) -> Generator[HttpRequest, HttpResponse,
                                                        ProviderMetadata]:
        """The discovery metadata, fetched when missing or older than ``ttl``."""
        cached = self._metadata.cached(now)
        if cached is not None:
            return cached
        return (yield from self._metadata.refresh(now, self.config.name,
                                                  self._load_metadata()))

    def _refresh_keys(self, now: float) -> Generator[HttpRequest, HttpResponse,
                                                     tuple[ProviderKey, ...]]:
        # the metadata's own failures are its own: they do not touch the keys' slot
        meta = yield from self.ensure_metadata(now)
        return (yield from self._keys.refresh(now, self.config.name,
                                              self._load_keys(meta.jwks_uri)))

    def _ensure_keys(self, now: float) -> Generator[HttpRequest, HttpResponse,
                                                    tuple[ProviderKey, ...]]:
        cached = self._keys.cached(now)
        if cached is not None:
            return cached
        return (yield from self._refresh_keys(now))

    def warm(self, now: float) -> Generator[HttpRequest, HttpResponse, None]:
        """Load discovery and keys now (at start-up) rather than on the first login."""
        yield from self.ensure_metadata(now)
        yield from self._ensure_keys(now)

    def key_for(self, alg: str, kid: str | None, now: float) -> Generator[
            HttpRequest, HttpResponse, PublicKey]:
        """The provider key that verifies a JWS with header ``alg`` / ``kid``.

        OIDC Core 10.1.1: when the provider rotates keys a new ``kid`` appears; we refetch
        the JWKS once for an unknown ``kid``, rate-limited by ``cooldown`` (across all
        threads and tasks of this relying party).
        """
        if alg not in _KEY_TYPE_FOR_ALG:
            raise InvalidTokenError(f"algorithm {alg!r} has no provider key type")
        keys = yield from self._ensure_keys(now)
        found = _select(keys, alg, kid)
        if found is None and self._keys.may_force(now):
            found = _select((yield from self._refresh_keys(now)), alg, kid)
        if found is None:
            # signed with a key the provider does not publish: the jwks_uri or the issuer
            # of this provider is not the one that signs (OIDC Core 10.1)
            raise InvalidTokenError(
                f"provider {self.config.name!r} has no {alg} key with kid {shown(kid)}"
                if kid is not None else
                f"provider {self.config.name!r} has no {alg} key for a token without kid",
                misconfigured=True)
        return found.key


def _select(keys: tuple[ProviderKey, ...], alg: str, kid: str | None) -> ProviderKey | None:
    candidates = [k for k in keys if k.fits(alg)]
    if kid is not None:
        return next((k for k in candidates if k.kid == kid), None)
    # No kid: unambiguous only with exactly one candidate (several: reject, like panva's
    # openid-client, rather than try keys one by one).
    if len(candidates) > 1:
        raise InvalidTokenError("token has no kid and the provider publishes several "
                                f"{alg} keys; cannot tell which one signed it")
    return candidates[0] if candidates else None

"""``eidgate.toml``: read once into frozen dataclasses and checked eagerly.

Every mistake raises one :class:`ConfigError` that names the file, the key, and what to
write instead. Secrets may be given inline (for tests) or, better, through ``*_env`` keys
naming environment variables; key material comes from files.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._config_session import (
    SessionConfig,
    SessionReader,
)
from ._errors import ConfigError, shown
from ._identity.profiles import PROFILES
from ._keys import RPKey, load_keys, public_jwks
from ._languages import ALIASES, LANGUAGE_TAG, TRANSLATIONS

#: Patterns in ``error`` / ``error_description`` meaning "the person canceled".
DEFAULT_CANCEL_PATTERNS = ("urn:signicat:error:usercancel", "IDP-3200")
#: Asymmetric JWS algorithms accepted for ID tokens by default; HS* only when listed.
DEFAULT_ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                               "ES256", "ES384", "ES512", "EdDSA")
_KNOWN_ALGORITHMS = frozenset(DEFAULT_ID_TOKEN_ALGORITHMS) | {"HS256", "HS384", "HS512"}
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
MAX_CLOCK_SKEW = 300

_GLOBAL_KEYS = {"base_url", "route_prefix", "secret_key", "secret_key_env", "default_provider",
                "session_max_age", "clock_skew", "http_timeout", "login_timeout",
                "evidence_dir", "languages", "session"}
#: URL schemes of ``[eidgate.session] url``: redis-py's own, and Sentinel (ours, below)
_PROVIDER_KEYS = {"issuer", "client_id", "client_secret", "client_secret_env", "client_auth",
                  "scopes", "acr_values", "profile", "label", "decryption_keys", "signing_key",
                  "use_par", "request_object", "cancel_patterns", "id_token_algorithms",
                  "userinfo", "trusted_audiences", "timeout", "keep_claims"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}




def is_local_url(url: str) -> bool:
    """True for ``http(s)://localhost``, ``127.0.0.1`` or ``[::1]`` URLs (any port)."""
    return (urlsplit(url).hostname or "") in _LOCAL_HOSTS


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One ``[providers.<name>]`` table."""

    name: str
    issuer: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    client_auth: str = "client_secret_basic"
    scopes: tuple[str, ...] = ("openid", "profile")
    acr_values: tuple[str, ...] = ()
    profile: str = "auto"
    label: str = ""
    #: the label per page language (``label = {en = "...", fi = "..."}``); ``label`` is
    #: the first of them, for languages without one
    labels: Mapping[str, str] = field(default_factory=dict)

    def label_for(self, language: str) -> str:
        """The picker's text for this provider in ``language`` (a page language tag)."""
        return self.labels.get(language, self.label)
    decryption_keys: tuple[RPKey, ...] = ()
    signing_key: RPKey | None = None
    use_par: bool = False
    request_object: bool = False
    cancel_patterns: tuple[str, ...] = DEFAULT_CANCEL_PATTERNS
    id_token_algorithms: tuple[str, ...] = DEFAULT_ID_TOKEN_ALGORITHMS
    userinfo: bool = True
    trusted_audiences: tuple[str, ...] = ()
    timeout: float = 10.0
    #: the raw claims kept with the session (``identity.claims``): names, or ``("*",)``
    #: for all; None: the store's default (all on a server-side store, none in the cookie)
    keep_claims: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The whole ``eidgate.toml``: the ``[eidgate]`` table and every provider."""

    base_url: str
    secret_keys: tuple[str, ...] = field(repr=False)
    providers: Mapping[str, ProviderConfig]
    default_provider: str
    route_prefix: str = "/eidgate"
    session_max_age: int = 8 * 3600
    clock_skew: int = 60
    http_timeout: float = 10.0
    login_timeout: int = 600
    source: str = "<config>"
    evidence_dir: Path | None = None
    languages: tuple[str, ...] | None = None
    session: SessionConfig = field(default_factory=SessionConfig)

    @property
    def redirect_uri(self) -> str:
        """The callback URL registered at every provider."""
        return f"{self.base_url}{self.route_prefix}/callback"

    def provider(self, name: str | None = None) -> ProviderConfig:
        """The named provider, or the default one; :class:`ConfigError` if unknown."""
        key = name or self.default_provider
        try:
            return self.providers[key]
        except KeyError:
            raise ConfigError(f"no provider named {key!r}; configured: "
                              f"{', '.join(self.providers)}", file=self.source,
                              key="providers") from None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The relying party's public keys (all providers' signing and decryption keys)."""
        keys: list[RPKey] = []
        for p in self.providers.values():
            keys.extend(([p.signing_key] if p.signing_key else []) + list(p.decryption_keys))
        return public_jwks(keys)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and check an ``eidgate.toml`` file. Raises :class:`ConfigError` on any mistake."""
    file = Path(path)
    try:
        with file.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read the config file ({exc.strerror or exc})",
                          file=str(file)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(file)) from exc
    except UnicodeDecodeError as exc:  # TOML 1.0: a document is UTF-8
        raise ConfigError("not UTF-8 text (TOML files are UTF-8); save it as UTF-8",
                          file=str(file)) from exc
    return parse_config(data, source=str(file), base_dir=file.parent)


def parse_config(data: Mapping[str, Any], *, source: str = "<config>",
                 base_dir: str | os.PathLike[str] = ".") -> Config:
    """Check an already-parsed TOML mapping; key file paths are relative to ``base_dir``."""
    return _Reader(source, Path(base_dir)).config(data)


class _Reader(SessionReader):
    def __init__(self, source: str, base_dir: Path):
        self.file = source
        self.base = base_dir

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key=key)

    def unknown(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                near = get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean {near[0]!r}?" if near else \
                    f"allowed keys: {', '.join(sorted(allowed))}"
                raise self.fail(f"{where}.{key}" if where else key,
                                f"unknown key {key!r}; {hint}")

    def typed(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
              where: str, default: Any = None) -> Any:
        value = table.get(key, default)
        if value is not None and (not isinstance(value, kind) or
                                  (isinstance(value, bool) and bool not in _as_tuple(kind))):
            names = " or ".join(k.__name__ for k in _as_tuple(kind))
            raise self.fail(f"{where}.{key}", f"must be a {names}, not "
                                              f"{type(value).__name__} {value!r}")
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str,
                default: tuple[str, ...] = (), *, split: bool = True) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return tuple(value.split()) if split else (value,)
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        raise self.fail(f"{where}.{key}", 'must be a list of strings, e.g. ["a", "b"]')

    def env(self, table: Mapping[str, Any], key: str, where: str) -> list[str]:
        names = self.strings(table, key, where)
        values = []
        for name in names:
            value = os.environ.get(name)
            if not value:
                raise self.fail(f"{where}.{key}", f"environment variable {name} is not set; "
                                                  f"export {name}=... before starting")
            values.append(value)
        return values

    def url(self, value: str, key: str, what: str) -> str:
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:  # RFC 3986 3.2.2: a "[" or "]" outside an IPv6 literal
            raise self.fail(key, f"{what} is not a valid URL: {shown(value)}") from None
        if parts.scheme not in ("https", "http") or not host:
            raise self.fail(key, f"{what} must be an absolute https:// URL, not {value!r}")
        if parts.scheme == "http" and not is_local_url(value):
            raise self.fail(key, f"{what} {value!r} uses http:// outside localhost; write "
                                 "https:// (plain http is only allowed for localhost)")
        if parts.query or parts.fragment:
            raise self.fail(key, f"{what} must not have a query or fragment")
        return value

    def config(self, data: Mapping[str, Any]) -> Config:
        self.unknown(data, {"eidgate", "providers"}, "")
        top = data.get("eidgate")
        if not isinstance(top, dict):
            raise self.fail("eidgate", "missing the [eidgate] table with base_url and "
                                       "secret_key_env")
        self.unknown(top, _GLOBAL_KEYS, "eidgate")
        base_url = self.typed(top, "base_url", str, "eidgate")
        if not base_url:
            raise self.fail("eidgate.base_url", 'missing; write base_url = '
                                                '"https://app.example.com" (your app\'s origin)')
        base_url = self.url(base_url.rstrip("/"), "eidgate.base_url", "base_url")
        prefix = self.typed(top, "route_prefix", str, "eidgate", "/eidgate")
        if not prefix.startswith("/") or prefix.endswith("/") or "?" in prefix:
            raise self.fail("eidgate.route_prefix",
                            f'must start with "/" and not end with "/", e.g. "/eidgate", not '
                            f"{prefix!r}")
        secrets = list(self.strings(top, "secret_key", "eidgate")) if isinstance(
            top.get("secret_key"), list) else ([self.typed(top, "secret_key", str, "eidgate")]
                                               if "secret_key" in top else [])
        secrets += self.env(top, "secret_key_env", "eidgate")
        if not secrets:
            raise self.fail("eidgate.secret_key_env",
                            'missing; write secret_key_env = "EIDGATE_SECRET" and export a '
                            "random value (python -c 'import secrets; "
                            "print(secrets.token_urlsafe(32))')")
        for s in secrets:
            if len(s) < 16:
                raise self.fail("eidgate.secret_key", "too short: use at least 16 random "
                                                      "characters (32 recommended)")
        max_age = self.typed(top, "session_max_age", int, "eidgate", 8 * 3600)
        skew = self.typed(top, "clock_skew", int, "eidgate", 60)
        if not 0 <= skew <= MAX_CLOCK_SKEW:
            raise self.fail("eidgate.clock_skew", f"must be 0..{MAX_CLOCK_SKEW} seconds")
        timeout = float(self.typed(top, "http_timeout", (int, float), "eidgate", 10.0))
        login_timeout = self.typed(top, "login_timeout", int, "eidgate", 600)
        for key, value in (("session_max_age", max_age), ("http_timeout", timeout),
                           ("login_timeout", login_timeout)):
            # NaN and infinity are TOML floats too: either leaves an outbound call unbounded
            if not 0 < value < math.inf:
                raise self.fail(f"eidgate.{key}", "must be a positive, finite number")

        tables = data.get("providers")
        if not isinstance(tables, dict) or not tables:
            raise self.fail("providers", "no providers; add a [providers.<name>] table with "
                                         "issuer and client_id")
        providers = {name: self.provider(name, table, timeout) for name, table in tables.items()}
        default = self.typed(top, "default_provider", str, "eidgate") or next(iter(providers))
        if default not in providers:
            raise self.fail("eidgate.default_provider", f"{default!r} is not a provider; "
                                                        f"choose one of {', '.join(providers)}")
        evidence = self.typed(top, "evidence_dir", str, "eidgate")
        languages = self.strings(top, "languages", "eidgate") or None
        for tag in languages or ():
            if tag.lower() not in TRANSLATIONS and tag.lower() not in ALIASES:
                raise self.fail("eidgate.languages",
                                f"no built-in pages in {tag!r}; choose from "
                                f"{', '.join(sorted(TRANSLATIONS))}; for another language "
                                "pass languages= and strings={tag: {...}} in code")
        return Config(base_url=base_url, secret_keys=tuple(secrets), providers=providers,
                      default_provider=default, route_prefix=prefix, session_max_age=max_age,
                      clock_skew=skew, http_timeout=timeout, login_timeout=login_timeout,
                      source=self.file,
                      evidence_dir=self.base / evidence if evidence else None,
                      languages=languages, session=self.session(top, max_age))

    def labels(self, table: Mapping[str, Any], where: str, name: str
               ) -> tuple[str, dict[str, str]]:
        """``label``: one text, or one per page language (``{en = "...", fi = "..."}``,
        the first also for languages without their own)."""
        value = table.get("label", name)
        if isinstance(value, str):
            return value, {}
        if isinstance(value, dict) and value and all(
                isinstance(k, str) and LANGUAGE_TAG.fullmatch(k) and isinstance(v, str)
                and v for k, v in value.items()):
            labels = {k.lower(): v for k, v in value.items()}
            return next(iter(labels.values())), labels
        raise self.fail(f"{where}.label", 'must be a text, or a table of texts per language: '
                                          'label = {en = "Finnish bank ID", fi = '
                                          '"Pankkitunnistus"}')

    def profile(self, table: Mapping[str, Any], where: str) -> str:
        value: str = self.typed(table, "profile", str, where, "auto")
        if value not in _profile_names():
            raise self.fail(f"{where}.profile", f"unknown claim profile {value!r}; write one "
                                                f"of {', '.join(_profile_names())}")
        return value

    def provider(self, name: str, table: Any, timeout: float) -> ProviderConfig:
        where = f"providers.{name}"
        if not isinstance(table, dict):
            raise self.fail(where, f"must be a table: [providers.{name}]")
        self.unknown(table, _PROVIDER_KEYS, where)
        issuer = self.typed(table, "issuer", str, where)
        if not issuer:
            raise self.fail(f"{where}.issuer", 'missing; write issuer = "https://..." '
                                               "(the provider's issuer identifier, exactly)")
        self.url(issuer, f"{where}.issuer", "issuer")
        client_id = self.typed(table, "client_id", str, where)
        if not client_id:
            raise self.fail(f"{where}.client_id", "missing; write the client id the provider "
                                                  "gave you")
        secret = self.typed(table, "client_secret", str, where)
        env_secrets = self.env(table, "client_secret_env", where)
        if secret and env_secrets:
            raise self.fail(f"{where}.client_secret", "set client_secret OR client_secret_env")
        secret = secret or (env_secrets[0] if env_secrets else None)
        auth = self.typed(table, "client_auth", str, where, "client_secret_basic")
        if auth not in CLIENT_AUTH_METHODS:
            raise self.fail(f"{where}.client_auth",
                            f"{auth!r} is not supported; use one of "
                            f"{', '.join(CLIENT_AUTH_METHODS)}")
        if auth.startswith("client_secret") and not secret:
            raise self.fail(f"{where}.client_secret_env",
                            f"client_auth = {auth!r} needs a secret; write client_secret_env = "
                            '"MY_SECRET_VAR", or use client_auth = "private_key_jwt"')
        scopes = self.strings(table, "scopes", where, ("openid", "profile"))
        if "openid" not in scopes:  # OIDC Core 3.1.2.1: scope MUST contain openid
            scopes = ("openid", *scopes)
        signing = None
        if (path := self.typed(table, "signing_key", str, where)) is not None:
            signing = load_keys(self.base / path, "sig", file=self.file,
                                key=f"{where}.signing_key")[0]
        decryption: list[RPKey] = []
        for path in self.strings(table, "decryption_keys", where, split=False):
            decryption += load_keys(self.base / path, "enc", file=self.file,
                                    key=f"{where}.decryption_keys")
        use_par = self.typed(table, "use_par", bool, where, False)
        request_object = self.typed(table, "request_object", bool, where, False)
        if (auth == "private_key_jwt" or request_object) and signing is None:
            need = "client_auth = \"private_key_jwt\"" if auth == "private_key_jwt" else \
                "request_object = true"
            raise self.fail(f"{where}.signing_key", f"{need} needs a signing key; write "
                                                    'signing_key = "keys/signing.jwk.json"')
        algs = self.strings(table, "id_token_algorithms", where, DEFAULT_ID_TOKEN_ALGORITHMS)
        for alg in algs:
            if alg not in _KNOWN_ALGORITHMS:
                raise self.fail(f"{where}.id_token_algorithms",
                                f"{alg!r} is not allowed ('none' never is); choose from "
                                f"{', '.join(sorted(_KNOWN_ALGORITHMS))}")
            # RFC 7518 3.2: an HMAC key must be at least as long as the hash output.
            if alg.startswith("HS") and len((secret or "").encode()) < int(alg[2:]) // 8:
                raise self.fail(f"{where}.id_token_algorithms",
                                f"{alg} needs a client secret of at least {int(alg[2:]) // 8} "
                                "bytes to verify with (RFC 7518 3.2); prefer RS256")
        label, labels = self.labels(table, where, name)
        provider_timeout = float(self.typed(table, "timeout", (int, float), where, timeout))
        if not 0 < provider_timeout < math.inf:  # not NaN, not inf: every call is bounded
            raise self.fail(f"{where}.timeout", "must be a positive, finite number")
        return ProviderConfig(
            name=name, issuer=issuer, client_id=client_id, client_secret=secret,
            client_auth=auth, scopes=scopes,
            acr_values=self.strings(table, "acr_values", where),
            profile=self.profile(table, where),
            label=label, labels=labels,
            decryption_keys=tuple(decryption), signing_key=signing, use_par=use_par,
            request_object=request_object,
            cancel_patterns=self.strings(table, "cancel_patterns", where,
                                         DEFAULT_CANCEL_PATTERNS, split=False),
            id_token_algorithms=algs,
            userinfo=self.typed(table, "userinfo", bool, where, True),
            trusted_audiences=self.strings(table, "trusted_audiences", where),
            timeout=provider_timeout, keep_claims=self.keep_claims(table, where))

    def keep_claims(self, table: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
        """``keep_claims``: claim names, ``["*"]`` (every claim) or ``[]`` (none)."""
        value = table.get("keep_claims")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}.keep_claims", 'must be a list of claim names, e.g. '
                                                    'keep_claims = ["sub", "acr"], or ["*"] '
                                                    "for every claim, [] for none")
        if "*" in value and len(value) > 1:
            raise self.fail(f"{where}.keep_claims", '"*" keeps every claim: write '
                                                    'keep_claims = ["*"] alone')
        return tuple(dict.fromkeys(value))


def _profile_names() -> tuple[str, ...]:
    return ("auto", *sorted(PROFILES))


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)

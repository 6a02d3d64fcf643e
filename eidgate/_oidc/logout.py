"""OpenID Connect Back-Channel Logout 1.0: the logout token a provider POSTs to the relying
party when a person logs out there, and its checks (section 2.6), sans-IO.

Theory of operation
-------------------
The provider's server (no browser) POSTs ``logout_token=<JWT>`` to the back-channel logout
URI (2.5). :func:`backchannel_logout` reads the form, finds the configured provider by the
token's ``iss`` (several eID buttons may share one issuer: the one whose ``client_id`` the
token names), decrypts a JWE with the keys the ID tokens use (2.6 (1)), verifies the JWS
with the provider's JWKS through :meth:`ProviderState.key_for` (a generator: an unknown
``kid`` may fetch the JWKS) and the ID token algorithm allow-list (2.6 (2), (3)), then checks
the claims (2.6 (4)-(7)) and, last of all, that its ``jti`` is new (2.6 (8)), so that an
invalid token never takes a place in the replay cache. It returns a :class:`LogoutRequest`
naming what to end: every session of ``sid`` at ``issuer``, or, without ``sid``, every
session of ``sub`` there (2.4, 2.7). Ending them is the session store's business.

Every refusal is a :class:`~eidgate.LogoutTokenError` (status 400, 2.8). A provider that
cannot be reached for its keys raises its usual :class:`~eidgate.ProviderError`: the token
may be fine, the logout failed on this side.
"""

from __future__ import annotations

import heapq
import threading
import time
import weakref
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl

from jwt.utils import base64url_decode

from .._config import ProviderConfig
from .._errors import InvalidTokenError, LogoutTokenError, shown
from .._json import parse_json
from .http import HttpRequest, HttpResponse
from .jose import decrypt, is_jwe, protected_header, verify
from .metadata import PublicKey
from .tokens import _number, check_audience, check_subject

if TYPE_CHECKING:
    from .flow import RelyingParty

#: Back-Channel Logout 1.0, 2.4: the member of ``events`` that makes a JWT a logout token.
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: The oldest logout token accepted, by its ``iat`` (seconds; clock skew comes on top).
#: OIDC Core 3.1.3.7 (10): the acceptable range of ``iat`` is the client's to choose, to
#: bound how long a ``jti`` must be remembered; section 4 asks providers for lifetimes of at
#: most two minutes, and a provider may take a while to deliver (queues, retries).
MAX_TOKEN_AGE = 600
_MAX_TOKEN = 32 * 1024  # a signed-then-encrypted logout token is a few KB
_MAX_ID = 1024  # sid and jti: opaque strings, bounded so the replay cache stays bounded
_TYPS = frozenset({"logout+jwt", "jwt"})
WHAT = "logout token"


@dataclass(frozen=True, slots=True)
class LogoutRequest:
    """A valid back-channel logout: end the sessions of ``sid`` (or, without ``sid``, every
    session of ``sub``) that ``issuer`` logged in. ``provider`` is the configured provider
    the token was checked against. ``sub`` and ``sid`` stay out of ``repr()`` (a stray log
    line must not tie a person to a session).
    """

    issuer: str
    provider: str
    sub: str | None = field(repr=False)
    sid: str | None = field(repr=False)
    jti: str


@runtime_checkable
class ReplayCache(Protocol):
    """Remembers the logout tokens already used (Back-Channel Logout 1.0, 2.6 (8)).

    :meth:`first_use` records ``jti`` of ``issuer`` for ``ttl`` seconds and says whether it
    was new, atomically: of two requests racing with one token, exactly one gets True. A
    store shared by every instance of the app (Redis) stops a replay at any of them; the
    default, :class:`MemoryReplayCache`, only within one process.
    """

    def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
        """True the first time ``(issuer, jti)`` is seen within ``ttl`` seconds."""
        ...


class MemoryReplayCache:
    """The default :class:`ReplayCache`: in memory, one process, bounded and expiring.

    Entries expire after their ``ttl``; past ``max_entries`` the ones closest to expiring
    go first. Only the provider can sign a logout token, so no one else can fill it.
    """

    def __init__(self, max_entries: int = 10_000, *,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.now = now
        self._until: dict[tuple[str, str], float] = {}
        self._queue: list[tuple[float, tuple[str, str]]] = []  # (until, key), a heap
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._until)

    def _drop_first(self) -> None:
        # the heap and the dict hold the same keys: a key leaves both at once, and comes
        # back (first_use) only after it left
        del self._until[heapq.heappop(self._queue)[1]]

    def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
        """True the first time ``(issuer, jti)`` is seen within ``ttl`` seconds."""
        key, now = (issuer, jti), self.now()
        with self._lock:
            while self._queue and self._queue[0][0] <= now:
                self._drop_first()
            if key in self._until:
                return False
            until = now + max(ttl, 0.0)
            self._until[key] = until
            heapq.heappush(self._queue, (until, key))
            while len(self._until) > self.max_entries:
                self._drop_first()
            return True


# one default cache per relying party (a gate's store may bring a shared one instead)
_DEFAULT_CACHES: weakref.WeakKeyDictionary[RelyingParty, MemoryReplayCache] = \
    weakref.WeakKeyDictionary()
_DEFAULT_LOCK = threading.Lock()


def default_replay_cache(rp: RelyingParty) -> MemoryReplayCache:
    """The in-memory replay cache of ``rp`` (created on first use)."""
    with _DEFAULT_LOCK:
        cache = _DEFAULT_CACHES.get(rp)
        if cache is None:
            cache = _DEFAULT_CACHES[rp] = MemoryReplayCache()
        return cache


def logout_token_from_form(body: bytes | str) -> str:
    """The ``logout_token`` of a back-channel logout request body (2.5: a form,
    ``application/x-www-form-urlencoded``, the token its one ``logout_token`` parameter)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=16, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise LogoutTokenError("back-channel logout request is not a form "
                               "(application/x-www-form-urlencoded)") from exc
    tokens = [value for name, value in pairs if name == "logout_token"]
    # 2.5: one logout_token; two would leave the choice of which to act on to us
    if len(tokens) != 1 or not tokens[0]:
        raise LogoutTokenError("back-channel logout request must carry exactly one "
                               "logout_token")
    token = tokens[0].strip()
    if len(token) > _MAX_TOKEN or not token.isascii():
        raise LogoutTokenError("logout_token is not a compact JWT")
    return token


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, NOT verified: only to find the provider whose keys
    then verify it (and whose issuer its ``iss`` must equal exactly)."""
    parts = token.split(".")
    try:
        claims = parse_json(base64url_decode(parts[1])) if len(parts) == 3 else None
    except (ValueError, UnicodeError):
        claims = None
    if not isinstance(claims, dict):
        raise LogoutTokenError("logout token is not a signed JWT (compact JWS)")
    return claims


def _providers(rp: RelyingParty, provider_or_issuer: str | None) -> list[ProviderConfig]:
    providers = list(rp.config.providers.values())
    if provider_or_issuer is None:
        return providers
    chosen = [p for p in providers if provider_or_issuer in (p.name, p.issuer)]
    if not chosen:
        raise LogoutTokenError(f"no configured provider or issuer {shown(provider_or_issuer)}")
    return chosen


def _decrypted(token: str, candidates: list[ProviderConfig]) -> str:
    """2.6 (1): decrypt with the keys the ID tokens are encrypted to; a nested JWS."""
    failure: InvalidTokenError | None = None
    tried: set[int] = set()
    for conf in candidates:
        if not conf.decryption_keys or id(conf.decryption_keys) in tried:
            continue
        tried.add(id(conf.decryption_keys))
        try:
            plaintext = decrypt(token, conf.decryption_keys, WHAT).strip()
            break
        except InvalidTokenError as exc:
            failure = exc
    else:
        raise LogoutTokenError("logout token is encrypted to a key of no configured "
                               "provider") from failure
    try:
        inner = plaintext.decode("ascii")
    except UnicodeDecodeError as exc:
        raise LogoutTokenError("logout token: decrypted content is not a JWS") from exc
    # 2.4: a logout token MUST be signed (and MAY then be encrypted); JSON claims that are
    # only encrypted, or anything else, are not one
    if inner.startswith("{") or inner.count(".") != 2:
        raise LogoutTokenError("logout token is encrypted but not signed")
    return inner


def _pick(candidates: list[ProviderConfig], claims: Mapping[str, Any]) -> ProviderConfig:
    iss = claims.get("iss")
    # 2.6 (4) / OIDC Core 3.1.3.7 (2): iss MUST exactly match a configured issuer
    matching = [p for p in candidates if p.issuer == iss]
    if not matching:
        raise LogoutTokenError("logout token was issued by no configured provider")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    # several eID buttons on one issuer: the one whose client the token names (a token for
    # none of them fails the audience check of the first)
    return next((p for p in matching if p.client_id in audiences), matching[0])


def _string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise LogoutTokenError(f"logout token {name!r} is not a non-empty string")
    return value


def check_logout_claims(claims: Mapping[str, Any], provider: ProviderConfig, *, now: float,
                        leeway: int) -> tuple[str | None, str | None, str, float]:
    """The claim checks of Back-Channel Logout 1.0, 2.6 (4)-(7) after the signature.

    Returns ``sub``, ``sid``, ``jti`` and how long the token stays acceptable (seconds):
    the time its ``jti`` must be remembered.
    """
    # 2.6 (4) / OIDC Core 3.1.3.7 (2): iss exactly the provider's issuer
    if claims.get("iss") != provider.issuer:
        raise LogoutTokenError("logout token was issued by another issuer")
    # 2.6 (4) / OIDC Core 3.1.3.7 (3)-(5): our client_id among aud; extra audiences only
    # trusted ones, and then azp, which must be us
    check_audience(claims, provider, WHAT)
    # 2.4: iat REQUIRED; 2.6 (4) / OIDC Core 3.1.3.7 (10): not issued in the future, and
    # not too long ago (the client's acceptable range, MAX_TOKEN_AGE)
    iat = _number(claims, "iat", True, WHAT)
    assert iat is not None
    if iat > now + leeway:
        raise LogoutTokenError("logout token was issued in the future (check clocks)")
    if now > iat + MAX_TOKEN_AGE + leeway:
        raise LogoutTokenError(f"logout token was issued more than {MAX_TOKEN_AGE} s ago")
    # 2.6 (4) / OIDC Core 3.1.3.7 (9): exp honoured (REQUIRED since errata set 1, but
    # providers built on the 2022 text omit it: iat then bounds the token's life)
    exp = _number(claims, "exp", False, WHAT)
    if exp is not None and now >= exp + leeway:
        raise LogoutTokenError("logout token has expired")
    # RFC 7519 4.1.5: not before nbf
    nbf = _number(claims, "nbf", False, WHAT)
    if nbf is not None and nbf > now + leeway:
        raise LogoutTokenError("logout token is not valid yet (nbf)")
    # 2.6 (5) / 2.4: a sub Claim, a sid Claim, or both; sub as OIDC Core 2 has it
    sub = check_subject(claims, WHAT) if claims.get("sub") is not None else None
    sid = _string(claims, "sid")
    if sub is None and sid is None:
        raise LogoutTokenError("logout token has neither 'sub' nor 'sid'")
    # 2.6 (6) / 2.4: events, a JSON object with the back-channel logout member, whose value
    # MUST be a JSON object
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise LogoutTokenError("logout token has no back-channel logout event")
    if not isinstance(events[BACKCHANNEL_LOGOUT_EVENT], dict):
        raise LogoutTokenError("logout token's back-channel logout event is not a JSON "
                               "object")
    # 2.6 (7) / 2.4: nonce prohibited, so that a logout token can never pass for an ID
    # token (or an ID token for a logout token)
    if "nonce" in claims:
        raise LogoutTokenError("logout token carries a nonce (an ID token?)")
    # 2.4: jti REQUIRED, the key of 2.6 (8)
    jti = _string(claims, "jti")
    if jti is None:
        raise LogoutTokenError("logout token has no 'jti'")
    until = iat + MAX_TOKEN_AGE if exp is None else min(exp, iat + MAX_TOKEN_AGE)
    return sub, sid, jti, max(until + leeway - now, 1.0)


def validate_logout_token(rp: RelyingParty, token: str, *, provider_or_issuer: str | None = None,
                          replay: ReplayCache | None = None
                          ) -> Generator[HttpRequest, HttpResponse, LogoutRequest]:
    """Check a logout token (Back-Channel Logout 1.0, 2.6); returns the
    :class:`LogoutRequest`. ``replay``: where used ``jti`` values are kept (default: the
    relying party's own :class:`MemoryReplayCache`)."""
    candidates = _providers(rp, provider_or_issuer)
    try:
        if is_jwe(token):
            token = _decrypted(token, candidates)
        conf = _pick(candidates, _unverified_claims(token))
        header = protected_header(token, WHAT)
        typ = header.get("typ")
        # 4.1 / RFC 8725 3.11: a logout token SHOULD be typed logout+jwt (the "application/"
        # prefix may be left out, RFC 7515 4.1.9; media types ignore case). "JWT" (RFC 7519
        # 5.1) says only "a JWT", as an untyped one: some providers send it. Any other type
        # (an access token, a request object, a SET of another kind) is not a logout token.
        if typ is not None and (not isinstance(typ, str) or typ.lower().removeprefix(
                "application/") not in _TYPS):
            raise LogoutTokenError(f"logout token has typ {shown(typ)}, not logout+jwt")
        alg = header.get("alg")
        # 2.6 (3): alg validated as for ID tokens (OIDC Core 3.1.3.7 (6)-(8)): the
        # configured allow-list; none MUST NOT be used (it is never on the list)
        if not isinstance(alg, str) or alg == "none" or alg not in conf.id_token_algorithms:
            raise LogoutTokenError(f"logout token: signature algorithm {shown(alg)} is not "
                                   "allowed")
        now = rp.now()
        # 2.6 (2): the signature checked as an ID token's: the provider's key for alg and
        # kid (HS* only when configured, with the client secret, OIDC Core 10.1)
        if alg.startswith("HS"):
            key: str | PublicKey | None = conf.client_secret
        else:
            kid = header.get("kid")
            key = yield from rp.providers[conf.name].key_for(
                alg, kid if isinstance(kid, str) else None, now)
        claims = verify(token, key, alg, WHAT)
        sub, sid, jti, ttl = check_logout_claims(claims, conf, now=now,
                                                 leeway=rp.config.clock_skew)
    except LogoutTokenError:
        raise
    except InvalidTokenError as exc:  # a JOSE or claim check of the shared helpers
        raise LogoutTokenError(exc.description) from exc
    # 2.6 (8): a jti seen before within the token's lifetime is a replay (checked last: an
    # invalid token must not use up the jti of a valid one)
    cache = replay if replay is not None else default_replay_cache(rp)
    if not cache.first_use(conf.issuer, jti, ttl):
        raise LogoutTokenError("logout token was already used (jti replayed)")
    return LogoutRequest(conf.issuer, conf.name, sub, sid, jti)


def backchannel_logout(rp: RelyingParty, provider_or_issuer: str | None, body: bytes | str, *,
                       replay: ReplayCache | None = None
                       ) -> Generator[HttpRequest, HttpResponse, LogoutRequest]:
    """:meth:`RelyingParty.backchannel_logout`: the request body (2.5) to a checked
    :class:`LogoutRequest` (2.6)."""
    token = logout_token_from_form(body)
    return (yield from validate_logout_token(rp, token, provider_or_issuer=provider_or_issuer,
                                             replay=replay))

"""Login sessions in cookies: encrypted identity, signed pending logins.

The session cookie holds the normalised identity (never tokens; raw claims only those the
gate keeps, ``keep_claims``, none by default),
encrypted and authenticated with AES-256-GCM. The key is derived with HKDF-SHA256 from each
configured secret; the first secret encrypts, all decrypt (key rotation). A tampered,
expired, or undecryptable cookie reads as "logged out", never as an error.

Each pending login gets its own short-lived cookie, signed with itsdangerous (it holds the
state, nonce and PKCE verifier, which the browser must not be able to change).
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadData, URLSafeTimedSerializer

from .._errors import EidGateError, SessionError
from .._identity.model import Identity
from .._oidc.authorize import PendingLogin, PendingLogins

SESSION_COOKIE = "eidgate_session"
PENDING_PREFIX = "eidgate_login_"
# RFC 6265bis 4.1.3.2: a browser takes a "__Host-" cookie only with Secure, Path=/ and no
# Domain, so a sibling subdomain or a plain-http page cannot set one (cookie tossing: its
# own session, or its own pending login for a login CSRF)
HOST_PREFIX = "__Host-"
#: the session field holding the app's own data (what ``on_login`` returned)
APP_DATA = "app"
MAX_COOKIE_BYTES = 4000  # browsers drop cookies over 4096 bytes including name and attributes
_VERSION = b"\x01"
_AAD = b"eidgate session v1"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


# the session cookie whose store read failed in this request's context (thread or task):
# the identity reads as None, and guard() turns a refused request with it into a 503
STORE_FAILED: ContextVar[str | None] = ContextVar("eidgate_store_failed", default=None)

Found = tuple[Identity, dict[str, Any]] | None
EMPTY: Mapping[str, Any] = MappingProxyType({})
NO_SESSION: tuple[None, Mapping[str, Any]] = (None, EMPTY)


def app_data(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    # read-only: the store caches one decoded session for all its requests (a change here
    # would show in this process only, and never reach the store)
    data = fields.get(APP_DATA)
    return MappingProxyType(data) if data else EMPTY


async def in_thread(load: Callable[[str | None], Found], value: str | None) -> Found:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(load, value)


class SessionStore(Protocol):
    """Where login sessions live (``sessions=``). The cookie holds what :meth:`save` returns.

    :class:`CookieSessions` (the default) keeps the whole session, encrypted, in the cookie;
    a server-side store (e.g. Redis) returns an opaque id instead. :meth:`load` is on every
    protected request's path: keep it fast (cache), and never raise for a bad value (a
    tampered or unknown cookie reads as logged out). :meth:`save` raises
    :class:`~eidgate.web.SessionError` when it cannot keep a session.
    """

    def save(self, identity: Identity, **fields: Any) -> str:
        """Store a new session; returns the cookie value."""

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """The session for a cookie value, or None (absent, unknown, expired, tampered)."""

    def delete(self, value: str | None) -> None:
        """End the session (logout)."""

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        """End, on every instance, the sessions ``issuer`` logged in: with ``sid``, those of
        that provider session (and of subject ``sub`` only, when given too); with ``sub``
        alone, every session of the subject. Returns how many were ended (0: none left,
        which is a success: OpenID Connect Back-Channel Logout 1.0 2.7).

        Sessions must keep the ID token's ``sid`` (:meth:`save` gets it as ``sid=``) and the
        issuer (``identity.issuer``) to be found. Raise :class:`~eidgate.web.SessionError`
        when the store cannot end sessions (the cookie store) or failed to: the gate then
        answers the provider's back-channel logout with 400 (2.8: "the logout failed").
        A store that also has ``first_use`` (a :class:`~eidgate.ReplayCache`) keeps the
        used logout tokens for every instance, too.
        """


@dataclass(frozen=True)
class SessionInfo:
    """One live session of a subject, as :meth:`RevocableStore.sessions_of` lists it.

    ``handle`` names the session to :meth:`RevocableStore.end_session` only: it is not the
    cookie value and does not log anyone in (show it to the person, e.g. behind an "end
    this session" button; it is worth no more than that button). ``provider`` is the
    provider's name in the config (None if the identity had none); times are Unix
    seconds: ``created_at`` the login, ``last_seen`` the last recorded request (coarse: see
    the store), ``expires_at`` when the session ends without another request; ``sid`` the
    provider's session id, when its ID token had one. Nothing else about the person: the
    caller already knows the issuer and the subject it asked for.
    """

    handle: str
    provider: str | None
    created_at: float
    last_seen: float
    expires_at: float
    sid: str | None = None


@runtime_checkable
class RevocableStore(SessionStore, Protocol):
    """The optional server-side capabilities of a :class:`SessionStore`: list a subject's
    sessions and end one of them (besides :meth:`SessionStore.end`: every session of a
    subject or of a provider session). :class:`~eidgate.web.RedisSessions` has them.

    ``isinstance(store, RevocableStore)`` tells only that the methods exist (a custom
    :class:`SessionStore` need not have them). :class:`CookieSessions` has them only to
    raise :class:`~eidgate.web.SessionError` (``error="sessions_not_revocable"``): a
    session in a cookie cannot be listed or ended from the server, so call them and handle
    that error rather than relying on the check alone.
    """

    def sessions_of(self, issuer: str, sub: str) -> list[SessionInfo]:
        """The live sessions of subject ``sub`` at ``issuer``, oldest first."""

    def end_session(self, handle: str) -> bool:
        """End the session :attr:`SessionInfo.handle` names, on every instance; True if
        it was still live, False if it had ended already (or the handle is not one)."""


def _derive(secret: str) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eidgate session key")
    return AESGCM(hkdf.derive(secret.encode("utf-8")))


def _not_revocable() -> SessionError:
    # one message for every server-side ending the cookie store cannot do
    return SessionError("the cookie session store cannot list or end sessions on the "
                        "server (revocation, back-channel logout): the browser keeps its "
                        "cookie until it expires; use the Redis store, "
                        "[eidgate.session] store = \"redis\"",
                        error="sessions_not_revocable")


class CookieSessions:
    """The default :class:`SessionStore`: the session itself, encrypted, in the cookie."""

    def __init__(self, secrets: Iterable[str], max_age: int, *,
                 now: Callable[[], float] = time.time) -> None:
        self._keys = [_derive(s) for s in secrets]
        self.max_age = max_age
        self.now = now
        # cookie value -> (expiry, what load() returns): that pair is built once a session
        self._cache: dict[str, tuple[float, tuple[Identity, dict[str, Any]]]] = {}

    def save(self, identity: Identity, **extra: Any) -> str:
        """The cookie value for ``identity`` (plus ``extra`` session fields, e.g. ``sid``)."""
        issued = int(self.now())
        # the normalised fields, and the raw claims the gate kept (keep_claims: none by
        # default in a cookie, docs/identity.md)
        data = identity.to_store_dict()
        if not data["claims"]:
            del data["claims"]
        payload = {"v": 1, "iat": issued, "exp": issued + self.max_age, "id": data, **extra}
        nonce = os.urandom(12)  # 96-bit random nonce (NIST SP 800-38D 8.2.2)
        sealed = self._keys[0].encrypt(nonce, json.dumps(
            payload, separators=(",", ":"), ensure_ascii=False).encode(), _AAD)
        value = base64.urlsafe_b64encode(_VERSION + nonce + sealed).rstrip(b"=").decode()
        if len(value) > MAX_COOKIE_BYTES - 200:
            raise SessionError(f"the session cookie would be {len(value)} bytes; browsers "
                               f"drop cookies over 4 KB: keep fewer claims (keep_claims) "
                               f"or use a server-side store ([eidgate.session])",
                               error="session_too_large")
        return value

    def delete(self, value: str | None) -> None:
        """Nothing to do server-side: logout drops the cookie (and the decode cache)."""
        if value:
            self._cache.pop(value, None)

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        """Always raises :class:`SessionError`: a session in a cookie cannot be ended from
        the server. The browser holds it, valid until it expires (``session_max_age``),
        whatever the provider says; a back-channel logout is answered 400 ("the logout
        failed", OpenID Connect Back-Channel Logout 1.0 2.8) rather than a 200 that would
        tell the provider the person is logged out here. Use a server-side store (Redis)."""
        raise _not_revocable()

    def sessions_of(self, issuer: str, sub: str) -> list[SessionInfo]:
        """Always raises :class:`SessionError` (``sessions_not_revocable``): the sessions
        are in the browsers' cookies, the server keeps no list of them."""
        raise _not_revocable()

    def end_session(self, handle: str) -> bool:
        """Always raises :class:`SessionError` (``sessions_not_revocable``), as :meth:`end`."""
        raise _not_revocable()

    def identity(self, value: str | None) -> Identity | None:
        """The identity of :meth:`load`, or None: the hot path (one cache look-up)."""
        cached = self._cache.get(value)  # type: ignore[arg-type]  # None is never a key
        if cached is not None:
            return cached[1][0] if cached[0] > self.now() else None
        found = self.load(value)
        return found[0] if found is not None else None

    def identity_until(self, value: str | None) -> tuple[Identity | None, float]:
        """The identity of :meth:`load` (or None) and until when that answer holds: the
        session's end; for no, a bad or an expired cookie, forever (a cookie's contents
        never change, and nothing the server does ends it early)."""
        found = self.load(value)
        if found is None:
            return None, math.inf
        return found[0], self._cache[value][0] if value in self._cache else 0.0

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """The identity and session fields, or None (absent, tampered, expired, old key)."""
        if not value or len(value) > MAX_COOKIE_BYTES:
            return None
        now = self.now()
        cached = self._cache.get(value)
        if cached is not None:  # the hot path: the same cookie on every request
            return cached[1] if cached[0] > now else None
        # RFC 4648 5, unpadded as save() writes it: one spelling per session (the decoder
        # alone would skip stray characters and take "+/" for "-_")
        if not _BASE64URL.fullmatch(value):
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError:
            return None
        if raw[:1] != _VERSION or len(raw) < 29:
            return None
        for key in self._keys:
            try:
                plain = key.decrypt(raw[1:13], raw[13:], _AAD)
                break
            except InvalidTag:
                continue
        else:
            return None
        try:
            payload = json.loads(plain)
            identity = Identity.from_store_dict(payload["id"])
            # OWASP Session Management, absolute timeout: the max_age configured now
            # also bounds sessions issued under a longer one
            expires = min(float(payload["exp"]), float(payload["iat"]) + self.max_age)
        except (ValueError, KeyError, TypeError, RecursionError):  # a payload nested too deep
            return None
        if expires <= now:
            return None
        fields = {k: v for k, v in payload.items() if k not in ("id", "v", "iat", "exp")}
        if len(self._cache) > 1024:
            self._cache.clear()
        found = identity, fields
        self._cache[value] = (expires, found)
        return found


class PendingCodec:
    """Signed, short-lived cookies for pending logins, one cookie per login."""

    def __init__(self, secrets: Iterable[str], max_age: int, *, limit: int = 5,
                 prefix: str = PENDING_PREFIX) -> None:
        self._serializer = URLSafeTimedSerializer(list(reversed(list(secrets))),
                                                  salt="eidgate.pending")
        self.max_age = max_age
        self.limit = limit
        self.prefix = prefix

    def cookie_name(self, login: PendingLogin) -> str:
        return self.prefix + login.state[:16]

    def encode(self, login: PendingLogin) -> str:
        return str(self._serializer.dumps(login.to_dict()))

    def collect(self, cookies: Mapping[str, str]) -> PendingLogins:
        """Every valid pending login among the request's cookies."""
        found = []
        for name, value in cookies.items():
            if not name.startswith(self.prefix) or len(value) > MAX_COOKIE_BYTES:
                continue
            try:
                data = self._serializer.loads(value, max_age=self.max_age)
                found.append(PendingLogin.from_dict(data))
            except (BadData, EidGateError):
                continue  # tampered or expired: as if it were not there
        return PendingLogins(found, limit=max(self.limit, len(found)))

    def overflow(self, cookies: Mapping[str, str], adding: int = 1) -> list[str]:
        """Names of the oldest pending-login cookies to drop to stay within the limit."""
        pending = sorted(self.collect(cookies), key=lambda p: p.created_at)
        excess = len(pending) + adding - self.limit
        return [self.cookie_name(p) for p in pending[:max(excess, 0)]]

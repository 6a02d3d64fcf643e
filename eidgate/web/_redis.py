"""Login sessions in Redis: an opaque signed id in the cookie, the session encrypted in Redis.

Theory of operation
-------------------
* **The cookie** holds ``base64url(id) "." base64url(tag)``: a random 256-bit id and a
  128-bit HMAC-SHA256 tag over it, keyed with a key derived (HKDF) from the first secret.
  Every configured secret verifies (rotation); an id signed with a removed secret, a
  tampered tag or a forged id reads as logged out without a Redis round trip.
* **Redis keys** are ``{prefix}s:`` + HMAC(lookup key, id), the lookup key derived from the
  secret that signed the cookie: a stolen key list (``KEYS *``, a replica, a dump) is not a
  set of cookies, and a Redis without the app's secret cannot map a cookie to its key.
* **The value** (a hash: ``v`` the sealed session, ``seen`` the coarse last-seen time,
  ``exp`` the absolute end) is AES-256-GCM sealed with a key derived from the first secret,
  the Redis key as associated data (a value copied under another key does not open); every
  secret opens (rotation). It holds the identity with every verified claim
  (:meth:`Identity.to_store_dict`). The key expires with the session (absolute
  ``session_max_age``, or ``idle_timeout`` after the last touch).
* **Indexes**: sets ``{prefix}sid:`` + HMAC(issuer, sid) and ``{prefix}sub:`` +
  HMAC(issuer, sub) (keyed: a subject may be a national id, which an unkeyed hash would
  give away to a dictionary) list the session keys, for :meth:`RedisSessions.end`; used
  logout tokens are ``{prefix}jti:`` + HMAC(issuer, jti) (:meth:`RedisSessions.first_use`).
* **Idle expiry without a write per request**: a session's ``seen`` is rewritten (and its
  TTL slid) only when a request finds it older than ``idle_timeout / 10``; a session thus
  ends between 90 % and 100 % of ``idle_timeout`` after its last request, never later.
* **Fast reads**: each process keeps the decoded sessions it served in memory and serves
  them without Redis while its invalidation listener is live: a thread subscribed to
  ``{prefix}ended`` (pub/sub), where :meth:`delete`, :meth:`end` and idle expiry publish
  the ended keys, and which pings Redis every 0.25 s. The cache is used only while the
  listener heard from Redis within the last second; on a new subscription it starts empty
  (messages may have been lost in between). A read that races an invalidation is not kept
  (a generation counter). So an ended session is refused by every instance within a
  second, and a partitioned instance falls back to Redis (and its timeout: a 503).
* **Failures**: every call is bounded (0.5 s connect, 0.5 s read, one retry on a dropped
  connection only); any Redis error is a :class:`SessionStoreUnavailable` (503), never a
  redis-py exception.

* **Sync and async**: each operation is written once, as a generator yielding the
  :class:`Batch` of Redis commands it needs (sans-IO, like the protocol core); the sync
  methods run it with redis-py's client, the ``a``-named ones (``aload``, ``asave``, ...)
  with its asyncio client, which the gate awaits under an async adapter: a cache miss
  never blocks the event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from cryptography.exceptions import InvalidTag

from .._config import Config
from .._errors import ConfigError
from .._identity.model import Identity
from ._redis_cache import _CACHE_LIMIT, Invalidated, _Entry, _Fetch
from ._redis_io import Steps
from ._redis_keys import (
    _COOKIE_LENGTH,
    _HANDLE_LENGTH,
    _ID_BYTES,
    _LOAD,
    _TAG_BYTES,
    _TOUCH_SHARE,
    _VERSION,
    Batch,
    Command,
    _b64,
    _Secret,
    _unb64,
    connect,
    connect_async,
)
from ._redis_tokens import TokenOps
from ._sessions import SessionInfo

if TYPE_CHECKING:
    import redis
    import redis.asyncio

log = logging.getLogger("eidgate")


class RedisSessions(TokenOps, Invalidated):
    """A :class:`~eidgate.web.SessionStore` in Redis (``[eidgate.session] store = "redis"``).

    ``client``: a redis-py ``redis.Redis`` (see :func:`RedisSessions.from_config`);
    ``secrets``: the app's secret keys, first signs and seals, all verify and open;
    ``max_age``: the absolute lifetime; ``idle_timeout``: seconds without a request after
    which a session ends (None: none); ``key_prefix``: the start of every key. Every Redis
    failure raises :class:`~eidgate.web.SessionStoreUnavailable` (503).
    """

    def __init__(self, client: redis.Redis, secrets: Iterable[str], max_age: int, *,
                 idle_timeout: int | None = None, key_prefix: str = "eidgate:",
                 now: Callable[[], float] = time.time, cache: bool = True,
                 aconnect: Callable[[], redis.asyncio.Redis] | None = None) -> None:
        self._init_io(client, aconnect)
        self._secrets = [_Secret(s) for s in secrets]
        if not self._secrets:
            raise ValueError("RedisSessions needs at least one secret")
        self.max_age = max_age
        self.idle_timeout = idle_timeout
        self.prefix = key_prefix
        self.channel = key_prefix + "ended"
        self.now = now
        self._touch_after = (idle_timeout or 0) / _TOUCH_SHARE
        self._use_cache = cache
        self._init_cache()

    @classmethod
    def from_config(cls, config: Config, *, now: Callable[[], float] = time.time
                    ) -> RedisSessions:
        """The store ``[eidgate.session]`` describes (redis-py is imported here, lazily)."""
        session = config.session
        if session.url is None:
            raise ConfigError('store = "redis" needs url or url_env', file=config.source,
                              key="eidgate.session.url_env")
        url = session.url
        return cls(connect(url), config.secret_keys, config.session_max_age,
                   idle_timeout=session.idle_timeout, key_prefix=session.key_prefix,
                   now=now, aconnect=lambda: connect_async(url))

    # -- ids and keys ------------------------------------------------------------------
    def _key(self, secret: _Secret, sid: bytes) -> str:
        return self.prefix + "s:" + _b64(hmac.new(secret.lookup, sid, hashlib.sha256).digest())

    def _index(self, secret: _Secret, kind: str, issuer: str, value: str) -> str:
        # length-prefixed, so ("a", "bc") and ("ab", "c") never share a set
        data = f"{len(issuer)}:{issuer}{value}".encode()
        return self.prefix + kind + ":" + _b64(
            hmac.new(secret.index, data, hashlib.sha256).digest())

    def _verify(self, value: str | None) -> str | None:
        """The Redis key of a well-formed cookie signed with one of the secrets, else None."""
        if not value or len(value) != _COOKIE_LENGTH or value[43] != ".":
            return None
        try:
            sid, tag = _unb64(value[:43]), _unb64(value[44:])
        except ValueError:
            return None
        if _b64(sid) != value[:43] or _b64(tag) != value[44:]:
            return None  # one spelling per session (the decoder skips stray characters)
        for secret in self._secrets:
            expected = hmac.new(secret.sign, sid, hashlib.sha256).digest()[:_TAG_BYTES]
            if hmac.compare_digest(expected, tag):
                return self._key(secret, sid)
        return None

    # -- the store ---------------------------------------------------------------------
    def save(self, identity: Identity, **fields: Any) -> str:
        """Store a new session (``fields``: e.g. ``sid``); returns the cookie value."""
        return self._sync(self._save(identity, fields))

    async def asave(self, identity: Identity, **fields: Any) -> str:
        """:meth:`save` through redis-py's asyncio client."""
        return await self._async(self._save(identity, fields))

    def _save(self, identity: Identity, fields: dict[str, Any]) -> Steps[str]:
        first = self._secrets[0]
        sid = os.urandom(_ID_BYTES)
        value = _b64(sid) + "." + _b64(
            hmac.new(first.sign, sid, hashlib.sha256).digest()[:_TAG_BYTES])
        key = self._key(first, sid)
        issued = int(self.now())
        expires = issued + self.max_age
        payload = {"v": 1, "iat": issued, "exp": expires, "id": identity.to_store_dict(),
                   **fields}
        nonce = os.urandom(12)  # 96-bit random nonce (NIST SP 800-38D 8.2.2)
        sealed = _VERSION + nonce + first.aead.encrypt(nonce, json.dumps(
            payload, separators=(",", ":"), ensure_ascii=False).encode(), key.encode())
        ttl = min(self.idle_timeout or self.max_age, self.max_age)
        indexes = [self._index(first, "sub", identity.issuer or "", identity.subject)]
        if isinstance(fields.get("sid"), str):
            indexes.append(self._index(first, "sid", identity.issuer or "", fields["sid"]))
        # one transaction: a session is stored with its indexes, or not at all
        commands: list[Command] = [
            ("hset", (key,), {"mapping": {"v": sealed, "seen": issued, "exp": expires}}),
            ("expire", (key, ttl), {})]
        for index in indexes:
            commands += [("sadd", (index, key), {}),
                         ("expire", (index, self.max_age), {})]  # outlives its sessions
        yield Batch(commands, transaction=True)
        return value

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """The identity and session fields, or None (absent, tampered, unknown, expired,
        idle too long, signed with a removed secret). Raises
        :class:`SessionStoreUnavailable` when Redis is needed and does not answer."""
        found = self._local(value)
        return self._sync(self._fetch(*found)) if isinstance(found, _Fetch) else found

    async def aload(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """:meth:`load` through redis-py's asyncio client (a cache hit awaits nothing)."""
        found = self._local(value)
        return await self._async(self._fetch(*found)) if isinstance(found, _Fetch) else found

    def cached(self, value: str | None) -> tuple[Identity, dict[str, Any]] | Literal[False]:
        """The session of :meth:`load` when this process's memory holds it (no I/O), else
        False: then only :meth:`aload` can answer (an async adapter's hot path: a cache hit
        costs it no coroutine)."""
        entry = self._cache.get(value) if value else None  # a hit only (see _local)
        if entry is not None and self.now() < entry.fresh and time.monotonic() < self._live_until:
            return entry.found
        return False

    def _local(self, value: str | None) -> tuple[Identity, dict[str, Any]] | _Fetch | None:
        """What :meth:`load` answers without Redis, else what to fetch."""
        entry = self._cache.get(value) if value else None
        now = self.now()
        if entry is not None:
            # the hot path: no Redis while the invalidation listener is live
            if now < entry.fresh and time.monotonic() < self._live_until:
                return entry.found
            if now >= entry.expires:
                self._forget(value)
                return None
        key = self._verify(value)
        if key is None or value is None:
            return None
        return _Fetch(value, key, now, entry)

    def _fetch(self, value: str, key: str, now: float, entry: _Entry | None
               ) -> Steps[tuple[Identity, dict[str, Any]] | None]:
        self._ensure_listener()
        generation = self._generation
        live = time.monotonic() < self._live_until
        found = (yield Batch([("eval", (_LOAD, 1, key, int(now), self.idle_timeout or 0,
                                         int(self._touch_after), self.channel), {})]))[0]
        if not found:
            self._forget(value)
            return None
        sealed = bytes(found[0])
        if entry is None or entry.sealed != sealed:
            entry = self._open(key, sealed)
            if entry is None:
                return None
        entry.slide(float(found[1]), self._touch_after)  # touched: the decoded one stays
        if entry.expires <= now:
            return None
        if self._use_cache and live:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
                self._by_key.clear()
            self._cache[value] = entry
            self._by_key[key] = value
            if self._generation != generation:
                # an invalidation arrived while we read: what we read may be the ended
                # session; the listener may have popped the key before we put it in
                self._forget(value)
        return entry.found

    def _open(self, key: str, sealed: bytes) -> _Entry | None:
        opened = self._describe(key, sealed)
        if opened is None:
            return None
        payload, identity, expires = opened
        fields = {k: v for k, v in payload.items() if k not in ("id", "v", "iat", "exp")}
        return _Entry(key, sealed, expires, (identity, fields))

    def delete(self, value: str | None) -> None:
        """End the session (logout) on every instance."""
        self._sync(self._delete(value))

    async def adelete(self, value: str | None) -> None:
        """:meth:`delete` through redis-py's asyncio client."""
        await self._async(self._delete(value))

    def _delete(self, value: str | None) -> Steps[None]:
        key = self._verify(value)
        if value:
            self._forget(value)
        if key is not None:
            yield from self._end_keys([key])

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        """End sessions on every instance; the number ended. With ``sid``: the sessions of
        that provider session (of subject ``sub`` only, when given too: OpenID Connect
        Back-Channel Logout 1.0 2.6); with ``sub`` alone: every session of the subject
        at ``issuer`` ("log me out everywhere")."""
        return self._sync(self._end(issuer, sid, sub))

    async def aend(self, issuer: str, *, sid: str | None = None, sub: str | None = None
                   ) -> int:
        """:meth:`end` through redis-py's asyncio client."""
        return await self._async(self._end(issuer, sid, sub))

    def _end(self, issuer: str, sid: str | None, sub: str | None) -> Steps[int]:
        if sid is None and sub is None:
            raise ValueError("end() needs sid= or sub=")
        by_sid = [self._index(s, "sid", issuer, sid) for s in self._secrets] if sid else []
        by_sub = [self._index(s, "sub", issuer, sub) for s in self._secrets] if sub else []
        found: list[set[bytes]] = yield Batch(
            [("smembers", (index,), {}) for index in by_sid + by_sub])
        sid_keys = set().union(*found[:len(by_sid)])
        sub_keys = set().union(*found[len(by_sid):])
        keys = (sid_keys & sub_keys if sub else sid_keys) if sid else sub_keys
        return (yield from self._end_keys(sorted(k.decode() for k in keys), by_sid + by_sub))

    def sessions_of(self, issuer: str, sub: str) -> list[SessionInfo]:
        """The live sessions of subject ``sub`` at ``issuer``, oldest first (a
        :class:`~eidgate.web.RevocableStore`). Each :attr:`SessionInfo.handle` is the HMAC
        part of the session's Redis key: :meth:`end_session` maps it back, but it is no
        cookie (the cookie's id cannot be computed from it). Index entries of sessions
        that ended (expired in Redis, past their end by this store's clock, or idle too
        long) are skipped and removed from the index; such a session still in Redis is
        ended as :meth:`load` would end it."""
        return self._sync(self._sessions_of(issuer, sub))

    async def asessions_of(self, issuer: str, sub: str) -> list[SessionInfo]:
        """:meth:`sessions_of` through redis-py's asyncio client."""
        return await self._async(self._sessions_of(issuer, sub))

    def _sessions_of(self, issuer: str, sub: str) -> Steps[list[SessionInfo]]:
        indexes = [self._index(s, "sub", issuer, sub) for s in self._secrets]
        found: list[set[bytes]] = yield Batch([("smembers", (i,), {}) for i in indexes])
        keys = sorted({k.decode() for k in set().union(*found)})
        values: list[list[bytes | None]] = (yield Batch(
            [("hmget", (key, "v", "seen", "exp"), {}) for key in keys])) if keys else []
        now = self.now()
        listed: list[SessionInfo] = []
        stale: list[str] = []
        for key, (sealed, seen_at, _) in zip(keys, values, strict=True):
            if sealed is None:
                stale.append(key)  # gone from Redis: only the index entry is left
                continue
            opened = self._describe(key, bytes(sealed))
            if opened is None:
                continue  # sealed with a removed secret: logged out, left to expire
            payload, identity, expires = opened
            if identity.issuer != issuer or identity.subject != sub:
                continue  # cannot happen through the keyed index; never list another's
            seen = float(seen_at or 0)
            ends = min(expires, seen + self.idle_timeout) if self.idle_timeout else expires
            if ends <= now:
                stale.append(key)
                continue
            sid = payload.get("sid")
            listed.append(SessionInfo(
                handle=key[len(self.prefix) + 2:], provider=identity.provider,
                created_at=float(payload["iat"]), last_seen=seen, expires_at=ends,
                sid=sid if isinstance(sid, str) else None))
        if stale:
            # ended sessions still in Redis are ended on every instance (as load() does
            # for idle expiry); the index forgets them all
            yield from self._end_keys(stale, indexes)
        return sorted(listed, key=lambda info: (info.created_at, info.handle))

    def _describe(self, key: str, sealed: bytes
                  ) -> tuple[dict[str, Any], Identity, float] | None:
        """The payload, identity and end of a sealed session; None if it does not open
        (tampered, or sealed with a removed secret) or does not read."""
        if sealed[:1] != _VERSION or len(sealed) < 29:
            return None
        for secret in self._secrets:
            try:
                plain = secret.aead.decrypt(sealed[1:13], sealed[13:], key.encode())
                break
            except InvalidTag:
                continue
        else:
            return None  # sealed with a removed secret
        try:
            payload = json.loads(plain)
            identity = Identity.from_store_dict(payload["id"])
            # OWASP Session Management, absolute timeout: the max_age configured now also
            # bounds sessions issued under a longer one
            expires = min(float(payload["exp"]), float(payload["iat"]) + self.max_age)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        return payload, identity, expires

    def end_session(self, handle: str) -> bool:
        """End the one session ``handle`` (a :attr:`SessionInfo.handle` from
        :meth:`sessions_of`) names, on every instance (the invalidation :meth:`end`
        publishes); True if it was in Redis, False if it had ended already or ``handle``
        is not a handle. Its index entries are left for :meth:`sessions_of` and
        :meth:`end` to drop (they expire with the sessions they list anyway)."""
        return self._sync(self._end_session(handle))

    async def aend_session(self, handle: str) -> bool:
        """:meth:`end_session` through redis-py's asyncio client."""
        return await self._async(self._end_session(handle))

    def _end_session(self, handle: str) -> Steps[bool]:
        if not isinstance(handle, str) or len(handle) != _HANDLE_LENGTH:
            return False
        try:
            if _b64(_unb64(handle)) != handle:
                return False  # one spelling per handle, as for cookies
        except ValueError:
            return False
        return (yield from self._end_keys([self.prefix + "s:" + handle])) > 0

    def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
        """True the first time ``(issuer, jti)`` is seen within ``ttl`` seconds, on any
        instance (a :class:`~eidgate.ReplayCache` for back-channel logout tokens): one
        atomic ``SET NX PX``, so of two instances racing with one token exactly one wins."""
        return self._sync(self._set_once("jti", issuer, jti, ttl))

    async def afirst_use(self, issuer: str, jti: str, ttl: float) -> bool:
        """:meth:`first_use` through redis-py's asyncio client."""
        return await self._async(self._set_once("jti", issuer, jti, ttl))

    def consume(self, kind: str, value: str, ttl: float) -> bool:
        """True the first time ``value`` of ``kind`` (e.g. a callback's ``"state"``) is
        consumed within ``ttl`` seconds, on any instance: one atomic ``SET NX PX`` on
        ``{prefix}used:`` + HMAC(kind, value), so of two callbacks racing for one state
        exactly one wins, and the record expires after ``ttl`` (a state is never reused
        after that: its pending login has expired too)."""
        return self._sync(self._set_once("used", kind, value, ttl))

    async def aconsume(self, kind: str, value: str, ttl: float) -> bool:
        """:meth:`consume` through redis-py's asyncio client."""
        return await self._async(self._set_once("used", kind, value, ttl))

    def _set_once(self, kind: str, scope: str, value: str, ttl: float) -> Steps[bool]:
        key = self._index(self._secrets[0], kind, scope, value)
        done = yield Batch([("set", (key, b"1"), {"nx": True,
                                                   "px": max(int(ttl * 1000), 1)})])
        return bool(done[0])

    def _end_keys(self, keys: list[str], indexes: Iterable[str] = ()) -> Steps[int]:
        for key in keys:
            value = self._by_key.get(key)
            if value is not None:
                self._forget(value)
        if not keys:
            return 0
        commands: list[Command] = []
        for key in keys:
            commands += [("delete", (key,), {}), ("publish", (self.channel, key), {})]
        commands += [("srem", (index, *keys), {}) for index in indexes]
        results = yield Batch(commands, transaction=True)
        return int(sum(results[0:2 * len(keys):2]))

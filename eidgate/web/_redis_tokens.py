"""A Redis session's tokens (see ``_redis`` and ``web/_tokens``): session fields replaced in
place after a refresh, and a lock per session so that one refresh runs at a time across
instances."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from .._identity.model import Identity
from ._redis_io import Driven, Steps
from ._redis_keys import _VERSION, Batch, _b64, _Secret

# KEYS[1] the session; ARGV: the sealed value read, the new one, the ended channel.
# Compare-and-set: 1 written, 0 the session is gone, -1 it changed since it was read.
# HSET keeps the key's TTL; the publish drops the session from every instance's cache.
_UPDATE = """
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 0 end
if v ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'v', ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
return 1
"""
# KEYS[1] a lock; ARGV[1] its holder's token: deleted only by the request that holds it
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class TokenOps(Driven):
    """The token half of :class:`~eidgate.web.RedisSessions` (a mixin)."""

    if TYPE_CHECKING:
        prefix: str
        channel: str
        _secrets: list[_Secret]

        def _verify(self, value: str | None) -> str | None: ...
        def _forget(self, value: str | None) -> None: ...
        def _describe(self, key: str, sealed: bytes
                      ) -> tuple[dict[str, Any], Identity, float] | None: ...
        def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None: ...
        async def aload(self, value: str | None
                        ) -> tuple[Identity, dict[str, Any]] | None: ...

    def reload(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """:meth:`load` from Redis, never from this process's cache (what another instance
        just wrote, e.g. refreshed tokens)."""
        self._forget(value)
        return self.load(value)

    async def areload(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        """:meth:`reload` through redis-py's asyncio client."""
        self._forget(value)
        return await self.aload(value)

    def update(self, value: str | None, **fields: Any) -> bool:
        """Replace session fields (e.g. ``tokens`` after a refresh) of a live session, on
        every instance: sealed again, its lifetime and indexes kept, written only if the
        session is still the one read (compare-and-set, so a session ended meanwhile is not
        brought back), and other instances' caches dropped (published on the ``ended``
        channel). False if the session has ended."""
        return self._sync(self._update(value, fields))

    async def aupdate(self, value: str | None, **fields: Any) -> bool:
        """:meth:`update` through redis-py's asyncio client."""
        return await self._async(self._update(value, fields))

    def _update(self, value: str | None, fields: dict[str, Any]) -> Steps[bool]:
        key = self._verify(value)
        if key is None or value is None:
            return False
        self._forget(value)
        for _ in range(3):  # another write between the read and the write: read again
            found = (yield Batch([("hget", (key, "v"), {})]))[0]
            opened = None if found is None else self._describe(key, bytes(found))
            if found is None or opened is None:
                return False
            payload = {**opened[0], **fields}
            nonce = os.urandom(12)  # 96-bit random nonce (NIST SP 800-38D 8.2.2)
            sealed = _VERSION + nonce + self._secrets[0].aead.encrypt(nonce, json.dumps(
                payload, separators=(",", ":"), ensure_ascii=False).encode(), key.encode())
            done = (yield Batch([("eval", (_UPDATE, 1, key, bytes(found), sealed,
                                            self.channel), {})]))[0]
            self._forget(value)
            if int(done) >= 0:
                return int(done) == 1
        return False

    def lock(self, value: str | None, name: str, ttl: float) -> str | None:
        """Take the session's lock ``name`` for at most ``ttl`` seconds, across instances
        (one ``SET NX PX``): its token, to :meth:`unlock` it with, or None when another
        request holds it. Raises ValueError for a cookie value that names no session."""
        return self._sync(self._lock(value, name, ttl))

    async def alock(self, value: str | None, name: str, ttl: float) -> str | None:
        """:meth:`lock` through redis-py's asyncio client."""
        return await self._async(self._lock(value, name, ttl))

    def unlock(self, value: str | None, name: str, token: str) -> bool:
        """Release the lock :meth:`lock` gave ``token`` for, if it still holds it (a lock
        that expired and was taken by another request is left alone); True if released."""
        return self._sync(self._unlock(value, name, token))

    async def aunlock(self, value: str | None, name: str, token: str) -> bool:
        """:meth:`unlock` through redis-py's asyncio client."""
        return await self._async(self._unlock(value, name, token))

    def _lock_key(self, value: str | None, name: str) -> str:
        key = self._verify(value)
        if key is None:
            raise ValueError("not a session cookie value")
        # the session key's HMAC part: no cookie can be derived from the lock's name
        return f"{self.prefix}lock:{name}:{key[len(self.prefix) + 2:]}"

    def _lock(self, value: str | None, name: str, ttl: float) -> Steps[str | None]:
        key = self._lock_key(value, name)
        token = _b64(os.urandom(16))
        done = yield Batch([("set", (key, token), {"nx": True,
                                                   "px": max(int(ttl * 1000), 1)})])
        return token if done[0] else None

    def _unlock(self, value: str | None, name: str, token: str) -> Steps[bool]:
        key = self._lock_key(value, name)
        done = yield Batch([("eval", (_UNLOCK, 1, key, token), {})])
        return bool(done[0])

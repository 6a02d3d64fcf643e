"""The Redis store's local read cache and its invalidation listener (see ``_redis``).

Each process keeps the decoded sessions it served and serves them without Redis while a
listener thread, subscribed to the store's ``ended`` channel, has heard from Redis within
the last second; an ended session is then refused by every instance within a second.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from .._identity.model import Identity

if TYPE_CHECKING:
    import redis

log = logging.getLogger("eidgate")
_CACHE_LIMIT = 10_000
_LIVE_FOR = 1.0  # seconds the cache is trusted after the listener last heard from Redis
_PING_EVERY = 0.25


class _Entry:
    """A decoded session in the local cache; served while ``now < fresh``."""

    __slots__ = ("expires", "found", "fresh", "key", "sealed")

    def __init__(self, key: str, sealed: bytes, expires: float,
                 found: tuple[Identity, dict[str, Any]]) -> None:
        self.key, self.sealed, self.expires, self.found = key, sealed, expires, found
        self.fresh = expires

    def slide(self, seen: float, touch_after: float) -> None:
        # with idle expiry, Redis is asked again once the last-seen is due a rewrite
        self.fresh = min(self.expires, seen + touch_after) if touch_after else self.expires


class _Fetch(NamedTuple):
    """A read the local cache cannot answer: the arguments of ``RedisSessions._fetch``."""

    value: str
    key: str
    now: float
    entry: _Entry | None


class Invalidated:
    """The cache and listener half of :class:`~eidgate.web.RedisSessions` (a mixin: the
    store sets ``redis``, ``channel`` and ``_use_cache``, and calls :meth:`_init_cache`)."""

    redis: redis.Redis
    channel: str
    _use_cache: bool

    def _init_cache(self) -> None:
        self._cache: dict[str, _Entry] = {}
        self._by_key: dict[str, str] = {}  # Redis key -> cookie value, for invalidations
        self._generation = 0
        self._live_until = 0.0
        self._listener: threading.Thread | None = None
        self._pid = 0
        self._closed = threading.Event()
        self._listener_down = False  # logged once when the listener loses Redis

    def _forget(self, value: str | None) -> None:
        entry = self._cache.pop(value, None) if value else None
        if entry is not None:
            self._by_key.pop(entry.key, None)

    # -- invalidation ------------------------------------------------------------------
    def _ensure_listener(self) -> None:
        if not self._use_cache:
            return
        pid = os.getpid()
        if self._listener is not None and self._listener.is_alive() and self._pid == pid:
            return
        # first use, or a forked worker (threads do not survive fork): a new listener,
        # an empty cache
        self._pid = pid
        self._live_until = 0.0
        self._cache.clear()
        self._by_key.clear()
        self._listener = threading.Thread(target=self._listen, name="eidgate-redis-sessions",
                                          daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        import redis

        while not self._closed.is_set():
            pubsub = self.redis.pubsub()
            try:
                pubsub.subscribe(self.channel)
                pinged = heard = time.monotonic()
                while not self._closed.is_set():
                    message = pubsub.get_message(timeout=_PING_EVERY / 2)
                    if message is not None:
                        self._heard(message)
                        heard = time.monotonic()
                    elif time.monotonic() - heard > 3 * _LIVE_FOR:
                        # no pong for seconds: a dead connection (no RST) or a hung Redis
                        raise redis.TimeoutError("no answer to the listener's pings")
                    if time.monotonic() - pinged >= _PING_EVERY:
                        pinged = time.monotonic()
                        pubsub.ping()
            except (redis.RedisError, OSError, ValueError) as exc:
                # dropped: messages may be lost until the next subscription
                self._live_until = 0.0
                self._generation += 1
                if not self._listener_down:  # once per outage, not every 0.2 s of it
                    self._listener_down = True
                    log.info("eidgate: session invalidation listener reconnecting (%s)",
                             type(exc).__name__)
                self._closed.wait(0.2)
            finally:
                pubsub.close()

    def _heard(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            if self._listener_down:
                self._listener_down = False
                log.info("eidgate: session invalidation listener reconnected")
            # a new subscription: whatever was cached before may have missed messages
            self._generation += 1
            self._cache.clear()
            self._by_key.clear()
        elif kind == "message":
            self._generation += 1
            data = message.get("data")
            key = data.decode() if isinstance(data, bytes) else str(data)
            value = self._by_key.pop(key, None)
            if value is not None:
                self._cache.pop(value, None)
        self._live_until = time.monotonic() + _LIVE_FOR

    def close(self) -> None:
        """Stop the invalidation listener and drop the cache (tests, shutdown)."""
        self._closed.set()
        if self._listener is not None:
            self._listener.join(timeout=2)
        self._live_until = 0.0
        self._cache.clear()
        self._by_key.clear()

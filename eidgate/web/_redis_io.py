"""How the Redis store reaches Redis (see ``_redis``): each operation is a generator of
command :class:`Batch` es, run here by redis-py's sync client or by its asyncio client (one
per event loop, closed with its loop, a bounded number of round trips at once)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .._errors import SessionStoreUnavailable
from ._redis_keys import Batch, aexecute, execute

if TYPE_CHECKING:
    import redis
    import redis.asyncio
    from redis import Redis as SyncRedis
    from redis.asyncio import Redis as AsyncRedis

log = logging.getLogger("eidgate")
T = TypeVar("T")
#: a store operation: yields the batches of Redis commands it needs, gets their results
Steps = Generator[Batch, list[Any], T]
# Redis round trips of one event loop at once; more wait for a turn, up to _QUEUED seconds.
# Few: under a burst (benchmarks/many_logins.py, 500 logins at once) the loop is saturated,
# and with hundreds of reads in flight their replies wait in its queue past the 0.5 s read
# bound (a timer on the same loop) although Redis answered in time; queued behind 64, each
# read is picked up promptly. A silent Redis still fails each in-flight call at 0.5 s.
_ASYNC_CONNECTIONS = 64
_QUEUED = 5.0


async def _close_at_loop_end(client: redis.asyncio.Redis) -> AsyncGenerator[None]:
    try:
        yield
    finally:
        await client.aclose()
        # every connection, also one a failed call left checked out (a primary that went
        # away during a Sentinel failover): none is left open for the GC to find
        await client.connection_pool.disconnect(inuse_connections=True)
        # and the clients a Sentinel URL's pool asks for the primary (redis-py's Sentinel)
        manager = getattr(client.connection_pool, "sentinel_manager", None)
        for sentinel in getattr(manager, "sentinels", ()):
            await sentinel.aclose()


class Driven:
    """The I/O half of :class:`~eidgate.web.RedisSessions` (a mixin: the store calls
    :meth:`_init_io` with its sync client and, for async adapters, a factory of asyncio
    clients)."""

    redis: SyncRedis

    def _init_io(self, client: SyncRedis,
                 aconnect: Callable[[], AsyncRedis] | None) -> None:
        self.redis = client
        self._aconnect = aconnect
        self._aclients: weakref.WeakKeyDictionary[Any, tuple[
            AsyncRedis, asyncio.Semaphore, AsyncGenerator[None]]] = \
            weakref.WeakKeyDictionary()

    def _sync(self, steps: Steps[T]) -> T:
        """Run a store operation's batches with the sync client."""
        import redis

        try:
            batch = next(steps)
            while True:
                try:
                    results = execute(self.redis, batch)
                except redis.RedisError as exc:
                    raise self._unavailable(exc) from exc
                batch = steps.send(results)
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            steps.close()

    async def _async(self, steps: Steps[T]) -> T:
        """Run a store operation's batches with redis-py's asyncio client, one per event
        loop (its connections belong to the loop that made them); without one (a store
        built around a sync client only), the sync way in a worker thread."""
        import redis

        made = await self._async_client()
        if made is None:
            import anyio.to_thread

            return await anyio.to_thread.run_sync(self._sync, steps)
        client, slots = made
        try:
            batch = next(steps)
            while True:
                try:
                    # a connection each, at most _ASYNC_CONNECTIONS at once (redis-py's
                    # asyncio pool would refuse past its size), waiting a bounded time
                    async with asyncio.timeout(_QUEUED):
                        await slots.acquire()
                    try:
                        results = await aexecute(client, batch)
                    finally:
                        slots.release()
                except (redis.RedisError, TimeoutError) as exc:
                    raise self._unavailable(exc) from exc
                batch = steps.send(results)
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            steps.close()

    async def _async_client(self) -> tuple[AsyncRedis, asyncio.Semaphore] | None:
        if self._aconnect is None:
            return None
        loop = asyncio.get_running_loop()
        made = self._aclients.get(loop)
        if made is None:
            client = self._aconnect()
            # closed with its loop: asyncio.run (and anyio, uvicorn, a test client's
            # portal) closes every live async generator before it closes the loop
            closer = _close_at_loop_end(client)
            await closer.__anext__()
            made = self._aclients[loop] = (client, asyncio.Semaphore(_ASYNC_CONNECTIONS),
                                           closer)
        return made[0], made[1]

    @staticmethod
    def _unavailable(exc: Exception) -> SessionStoreUnavailable:
        # the class only: a redis-py message may quote a host, never personal data, but
        # the log line is the adapter's and stays short
        log.warning("eidgate: session store unavailable (%s)", type(exc).__name__)
        return SessionStoreUnavailable(f"the session store did not answer "
                                       f"({type(exc).__name__})")

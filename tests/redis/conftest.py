"""tests/redis: the Redis session store against a real redis-server (tests/redis_server.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis_helpers import SECRET, Clock
from redis_server import RedisServer, redis_server  # noqa: F401 (the session fixture)

from eidgate.web import RedisSessions
from eidgate.web._redis import connect

_PREFIXES = itertools.count()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_store(redis_server: RedisServer, clock: Clock  # noqa: F811
               ) -> Iterator[Callable[..., RedisSessions]]:
    """``make_store(**options)``: a RedisSessions on the session's Redis, under a key prefix
    of its own for this test (several calls share it: instances of one app), closed after."""
    prefix = f"t{next(_PREFIXES)}:"
    made: list[RedisSessions] = []

    def make(*, url: str | None = None, secrets: tuple[str, ...] = (SECRET,),
             max_age: int = 3600, **options: Any) -> RedisSessions:
        options.setdefault("key_prefix", prefix)
        options.setdefault("now", clock)
        store = RedisSessions(connect(url or redis_server.url), secrets, max_age, **options)
        made.append(store)
        return store
    yield make
    for store in made:
        store.close()
        store.redis.close()

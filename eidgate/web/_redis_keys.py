"""The Redis store's building blocks: ids, keys derived from the app's secrets, the one
Lua script of a read, and the bounded redis-py client (see ``_redis`` for the design)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .._config_session import sentinel_url
from .._errors import ConfigError

if TYPE_CHECKING:
    import redis
    import redis.asyncio

#: seconds: connect and read bounds of every Redis call
TIMEOUT = 0.5
_VERSION = b"\x01"
_ID_BYTES = 32  # 256-bit session ids
_TAG_BYTES = 16  # HMAC-SHA256 cut to 128 bits (NIST SP 800-107 5.3.3)
_COOKIE_LENGTH = 43 + 1 + 22  # unpadded base64url of 32 and 16 bytes
_TOUCH_SHARE = 10  # a session's last-seen is rewritten once per idle_timeout / 10
_HANDLE_LENGTH = 43  # unpadded base64url of the 32-byte HMAC naming a session's key

# KEYS[1] the session; ARGV: now, idle_timeout (0: none), touch after (seconds), channel.
# Reads the session and, when idle expiry is on, ends it if idle too long, else slides it
# if its last-seen is older than the touch interval: one round trip, atomic.
_LOAD = """
local h = redis.call('HMGET', KEYS[1], 'v', 'seen', 'exp')
if not h[1] then return false end
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local seen = tonumber(h[2]) or 0
local exp = tonumber(h[3]) or 0
if exp <= now then
  redis.call('DEL', KEYS[1])
  return false
end
if idle > 0 then
  if now - seen > idle then
    redis.call('DEL', KEYS[1])
    redis.call('PUBLISH', ARGV[4], KEYS[1])
    return false
  end
  if now - seen >= tonumber(ARGV[3]) then
    seen = now
    redis.call('HSET', KEYS[1], 'seen', ARGV[1])
    redis.call('EXPIRE', KEYS[1], math.max(1, math.ceil(math.min(idle, exp - now))))
  end
end
return {h[1], tostring(seen)}
"""


#: one Redis command: a redis-py client method's name, its arguments and keywords
Command = tuple[str, tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Batch:
    """The Redis commands a store operation needs next, sent in one round trip (a
    pipeline; ``transaction``: in MULTI/EXEC, all or nothing). Its results come back as
    a list, one per command, in order."""

    commands: list[Command]
    transaction: bool = False


def execute(client: redis.Redis, batch: Batch) -> list[Any]:
    """Run ``batch`` with redis-py's sync client."""
    with client.pipeline(transaction=batch.transaction) as pipe:
        for name, args, kwargs in batch.commands:
            getattr(pipe, name)(*args, **kwargs)
        return pipe.execute()


async def aexecute(client: redis.asyncio.Redis, batch: Batch) -> list[Any]:
    """Run ``batch`` with redis-py's asyncio client (the same commands, awaited)."""
    async with client.pipeline(transaction=batch.transaction) as pipe:
        for name, args, kwargs in batch.commands:
            getattr(pipe, name)(*args, **kwargs)  # buffered: the pipeline sends them
        return await pipe.execute()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=info).derive(secret.encode("utf-8"))


class _Secret:
    """The keys one configured secret yields (each for one purpose: HKDF's ``info``)."""

    __slots__ = ("aead", "index", "lookup", "sign")

    def __init__(self, secret: str) -> None:
        self.sign = _derive(secret, b"eidgate redis session id")
        self.lookup = _derive(secret, b"eidgate redis session key")
        self.index = _derive(secret, b"eidgate redis session index")
        self.aead = AESGCM(_derive(secret, b"eidgate redis session value"))


def connect(url: str, *, timeout: float = TIMEOUT) -> redis.Redis:
    """A redis-py client for a ``[eidgate.session] url`` (Sentinel included), every call
    bounded by ``timeout`` (connect and read) and retried once only after a dropped
    connection (a pooled connection Redis closed on restart), never after a timeout."""
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        from redis.sentinel import Sentinel
    except ImportError:  # pragma: no cover - the dev extra installs redis
        raise ConfigError('store = "redis" needs redis-py: pip install "eidgate[redis]"',
                          key="eidgate.session.store") from None
    options: dict[str, Any] = {
        "socket_timeout": timeout, "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        "retry_on_timeout": False, "health_check_interval": 30}
    if "+sentinel" not in url.split("://", 1)[0].lower():
        return redis.Redis.from_url(url, **options)
    sentinels, service, db, tls, username, password = sentinel_url(url)
    sentinel = Sentinel(sentinels, sentinel_kwargs={
        "socket_timeout": timeout, "socket_connect_timeout": timeout, "ssl": tls},
        ssl=tls, **options)
    client: redis.Redis = sentinel.master_for(service, db=db, username=username,
                                              password=password)
    return client


def connect_async(url: str, *, timeout: float = TIMEOUT, max_connections: int = 100
                  ) -> redis.asyncio.Redis:
    """:func:`connect` for redis-py's asyncio client (the same URL forms and bounds), with
    a pool of up to ``max_connections`` (redis-py's asyncio pool refuses a request beyond
    its size rather than waiting; the store queues for one within its bound)."""
    import redis
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.asyncio.sentinel import Sentinel
    from redis.backoff import NoBackoff

    options: dict[str, Any] = {
        "socket_timeout": timeout, "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        "retry_on_timeout": False, "health_check_interval": 30,
        "max_connections": max_connections}
    if "+sentinel" not in url.split("://", 1)[0].lower():
        return redis.asyncio.Redis.from_url(url, **options)
    sentinels, service, db, tls, username, password = sentinel_url(url)
    sentinel = Sentinel(sentinels, sentinel_kwargs={
        "socket_timeout": timeout, "socket_connect_timeout": timeout, "ssl": tls},
        ssl=tls, **options)
    client: redis.asyncio.Redis = sentinel.master_for(service, db=db, username=username,
                                                      password=password)
    return client

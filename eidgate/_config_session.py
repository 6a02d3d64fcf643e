"""``[eidgate.session]``: where login sessions live, read and checked like every other key.

A part of the config leaf: :class:`SessionReader` is the session half of the config reader
(a mixin: the reader provides ``fail``, ``typed``, ``unknown`` and ``env``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ._errors import ConfigError, shown

_SESSION_KEYS = {"store", "url", "url_env", "idle_timeout", "key_prefix"}
SESSION_STORES = ("cookie", "redis")
REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel")
_KEY_PREFIX = re.compile(r"[A-Za-z0-9_.:{}-]{1,64}")


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """The ``[eidgate.session]`` table: where login sessions live.

    ``store``: ``"cookie"`` (the default: the session, encrypted, in the browser's cookie)
    or ``"redis"`` (an opaque signed id in the cookie, the session encrypted in Redis).
    ``url``: the Redis URL (``redis://``, ``rediss://`` for TLS, ``unix://``, or
    ``redis+sentinel://host:26379,host2:26379/service_name/db`` for Sentinel), from
    ``url`` or the environment variable ``url_env``. ``idle_timeout``: seconds without a
    request after which a session ends (None: only ``session_max_age`` ends it).
    ``key_prefix``: the start of every Redis key, so several apps share one Redis.
    """

    store: str = "cookie"
    url: str | None = field(default=None, repr=False)  # may hold a password
    idle_timeout: int | None = None
    key_prefix: str = "eidgate:"


class SessionReader:
    """Reads ``[eidgate.session]``; mixed into the config reader."""

    def fail(self, key: str, message: str) -> ConfigError:
        raise NotImplementedError

    def unknown(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        raise NotImplementedError

    def typed(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
              where: str, default: Any = None) -> Any:
        raise NotImplementedError

    def env(self, table: Mapping[str, Any], key: str, where: str) -> list[str]:
        raise NotImplementedError

    def session(self, top: Mapping[str, Any], max_age: int) -> SessionConfig:
        """``[eidgate.session]``; the Redis keys only with ``store = "redis"``."""
        where = "eidgate.session"
        table = top.get("session", {})
        if not isinstance(table, dict):
            raise self.fail(where, 'must be a table: [eidgate.session] with store = "redis" '
                                   'and url_env = "REDIS_URL"')
        self.unknown(table, _SESSION_KEYS, where)
        store = self.typed(table, "store", str, where, "cookie")
        if store not in SESSION_STORES:
            raise self.fail(f"{where}.store", f'unknown store {shown(store)}; write store = '
                                              '"cookie" (the default) or store = "redis"')
        if store == "cookie":
            for key in sorted(set(table) - {"store"}):
                # the cookie store keeps nothing server-side: no idle expiry, no prefix
                raise self.fail(f"{where}.{key}", f'{key} needs store = "redis"; the cookie '
                                                  "store cannot end an idle session (the "
                                                  "cookie is the session)")
            return SessionConfig()
        url = self.typed(table, "url", str, where)
        from_env = self.env(table, "url_env", where)
        if url and from_env:
            raise self.fail(f"{where}.url", "set url OR url_env (better: url_env, the URL "
                                            "may hold a password)")
        if len(from_env) > 1:
            raise self.fail(f"{where}.url_env", 'one environment variable: url_env = '
                                                '"REDIS_URL"')
        if not url and not from_env:
            raise self.fail(f"{where}.url_env", 'store = "redis" needs a Redis URL; write '
                                                'url_env = "REDIS_URL" and export '
                                                "REDIS_URL=redis://host:6379/0")
        key = f"{where}.url" if url else f"{where}.url_env"
        url = self.redis_url(url or from_env[0], key)
        idle = self.typed(table, "idle_timeout", int, where)
        if idle is not None and not 60 <= idle < max_age:
            raise self.fail(f"{where}.idle_timeout",
                            f"must be 60 seconds or more and less than session_max_age "
                            f"({max_age}); e.g. idle_timeout = 1800 (30 minutes)")
        prefix = self.typed(table, "key_prefix", str, where, "eidgate:")
        if not _KEY_PREFIX.fullmatch(prefix):
            raise self.fail(f"{where}.key_prefix",
                            "1 to 64 letters, digits and _ . : { } -, e.g. "
                            'key_prefix = "myapp:", not ' + shown(prefix))
        return SessionConfig(store=store, url=url, idle_timeout=idle, key_prefix=prefix)

    def redis_url(self, url: str, key: str) -> str:
        """A Redis URL redis-py (or :func:`sentinel_url`) takes; never echoed (password)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        fix = ("write redis://host:6379/0, rediss://host:6380/0 (TLS), "
               "unix:///run/redis/redis.sock or "
               "redis+sentinel://host1:26379,host2:26379/service_name")
        if scheme not in REDIS_SCHEMES:
            raise self.fail(key, f"not a Redis URL (scheme {shown(parts.scheme)}); {fix}")
        try:
            if scheme.endswith("+sentinel"):
                sentinel_url(url)
            elif scheme == "unix":
                if not parts.path:
                    raise ValueError("no socket path")
            else:
                if not parts.hostname:
                    raise ValueError("no host")
                parts.port  # noqa: B018 (raises ValueError for a bad port)
                db = parts.path.strip("/")
                if db and not db.isdigit():
                    raise ValueError("the path must be a database number")
        except ValueError as exc:
            raise self.fail(key, f"not a usable {scheme}:// URL ({exc}); {fix}") from None
        return url


def sentinel_url(url: str) -> tuple[list[tuple[str, int]], str, int, bool, str | None,
                                     str | None]:
    """``redis+sentinel://[user:password@]host:port[,host:port...]/service_name[/db]``
    split for ``redis.sentinel.Sentinel``: (sentinels, service name, db, tls, username,
    password). ``rediss+sentinel://`` talks TLS. The password is the data nodes' (the
    primary's and replicas'), not the sentinels'. Raises ValueError.
    """
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    sentinels = []
    for entry in hosts.split(","):
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("each sentinel as host:port, separated by commas")
        sentinels.append((host.strip("[]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("the path is /service_name or /service_name/db")
    return (sentinels, unquote(path[0]), int(path[1]) if len(path) == 2 else 0,
            parts.scheme.lower().startswith("rediss"), unquote(username) or None,
            unquote(password) or None)

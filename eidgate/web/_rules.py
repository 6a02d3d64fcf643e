"""Which requests need a login: the route-protection rule and the path patterns.

One rule for every adapter. A request passes when the route is not protected, or when the
identity fits the :class:`Rule` (logged in, with one of its providers, at its level). A
CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) passes
only where the rule says so (``preflight=True``): an ``OPTIONS`` request is otherwise a
request like any other, since a bare ASGI/WSGI handler may answer it with the page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import translate

from .._errors import ConfigError
from .._identity.levels import LEVELS, at_least
from .._identity.model import Identity, Level

_DOTTED = re.compile(r"//|/\.|\\")  # what a path must contain to need normalising
_CACHED_PATHS = 1024  # path_matcher's answers kept: at most this many paths ...
_CACHED_PATH = 1024  # ... of at most this many characters (with the mount point)
#: the largest ``max_age`` a rule takes: a year (a login older than that is no step-up)
MAX_AGE_LIMIT = 366 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Rule:
    """What a protected route asks of the person: a login, with one of ``providers`` (any
    if None), at ``loa`` or higher (any level if None).

    ``preflight``: let CORS preflights through without a login (oauth2-proxy's
    ``skip-auth-preflight``), for routes whose framework answers them itself.
    ``max_age``: seconds since the person last authenticated at the provider (their
    ``auth_time``) beyond which they must log in again (OIDC Core 3.1.2.1), for sensitive
    actions; None: any login will do.
    """

    providers: tuple[str, ...] | None = None
    loa: Level | None = None
    preflight: bool = False
    max_age: int | None = None

    def __post_init__(self) -> None:
        if self.loa is not None and self.loa not in LEVELS:
            raise ConfigError(f"must be one of {', '.join(LEVELS)}, not {self.loa!r}",
                              option="loa")
        # OIDC Core 3.1.2.1: max_age is a number of seconds (0: authenticate every time);
        # bounded, since it travels in the URL and a NumericDate sum must stay finite
        if self.max_age is not None and (isinstance(self.max_age, bool) or not isinstance(
                self.max_age, int) or not 0 <= self.max_age <= MAX_AGE_LIMIT):
            raise ConfigError(f"must be a whole number of seconds from 0 to {MAX_AGE_LIMIT}, "
                              f"e.g. max_age=300, not {self.max_age!r}", option="max_age")
        if self.providers is not None and (isinstance(self.providers, str) or not all(
                isinstance(p, str) for p in self.providers)):
            raise ConfigError("must be a list of provider names from eidgate.toml",
                              option="providers")

    @classmethod
    def of(cls, *, provider: str | None = None, providers: Iterable[str] | None = None,
           loa: Level | None = None, preflight: bool = False, max_age: int | None = None
           ) -> Rule:
        """The rule of ``login_required(provider=..., providers=[...], loa=...,
        max_age=...)``."""
        names = (provider,) if provider else tuple(providers) if providers else None
        return cls(names, loa, preflight, max_age)

    def allows(self, identity: Identity | None, *, now: float | None = None,
               leeway: float = 0) -> bool:
        """True if ``identity`` may see a route this rule protects (needs no request).

        With ``max_age``, the identity's ``auth_time`` must be at most ``max_age`` (plus
        ``leeway``, the allowed clock skew) seconds before ``now`` (default: the time).
        """
        return identity is not None and (
            not self.providers or identity.provider in self.providers) and (
            self.loa is None or at_least(identity.loa, self.loa)) and (
            self.max_age is None or self.fresh(identity, now, leeway))

    def fresh(self, identity: Identity, now: float | None = None, leeway: float = 0) -> bool:
        """True if ``identity`` authenticated recently enough for ``max_age``.

        OIDC Core 3.1.2.1 / 3.1.3.7 (13): judged by ``auth_time``; an identity without one
        is not known to be fresh. The same bound as the callback's, so a login the callback
        just accepted passes here too.
        """
        if self.max_age is None:
            return True
        if identity.auth_time is None:
            return False
        at = time.time() if now is None else now
        return at <= identity.auth_time.timestamp() + self.max_age + leeway

    def passes_preflight(self, method: str, headers: Callable[[], Mapping[str, str]]) -> bool:
        """True for a CORS preflight this rule lets through (Fetch Standard 3.2.2: an
        ``OPTIONS`` request with ``Origin`` and ``Access-Control-Request-Method``)."""
        if not self.preflight or method != "OPTIONS":
            return False
        sent = headers()
        return "origin" in sent and "access-control-request-method" in sent


def parse_max_age(value: str | None) -> int | None:
    """A ``max_age`` from a URL (the login route's, the picker's): decimal digits up to
    :data:`MAX_AGE_LIMIT`, else None (ignored: the route asks again, so a missing or
    altered one costs a login, never lets a stale one through)."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    number = int(value)
    return number if number <= MAX_AGE_LIMIT else None


def normal_path(path: str) -> str:
    """``path`` as a server or file system that normalises it would read it.

    RFC 3986 5.2.4 (dot segments removed), empty segments merged (``//a`` is ``/a`` to
    ``os.path`` and to Starlette's ``StaticFiles``), ``\\`` read as ``/`` (Windows), and
    case-folded (case-insensitive file systems). Only for deciding what to protect: a wrong
    match costs a login, a missed one leaks a page.
    """
    if _DOTTED.search(path):
        segments: list[str] = []
        for segment in path.replace("\\", "/").split("/"):
            if segment == "..":
                if segments:
                    segments.pop()
            elif segment not in ("", "."):
                segments.append(segment)
        tail = "/" if path.endswith(("/", "/.", "/..")) and segments else ""
        path = "/" + "/".join(segments) + tail
    return path.casefold()


def below_root(path: str, root: str) -> str:
    """``path`` below the mount point ``root``: ASGI servers and Starlette's ``Mount`` put
    ``root_path`` in front of ``path`` (asgiref's spec: like ``SCRIPT_NAME`` + ``PATH_INFO``),
    older servers do not."""
    if root and path.startswith(root) and path[len(root):len(root) + 1] in ("", "/"):
        return path[len(root):] or "/"
    return path


def path_matcher(patterns: Collection[str]) -> Callable[[str, str], bool]:
    """A test ``(path, root)`` for ``protect`` patterns (``fnmatch``: ``*`` also matches
    ``/``) on the path as it may be served (:func:`normal_path`); one compiled expression.

    Patterns are meant below the mount point (``root``), like the app's routes; one written
    with the mount point in front (``/app/private/*``) protects as well: failing closed."""
    compiled = [translate(p.casefold()) for p in patterns]
    if not compiled:
        return lambda path, root: False
    match = re.compile("|".join(f"(?:{c})" for c in compiled)).match
    # the answer per path (and mount point): an app serves the same few paths over and over.
    # Bounded, so that endless distinct paths cost CPU, not memory: paths over
    # _CACHED_PATH characters are not kept, and it empties when full.
    seen: dict[str | tuple[str, str], bool] = {}

    def protects(path: str, root: str) -> bool:
        key = (path, root) if root else path
        found = seen.get(key)
        if found is None:
            found = match(normal_path(path)) is not None or (
                bool(root) and match(normal_path(root + path)) is not None)
            if len(path) + len(root) <= _CACHED_PATH:
                if len(seen) >= _CACHED_PATHS:
                    seen.clear()
                seen[key] = found
        return found
    return protects



"""Which requests need a login: the route-protection rule and the path patterns.

One rule for every adapter. A request passes when the route is not protected, or when the
identity fits the :class:`Rule` (logged in, with one of its providers, at its level). A
CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) passes
only where the rule says so (``preflight=True``): an ``OPTIONS`` request is otherwise a
request like any other, since a bare ASGI/WSGI handler may answer it with the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import translate

from .._errors import ConfigError
from .._identity.levels import LEVELS, at_least
from .._identity.model import Identity, Level

_DOTTED = re.compile(r"//|/\.|\\")  # what a path must contain to need normalising
_CACHED_PATHS = 1024  # path_matcher's answers kept: at most this many paths ...
_CACHED_PATH = 1024  # ... of at most this many characters (with the mount point)


@dataclass(frozen=True, slots=True)
class Rule:
    """What a protected route asks of the person: a login, with one of ``providers`` (any
    if None), at ``loa`` or higher (any level if None).

    ``preflight``: let CORS preflights through without a login (oauth2-proxy's
    ``skip-auth-preflight``), for routes whose framework answers them itself.
    """

    providers: tuple[str, ...] | None = None
    loa: Level | None = None
    preflight: bool = False

    def __post_init__(self) -> None:
        if self.loa is not None and self.loa not in LEVELS:
            raise ConfigError(f"must be one of {', '.join(LEVELS)}, not {self.loa!r}",
                              option="loa")
        if self.providers is not None and (isinstance(self.providers, str) or not all(
                isinstance(p, str) for p in self.providers)):
            raise ConfigError("must be a list of provider names from eidgate.toml",
                              option="providers")

    @classmethod
    def of(cls, *, provider: str | None = None, providers: Iterable[str] | None = None,
           loa: Level | None = None, preflight: bool = False) -> Rule:
        """The rule of ``login_required(provider=..., providers=[...], loa=...)``."""
        names = (provider,) if provider else tuple(providers) if providers else None
        return cls(names, loa, preflight)

    def allows(self, identity: Identity | None) -> bool:
        """True if ``identity`` may see a route this rule protects (needs no request)."""
        return identity is not None and (
            not self.providers or identity.provider in self.providers) and (
            self.loa is None or at_least(identity.loa, self.loa))

    def passes_preflight(self, method: str, headers: Callable[[], Mapping[str, str]]) -> bool:
        """True for a CORS preflight this rule lets through (Fetch Standard 3.2.2: an
        ``OPTIONS`` request with ``Origin`` and ``Access-Control-Request-Method``)."""
        if not self.preflight or method != "OPTIONS":
            return False
        sent = headers()
        return "origin" in sent and "access-control-request-method" in sent


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



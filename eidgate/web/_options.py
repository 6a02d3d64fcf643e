"""The options every adapter takes (:class:`GateOptions`), and the app's hooks' types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypedDict

from .. import _languages
from .._identity.model import Identity, Level
from .._oidc.evidence import EvidenceSink
from .._oidc.flow import LoginResult
from ._pages import Pages
from ._sessions import SessionStore

#: ``on_login``: the accepted login -> None, or the app's data for the session
LoginHook = Callable[[LoginResult],
                     "Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None"]
#: ``on_logout``: the identity of the session that ended here
LogoutHook = Callable[[Identity], "Awaitable[None] | None"]


class GateOptions(TypedDict, total=False):
    """The options every adapter takes, by the same names (all optional).

    ``protect``: path patterns (``fnmatch``, ``*`` matches ``/`` too) that need a login,
    for middlewares; ``providers`` / ``loa`` / ``max_age``: what those paths ask of the
    login (a :class:`Rule`; ``max_age``: at most this many seconds since the person
    authenticated); ``preflight``: let CORS preflights to them through without a login.
    ``evidence``: where to archive the evidence of each login. ``strings``: reworded or
    added languages (``{"fi": {"picker_title": ...}}``); ``languages``: restrict, order or
    pin them (default: ``languages`` in eidgate.toml, else all; the first is the
    fallback). ``pages``: your own :class:`Pages`. ``sessions``: a :class:`SessionStore`
    (default: the encrypted session cookie). ``on_login``: the app's hook, called once per
    accepted login with the :class:`~eidgate.LoginResult` (sync or ``async def``): it
    returns None or a mapping of the app's own data to keep with the session (JSON
    values), or raises :class:`~eidgate.LoginRefused`. ``on_logout``: called with the
    identity when a person logs out here (audit).
    """

    protect: Iterable[str]
    providers: Iterable[str] | None
    loa: Level | None
    preflight: bool
    evidence: EvidenceSink | None
    strings: _languages.Strings | None
    languages: Iterable[str] | str | None
    pages: Pages | None
    sessions: SessionStore | None
    max_age: int | None
    on_login: LoginHook | None
    on_logout: LogoutHook | None

"""The web side of a login, without a web framework: what every adapter shares.

Theory of operation
-------------------
An adapter builds one gate and one driver from the config (:meth:`Gate.open`), turns its
framework's request into a :class:`WebRequest`, and asks the gate three things:

* ``gate.handle(request)`` for paths under ``route_prefix`` (``gate.owns(path)``: ``/login``,
  ``/callback``, ``/logout``, ``/logged-out``, the ``/`` picker, ``/jwks.json``,
  ``/backchannel-logout``, whose form body the adapter reads where ``gate.reads_body``
  says so): a sans-IO generator, like the core's, that the adapter runs with its driver
  (``client.run`` or ``await client.run``); it returns a :class:`WebResponse`.
* ``gate.identity(request)`` (or ``gate.cookie_identity(cookie_header)``, the hot path):
  the logged-in identity, from the session store (cached per cookie value).
* ``gate.refuse(identity, request, method=..., rule=...)``: None to let a request through,
  else the response to send instead (redirect to log in, 401 JSON for API calls, step-up).
  A middleware asks it for the paths ``gate.protects(path, root)``; a decorator for its
  route, with its own :class:`Rule`.

The pages speak the language negotiated from ``Accept-Language`` among the gate's
``languages`` (``eidgate._languages``); only a request that gets a page pays for it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack
from urllib.parse import quote

from .. import _languages
from .._calls import Call
from .._client import AsyncClient, Client
from .._config import Config, is_local_url, load_config
from .._errors import EidGateError, SessionStoreUnavailable
from .._identity.model import Identity
from .._oidc.flow import RelyingParty
from .._oidc.http import HttpRequest
from . import _answers, _routes, _tokens
from ._options import GateOptions
from ._pages import DefaultPages, Pages
from ._redis import RedisSessions
from ._request import (
    WebRequest,
    WebResponse,
    origin_of,
    parse_cookies,
    safe_next,
)
from ._rules import Rule, path_matcher
from ._sessions import (
    APP_DATA,
    EMPTY,
    HOST_PREFIX,
    NO_SESSION,
    PENDING_PREFIX,
    SESSION_COOKIE,
    STORE_FAILED,
    CookieSessions,
    Found,
    PendingCodec,
    SessionStore,
    app_data,
    in_thread,
)

if TYPE_CHECKING:
    WebSteps = Generator[HttpRequest | Call[Any], Any, WebResponse]

log = logging.getLogger("eidgate")
Driver = TypeVar("Driver", Client, AsyncClient)
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"  # RFC 3986 reserved characters, and '%' (kept escapes)


def _failed(value: str | None) -> tuple[None, Mapping[str, Any]]:
    # read as logged out here; guard() answers 503 if the route needs the login
    STORE_FAILED.set(value)
    return NO_SESSION


def _read(found: Found) -> tuple[Identity | None, Mapping[str, Any]]:
    if STORE_FAILED.get() is not None:
        STORE_FAILED.set(None)
    return (found[0], app_data(found[1])) if found else NO_SESSION


class Gate:
    """The framework-agnostic login gate an adapter wraps (see the module docstring).

    ``rp`` is the sans-IO relying party; :meth:`open` builds it with its driver.
    ``defer_evidence``: the callback leaves storing the evidence archive to the adapter,
    which calls :meth:`finish` off its event loop (a sink may write files or upload).
    """

    def __init__(self, config: Config, rp: RelyingParty, *,
                 now: Callable[[], float] = time.time, defer_evidence: bool = False,
                 **options: Unpack[GateOptions]) -> None:
        self.config = config
        self.rp = rp
        #: the gate's clock (Unix seconds)
        self.now = now
        self.evidence = options.get("evidence")
        self._defer = defer_evidence
        self.prefix = config.route_prefix
        sessions = options.get("sessions")
        if sessions is None and config.session.store == "redis":  # [eidgate.session]
            sessions = RedisSessions.from_config(config, now=now)  # imports redis-py
        self.sessions: SessionStore = sessions or CookieSessions(
            config.secret_keys, config.session_max_age, now=now)
        _tokens.check_scopes(config, self.sessions)  # offline_access needs a token store
        #: True for eidgate's own cookie store (not a subclass, which may do I/O or end
        #: sessions early): reading a session is then CPU only, and its answer holds until
        #: the session's end
        self.in_memory = type(self.sessions) is CookieSessions
        #: :meth:`identity` from the session cookie's value (the hot path: the cookie
        #: store's own cached reader, which cannot fail; else through :meth:`session`)
        self.session_identity: Callable[[str | None], Identity | None] = (
            self.sessions.identity if isinstance(self.sessions, CookieSessions)
            and self.in_memory else self._session_identity)
        aload = getattr(self.sessions, "aload", None)
        if aload is None and not self.in_memory:
            load = self.sessions.load
            aload = partial(in_thread, load)  # a custom store's I/O: off the event loop
        self._aload: Callable[[str | None], Awaitable[Found]] | None = aload
        self._peek: Callable[[str | None], tuple[Identity, dict[str, Any]] | Literal[False]
                             ] | None = getattr(self.sessions, "cached", None)
        #: the app's hooks (GateOptions): called once per accepted login, or logout
        self.on_login = options.get("on_login")
        self.on_logout = options.get("on_logout")
        #: what ``protect`` paths ask of the login
        self.rule = Rule.of(providers=options.get("providers"), loa=options.get("loa"),
                            preflight=options.get("preflight", False),
                            max_age=options.get("max_age"))
        self.protect = tuple(options.get("protect", ()))
        if isinstance(options.get("protect"), str):
            self.protect = (str(options.get("protect")),)
        self._protects = path_matcher(self.protect)
        secure = not (config.base_url.startswith("http://") and is_local_url(config.base_url))
        # RFC 6265bis 4.1.3.2: a "__Host-" name wherever the cookie can be Secure, so that
        # no sibling subdomain can slip its own session or pending login into this browser
        prefix = HOST_PREFIX if secure else ""
        #: the session cookie's name (``__Host-eidgate_session`` over https)
        self.session_cookie = prefix + SESSION_COOKIE
        self.pending = PendingCodec(config.secret_keys, config.login_timeout,
                                    prefix=prefix + PENDING_PREFIX)
        self.origin = origin_of(config.base_url)
        #: hosts other than base_url's that logins were begun at (for the callback's log)
        self.other_hosts: dict[str, None] = {}
        languages = options.get("languages")
        if languages is None:
            languages = config.languages  # [eidgate] languages in eidgate.toml, or None
        self.languages, self._tables = _languages.language_tables(options.get("strings"),
                                                                  languages)
        # ui_locales from the picker: always the page's language when the app chose the
        # languages; else only when the browser asked for one we have (a fallback to
        # English is not a choice: the provider may do better by the browser)
        self._chosen = languages is not None
        self.pages: Pages = options.get("pages") or DefaultPages()
        # RFC 9110 12.5.5: a response chosen by Accept-Language says so to caches
        self._vary = [("Vary", "Accept-Language")] if len(self.languages) > 1 else []
        # RFC 6265bis 4.1.2.5-7: not for scripts, not on cross-site subrequests or POSTs,
        # only over https (http only on the loop-back interface, for development)
        self._attrs = f"; Path=/; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}"

    @classmethod
    def open(cls, config: str | os.PathLike[str] | Config, driver: type[Driver], *,
             defer_evidence: bool = False, **options: Unpack[GateOptions]
             ) -> tuple[Gate, Driver]:
        """The gate for a config (a path to eidgate.toml, or a loaded :class:`Config`) and
        the driver that runs its requests: ``driver`` is :class:`~eidgate.Client` or
        :class:`~eidgate.AsyncClient`.

        >>> gate, client = Gate.open("eidgate.toml", Client, protect=["/account/*"])
        >>> response = client.run(gate.handle(request))   # for gate.owns(request.path)
        """
        conf = config if isinstance(config, Config) else load_config(config)
        client = driver(conf, evidence=options.get("evidence"))
        options["evidence"] = client.evidence  # the driver's default: evidence_dir
        return cls(conf, client.rp, defer_evidence=defer_evidence, **options), client

    # -- sessions ----------------------------------------------------------------------
    def identity(self, request: WebRequest) -> Identity | None:
        """The logged-in identity, or None (also for tampered or expired cookies)."""
        return self.session_identity(request.cookies.get(self.session_cookie))

    def _session_identity(self, value: str | None) -> Identity | None:
        return self.session(value)[0]

    def session_until(self, value: str | None) -> tuple[Identity | None, float]:
        """:meth:`session_identity`, and until when (Unix time, :attr:`now`'s clock) an
        adapter may reuse that answer for the same cookie without asking again: the
        session's end with the cookie store (which cannot end a session early; forever for
        no or a bad cookie), 0 with any other (a server-side store may end it any moment,
        and keeps its own cache)."""
        if isinstance(self.sessions, CookieSessions) and self.in_memory:
            return self.sessions.identity_until(value)
        return self.session_identity(value), 0.0

    def session(self, value: str | None) -> tuple[Identity | None, Mapping[str, Any]]:
        """The identity and the app's own data (``on_login``'s mapping) of the session
        cookie's value; ``(None, {})`` when logged out, or when the store failed (then
        :meth:`guard` answers 503 if the route needs the login)."""
        try:
            found = self.sessions.load(value)
        except SessionStoreUnavailable:
            return _failed(value)
        return _read(found)

    def cached_session(self, value: str | None
                       ) -> tuple[Identity | None, Mapping[str, Any]] | None:
        """:meth:`session` when the store can answer from memory (its ``cached``: the Redis
        store's local cache), else None: then await :meth:`asession`."""
        if self._peek is None:
            return None
        found = self._peek(value)
        if found is False:
            return None
        if STORE_FAILED.get() is not None:  # _read, inline: an async adapter's hot path
            STORE_FAILED.set(None)
        data = found[1].get(APP_DATA)
        return found[0], MappingProxyType(data) if data else EMPTY

    async def asession(self, value: str | None
                       ) -> tuple[Identity | None, Mapping[str, Any]]:
        """:meth:`session` for an async adapter: a store with ``aload`` (redis-py's asyncio
        client) is awaited; one without runs in a worker thread unless it is the cookie
        store (CPU only). The event loop never waits on a store's I/O."""
        if self._aload is None:
            return self.session(value)
        try:
            found = await self._aload(value)
        except SessionStoreUnavailable:
            return _failed(value)
        if STORE_FAILED.get() is not None:  # _read, inline: an async adapter's hot path
            STORE_FAILED.set(None)
        return (found[0], app_data(found[1])) if found else NO_SESSION

    def store(self, name: str, *args: Any, **kwargs: Any) -> Generator[Call[Any], Any, Any]:
        """``yield from gate.store("save", identity)``: a session store call as a step the
        driver makes (:class:`~eidgate._calls.Call`): awaited through the store's ``a``-named
        twin (``asave``) under an async driver when it has one, else in a worker thread
        (the cookie store's CPU-only calls run in place)."""
        fn = getattr(self.sessions, name)
        twin = getattr(self.sessions, "a" + name, None)
        return (yield Call(lambda: fn(*args, **kwargs),
                           (lambda: twin(*args, **kwargs)) if twin is not None else None,
                           blocking=not self.in_memory))

    def access_token(self, value: str | None, *, leeway: float = _tokens.REFRESH_LEEWAY
                     ) -> Generator[HttpRequest | Call[Any], Any, str]:
        """A valid access token for the session cookie's ``value``, refreshed when it
        expires within ``leeway`` seconds (one refresh at a time per session, across
        instances): a sans-IO generator the adapter runs with its driver
        (``client.run(gate.access_token(value))``). Needs a server-side store; raises
        :class:`~eidgate.web.LoginRequired` when only a new login can give a token (a
        refused refresh ends the session). See ``eidgate.web._tokens``."""
        return _tokens.access_token(self, value, leeway=leeway)

    def session_value(self, cookie_header: str) -> str | None:
        """The session cookie's value in a raw ``Cookie`` header (None: there is none), for
        :meth:`session`, :meth:`session_identity` and :meth:`access_token`."""
        return parse_cookies(cookie_header).get(self.session_cookie)

    def cookie_identity(self, cookie_header: str) -> Identity | None:
        """:meth:`identity` from a raw ``Cookie`` header, without building a request (an
        adapter's hot path)."""
        return self.session_identity(self.session_value(cookie_header))

    def _cookie(self, name: str, value: str, max_age: int) -> str:
        return f"{name}={value}; Max-Age={max_age}{self._attrs}"

    def _drop(self, name: str) -> str:
        return f"{name}=; Max-Age=0{self._attrs}"

    # -- protected routes --------------------------------------------------------------
    def protects(self, path: str, root: str = "") -> bool:
        """True if ``path`` (below the mount point ``root``) matches a ``protect`` pattern,
        as a server that normalises paths may read it (``//``, ``/../``, ``\\``, case)."""
        return self._protects(path, root)

    def refuse(self, identity: Identity | None, request: WebRequest | Callable[[], WebRequest],
               *, method: str, rule: Rule | None = None) -> WebResponse | None:
        """None to let a protected request through, else the response to send instead.

        The one rule of every adapter: a CORS preflight the ``rule`` lets through passes;
        then an ``identity`` the rule allows passes (no request built: give ``request`` as
        a function on the hot path); anything else gets :meth:`guard`'s answer. ``rule``
        defaults to the gate's own (``providers=``, ``loa=``, ``preflight=``).
        """
        rule = rule or self.rule
        # asked first, since either lets the request through: the hot path (an allowed
        # identity) then builds no closure; a preflight or a refusal builds the request
        if rule.allows(identity) if rule.max_age is None else self.allowed(rule, identity):
            return None
        built: list[WebRequest] = []

        def the_request() -> WebRequest:
            if not built:
                built.append(request if isinstance(request, WebRequest) else request())
            return built[0]
        if rule.passes_preflight(method, lambda: the_request().headers):
            return None
        return self.guard(the_request(), identity, rule)

    def guard(self, request: WebRequest, identity: Identity | None, rule: Rule | None = None
              ) -> WebResponse | None:
        """None if ``identity`` may see this route, else the response to send instead:
        a redirect to log in for a page navigation, a 401 JSON for an API call."""
        return _answers.guard(self, request, identity, rule)

    def allowed(self, rule: Rule, identity: Identity | None) -> bool:
        """``rule.allows(identity)`` by this gate's clock, with the configured clock skew for
        a ``max_age`` rule: the callback's own bound (OIDC Core 3.1.3.7 (13)), so a login
        it has just accepted is never sent back to the provider at once."""
        return rule.allows(identity, now=self.rp.now(), leeway=self.config.clock_skew)

    def _store_unavailable(self, request: WebRequest, cookies: list[str] | None = None,
                           again: str | None = None) -> WebResponse:
        return _answers.store_unavailable(self, request, cookies, again)

    @staticmethod
    def _redirect(location: str, cookies: list[str] | None = None) -> WebResponse:
        # RFC 3987 3.1: a non-ASCII ``next`` goes out as UTF-8 escapes (headers are Latin-1)
        return WebResponse(303, b"", headers=[("Location", quote(location, safe=_URI_SAFE))],
                           cookies=cookies or [])

    # -- languages ---------------------------------------------------------------------
    def language(self, request: WebRequest) -> str:
        """The language this request's pages are in: one of ``languages``, by the browser's
        ``Accept-Language`` (RFC 9110 12.5.4), else the first."""
        return _languages.negotiate(request.headers.get("accept-language"), self.languages)

    def _texts(self, request: WebRequest) -> Mapping[str, str]:
        return self._tables[self.language(request)]

    # -- routes under the prefix -------------------------------------------------------
    def _at(self, request: WebRequest, route: str) -> str:
        """The URL path of one of the gate's routes, as the browser sees it."""
        return f"{request.root}{self.prefix}{route}"

    @staticmethod
    def _next(request: WebRequest, value: str | None) -> str:
        """Where to go after the login: ``next`` if safe, else the app's root."""
        safe = safe_next(value)
        # a refused next goes to the app's root (below its mount), not the site's
        return safe if safe != "/" or value == "/" else request.root + "/"

    def owns(self, path: str) -> bool:
        """True for paths the gate answers (:meth:`handle`)."""
        return path == self.prefix or path.startswith(self.prefix + "/")

    #: the most request body the gate reads (a back-channel logout's form: one logout token)
    max_body = 64 * 1024

    def reads_body(self, path: str, method: str) -> bool:
        """True for the one request whose body the gate reads: ``POST`` to
        ``/backchannel-logout``. The adapter then passes at most :attr:`max_body` ``+ 1``
        bytes of it as ``WebRequest.body`` (more is refused unread)."""
        return method == "POST" and path == self.prefix + "/backchannel-logout"

    def handle(self, request: WebRequest) -> WebSteps:
        """Answer a request under ``route_prefix``; a generator returning the response."""
        return _routes.handle(self, request)

    def _page(self, status: int, s: Mapping[str, str], html: str,
              cookies: list[str] | None = None) -> WebResponse:
        lang = s.get("lang", "")
        # RFC 9110 8.5: the language of the page, for caches and assistive tools
        said = [("Content-Language", lang)] if _languages.LANGUAGE_TAG.fullmatch(lang) else []
        return WebResponse(status, html.encode(), headers=[*said, *self._vary],
                           cookies=cookies or [])

    def _error(self, request: WebRequest, status: int, key: str, retry: str,
               cookies: list[str] | None = None, detail: str | None = None, *,
               title: str | None = None, address: str | None = None) -> WebResponse:
        return _answers.error_page(self, request, status, key, retry, cookies, detail,
                                   title=title, address=address)

    def _unavailable(self, request: WebRequest, exc: EidGateError,
                     cookies: list[str] | None = None) -> WebResponse:
        return _answers.unavailable_page(self, request, exc, cookies)

    def other_host(self, request: WebRequest) -> str | None:
        """The host the browser asked for when it is not ``base_url``'s, else None (for
        the log and the wrong-host page; see ``_answers.other_host``)."""
        return _answers.other_host(self, request)

    def finish(self, request: WebRequest, response: WebResponse) -> WebResponse:
        """Store the evidence a deferred callback left (``defer_evidence=True``).

        Blocking (the sink may write or upload): an async adapter runs it in a worker
        thread. Returns ``response``, or an error page without the session if storing fails.
        """
        if response.evidence is None:
            return response
        result, session, used = response.evidence
        refused = _routes.keep(self, request, result, used)
        if refused is None:
            response.evidence = None
            return response
        self.sessions.delete(session)
        return refused


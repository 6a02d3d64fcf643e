"""The web side of a login, without a web framework: what every adapter shares.

Theory of operation
-------------------
An adapter turns its framework's request into a :class:`WebRequest` and asks the
:class:`Gate` two things:

* ``gate.handle(request)`` for paths under ``route_prefix`` (``/login``, ``/callback``,
  ``/logout``, ``/logged-out``, ``/`` picker, ``/jwks.json``): a sans-IO generator, like the
  core's, that the adapter runs with ``Client.run`` or ``await AsyncClient.run``; it returns
  a :class:`WebResponse`.
* ``gate.guard(request, identity, providers=..., loa=...)`` for a protected route: None to
  let it through, else the response (redirect to log in, 401 JSON for non-navigations,
  step-up when the level or provider does not fit).

``gate.identity(request)`` reads the session cookie (cached per cookie value: the hot path).

The gate's pages speak the language :meth:`Gate.language` negotiates from
``Accept-Language`` among ``languages`` (``_rp_pages``); only a request that gets a page
pays for it, never a protected route. The request and response values and the small
rules about them (cookies, navigations, ``next``) are in ``_web_request``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Collection, Generator, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from .. import _languages
from .._config import Config, is_local_url
from .._errors import CallbackError, ConfigError, EidGateError, ProviderError
from .._identity.levels import LEVELS, at_least
from .._identity.model import Identity
from .._oidc.authorize import add_query
from .._oidc.evidence import EvidenceSink, keep_evidence
from .._oidc.flow import LoginResult, RelyingParty
from .._oidc.http import HttpRequest, HttpResponse
from . import _pages
from ._request import (
    WebRequest,
    WebResponse,
    below_root,
    cross_site,
    is_navigation,
    origin_of,
    parse_cookies,
    path_matcher,
    route_providers,
    safe_next,
    takes,
    ui_locales,
    wrap_view,
)
from ._sessions import (
    HOST_PREFIX,
    PENDING_PREFIX,
    SESSION_COOKIE,
    PendingCodec,
    SessionCodec,
    SessionStore,
)

log = logging.getLogger("eidgate")
WebSteps = Generator[HttpRequest, HttpResponse, "WebResponse"]
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"  # RFC 3986 reserved characters, and '%' (kept escapes)
# the methods each route answers; any other method reads as an unknown page (404), so a
# GET (a link, a prefetch, an <img>) never logs anyone out
# /login and /callback are GET only: a HEAD (a link checker) would start a login at the
# provider, or spend the code and the pending login the browser's GET needs (RFC 9110
# 9.2.1: a safe method must not do what only a person's request should)
_METHODS = {"/login": ("GET",), "/callback": ("GET",), "/logout": ("POST",),
            "/logged-out": ("GET", "HEAD"), "/jwks.json": ("GET", "HEAD"), "/": ("GET", "HEAD")}


class Gate:
    """The framework-agnostic login gate an adapter wraps (see the module docstring)."""

    def __init__(self, config: Config, rp: RelyingParty, *,
                 evidence: EvidenceSink | None = None, now: Callable[[], float] = time.time,
                 strings: _languages.Strings | None = None,
                 sessions: SessionStore | None = None, pages: Any = None,
                 languages: Iterable[str] | str | None = None,
                 defer_evidence: bool = False) -> None:
        """``strings`` rewords or adds languages, ``languages`` (default: ``languages`` in
        the config) restricts, orders or pins them (the first is the fallback): see
        :func:`eidgate.web._languages.language_tables`.
        ``pages`` replaces the pages: any object with ``picker``, ``error``,
        ``unavailable`` and ``logged_out`` as in ``eidgate.web._pages`` (``error`` gets the
        provider's message as ``detail=`` only if it takes that argument).
        ``defer_evidence``: the callback leaves storing the evidence archive to the adapter,
        which calls :meth:`finish` off its event loop (a sink may write files or upload)."""
        self.config = config
        self.rp = rp
        self.evidence = evidence
        self._defer = defer_evidence
        self.prefix = config.route_prefix
        self.sessions: SessionStore = sessions or SessionCodec(
            config.secret_keys, config.session_max_age, now=now)
        secure = not (config.base_url.startswith("http://") and is_local_url(config.base_url))
        # RFC 6265bis 4.1.3.2: a "__Host-" name wherever the cookie can be Secure, so that
        # no sibling subdomain can slip its own pending login into this browser
        prefix = HOST_PREFIX if secure else ""
        #: the session cookie's name (``__Host-eidgate_session`` over https)
        self.session_cookie = prefix + SESSION_COOKIE
        self.pending = PendingCodec(config.secret_keys, config.login_timeout,
                                    prefix=prefix + PENDING_PREFIX)
        self.origin = origin_of(config.base_url)
        flat = any(isinstance(v, str) for v in (strings or {}).values())
        if languages is None and config.languages is not None:
            if flat:  # the file's choice cannot apply to one reworded English table
                raise ConfigError("cannot serve these languages with the app's flat strings=;"
                                  ' give strings per language ({"fi": {...}}) or remove '
                                  "languages", file=config.source, key="eidgate.languages")
            languages = config.languages  # [eidgate] languages in eidgate.toml
        self.languages, self._tables = _languages.language_tables(strings, languages)
        #: the strings of the fallback language (``languages[0]``)
        self.strings = self._tables[self.languages[0]]
        # ui_locales from the picker: the language the app chose (languages=), or the one
        # the browser asked for; never for the flat form, whose pages predate languages
        self._tell = None if flat else "chosen" if languages is not None else "matched"
        self.pages: Any = pages or _pages
        self._error_detail = takes(self.pages.error, "detail")
        self._home_link = takes(self.pages.logged_out, "home")
        # RFC 9110 12.5.5: a response chosen by Accept-Language says so to caches
        self._vary = [("Vary", "Accept-Language")] if len(self.languages) > 1 else []
        # RFC 6265bis 4.1.2.5-7: not for scripts, not on cross-site subrequests or POSTs,
        # only over https (http only on the loop-back interface, for development)
        self._attrs = f"; Path=/; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}"

    # -- sessions ----------------------------------------------------------------------
    def identity(self, request: WebRequest) -> Identity | None:
        """The logged-in identity, or None (also for tampered or expired cookies)."""
        return self.session_identity(request.cookies.get(self.session_cookie))

    def session_identity(self, value: str | None) -> Identity | None:
        """:meth:`identity` from the session cookie's value (an adapter's hot path)."""
        found = self.sessions.load(value)
        return found[0] if found else None

    def cookie_identity(self, cookie_header: str) -> Identity | None:
        """:meth:`identity` from a raw ``Cookie`` header, without building a request."""
        return self.session_identity(parse_cookies(cookie_header).get(self.session_cookie))

    def _cookie(self, name: str, value: str, max_age: int) -> str:
        return f"{name}={value}; Max-Age={max_age}{self._attrs}"

    def _drop(self, name: str) -> str:
        return f"{name}=; Max-Age=0{self._attrs}"

    # -- protected routes --------------------------------------------------------------
    @staticmethod
    def allows(identity: Identity | None, *, providers: Collection[str] | None = None,
               loa: str | None = None) -> bool:
        """True if ``identity`` may see a route :meth:`guard` protects with these arguments.

        Needs no request: an adapter asks this first and builds the request for
        :meth:`guard` only to refuse.
        """
        if loa is not None and loa not in LEVELS:
            raise ValueError(f"loa must be one of {LEVELS}, not {loa!r}")
        return identity is not None and (not providers or identity.provider in providers) and (
            loa is None or at_least(identity.loa, loa))

    def guard(self, request: WebRequest, identity: Identity | None, *,
              providers: Iterable[str] | None = None, loa: str | None = None
              ) -> WebResponse | None:
        """None if ``identity`` may see this route, else the response to send instead."""
        allowed = list(providers) if providers else None
        if self.allows(identity, providers=allowed, loa=loa):
            return None
        if not is_navigation(request.headers):
            reason = "login_required" if identity is None else "insufficient_authentication"
            body = {"error": reason, "login_url": self._at(request, "/login")}
            return WebResponse(401, json.dumps(body).encode(), "application/json",
                               [("WWW-Authenticate", f'eidgate error="{reason}"')])
        # next: where the browser was, as it sees it (with the mount point); the path is
        # decoded, so encode it again (RFC 3986 3.3 pchar): "/a%3Fb" must not come back "/a?b"
        target = quote(request.root + request.path, safe="/!$&'()*+,;=:@") + (
            f"?{request.query}" if request.query else "")
        query = {"next": target}
        if loa:
            query["loa"] = loa
        choices = allowed or list(self.config.providers)
        if len(choices) == 1:
            query["provider"] = choices[0]
            return self._redirect(self._at(request, f"/login?{urlencode(query)}"))
        if allowed:
            query["providers"] = ",".join(allowed)
        return self._redirect(self._at(request, f"/?{urlencode(query)}"))

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
        """True for paths the gate answers."""
        return path == self.prefix or path.startswith(self.prefix + "/")

    def handle(self, request: WebRequest) -> WebSteps:
        """Answer a request under ``route_prefix``; a generator returning the response."""
        route = request.path[len(self.prefix):] or "/"
        if request.method not in _METHODS.get(route, ()):
            return self._error(request, 404, "not_found", request.root + "/")
        if route == "/callback":
            return (yield from self._callback(request))  # turns its own errors into pages
        try:
            if route == "/login":
                return (yield from self._login(request))
        except ProviderError as exc:  # discovery or PAR failed
            log.warning("eidgate: provider failure (%s)", exc.error)
            return self._unavailable(request)
        if route == "/logout":
            return self._logout(request)
        if route == "/logged-out":
            s = self._texts(request)
            home = request.root + "/"
            return self._page(200, s, self.pages.logged_out(s, home=home) if self._home_link
                              else self.pages.logged_out(s))
        if route == "/jwks.json":
            return WebResponse(200, json.dumps(self.config.jwks()).encode(),
                               "application/jwk-set+json")
        return self._picker(request)

    def _page(self, status: int, s: Mapping[str, str], html: str,
              cookies: list[str] | None = None) -> WebResponse:
        lang = s.get("lang", "")
        # RFC 9110 8.5: the language of the page, for caches and assistive tools
        said = [("Content-Language", lang)] if _languages.LANGUAGE_TAG.fullmatch(lang) else []
        return WebResponse(status, html.encode(), headers=[*said, *self._vary],
                           cookies=cookies or [])

    def _error(self, request: WebRequest, status: int, key: str, retry: str,
               cookies: list[str] | None = None, detail: str | None = None) -> WebResponse:
        s = self._texts(request)
        if detail and self._error_detail:
            html = self.pages.error(s, s[key], retry, detail=detail)
        else:  # no detail, or a pages= object that does not show one
            html = self.pages.error(s, s[key], retry)
        return self._page(status, s, html, cookies)

    def _unavailable(self, request: WebRequest, cookies: list[str] | None = None
                     ) -> WebResponse:
        s = self._texts(request)
        return self._page(502, s, self.pages.unavailable(s, self._at(request, "/")), cookies)

    def _picker(self, request: WebRequest) -> WebResponse:
        params = request.params
        wanted = [p for p in params.get("providers", "").split(",") if p in
                  self.config.providers] or list(self.config.providers)
        loa = params.get("loa")
        extra = {k: v for k, v in (("next", self._next(request, params.get("next"))),
                                   ("loa", loa if loa in LEVELS else None)) if v}
        best = _languages.match(request.headers.get("accept-language"), self.languages)
        s = self._tables[best or self.languages[0]]
        # OIDC Core 3.1.2.1 ui_locales: the provider's pages in the picker's language (a
        # fallback to English is not a choice: the provider may do better by the browser)
        chosen = ui_locales(params.get("ui_locales")) or (ui_locales(s["lang"]) if (
            self._tell == "chosen" or (self._tell and best)) else None)
        if chosen:
            extra["ui_locales"] = chosen
        links = [(self.config.providers[p].label_for(s["lang"]),
                  self._at(request, f"/login?{urlencode({'provider': p, **extra})}"))
                 for p in wanted]
        return self._page(200, s, self.pages.picker(s, links))

    def _login(self, request: WebRequest) -> WebSteps:
        params = request.params
        name = params.get("provider") or self.config.default_provider
        if name not in self.config.providers:
            return self._error(request, 400, "unknown_provider", self._at(request, "/"))
        loa = params.get("loa")
        # step-up: the core asks for the level and refuses a login below it
        redirect = yield from self.rp.begin(name, next_url=self._next(request, params.get("next")),
                                            loa=loa if loa in LEVELS else None,
                                            ui_locales=ui_locales(params.get("ui_locales")))
        drop = [self._drop(n) for n in self.pending.overflow(request.cookies)]
        keep = self._cookie(self.pending.cookie_name(redirect.pending),
                            self.pending.encode(redirect.pending), self.config.login_timeout)
        log.info("eidgate: login started (provider %s)", name)
        return self._redirect(redirect.url, [*drop, keep])

    def _callback(self, request: WebRequest) -> WebSteps:
        pending = self.pending.collect(request.cookies)
        state = request.params.get("state", "")
        used = [self._drop(self.pending.cookie_name(p)) for p in pending if p.state == state]
        asked = next((p.loa for p in pending if p.state == state), None)  # a step-up's level
        try:
            result: LoginResult = yield from self.rp.complete(request.query, pending)
        except CallbackError as exc:
            # the description is eidgate's own English (no personal data): for the log;
            # the person reads a short message in their language
            log.info("eidgate: callback refused (%s: %s)", exc.error, exc.description)
            key = "login_expired" if exc.error == "login_expired" else "invalid_callback"
            return self._error(request, 400, key, self._at(request, "/"), used)
        except ProviderError as exc:
            log.warning("eidgate: provider failure (%s)", exc.error)
            return self._unavailable(request, used)
        if not result.accepted or result.identity is None:
            log.info("eidgate: login %s (provider %s, %s)", result.status, result.provider,
                     result.error)
            again = {"provider": result.provider, "next": result.next_url}
            if asked:  # try again at the level the page wants
                again["loa"] = asked
            retry = self._at(request, f"/login?{urlencode(again)}")
            if result.status == "canceled":
                return self._error(request, 401, "canceled", retry, used)
            if result.error == "insufficient_user_authentication":  # eidgate's word, not theirs
                return self._error(request, 401, "insufficient_loa", retry, used)
            detail = _pages.provider_text(result.error_description or "")
            return self._error(request, 401, "rejected", retry, used, detail)
        if self.evidence is not None and not self._defer:
            refused = self._keep(request, result, used)
            if refused is not None:
                return refused
        try:  # a new session value on every login (session fixation)
            session = self.sessions.save(result.identity)
        except EidGateError as exc:  # e.g. an identity too large for a cookie
            log.warning("eidgate: login not kept (%s)", exc.error)
            return self._error(request, 500, "invalid_callback", self._at(request, "/"), used)
        log.info("eidgate: login accepted (provider %s, method %s)", result.provider,
                 result.identity.method)
        response = self._redirect(result.next_url, [
            *used, self._cookie(self.session_cookie, session, self.config.session_max_age)])
        if self.evidence is not None and self._defer:
            response.evidence = (result, session, used)
        return response

    def _keep(self, request: WebRequest, result: LoginResult, used: list[str]
              ) -> WebResponse | None:
        """Store the evidence archive; an error page if that fails (no evidence, no login)."""
        try:
            keep_evidence(self.evidence, result)
        except Exception as exc:  # a sink's own failure (disk full, upload refused, ...)
            log.error("eidgate: evidence archive not stored (%s); login refused",
                      type(exc).__name__)
            return self._error(request, 500, "invalid_callback", self._at(request, "/"), used)
        return None

    def finish(self, request: WebRequest, response: WebResponse) -> WebResponse:
        """Store the evidence a deferred callback left (``defer_evidence=True``).

        Blocking (the sink may write or upload): an async adapter runs it in a worker
        thread. Returns ``response``, or an error page without the session if storing fails.
        """
        if response.evidence is None:
            return response
        result, session, used = response.evidence
        refused = self._keep(request, result, used)
        if refused is None:
            response.evidence = None
            return response
        self.sessions.delete(session)
        return refused

    def _logout(self, request: WebRequest) -> WebResponse:
        if cross_site(request.headers, self.origin):
            # Logout CSRF (OWASP CSRF Prevention Cheat Sheet, Fetch Metadata): another
            # site's form would end the session (its POST carries no Lax cookie, but the
            # browser applies our Set-Cookie) and could chain a login CSRF after it
            log.info("eidgate: cross-site logout refused")
            s = self._texts(request)
            return self._page(403, s, self.pages.error(s, s["logout_refused"],
                                                       request.root + "/"))
        value = request.cookies.get(self.session_cookie)
        found = self.sessions.load(value)
        self.sessions.delete(value)
        cookies = [self._drop(self.session_cookie)]
        back = f"{self.config.base_url}{self.prefix}/logged-out"
        provider = found[0].provider if found else None
        state = self.rp.providers.get(provider or "")
        meta = state.metadata if state else None
        if meta is not None and meta.end_session_endpoint and provider:
            # OpenID Connect RP-Initiated Logout 1.0, 2: client_id + post_logout_redirect_uri
            url = add_query(meta.end_session_endpoint, {
                "client_id": self.config.providers[provider].client_id,
                "post_logout_redirect_uri": back})
            return self._redirect(url, cookies)
        return self._redirect(self._at(request, "/logged-out"), cookies)


class Protected:
    """A middleware's ``protect=`` / ``providers=`` / ``loa=``: the check WSGI and ASGI share.

    Patterns match the path as a server may normalise it (``//``, ``/../``): no bypass.
    """

    def __init__(self, gate: Gate, patterns: Iterable[str], providers: Iterable[str] | None,
                 loa: str | None) -> None:
        self.gate = gate
        self.patterns = tuple(patterns)
        self._matches = path_matcher(self.patterns)
        self.providers = list(providers) if providers else None
        self.loa = loa

    def refuse(self, method: str, path: str, root: str, identity: Identity | None,
               request: Callable[[], WebRequest]) -> WebResponse | None:
        """None to let the request through, else the gate's answer; ``request()`` builds
        the full request only to refuse (the hot path reads just the Cookie header)."""
        if method == "OPTIONS" or not self._matches(path, root) or self.gate.allows(
                identity, providers=self.providers, loa=self.loa):
            return None  # CORS preflights pass (Flask-Login's rule)
        return self.gate.guard(request(), identity, providers=self.providers, loa=self.loa)


# the adapters' vocabulary, re-exported: one import for them
__all__ = ["Gate", "Protected", "WebRequest", "WebResponse", "below_root", "is_navigation",
           "parse_cookies", "path_matcher", "route_providers", "safe_next", "wrap_view"]

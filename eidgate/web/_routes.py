"""The gate's routes under ``route_prefix`` that talk to the provider or end a session:
the picker, ``/login``, ``/callback``, ``/logout``, ``/backchannel-logout``;
:class:`~eidgate.web.Gate` dispatches to them (``Gate.handle``) and owns the cookies, pages
and languages they use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlencode

from .. import _languages
from .._calls import Call, call_hook
from .._errors import (
    CallbackError,
    EidGateError,
    LoginRefused,
    ProviderError,
    SessionStoreUnavailable,
    TokenEndpointError,
)
from .._identity.levels import LEVELS
from .._identity.model import Identity
from .._oidc.evidence import keep_evidence
from .._oidc.flow import LoginResult, parse_callback
from . import _logout
from ._answers import provider_failure, withheld
from ._pages import provider_text
from ._request import WebRequest, WebResponse, ui_locales
from ._rules import parse_max_age
from ._sessions import APP_DATA, CookieSessions
from ._tokens import TOKENS, session_tokens

if TYPE_CHECKING:
    from ._gate import Gate, WebSteps

log = logging.getLogger("eidgate")


# the methods each route answers; any other method on a route is 405 with Allow (RFC 9110
# 15.5.6), so a GET (a link, a prefetch, an <img>) never logs anyone out; a path that is
# no route is 404. Not 501 for a method the gate does not know (RFC 9110 9.1): that is
# for a method the origin server as a whole does not implement, and the app behind the
# gate may implement any (WebDAV's PROPFIND, say).
# /login and /callback are GET only: a HEAD (a link checker) would start a login at the
# provider, or spend the code and the pending login the browser's GET needs (RFC 9110
# 9.2.1: a safe method must not do what only a person's request should)
# /backchannel-logout is POST only (OpenID Connect Back-Channel Logout 1.0 2.5)
_METHODS = {"/login": ("GET",), "/callback": ("GET",), "/logout": ("POST",),
            "/logged-out": ("GET", "HEAD"), "/jwks.json": ("GET", "HEAD"), "/": ("GET", "HEAD"),
            "/backchannel-logout": ("POST",)}

@runtime_checkable
class SingleUse(Protocol):
    """A session store shared by every instance that can record a value as used, once
    (:meth:`RedisSessions.consume <eidgate.web.RedisSessions.consume>`): the callback's
    ``state`` is then single use on every instance and in every browser."""

    def consume(self, kind: str, value: str, ttl: float) -> bool:
        """True the first time ``value`` (of ``kind``) is consumed within ``ttl`` seconds."""
        ...


def handle(gate: Gate, request: WebRequest) -> WebSteps:
    """Answer a request under ``route_prefix``; a generator returning the response."""
    route = request.path[len(gate.prefix):] or "/"
    methods = _METHODS.get(route)
    if methods is None:  # no route of the gate: an unknown page
        return gate._error(request, 404, "not_found", request.root + "/",
                           title="not_found_title")
    if request.method not in methods:
        # RFC 9110 15.5.6: the route exists, not for this method; Allow MUST list those
        # it takes. Its own page: nothing about a login went wrong
        page = gate._error(request, 405, "method_not_allowed", request.root + "/",
                           title="method_not_allowed_title")
        page.headers.append(("Allow", ", ".join(methods)))
        return page
    if route == "/backchannel-logout":  # the provider's server: no browser, no page
        return (yield from _logout.backchannel_logout(gate, request))
    if route == "/callback":
        return (yield from callback(gate, request))  # turns its own errors into pages
    if route == "/logout":
        return (yield from _logout.logout(gate, request))
    if route == "/login":
        try:
            return (yield from login(gate, request))
        except ProviderError as exc:  # discovery or PAR failed
            provider_failure(exc, request.params.get("provider")
                             or gate.config.default_provider, "login")
            return gate._unavailable(request, exc)
    if route == "/logged-out":
        s = gate._texts(request)
        return gate._page(200, s, gate.pages.logged_out(s, request.root + "/"))
    if route == "/jwks.json":
        return WebResponse(200, json.dumps(gate.config.jwks()).encode(),
                           "application/jwk-set+json")
    return picker(gate, request)


def picker(gate: Gate, request: WebRequest) -> WebResponse:
    params = request.params
    wanted = [p for p in params.get("providers", "").split(",") if p in
              gate.config.providers] or list(gate.config.providers)
    loa = params.get("loa")
    max_age = parse_max_age(params.get("max_age"))  # a step-up for a fresh login
    extra = {k: v for k, v in (("next", gate._next(request, params.get("next"))),
                               ("loa", loa if loa in LEVELS else None),
                               ("max_age", None if max_age is None else str(max_age))) if v}
    best = _languages.match(request.headers.get("accept-language"), gate.languages)
    s = gate._tables[best or gate.languages[0]]
    # OIDC Core 3.1.2.1 ui_locales: the provider's pages in the picker's language
    chosen = ui_locales(params.get("ui_locales")) or (
        ui_locales(s["lang"]) if gate._chosen or best else None)
    if chosen:
        extra["ui_locales"] = chosen
    links = [(gate.config.providers[p].label_for(s["lang"]),
              gate._at(request, f"/login?{urlencode({'provider': p, **extra})}"))
             for p in wanted]
    return gate._page(200, s, gate.pages.picker(s, links))


def login(gate: Gate, request: WebRequest) -> WebSteps:
    params = request.params
    name = params.get("provider") or gate.config.default_provider
    if name not in gate.config.providers:
        return gate._error(request, 400, "unknown_provider", gate._at(request, "/"))
    loa = params.get("loa")
    max_age = parse_max_age(params.get("max_age"))
    # step-up: the core asks for the level and refuses a login below it; with max_age it
    # asks for a fresh authentication (OIDC Core 3.1.2.1: max_age, and prompt=login so
    # that a provider's single sign-on session is not reused) and checks auth_time
    redirect = yield from gate.rp.begin(name, next_url=gate._next(request, params.get("next")),
                                        loa=loa if loa in LEVELS else None,
                                        max_age=max_age,
                                        prompt=None if max_age is None else "login",
                                        ui_locales=ui_locales(params.get("ui_locales")))
    drop = [gate._drop(n) for n in gate.pending.overflow(request.cookies)]
    keep = gate._cookie(gate.pending.cookie_name(redirect.pending),
                        gate.pending.encode(redirect.pending), gate.config.login_timeout)
    elsewhere = gate.other_host(request)
    if elsewhere is not None:
        # the pending-login cookie stays with this host; the provider sends the browser back
        # to base_url's callback, which will not find it (unknown login state). A WARNING
        # the first time per host (a proxy that rewrites Host would repeat it on every login)
        # (at most 16 hosts remembered: Host is the client's to choose, so an unbounded set,
        # or a WARNING for every new value, would be anyone's to fill)
        first = elsewhere not in gate.other_hosts and len(gate.other_hosts) < 16
        if first:
            gate.other_hosts[elsewhere] = None
        log.log(logging.WARNING if first else logging.INFO,
                "eidgate: login begun at host %r, but base_url is %s: the browser keeps this "
                "login's cookie for that host and the callback at base_url will not find it; "
                "open the site at base_url (or set base_url to where it runs)",
                elsewhere, gate.origin)
    log.info("eidgate: login started (provider %s)", name)
    return gate._redirect(redirect.url, [*drop, keep])


def callback(gate: Gate, request: WebRequest) -> WebSteps:
    pending = gate.pending.collect(request.cookies)
    try:
        params = parse_callback(request.query)  # once, strictly (RFC 6749 3.1)
    except CallbackError as exc:
        log.info("eidgate: callback refused (%s: %s)", exc.error, exc.description)
        return gate._error(request, exc.status, "invalid_callback", gate._at(request, "/"))
    state = params.get("state", "")
    used = [gate._drop(gate.pending.cookie_name(p)) for p in pending if p.state == state]
    asked = next((p.loa for p in pending if p.state == state), None)  # a step-up's level
    asked_age = next((p.max_age for p in pending if p.state == state), None)  # and age
    store = gate.sessions
    if used and isinstance(store, SingleUse):
        # RFC 9700 4.7.1 / OIDC Core 3.1.2.7: the state is spent on every instance and in
        # every browser, before the code is (a copied pending cookie, two racing tabs):
        # one atomic set-if-absent, so of two callbacks exactly one goes on
        try:
            first = yield from gate.store("consume", "state", state, gate.config.login_timeout)
        except SessionStoreUnavailable:  # nothing spent: the same callback works later
            return gate._store_unavailable(request, again=gate._at(request, "/"))
        if not first:
            log.info("eidgate: callback refused (state already used)")
            return gate._error(request, 400, "invalid_callback", gate._at(request, "/"), used)
    try:
        result: LoginResult = yield from gate.rp.complete(params, pending)
    except CallbackError as exc:
        if exc.error == "invalid_state" and not pending:
            return _no_pending_login(gate, request, exc)
        # the description is eidgate's own English (no personal data): for the log;
        # the person reads a short message in their language
        log.info("eidgate: callback refused (%s: %s)", exc.error, exc.description)
        key = "login_expired" if exc.error == "login_expired" else "invalid_callback"
        return gate._error(request, exc.status, key, gate._at(request, "/"), used)
    except ProviderError as exc:
        provider_failure(exc, next((p.provider for p in pending if p.state == state), "?"),
                         "callback")
        if isinstance(exc, TokenEndpointError) and exc.provider_error == "invalid_grant":
            # RFC 6749 5.2 invalid_grant: this code is spent, expired or not this client's
            # (a callback reloaded or replayed, a person too slow): the provider is fine and
            # the configuration too; the person starts again
            return gate._error(request, 400, "invalid_callback", gate._at(request, "/"), used)
        return gate._unavailable(request, exc, used)
    if not result.accepted or result.identity is None:
        log.info("eidgate: login %s (provider %s, %s)", result.status, result.provider,
                 result.error)
        again = {"provider": result.provider, "next": result.next_url}
        if asked:  # try again at the level the page wants
            again["loa"] = asked
        if asked_age is not None:  # and as fresh as it wants
            again["max_age"] = str(asked_age)
        retry = gate._at(request, f"/login?{urlencode(again)}")
        if result.status == "canceled":
            return gate._error(request, 401, "canceled", retry, used)
        if result.error == "insufficient_user_authentication":  # eidgate's word, not theirs
            # RFC 9470 3 names both: a level too low, or (max_age asked, OIDC Core 3.1.3.7
            # (13)) an authentication too old or of unknown age
            too_old = asked_age is not None and "max_age=" in (result.error_description or "")
            return gate._error(request, 401, "login_too_old" if too_old else
                               "insufficient_loa", retry, used)
        detail = provider_text(result.error_description or "")
        return gate._error(request, 401, "rejected", retry, used, detail or None)
    # OpenID Connect Back-Channel Logout 1.0 2.7: a session is found again by the ID
    # token's sid (and its issuer, on the identity) when the provider logs it out
    sid = result.id_token_claims.get("sid")
    extra: dict[str, Any] = {"sid": sid} if isinstance(sid, str) and sid else {}
    tokens = session_tokens(gate, result)  # server-side stores only: never in the browser
    if tokens is not None:
        extra[TOKENS] = tokens
    if gate.on_login is not None:  # the app's hook: after every check, before the session
        hooked = yield from _on_login(gate, request, result, used)
        if isinstance(hooked, WebResponse):
            return hooked
        if hooked:
            extra[APP_DATA] = hooked
    # the evidence of a login a session is made for, stored after the app's hook as a
    # deferred one is (finish()): a login the app refused leaves no archive, any adapter
    if gate.evidence is not None and not gate._defer:
        refused = keep(gate, request, result, used)
        if refused is not None:
            return refused
    try:  # a new session value on every login (session fixation)
        session = yield from gate.store("save", kept_claims(gate, result.identity), **extra)
    except SessionStoreUnavailable:  # Redis down: no cookie for a session not stored
        log.warning("eidgate: login not kept (session store unavailable)")
        return gate._store_unavailable(request, used, gate._at(request, "/"))
    except EidGateError as exc:  # e.g. an identity too large for a cookie
        log.warning("eidgate: login not kept (%s)", exc.error)
        return gate._error(request, exc.status, "invalid_callback", gate._at(request, "/"),
                           used)
    log.info("eidgate: login accepted (provider %s, method %s)", result.provider,
             result.identity.method)
    response = gate._redirect(result.next_url, [
        *used, gate._cookie(gate.session_cookie, session, gate.config.session_max_age)])
    if gate.evidence is not None and gate._defer:
        response.evidence = (result, session, used)
    return response


def _on_login(gate: Gate, request: WebRequest, result: LoginResult, used: list[str]
              ) -> Generator[Call[Any], Any, WebResponse | dict[str, Any] | None]:
    """The app's ``on_login`` hook: its data for the session (None: nothing to keep), or
    the page to answer instead (it refused the login, or failed)."""
    assert gate.on_login is not None
    try:
        data = yield from call_hook(gate.on_login, result)
        if data is not None:
            if not isinstance(data, Mapping):
                raise TypeError(f"on_login returned {type(data).__name__}, not a mapping "
                                f"or None")
            data = dict(data)
            json.dumps(data)  # kept with the session as JSON: refuse what would not be
    except LoginRefused as exc:
        # the reason is the app's text for the person (it may name them): shown, not logged
        log.info("eidgate: login refused by the app (on_login, provider %s)", result.provider)
        s = gate._texts(request)
        return gate._page(exc.status, s, gate.pages.error(s, exc.reason, gate._at(request, "/")),
                          used)
    except Exception as exc:  # the app's own bug: a clean page, no session, a log line
        log.error("eidgate: on_login hook failed (%s); login not kept", type(exc).__name__,
                  exc_info=None if isinstance(exc, EidGateError) else withheld(exc))
        return gate._error(request, 500, "invalid_callback", gate._at(request, "/"), used)
    return data or None


def _no_pending_login(gate: Gate, request: WebRequest, exc: CallbackError) -> WebResponse:
    """A callback that came with no pending-login cookie at all (RFC 6749 10.12: its state
    is no login of this browser). Most often the login was begun at another host than
    base_url's, whose cookie the browser keeps there: the page says where to open the
    site, the log says which hosts logins were begun at."""
    here = gate.other_host(request)
    seen = [h for h in (here, *gate.other_hosts) if h is not None]
    if seen:
        log.warning("eidgate: callback refused (%s): no pending-login cookie came with it; "
                    "logins were begun at host %s, but base_url is %s: the browser keeps a "
                    "login's cookie for the host it was begun at", exc.error,
                    ", ".join(repr(h) for h in dict.fromkeys(seen)), gate.origin)
    else:
        log.info("eidgate: callback refused (%s: %s; no pending-login cookie came with it)",
                 exc.error, exc.description)
    return gate._error(request, exc.status, "wrong_host", gate._at(request, "/"),
                       address=gate.origin)


def kept_claims(gate: Gate, identity: Identity) -> Identity:
    """``identity`` with the raw claims its provider's ``keep_claims`` names, for the
    session: by default every claim with a server-side store, none in the cookie (browsers
    drop cookies over 4 KB; docs/identity.md)."""
    conf = gate.config.providers.get(identity.provider or "")
    names = conf.keep_claims if conf is not None else None
    if names is None:
        names = () if isinstance(gate.sessions, CookieSessions) else ("*",)
    if names == ("*",) or not identity.claims:
        return identity
    wanted = set(names)
    return replace(identity, claims={k: v for k, v in identity.claims.items() if k in wanted})


def keep(gate: Gate, request: WebRequest, result: LoginResult, used: list[str]
          ) -> WebResponse | None:
    """Store the evidence archive; an error page if that fails (no evidence, no login)."""
    try:
        keep_evidence(gate.evidence, result)
    except Exception as exc:  # a sink's own failure (disk full, upload refused, ...)
        log.error("eidgate: evidence archive not stored (%s); login refused",
                  type(exc).__name__)
        return gate._error(request, 500, "invalid_callback", gate._at(request, "/"), used)
    return None

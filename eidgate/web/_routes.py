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
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlencode

from .. import _languages
from .._calls import Call, call_hook
from .._errors import (
    CallbackError,
    EidGateError,
    LoginRefused,
    LogoutTokenError,
    ProviderError,
    SessionError,
    SessionStoreUnavailable,
    TokenEndpointError,
)
from .._identity.levels import LEVELS
from .._identity.model import Identity
from .._oidc.evidence import keep_evidence
from .._oidc.flow import LoginResult, parse_callback
from .._oidc.logout import LogoutRequest, ReplayCache
from ._pages import provider_text
from ._request import WebRequest, WebResponse, cross_site, ui_locales
from ._rules import parse_max_age
from ._sessions import APP_DATA, CookieSessions
from ._tokens import TOKENS, session_tokens

if TYPE_CHECKING:
    from ._gate import Gate, WebSteps

log = logging.getLogger("eidgate")


@runtime_checkable
class SingleUse(Protocol):
    """A session store shared by every instance that can record a value as used, once
    (:meth:`RedisSessions.consume <eidgate.web.RedisSessions.consume>`): the callback's
    ``state`` is then single use on every instance and in every browser."""

    def consume(self, kind: str, value: str, ttl: float) -> bool:
        """True the first time ``value`` (of ``kind``) is consumed within ``ttl`` seconds."""
        ...


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
                  exc_info=None if isinstance(exc, EidGateError) else _withheld(exc))
        return gate._error(request, 500, "invalid_callback", gate._at(request, "/"), used)
    return data or None


class HookFailed(Exception):
    """In the log, in place of the app's hook's exception: its frames, not its text."""


def _withheld(exc: BaseException) -> tuple[type[HookFailed], HookFailed, TracebackType | None]:
    """``exc_info`` for a hook's exception: where it was raised (the traceback's frames, for
    the operator), without what it says. A hook's exception text is often the person's data
    (``KeyError('070770-905D')`` from a customer lookup), and so are its chained ones: none
    of it goes to the log."""
    return HookFailed, HookFailed(f"{type(exc).__name__} (its text is not logged: it may "
                                  f"hold personal data)"), exc.__traceback__


def provider_failure(exc: ProviderError, provider: str, step: str) -> None:
    """The operator's log line for a provider failure, at WARNING: whether it is a
    misconfiguration or an outage, the provider, the step, the provider's error code and
    description (cut short; never a request body, code or token: see
    :meth:`~eidgate.ProviderError.diagnosis`). ``provider`` / ``step``: where the gate was,
    unless the flow named a more precise one."""
    exc.at(provider, step)
    log.warning("eidgate: provider failure: %s", exc.diagnosis())


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


def logout(gate: Gate, request: WebRequest) -> WebSteps:
    if cross_site(request.headers, gate.origin):
        # Logout CSRF (OWASP CSRF Prevention Cheat Sheet, Fetch Metadata): another
        # site's form would end the session (its POST carries no Lax cookie, but the
        # browser applies our Set-Cookie) and could chain a login CSRF after it
        log.info("eidgate: cross-site logout refused")
        return gate._error(request, 403, "logout_refused", request.root + "/")
    value = request.cookies.get(gate.session_cookie)
    cookies = [gate._drop(gate.session_cookie)]
    try:
        found = yield from gate.store("load", value)
        yield from gate.store("delete", value)
    except SessionStoreUnavailable:
        # The cookie is dropped all the same: the person asked to be logged out, maybe on
        # a shared computer they are leaving; keeping it would log the next user in as
        # them once the store is back. The record the store could not delete ends with
        # idle_timeout / session_max_age, usable only by a copy of the cookie taken
        # before; the 503 tells the person the logout could not be completed here.
        log.warning("eidgate: logout incomplete (session store unavailable)")
        return gate._store_unavailable(request, cookies, request.root + "/")
    if found is not None and gate.on_logout is not None:
        try:  # the app's audit hook: the session is over whatever it does
            yield from call_hook(gate.on_logout, found[0])
        except Exception as exc:
            log.error("eidgate: on_logout hook failed (%s)", type(exc).__name__,
                      exc_info=_withheld(exc))
    provider = found[0].provider if found is not None else None
    if provider is not None and provider in gate.config.providers:
        back = f"{gate.config.base_url}{gate.prefix}/logged-out"
        try:  # OpenID Connect RP-Initiated Logout 1.0: the relying party builds the URL
            url = yield from gate.rp.logout(provider, post_logout_redirect_uri=back)
        except ProviderError as exc:  # the session here is over all the same
            provider_failure(exc, provider, "logout")
            log.info("eidgate: provider logout skipped (%s)", exc.error)
            url = None
        if url is not None:
            return gate._redirect(url, cookies)
    return gate._redirect(gate._at(request, "/logged-out"), cookies)


def backchannel_logout(gate: Gate, request: WebRequest) -> WebSteps:
    """OpenID Connect Back-Channel Logout 1.0: the provider's server POSTs a logout token.

    No browser is involved (2.5): no cookie is read or set and no cross-site check applies
    (the token's signature is the authentication). Answers per 2.8: 200 once the sessions
    are ended; 400 with a JSON error for an invalid request or a logout that failed, the
    token and the person's identifiers never in the log.
    """
    if len(request.body) > gate.max_body:
        return _logout_answer(400, "invalid_request", "request body too large")
    store = gate.sessions
    # 2.6 (8): a store shared by every instance that also keeps used jti values stops a
    # replay at any of them; else the relying party's own in-memory cache. The store's
    # record is made here, as a step the driver makes (Redis I/O), once every other check
    # has passed (as the core checks jti last)
    noted = _Noted() if isinstance(store, ReplayCache) else None
    try:
        found: LogoutRequest = yield from gate.rp.backchannel_logout(None, request.body,
                                                                     replay=noted)
        if noted is not None and noted.seen is not None and not (
                yield from gate.store("first_use", *noted.seen)):
            raise LogoutTokenError("logout token was already used (jti replayed)")
    except SessionStoreUnavailable as exc:
        log.warning("eidgate: back-channel logout not done (%s)", exc.error)
        return _logout_answer(400, exc.error, "the sessions could not be ended")
    except LogoutTokenError as exc:
        log.info("eidgate: back-channel logout refused (%s)", exc.description)
        return _logout_answer(400, exc.error, exc.description)
    except ProviderError as exc:  # the provider's keys could not be fetched
        exc.at("?", "backchannel_logout")
        log.warning("eidgate: back-channel logout failed: provider keys unavailable: %s",
                    exc.diagnosis())
        return _logout_answer(400, "temporarily_unavailable",
                              "the provider's keys could not be fetched; logout not done")
    try:
        if getattr(store, "end", None) is None:  # a store written before end() was in it
            raise SessionError("this session store cannot end sessions",
                               error="sessions_not_revocable")
        ended = yield from gate.store("end", found.issuer, sid=found.sid, sub=found.sub)
    except Exception as exc:  # the store's own failure (Redis down), or it cannot end any
        # 2.8: "If ... the logout failed, the RP MUST respond with 400 Bad Request"; the
        # error code tells the provider's operator why (a store error's text stays here)
        code = exc.error if isinstance(exc, EidGateError) else "server_error"
        log.warning("eidgate: back-channel logout from provider %s not done (%s: %s)",
                    found.provider, code, type(exc).__name__)
        return _logout_answer(400, code, "the sessions could not be ended")
    log.info("eidgate: back-channel logout from provider %s: %d session(s) ended",
             found.provider, ended)
    return _logout_answer(200)


class _Noted:
    """A :class:`ReplayCache` that only notes the one ``jti`` the core asks about (the
    gate then records it in the store as a driver step)."""

    seen: tuple[str, str, float] | None = None

    def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
        self.seen = (issuer, jti, ttl)
        return True


def _logout_answer(status: int, error: str | None = None, description: str | None = None
                   ) -> WebResponse:
    """2.8: 200, or 400 with an OAuth-style JSON error (RFC 6749 5.2); never cached
    (``Cache-Control: no-store`` on every gate answer; ``Pragma`` RECOMMENDED too)."""
    body = b"" if error is None else json.dumps(
        {"error": error, "error_description": description}).encode()
    return WebResponse(status, body, "application/json" if body else
                       "text/plain; charset=utf-8", [("Pragma", "no-cache")])

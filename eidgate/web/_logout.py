"""The gate's routes that end sessions: ``/logout`` (the person's, with RP-initiated
logout at the provider) and ``/backchannel-logout`` (the provider's server, OpenID Connect
Back-Channel Logout 1.0). :func:`~eidgate.web._routes.handle` dispatches to them."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from .._calls import call_hook
from .._errors import (
    EidGateError,
    LogoutTokenError,
    ProviderError,
    SessionError,
    SessionStoreUnavailable,
)
from .._oidc.logout import LogoutRequest, ReplayCache
from ._answers import provider_failure, withheld
from ._request import WebRequest, WebResponse, cross_site

if TYPE_CHECKING:
    from ._gate import Gate, WebSteps

log = logging.getLogger("eidgate")


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
                      exc_info=withheld(exc))
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

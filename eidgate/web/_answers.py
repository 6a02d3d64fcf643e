"""The gate's answers that are not routes of its own: what a protected path gets instead of
the app (a login redirect, a 401 JSON for an API call, a 503 when the session store is
down), and the error and unavailable pages its routes share. Functions of the
:class:`~eidgate.web.Gate` (its methods call them), kept apart so the gate reads as what
it holds and decides."""

from __future__ import annotations

import json
import logging
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from .._errors import EidGateError, ProviderError, SessionStoreUnavailable
from .._identity.model import Identity
from ._request import WebRequest, WebResponse, is_navigation, origin_of
from ._rules import Rule
from ._sessions import STORE_FAILED

if TYPE_CHECKING:
    from ._gate import Gate

log = logging.getLogger("eidgate")


def guard(gate: Gate, request: WebRequest, identity: Identity | None, rule: Rule | None = None
          ) -> WebResponse | None:
    """None if ``identity`` may see this route, else the response to send instead:
    a redirect to log in for a page navigation, a 401 JSON for an API call."""
    rule = rule or gate.rule
    if gate.allowed(rule, identity):
        return None
    failed = STORE_FAILED.get()
    if identity is None and failed and failed == request.cookies.get(gate.session_cookie):
        return gate._store_unavailable(request)
    if not is_navigation(request.headers):
        reason = "login_required" if identity is None else "insufficient_authentication"
        body: dict[str, str | int] = {"error": reason,
                                      "login_url": api_login(gate, request, rule)}
        challenge = f'eidgate error="{reason}"'
        if rule.max_age is not None:
            # RFC 9470 3: the challenge names the max_age the route needs, and the login
            # URL asks the provider for it (OIDC Core 3.1.2.1)
            body["max_age"] = rule.max_age
            login_url = str(body["login_url"])
            body["login_url"] = (f"{login_url}{'&' if '?' in login_url else '?'}"
                                 f"max_age={rule.max_age}")
            challenge += f', max_age="{rule.max_age}"'
        return WebResponse(401, json.dumps(body).encode(), "application/json",
                           [("WWW-Authenticate", challenge)])
    # next: where the browser was, as it sees it (with the mount point); the path is
    # decoded, so encode it again (RFC 3986 3.3 pchar): "/a%3Fb" must not come back "/a?b"
    target = quote(request.root + request.path, safe="/!$&'()*+,;=:@") + (
        f"?{request.query}" if request.query else "")
    query = {"next": gate._next(request, target)}  # bounded as /login bounds it
    if rule.loa:
        query["loa"] = rule.loa
    choices = list(rule.providers or gate.config.providers)
    if rule.max_age is not None:
        # OIDC Core 3.1.2.1: a login too old for this route is done again, at the
        # provider the person used when it is one the route takes
        query["max_age"] = str(rule.max_age)
        if identity is not None and identity.provider in choices:
            choices = [identity.provider]
    if len(choices) == 1:
        query["provider"] = choices[0]
        return gate._redirect(gate._at(request, f"/login?{urlencode(query)}"))
    if rule.providers:
        query["providers"] = ",".join(rule.providers)
    return gate._redirect(gate._at(request, f"/?{urlencode(query)}"))


def api_login(gate: Gate, request: WebRequest, rule: Rule) -> str:
    """The 401 JSON's ``login_url``: ``/login`` with the way back (``next``) and the
    provider when the route's rule names exactly one.

    ``next`` is the page the API call came from: its ``Referer``, when that is of this
    site's origin (``base_url``'s, RFC 6454): a script's fetch wants the person back on
    the page that made it, not on the API's JSON, so not the request's own path. A
    same-origin fetch sends the page's URL there by default (Referrer Policy
    ``strict-origin-when-cross-origin``); another origin's, or none (RFC 9110 10.1.3:
    a client may leave it out), gives no ``next``: the login ends at the app's root.
    """
    query: dict[str, str] = {}
    referer = request.headers.get("referer", "")
    try:
        page = urlsplit(referer) if origin_of(referer) == gate.origin else None
    except ValueError:  # a malformed Referer (a bad port): no way back from it
        page = None
    if page is not None and page.path:
        query["next"] = gate._next(request, page.path + (f"?{page.query}"
                                                         if page.query else ""))
    if rule.providers is not None and len(rule.providers) == 1:
        # the one the route takes (without it /login uses default_provider)
        query["provider"] = next(iter(rule.providers))
    login = gate._at(request, "/login")
    return f"{login}?{urlencode(query)}" if query else login


def store_unavailable(gate: Gate, request: WebRequest, cookies: list[str] | None = None,
                       again: str | None = None) -> WebResponse:
    """503 with Retry-After: the session store did not answer (not a login redirect:
    the person is logged in, and a new login could not be stored either). ``cookies``:
    Set-Cookie values to send all the same; ``again``: the page's retry link (default:
    this path)."""
    retry = [("Retry-After", str(SessionStoreUnavailable.retry_after))]
    if not is_navigation(request.headers):
        body = json.dumps({"error": SessionStoreUnavailable.error}).encode()
        return WebResponse(503, body, "application/json", retry, list(cookies or []))
    texts = gate._texts(request)
    # the unavailable page, in the words for our own store (not "the identity provider");
    # an app's added language without these keys has them in English (language_tables)
    s = {**texts, "unavailable_title": texts["store_unavailable_title"],
         "unavailable": texts["store_unavailable"]}
    page = gate._page(503, s, gate.pages.unavailable(s, again or request.root + request.path),
                      cookies)
    page.headers += retry
    return page


def error_page(gate: Gate, request: WebRequest, status: int, key: str, retry: str,
           cookies: list[str] | None = None, detail: str | None = None, *,
           title: str | None = None, address: str | None = None) -> WebResponse:
    """The error page with the message ``s[key]``; ``title``: the key of its own title
    (else "Login did not complete"), with "back to the start page" as its link;
    ``address`` fills the message's ``{address}``."""
    s = gate._texts(request)
    if title is not None:
        s = {**s, "error_title": s[title], "try_again": s["home"]}
    message = s[key] if address is None else s[key].replace("{address}", address)
    return gate._page(status, s, gate.pages.error(s, message, retry, detail), cookies)


def unavailable_page(gate: Gate, request: WebRequest, exc: EidGateError,
                 cookies: list[str] | None = None) -> WebResponse:
    s = gate._texts(request)
    if isinstance(exc, ProviderError) and exc.misconfigured:
        # the provider answered, and its answer says our configuration is wrong (a client
        # secret, an issuer): no outage, and no retry will help. The person reads that
        # the service is misconfigured (500, RFC 9110 15.6.1); the operator, the log's
        # line (provider_failure)
        s = {**s, "unavailable_title": s["misconfigured_title"],
             "unavailable": s["misconfigured"]}
        return gate._page(500, s, gate.pages.unavailable(s, gate._at(request, "/")),
                          cookies)
    # the error's own status hint: 504 when the provider did not answer in time
    status = exc.status if 500 <= exc.status < 600 else 502
    return gate._page(status, s, gate.pages.unavailable(s, gate._at(request, "/")), cookies)


def other_host(gate: Gate, request: WebRequest) -> str | None:
    """The host the browser asked for, when it is not ``base_url``'s (else None): a
    login begun there keeps its pending-login cookie there (RFC 6265bis 5.4: a host-only
    cookie goes back to that host alone), and the callback at ``base_url`` finds none.
    ``X-Forwarded-Host`` first (a proxy's), else ``Host`` (RFC 9110 7.2). For the log
    and the page only: nothing is decided on it."""
    sent = request.headers.get("x-forwarded-host") or request.headers.get("host")
    if not sent:
        return None
    host = sent.split(",")[0].strip().lower()
    try:
        if origin_of(f"{urlsplit(gate.config.base_url).scheme}://{host}") == gate.origin:
            return None
    except ValueError:  # not a host[:port]: not base_url's either
        pass
    return host[:100]


class HookFailed(Exception):
    """In the log, in place of the app's hook's exception: its frames, not its text."""


def withheld(exc: BaseException) -> tuple[type[HookFailed], HookFailed, TracebackType | None]:
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

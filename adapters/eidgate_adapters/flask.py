"""Flask: ``EidGate``, ``login_required``, ``current_identity``.

    from eidgate_adapters.flask import EidGate, login_required, current_identity

    gate = EidGate(app, config="eidgate.toml")      # or EidGate() + gate.init_app(app, ...)

    @app.get("/account")
    @login_required(loa="substantial")
    def account():
        return f"Hello {current_identity.full_name}"

All logic lives in ``eidgate`` (the gate); this module only translates requests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, Unpack, cast, overload

from flask import Flask, Request, Response, current_app, request
from werkzeug.local import LocalProxy

from eidgate import Client, Config, Identity, Level
from eidgate.web import Gate, GateOptions, Rule, WebRequest, WebResponse, parse_cookies, wrap_view

F = TypeVar("F", bound=Callable[..., Any])


class EidGate:
    """The eidgate extension; state lives in ``app.extensions["eidgate"]``.

    Takes the options every adapter takes (:class:`eidgate.web.GateOptions`): ``protect``
    patterns are checked before any view (``before_request``), with ``providers`` and
    ``loa``; ``strings``, ``languages``, ``pages``, ``sessions``, ``evidence``.
    """

    def __init__(self, app: Flask | None = None,
                 config: str | os.PathLike[str] | Config = "eidgate.toml",
                 **options: Unpack[GateOptions]) -> None:
        self.client: Client | None = None
        self.gate: Gate | None = None
        if app is not None:
            self.init_app(app, config, **options)

    def init_app(self, app: Flask, config: str | os.PathLike[str] | Config = "eidgate.toml",
                 **options: Unpack[GateOptions]) -> None:
        """Load the config, register the routes under ``route_prefix``."""
        self.gate, self.client = Gate.open(config, Client, **options)
        app.extensions["eidgate"] = self
        prefix = self.gate.prefix
        methods = ["GET", "HEAD", "POST"]
        app.add_url_rule(prefix, "eidgate", self._route, methods=methods)
        app.add_url_rule(prefix + "/", "eidgate_picker", self._route, methods=methods)
        app.add_url_rule(prefix + "/<path:_route>", "eidgate_route", self._route,
                         methods=methods)
        app.before_request(self._before)

    def _route(self, _route: str = "") -> Response:
        assert self.client is not None
        assert self.gate is not None
        return _response(self.client.run(self.gate.handle(_request(_this_request(),
                                                                   self.gate))))

    def _before(self) -> Response | None:
        gate = self.gate
        assert gate is not None
        req = _this_request()
        if gate.owns(req.path):
            # every method under the prefix is the gate's (404 for those it does not take),
            # never an app route's: a catch-all route must not see PUT /eidgate/x
            return self._route()
        if not gate.protect or not gate.protects(req.path, req.script_root):
            return None
        refused = gate.refuse(_identity(req, gate), lambda: _request(req), method=req.method)
        return _response(refused) if refused is not None else None


def _gate() -> Gate:
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    gate = cast(EidGate, app.extensions["eidgate"]).gate
    assert gate is not None
    return gate


def _this_request() -> Request:
    # one context look-up: every attribute read through Flask's proxy is another
    return cast("LocalProxy[Request]", request)._get_current_object()


def _request(req: Request, gate: Gate | None = None) -> WebRequest:
    # the body only where the gate reads it (the back-channel logout's form), bounded:
    # werkzeug's stream never reads past Content-Length
    body = req.stream.read(gate.max_body + 1) if gate is not None and gate.reads_body(
        req.path, req.method) else b""
    return WebRequest(req.method, req.path, req.query_string.decode("latin-1"),
                      {k.lower(): v for k, v in req.headers.items()}, _cookies(req),
                      req.script_root, body)


def _cookies(req: Request) -> dict[str, str]:
    # the core's parser, as the other adapters (werkzeug's request.cookies walks every
    # header to find this one)
    return parse_cookies(req.environ.get("HTTP_COOKIE", ""))


def _response(web: WebResponse) -> Response:
    return Response(web.body, status=web.status, headers=web.all_headers())


# kept in the WSGI environ: a fresh one for every request (``g`` outlives a request when
# an app context was pushed around several)
_IDENTITY = "eidgate.flask.identity"


def _identity(req: Request, gate: Gate | None = None) -> Identity | None:
    environ = req.environ
    if _IDENTITY not in environ:
        environ[_IDENTITY] = (gate or _gate()).cookie_identity(environ.get("HTTP_COOKIE", ""))
    return cast(Identity | None, environ[_IDENTITY])


def get_identity() -> Identity | None:
    """The logged-in :class:`~eidgate.Identity` of this request, or None."""
    return _identity(_this_request())


#: The logged-in identity (a proxy: test it with ``if current_identity:``).
current_identity: Identity = cast(Identity, LocalProxy(get_identity))


def get_session_data() -> Mapping[str, Any]:
    """The app's own data kept with this request's session (what ``on_login`` returned),
    or ``{}`` when logged out or when the hook kept nothing."""
    req = _this_request()
    if _identity(req) is None:
        return {}
    gate = _gate()
    return gate.session(gate.session_value(req.environ.get("HTTP_COOKIE", "")))[1]


def get_access_token() -> str:
    """A valid access token of this request's session, for the app's API calls: refreshed
    shortly before it expires (one refresh at a time per session, on every instance).
    Needs a server-side store (``[eidgate.session] store = "redis"``; the cookie store
    raises :class:`~eidgate.web.SessionError`). Raises :class:`~eidgate.web.LoginRequired`
    when only a new login gives one (a refused refresh has ended the session)."""
    ext = cast(EidGate, cast("LocalProxy[Flask]", current_app)._get_current_object()
               .extensions["eidgate"])
    assert ext.gate is not None
    assert ext.client is not None
    value = ext.gate.session_value(_this_request().environ.get("HTTP_COOKIE", ""))
    return ext.client.run(ext.gate.access_token(value))


@overload
def login_required(view: F, /) -> F: ...


@overload
def login_required(*, provider: str | None = None, providers: Iterable[str] | None = None,
                   loa: Level | None = None, max_age: int | None = None
                   ) -> Callable[[F], F]: ...


def login_required(view: F | None = None, /, *, provider: str | None = None,
                   providers: Iterable[str] | None = None, loa: Level | None = None,
                   max_age: int | None = None) -> F | Callable[[F], F]:
    """Let only logged-in people (with one of ``providers``, at ``loa`` or higher, who
    authenticated at most ``max_age`` seconds ago) through.

    Works on sync and async views, which keep their type. ``OPTIONS`` needs a login too:
    Flask answers it itself unless the view lists it, and then the view answers it.
    A login older than ``max_age`` (a payment, a change of address) is sent back to the
    provider to authenticate again (``prompt=login``), then to the view.
    """
    rule = Rule.of(provider=provider, providers=providers, loa=loa, max_age=max_age)

    def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Response | None:
        req = _this_request()
        gate = _gate()
        refused = gate.refuse(_identity(req, gate), lambda: _request(req), method=req.method,
                              rule=rule)
        return _response(refused) if refused is not None else None

    def decorate(func: F) -> F:
        return wrap_view(func, refuse)

    return decorate(view) if view is not None else decorate


__all__ = ["EidGate", "current_identity", "get_access_token", "get_identity", "get_session_data",
           "login_required"]

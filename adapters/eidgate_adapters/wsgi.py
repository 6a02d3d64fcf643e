"""WSGI (Django, Bottle, Falcon, Pyramid, plain WSGI): ``EidGateMiddleware``.

    from eidgate_adapters.wsgi import EidGateMiddleware, get_identity

    application = EidGateMiddleware(application, config="eidgate.toml",
                                    protect=["/account/*"], loa="substantial")

    # in a view: get_identity(environ) -> eidgate.Identity or None
    # (also environ["eidgate.identity"]; environ["REMOTE_USER"] is the subject)

Mounted below a path (``SCRIPT_NAME``), ``route_prefix`` and ``protect`` are below it too
and ``base_url`` includes it. All logic lives in ``eidgate`` (the gate); this module only
translates requests.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from http import HTTPStatus
from typing import Any, Unpack

from eidgate import Client, Config, Identity
from eidgate.web import Gate, GateOptions, WebRequest, WebResponse

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ENVIRON_KEY = "eidgate.identity"
_GATE_KEY = "eidgate.gate"
_CLIENTS: weakref.WeakKeyDictionary[Gate, Client] = weakref.WeakKeyDictionary()


class EidGateMiddleware:
    """Answers ``route_prefix`` routes, puts the identity in the environ, guards ``protect``.

    Takes the options every adapter takes (:class:`eidgate.web.GateOptions`).
    """

    def __init__(self, app: WSGIApp, config: str | os.PathLike[str] | Config = "eidgate.toml",
                 **options: Unpack[GateOptions]) -> None:
        self.app = app
        self.gate, self.client = Gate.open(config, Client, **options)
        _CLIENTS[self.gate] = self.client  # for get_access_token(environ)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        gate = self.gate
        path = _path(environ)
        if gate.owns(path):
            request = _request(environ)
            if gate.reads_body(path, request.method):  # the back-channel logout's form
                request = replace(request, body=_body(environ, gate.max_body + 1))
            return _answer(self.client.run(gate.handle(request)), start_response)
        # the hot path reads only the Cookie header; a full request is built to refuse
        identity = gate.cookie_identity(environ.get("HTTP_COOKIE", ""))
        environ[ENVIRON_KEY] = identity
        environ[_GATE_KEY] = gate
        if identity is not None:
            environ["REMOTE_USER"] = identity.subject
        if gate.protects(path, _path(environ, "SCRIPT_NAME", "")):
            refused = gate.refuse(identity, lambda: _request(environ),
                                  method=environ.get("REQUEST_METHOD", "GET"))
            if refused is not None:
                return _answer(refused, start_response)
        return self.app(environ, start_response)

    def close(self) -> None:
        """Close the connection pool to the providers."""
        self.client.close()


def get_identity(environ: Mapping[str, Any]) -> Identity | None:
    """The logged-in :class:`~eidgate.Identity` of this request, or None."""
    found = environ.get(ENVIRON_KEY)
    return found if isinstance(found, Identity) else None


def get_session_data(environ: Mapping[str, Any]) -> Mapping[str, Any]:
    """The app's own data kept with this request's session (what ``on_login`` returned),
    or ``{}`` (logged out, or nothing kept)."""
    gate = environ.get(_GATE_KEY)
    if not isinstance(gate, Gate) or get_identity(environ) is None:
        return {}
    return gate.session(gate.session_value(environ.get("HTTP_COOKIE", "")))[1]


def get_access_token(environ: Mapping[str, Any]) -> str:
    """A valid access token of this request's session, for the app's API calls: refreshed
    shortly before it expires (one refresh at a time per session, on every instance).
    Needs a server-side store (``[eidgate.session] store = "redis"``; the cookie store
    raises :class:`~eidgate.web.SessionError`). Raises :class:`~eidgate.web.LoginRequired`
    when only a new login gives one (a refused refresh has ended the session)."""
    gate = environ.get(_GATE_KEY)
    if not isinstance(gate, Gate):
        raise RuntimeError("eidgate: wrap the app in EidGateMiddleware for get_access_token")
    value = gate.session_value(environ.get("HTTP_COOKIE", ""))
    return _CLIENTS[gate].run(gate.access_token(value))


def _request(environ: Mapping[str, Any]) -> WebRequest:
    # PEP 3333: header values and PATH_INFO arrive as latin-1 "native strings"
    headers = [(k[5:].replace("_", "-"), str(v)) for k, v in environ.items()
               if k.startswith("HTTP_")]
    return WebRequest.from_headers(environ.get("REQUEST_METHOD", "GET"), _path(environ),
                                   environ.get("QUERY_STRING", ""), headers,
                                   _path(environ, "SCRIPT_NAME", ""))


def _body(environ: Mapping[str, Any], limit: int) -> bytes:
    """At most ``limit`` bytes of the request body (PEP 3333: never past CONTENT_LENGTH)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    return bytes(environ["wsgi.input"].read(min(length, limit))) if length > 0 else b""


def _path(environ: Mapping[str, Any], key: str = "PATH_INFO", default: str = "/") -> str:
    """PATH_INFO (below the mount point) or SCRIPT_NAME (the mount point) as text."""
    return str(environ.get(key) or default).encode("latin-1").decode("utf-8", "replace")


def _answer(web: WebResponse, start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response(f"{web.status} {HTTPStatus(web.status).phrase}",
                   [*web.all_headers(), ("Content-Length", str(len(web.body)))])
    return [web.body]


__all__ = ["ENVIRON_KEY", "EidGateMiddleware", "get_access_token", "get_identity",
           "get_session_data"]

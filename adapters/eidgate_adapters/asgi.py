"""ASGI (Starlette, FastAPI, Litestar, any ASGI app): ``EidGateMiddleware``, pure ASGI.

    from eidgate_adapters.asgi import EidGateMiddleware, get_identity, login_required

    app = EidGateMiddleware(app, config="eidgate.toml", protect=["/account/*"])

    @login_required(loa="substantial")       # a Starlette or FastAPI endpoint
    async def account(request): ...          # get_identity(request) -> eidgate.Identity

    def me(identity: Annotated[Identity, Depends(identity_required())]): ...  # FastAPI

The identity goes on the scope: ``scope["eidgate.identity"]``, and ``scope["user"]`` /
``scope["auth"]`` for Starlette's ``request.user`` / ``request.auth`` and ``requires()``.
The middleware imports no framework (only ``login_required`` and ``identity_required`` do).
Mounted below a path (``root_path``), ``route_prefix`` and ``protect`` are below it too and
``base_url`` includes it. All logic lives in ``eidgate`` (the gate).
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import replace
from typing import Any, TypeVar, Unpack, cast, overload

import anyio.to_thread

from eidgate import AsyncClient, Config, Identity, Level, load_config
from eidgate.web import (
    Gate,
    GateOptions,
    Rule,
    WebRequest,
    WebResponse,
    below_root,
    wrap_view,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
F = TypeVar("F", bound=Callable[..., Any])
SCOPE_KEY = "eidgate.identity"
DATA_KEY = "eidgate.data"
_GATE_KEY = "eidgate.gate"
_CLIENTS: weakref.WeakKeyDictionary[Gate, AsyncClient] = weakref.WeakKeyDictionary()


class EidUser:
    """``scope["user"]``: Starlette's user protocol, over the identity (None: anonymous).

    Read-only: the middleware makes one per identity and puts it on each of its requests.
    """

    __slots__ = ("display_name", "identity", "is_authenticated")

    def __init__(self, identity: Identity | None) -> None:
        set_ = object.__setattr__
        set_(self, "identity", identity)
        set_(self, "is_authenticated", identity is not None)
        set_(self, "display_name", (identity.full_name or "") if identity else "")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"EidUser is read-only (the requests of a session share it): "
                             f"cannot set {name}")


class EidAuth:
    """``scope["auth"]``: Starlette's credentials, whose ``scopes`` ``requires()`` checks:
    ``("authenticated",)`` for a logged-in identity, else ``()``.

    Read-only, and shared by the requests of a session like :class:`EidUser` (one object
    per identity, not one per request: benchmarks/protected_route.py). An app that grants
    its own scopes puts its own credentials (Starlette's ``AuthCredentials``) in
    ``scope["auth"]`` for that request.
    """

    __slots__ = ("scopes",)

    scopes: tuple[str, ...]

    def __init__(self, identity: Identity | None) -> None:
        object.__setattr__(self, "scopes", ("authenticated",) if identity is not None else ())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"EidAuth is read-only (the requests of a session share it): "
                             f"cannot set {name}; put your own credentials in "
                             f"scope['auth'] instead")


K = TypeVar("K", str, bytes, tuple[str, str])
V = TypeVar("V")


class _Remembered(dict[K, V]):
    """``memo[key]`` is ``compute(key)``, remembered: on the hot path, one dict lookup.

    Bounded, so that endless distinct paths or cookies cost CPU, not memory: keys over
    ``longest`` characters are not kept, and it empties when full (``_REMEMBERED``).
    """

    _compute: Callable[[K], V]
    _longest: int

    def __init__(self, compute: Callable[[K], V], longest: int) -> None:
        super().__init__()
        self._compute = compute
        self._longest = longest

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        size = sum(map(len, key)) if isinstance(key, tuple) else len(key)
        if size <= self._longest:
            if len(self) >= _REMEMBERED:
                self.clear()
            self[key] = value
        return value


_REMEMBERED = 1024  # entries of each of the middleware's memos
#: what the hot path knows of a session: identity, EidUser, allowed by protect's rule,
#: until when (the gate's clock) that holds, and its EidAuth
_Known = tuple[Identity | None, "EidUser", bool, float, "EidAuth"]


class EidGateMiddleware:
    """Answers ``route_prefix`` routes, puts the identity on the scope, guards ``protect``.

    Takes the options every adapter takes (:class:`eidgate.web.GateOptions`).
    """

    def __init__(self, app: ASGIApp, config: str | os.PathLike[str] | Config = "eidgate.toml",
                 **options: Unpack[GateOptions]) -> None:
        self.app = app
        self.config = config if isinstance(config, Config) else load_config(config)
        self.options = options
        self._open()

    def _open(self) -> None:
        # evidence is stored off the event loop (finish() in a worker thread)
        self.gate, self.client = Gate.open(self.config, AsyncClient, defer_evidence=True,
                                           **self.options)
        _CLIENTS[self.gate] = self.client  # for get_access_token(request)
        # what the hot path asks of every request, each answer computed once by the gate's
        # own rules and remembered (benchmarks/protected_route.py): per path and mount
        # point, whether the gate owns or protects it; per Cookie header (a browser sends
        # the same header every time; the dict's keyed hash of the whole header, so no
        # guessable part of it can probe the rest), the session cookie's value and, for
        # as long as the gate says that answer holds (gate.session_until), its identity,
        # EidUser and whether protect's rule lets it in
        value_in = self.gate.session_value
        self._session_values: _Remembered[bytes, str | None] = _Remembered(
            lambda header: value_in(header.decode("latin-1")), 8192)
        self._routes: _Remembered[Any, tuple[bool, bool]] = _Remembered(self._route, 1024)
        self._by_header: dict[bytes, _Known] = {}
        self._known: dict[int, _Known] = {}
        # the cookie store answers from memory; any other is awaited (gate.asession)
        self._awaits = not self.gate.in_memory
        self._now = self.gate.now

    def _route(self, key: str | tuple[str, str]) -> tuple[bool, bool]:
        """(owned, protected) for ``scope["path"]``, or a (path, root_path) pair."""
        path, root = key if isinstance(key, tuple) else (key, "")
        below = below_root(path, root)
        return self.gate.owns(below), self.gate.protects(below, root)

    def _know(self, identity: Identity | None, until: float = 0.0) -> _Known:
        """(identity, its EidUser, allowed by protect's rule, until when it holds, its
        EidAuth)."""
        # a max_age rule's answer changes with the time: never remembered (refuse() asks)
        rule = self.gate.rule
        return (identity, EidUser(identity), rule.max_age is None and rule.allows(identity),
                until, EidAuth(identity))

    def _known_object(self, identity: Identity | None) -> _Known:
        """:meth:`_know`, kept per identity object (a server-side store): a store hands
        out the same object for a session while it has it cached (the entry holds it, so
        no other object can take its id while it is there)."""
        known = self._know(identity)
        if len(self._known) >= _REMEMBERED:
            self._known.clear()
        self._known[id(identity)] = known
        return known

    def _known_header(self, cookie: bytes) -> _Known:
        """:meth:`_know` for a Cookie header, kept per header while the gate says the
        answer holds (the cookie store: until the session's end)."""
        identity, until = self.gate.session_until(self._session_values[cookie])
        known = self._know(identity, until)
        if len(cookie) <= 8192:
            if len(self._by_header) >= _REMEMBERED:
                self._by_header.clear()
            self._by_header[cookie] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            if kind == "lifespan":
                return await self._lifespan(scope, receive, send)
            return await self.app(scope, receive, send)
        root = scope.get("root_path", "")
        owned, protected = self._routes[(scope["path"], root) if root else scope["path"]]
        gate = self.gate
        if owned and kind == "http":
            request = _request(scope)
            if gate.reads_body(request.path, request.method):  # the back-channel logout's form
                request = replace(request, body=await _body(receive, gate.max_body + 1))
            web = await self.client.run(gate.handle(request))
            if web.evidence is not None:  # the sink may block: not on the event loop
                web = await anyio.to_thread.run_sync(gate.finish, request, web)
            return await _answer(web, send)
        # the hot path reads only the Cookie header (in one pass; HTTP/2 may split it, RFC
        # 9113 8.2.3, joined as parse_cookies reads it); a full request is built to refuse
        cookie = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = cookie + b"; " + value if cookie else value
        # the cookie store's answer for this header, while it holds (never for another store)
        known = self._by_header.get(cookie)
        if known is None or known[3] <= self._now():
            if self._awaits:  # a server-side store: its I/O awaited, never on the loop
                value = self._session_values[cookie]
                found, scope[DATA_KEY] = gate.cached_session(value) or await gate.asession(
                    value)
                known = self._known.get(id(found))
                if known is None or known[0] is not found:
                    known = self._known_object(found)
            else:
                known = self._known_header(cookie)
        identity = known[0]
        scope[SCOPE_KEY] = identity
        scope[_GATE_KEY] = gate
        scope["user"] = known[1]
        scope["auth"] = known[4]
        # an identity the rule lets in: refuse() would let it through too, so it is not asked
        if protected and not known[2]:
            refused = gate.refuse(identity, lambda: _request(scope),
                                  method=scope.get("method", "GET"))
            if refused is not None and kind == "websocket":
                return await send({"type": "websocket.close", "code": 1008})  # RFC 6455 7.4.1
            if refused is not None:
                return await _answer(refused, send)
        await self.app(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def on_startup() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup" and self.client.http.is_closed:
                self._open()  # started again (a test client used twice)
            return message

        async def on_shutdown(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown."):
                await self.aclose()
            await send(message)
        await self.app(scope, on_startup, on_shutdown)

    async def aclose(self) -> None:
        """Close the connection pool to the providers (done on lifespan shutdown)."""
        await self.client.aclose()


def _path(scope: Mapping[str, Any]) -> str:
    return below_root(scope["path"], scope.get("root_path", ""))


def _request(scope: Mapping[str, Any]) -> WebRequest:
    return WebRequest.from_headers(
        scope.get("method", "GET"), _path(scope), scope.get("query_string", b"").decode(
            "latin-1"), ((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
        scope.get("root_path", ""))


async def _body(receive: Receive, limit: int) -> bytes:
    """At most ``limit`` bytes of the request body; the rest is never read."""
    body = b""
    while len(body) < limit:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return body[:limit]


async def _answer(web: WebResponse, send: Send) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in web.all_headers()]
    await send({"type": "http.response.start", "status": web.status,
                "headers": [*headers, (b"content-length", str(len(web.body)).encode())]})
    await send({"type": "http.response.body", "body": web.body})


def _scope(request_or_scope: Any) -> Mapping[str, Any]:
    return cast(Mapping[str, Any], getattr(request_or_scope, "scope", request_or_scope))


def get_identity(request_or_scope: Any) -> Identity | None:
    """The logged-in :class:`~eidgate.Identity` of a request (or an ASGI scope), or None."""
    found = _scope(request_or_scope).get(SCOPE_KEY)
    return found if isinstance(found, Identity) else None


def _cookie_header(scope: Mapping[str, Any]) -> str:
    # RFC 9113 8.2.3: HTTP/2 may split the Cookie header; joined as one
    return "; ".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie")


def get_session_data(request_or_scope: Any) -> Mapping[str, Any]:
    """The app's own data kept with the session (what ``on_login`` returned), or ``{}``."""
    scope = _scope(request_or_scope)
    found = scope.get(DATA_KEY)
    if found is None and isinstance(gate := scope.get(_GATE_KEY), Gate) and get_identity(scope):
        # the cookie store: read from the cookie (cached) only when the app asks
        found = gate.session(gate.session_value(_cookie_header(scope)))[1]
    return found if found is not None else {}


async def get_access_token(request_or_scope: Any) -> str:
    """A valid access token of the request's session (or an ASGI scope's), for the app's
    API calls: refreshed shortly before it expires (one refresh at a time per session, on
    every instance; the event loop never waits on Redis or the provider). Needs a
    server-side store (``[eidgate.session] store = "redis"``; the cookie store raises
    :class:`~eidgate.web.SessionError`). Raises :class:`~eidgate.web.LoginRequired` when
    only a new login gives one (a refused refresh has ended the session)."""
    scope = _scope(request_or_scope)
    gate = scope.get(_GATE_KEY)
    if not isinstance(gate, Gate):
        raise RuntimeError("eidgate: wrap the app in EidGateMiddleware for get_access_token")
    value = gate.session_value(_cookie_header(scope))
    return await _CLIENTS[gate].run(gate.access_token(value))


def _guard(request: Any, rule: Rule) -> WebResponse | None:
    scope = _scope(request)
    gate = scope.get(_GATE_KEY)
    if not isinstance(gate, Gate):
        raise RuntimeError("eidgate: wrap the app in EidGateMiddleware to guard endpoints")
    identity = get_identity(scope)
    if rule.max_age is None and rule.allows(identity):  # refuse() would let it through too
        return None
    return gate.refuse(identity, lambda: _request(scope), method=scope.get("method", "GET"),
                       rule=rule)


@overload
def login_required(endpoint: F, /) -> F: ...


@overload
def login_required(*, provider: str | None = None, providers: Iterable[str] | None = None,
                   loa: Level | None = None, max_age: int | None = None
                   ) -> Callable[[F], F]: ...


def login_required(endpoint: F | None = None, /, *, provider: str | None = None,
                   providers: Iterable[str] | None = None, loa: Level | None = None,
                   max_age: int | None = None) -> F | Callable[[F], F]:
    """Let only logged-in people (with one of ``providers``, at ``loa`` or higher, who
    authenticated at most ``max_age`` seconds ago) through.

    For Starlette and FastAPI endpoints, sync or async, that take the ``request``; when it
    refuses, the endpoint returns the gate's answer as a Starlette ``Response``. ``OPTIONS``
    needs a login too: an endpoint only sees it when its route lists it and answers it.
    A login older than ``max_age`` is sent back to the provider (``prompt=login``).
    """
    rule = Rule.of(provider=provider, providers=providers, loa=loa, max_age=max_age)

    def decorate(func: F) -> F:
        def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            # the first argument with a scope: the request (a method's self may have one too)
            request = args[0] if args and hasattr(args[0], "scope") else next(
                (a for a in (*args, *kwargs.values()) if hasattr(a, "scope")), None)
            if request is None:
                raise TypeError(f"login_required: {func.__name__} must take the request")
            web = _guard(request, rule)
            if web is None:
                return None
            from starlette.responses import Response

            response = Response(web.body, web.status)
            for name, value in web.all_headers():
                response.headers.append(name, value)
            return response
        return wrap_view(func, refuse)

    return decorate(endpoint) if endpoint is not None else decorate


def identity_required(*, provider: str | None = None, providers: Iterable[str] | None = None,
                      loa: Level | None = None, max_age: int | None = None
                      ) -> Callable[..., Identity]:
    """A FastAPI dependency giving the identity: ``Depends(identity_required(loa=...))``.

    A refusal is raised as ``fastapi.HTTPException``: 303 with ``Location`` for a page
    navigation, else 401 whose ``detail`` is the gate's JSON (``{"error", "login_url"}``,
    and ``max_age`` when the login is too old for ``max_age``).
    """
    from fastapi import HTTPException, Request

    rule = Rule.of(provider=provider, providers=providers, loa=loa, max_age=max_age)

    def dependency(request: Request) -> Identity:
        web = _guard(request, rule)
        if web is not None:
            detail = json.loads(web.body) if web.status == 401 else None
            raise HTTPException(web.status, detail, dict(web.headers))
        return cast(Identity, get_identity(request))  # the guard let it through

    # FastAPI reads the annotation to pass the request; a string would not resolve here
    dependency.__annotations__ = {"request": Request, "return": Identity}
    return dependency


__all__ = ["DATA_KEY", "SCOPE_KEY", "EidAuth", "EidGateMiddleware", "EidUser",
           "get_access_token", "get_identity", "get_session_data", "identity_required",
           "login_required"]

"""Django: ``EidGateMiddleware``, ``login_required``, ``LoginRequiredMixin``, ``get_identity``.

    # settings.py
    INSTALLED_APPS = [..., "eidgate_adapters.django"]         # system checks (eidgate.E001...)
    MIDDLEWARE = [..., "eidgate_adapters.django.EidGateMiddleware"]
    EIDGATE = {"config": BASE_DIR / "eidgate.toml", "protect": ["/account/*"]}

    # urls.py
    path("eidgate/", include("eidgate_adapters.django.urls")),   # at route_prefix

    # views.py
    @login_required(loa="substantial")
    def account(request):
        return HttpResponse(f"Hello {request.identity.first_name}")

``EIDGATE`` takes the options every adapter takes (:class:`eidgate.web.GateOptions`), plus
``config`` and ``users`` (the link to ``django.contrib.auth``: :mod:`.auth`). The middleware
is sync and async capable (WSGI and ASGI); it answers ``route_prefix`` itself, before URL
routing and CSRF checks (the gate has its own: the back-channel logout is authenticated by
its signed token, logout refuses cross-site POSTs), so the URLconf's routes are reached only
without it. All logic lives in ``eidgate`` (the gate); this package only translates requests.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar, cast, overload

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from eidgate import Identity, Level
from eidgate.web import Gate, Rule, WebRequest, WebResponse, parse_cookies, wrap_view

from ._gates import gates

F = TypeVar("F", bound=Callable[..., Any])
_SESSION = "_eidgate_session"  # the request's (identity, the app's data), once read
Session = tuple[Identity | None, Mapping[str, Any]]


def _value(request: HttpRequest, gate: Gate) -> str | None:
    return gate.session_value(request.META.get("HTTP_COOKIE", ""))


def _session(request: HttpRequest) -> Session:
    found: Session | None = request.__dict__.get(_SESSION)
    if found is None:
        gate = gates().gate
        found = request.__dict__[_SESSION] = gate.session(_value(request, gate))
    return found


def get_identity(request: HttpRequest) -> Identity | None:
    """The logged-in :class:`~eidgate.Identity` of this request, or None.

    Read from the session cookie the first time it is asked for, then kept on the request
    (``request.identity`` is this, for requests the middleware has seen).
    """
    return _session(request)[0]


async def aget_identity(request: HttpRequest) -> Identity | None:
    """:func:`get_identity` for async code: a session store's I/O (the Redis store) is
    awaited, never run on the event loop."""
    found: Session | None = request.__dict__.get(_SESSION)
    if found is None:
        gate = gates().for_loop()[0]
        found = request.__dict__[_SESSION] = await gate.asession(_value(request, gate))
    return found[0]


def get_session_data(request: HttpRequest) -> Mapping[str, Any]:
    """The app's own data kept with this request's session (what ``on_login`` returned),
    or ``{}`` when logged out or when the hook kept nothing."""
    return _session(request)[1]


def get_access_token(request: HttpRequest) -> str:
    """A valid access token of this request's session, for the app's API calls: refreshed
    shortly before it expires (one refresh at a time per session, on every instance).
    Needs a server-side store (``[eidgate.session] store = "redis"``; the cookie store
    raises :class:`~eidgate.web.SessionError`). Raises :class:`~eidgate.web.LoginRequired`
    when only a new login gives one (a refused refresh has ended the session)."""
    found = gates()
    return found.client.run(found.gate.access_token(_value(request, found.gate)))


async def aget_access_token(request: HttpRequest) -> str:
    """:func:`get_access_token` for async views: Redis and the provider are awaited,
    never on the event loop."""
    gate, client = gates().for_loop()
    return await client.run(gate.access_token(_value(request, gate)))


class _WithIdentity:
    """Mixed into a request's class by the middleware: ``request.identity``, read lazily."""

    @property
    def identity(self) -> Identity | None:
        """The logged-in identity, or None (the session cookie is read on first use)."""
        return get_identity(cast(HttpRequest, self))


_classes: dict[type, type] = {}


def _lazy(request: HttpRequest) -> None:
    # a lazy None cannot be a proxy object (``request.identity is None`` must hold for a
    # visitor, or a check for it lets everyone in): the request's class gains a property
    # instead, one subclass per request class (WSGIRequest, ASGIRequest, a test's own)
    cls = type(request)
    if not isinstance(request, _WithIdentity):
        lazy = _classes.get(cls)
        if lazy is None:
            lazy = _classes[cls] = type(cls.__name__, (_WithIdentity, cls), {
                "__module__": cls.__module__, "__doc__": cls.__doc__})
        request.__class__ = lazy


def web_request(request: HttpRequest, gate: Gate | None = None) -> WebRequest:
    """The :class:`~eidgate.web.WebRequest` of a Django request (with the back-channel
    logout's form body, bounded, when ``gate`` reads it)."""
    path = request.path_info
    root = request.path[:-len(path)] if path and request.path.endswith(path) else ""
    body = b""
    if gate is not None and gate.reads_body(path, request.method or "GET"):
        # never request.body: it reads up to DATA_UPLOAD_MAX_MEMORY_SIZE; this reads no
        # more than the gate takes (and the stream no further than Content-Length)
        body = request.read(gate.max_body + 1)
    return WebRequest(request.method or "GET", path, request.META.get("QUERY_STRING", ""),
                      {k.lower(): v for k, v in request.headers.items()},
                      parse_cookies(request.META.get("HTTP_COOKIE", "")), root.rstrip("/"),
                      body)


def django_response(web: WebResponse) -> HttpResponse:
    """A Django response for the gate's :class:`~eidgate.web.WebResponse`."""
    response = HttpResponse(web.body, status=web.status, content_type=web.content_type)
    for name, value in web.all_headers():
        if name.lower() == "set-cookie":
            _set_cookie(response, value)
        elif name.lower() != "content-type":  # given to HttpResponse above
            # RFC 9110 5.3: a repeated field is the same as its values joined by commas
            held = response.headers.get(name)
            response.headers[name] = value if held in (None, value) else f"{held}, {value}"
    return response


def _set_cookie(response: HttpResponse, header: str) -> None:
    """The gate's ``Set-Cookie`` value through Django's own cookie jar (its handlers send
    ``response.cookies``, and the test client reads them there)."""
    pair, *attributes = (part.strip() for part in header.split(";"))
    name, _, value = pair.partition("=")
    seen = {k.lower(): v for k, _, v in (a.partition("=") for a in attributes)}
    same_site = seen.get("samesite")
    if same_site not in ("Lax", "Strict", "None"):
        same_site = None
    response.set_cookie(name, value, max_age=int(seen["max-age"]) if "max-age" in seen
                        else None, path=seen.get("path", "/"), secure="secure" in seen,
                        httponly="httponly" in seen,
                        samesite=cast(Literal["Lax", "Strict", "None"] | None, same_site))


def _refused(request: HttpRequest, rule: Rule | None = None,
             gate: Gate | None = None) -> HttpResponse | None:
    """None to let the request through, else the gate's answer (the one refuse rule)."""
    gate = gate or gates().gate
    web = gate.refuse(get_identity(request), lambda: web_request(request),
                      method=request.method or "GET", rule=rule)
    return django_response(web) if web is not None else None


class EidGateMiddleware:
    """Answers ``route_prefix``, puts ``request.identity`` on every request, guards ``protect``.

    Sync and async capable: under ASGI it drives the gate's routes with
    :class:`~eidgate.AsyncClient`, under WSGI with :class:`~eidgate.Client`. With
    ``EIDGATE["users"]`` it also sets ``request.user`` (after Django's
    ``AuthenticationMiddleware``).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        found = gates()
        found.check_prefix()
        gate = found.gate
        if gate.owns(request.path_info):
            return django_response(found.client.run(gate.handle(web_request(request, gate))))
        refused = self._before(request, gate, found.users)
        return refused if refused is not None else self.get_response(request)

    async def _acall(self, request: HttpRequest) -> Any:
        found = gates()
        found.check_prefix()
        gate, client = found.for_loop()
        if gate.owns(request.path_info):
            web_req = web_request(request, gate)
            web = await client.run(gate.handle(web_req))
            if web.evidence is not None:  # the sink may block: not on the event loop
                from asgiref.sync import sync_to_async

                web = await sync_to_async(gate.finish, thread_sensitive=False)(web_req, web)
            return django_response(web)
        if gate.protect and gate.protects(request.path_info, request.META.get(
                "SCRIPT_NAME", "")):
            await aget_identity(request)  # read here, off the event loop, for _before
        refused = self._before(request, gate, found.users)
        if refused is not None:
            return refused
        return await cast(Callable[[HttpRequest], Awaitable[Any]], self.get_response)(request)

    @staticmethod
    def _before(request: HttpRequest, gate: Gate, users: Any) -> HttpResponse | None:
        _lazy(request)
        if users is not None:
            from .auth import attach_user

            attach_user(request)
        if gate.protect and gate.protects(request.path_info, request.META.get(
                "SCRIPT_NAME", "")):
            return _refused(request, gate=gate)
        return None


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
    authenticated at most ``max_age`` seconds ago) through to a function view.

    Sync and async views keep their type. A page navigation is sent to log in and back; an
    API call gets ``401`` JSON. ``OPTIONS`` needs a login too: a Django view answers it.
    """
    rule = Rule.of(provider=provider, providers=providers, loa=loa, max_age=max_age)

    def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> HttpResponse | None:
        # the request: the first argument, or the second for a method (self, request)
        request = next((a for a in args[:2] if isinstance(a, HttpRequest)), None)
        if request is None:
            raise TypeError("login_required: the view must take the request first")
        _lazy(request)  # request.identity, also without the middleware
        return _refused(request, rule)

    def decorate(func: F) -> F:
        if not iscoroutinefunction(func):
            return wrap_view(func, refuse)

        @functools.wraps(func)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            request = next((a for a in args[:2] if isinstance(a, HttpRequest)), None)
            if request is not None:
                await aget_identity(request)  # the session read off the event loop
            refused = refuse(args, kwargs)
            return refused if refused is not None else await func(*args, **kwargs)
        return cast(F, guarded)

    return decorate(view) if view is not None else decorate


class LoginRequiredMixin:
    """For class-based views (sync or async): only logged-in people get to ``dispatch``.

    Put it first among the bases; ``providers``, ``loa`` and ``max_age`` (class attributes)
    are what :func:`login_required` takes.
    """

    providers: Iterable[str] | None = None
    loa: Level | None = None
    max_age: int | None = None
    view_is_async: bool

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """The view's answer, or the gate's refusal (awaitable for an async view)."""
        _lazy(request)
        rule = Rule.of(providers=self.providers, loa=self.loa, max_age=self.max_age)
        handler = super().dispatch  # type: ignore[misc]
        if getattr(self, "view_is_async", False):  # Django awaits an async view's answer
            async def guarded() -> Any:
                await aget_identity(request)  # the session read off the event loop
                refused = _refused(request, rule)
                return refused if refused is not None else await handler(
                    request, *args, **kwargs)
            return guarded()
        refused = _refused(request, rule)
        return refused if refused is not None else handler(request, *args, **kwargs)


__all__ = ["EidGateMiddleware", "LoginRequiredMixin", "aget_access_token", "aget_identity",
           "get_access_token", "get_identity", "get_session_data", "login_required"]

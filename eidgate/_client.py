"""The two drivers: :class:`Client` (``httpx.Client``) and :class:`AsyncClient`.

They differ only in how a request is sent. Each runs the same sans-IO generators from
:class:`RelyingParty`, pools connections per provider, sets a timeout on every call,
refuses to follow redirects, and cuts off bodies larger than the request's bound.
Transport failures are thrown into the generator as :class:`ProviderUnavailable`.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpcore
import httpx

from ._authorize import LoginRedirect, PendingLogin, PendingLogins
from ._config import Config
from ._errors import EidGateError, ProviderError, ProviderUnavailable, shown
from ._evidence import DirectorySink, EvidenceSink, keep_evidence
from ._flow import LoginResult, RelyingParty, Steps
from ._http import HttpRequest, HttpResponse

_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)
_USER_AGENT = "eidgate (+https://pypi.org/project/eidgate/)"
PendingSource = PendingLogins | Callable[[str], PendingLogin | None]


_URLS: dict[str, httpx.URL] = {}  # parsed endpoint URLs: httpx parses in Python, ~10 us


def _url(url: str) -> httpx.URL:
    parsed = _URLS.get(url)
    if parsed is None:
        parsed = httpx.URL(url)
        if len(_URLS) < 256:  # a few endpoints per provider; never grows without bound
            _URLS[url] = parsed
    return parsed


def _request(http: httpx.Client | httpx.AsyncClient, req: HttpRequest) -> httpx.Request:
    # RFC 9110 12.5.3: ask for the body as is; a compressed answer anyway is decoded by
    # _Body within the size bound (httpx would inflate a whole gzip bomb chunk at once).
    try:
        return http.build_request(req.method, _url(req.url), headers={
            **req.headers, "Accept-Encoding": "identity"}, content=req.body,
            timeout=req.timeout)
    except (httpx.InvalidURL, ValueError) as exc:  # idna.IDNAError is a ValueError
        # the URL came from the provider's discovery document: its fault, not a crash
        raise ProviderError(f"cannot send a request to the URL the provider named for "
                            f"{_host(req)}") from exc


class _Body:
    """Collects a response body within the request's size bound and total deadline.

    httpx's read timeout applies per chunk; a provider trickling a byte at a time must not
    hold a login open for longer than the request's timeout in total. The body is read raw
    and decoded here, so ``max_bytes`` bounds the decoded size, never inflating more than
    ``max_bytes + 1`` bytes of a compressed answer.
    """

    def __init__(self, req: HttpRequest, resp: httpx.Response, started: float) -> None:
        self.req = req
        self.resp = resp
        self.data = bytearray()
        self.deadline = started + req.timeout
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > req.max_bytes:
            raise self.too_large()
        coding = resp.headers.get("content-encoding", "identity").strip().lower()
        # RFC 9110 8.4.1: gzip and deflate (zlib) are the codings a server may still use.
        wbits = {"identity": None, "": None, "gzip": 16 + zlib.MAX_WBITS,
                 "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(coding, -1)
        if wbits == -1:
            raise ProviderError(f"provider answered with content coding {shown(coding)}, "
                                "which eidgate does not decode")
        self.inflate = None if wbits is None else zlib.decompressobj(wbits)

    def preread(self) -> list[bytes]:
        """The body httpx already read and decoded (an in-memory body, e.g. from a mock
        transport), else nothing: a network body is always streamed raw."""
        if not self.resp.is_stream_consumed:
            return []
        self.inflate = None
        return [self.resp.content]

    def too_large(self) -> ProviderError:
        return ProviderError(f"response from the provider exceeds {self.req.max_bytes} bytes")

    def add(self, chunk: bytes) -> None:
        if self.inflate is not None:
            room = self.req.max_bytes - len(self.data)
            try:
                # at most room + 1 bytes out: one byte past the bound proves it too large
                chunk = self.inflate.decompress(chunk, room + 1)
            except zlib.error as exc:
                raise ProviderError("provider sent a corrupt compressed body") from exc
        self.data += chunk
        if len(self.data) > self.req.max_bytes:
            raise self.too_large()
        if time.monotonic() > self.deadline:
            raise ProviderUnavailable(f"{_host(self.req)} did not finish its "
                                      f"answer within {self.req.timeout:g} s")


#: The monotonic time by which the current request of this thread / task must be done.
_DEADLINE: ContextVar[float | None] = ContextVar("eidgate_deadline", default=None)


def _left(timeout: float | None) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's total deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write honours the request's total deadline.

    httpx's timeouts apply to each socket operation, so a provider sending its status line
    and headers one byte every few seconds would hold a synchronous login open for hours.
    (The async driver puts ``anyio.fail_after`` around the whole exchange instead.)
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _left(timeout),
                                                       local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None,
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _left(timeout),
                                                               socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _sync_transport() -> httpx.HTTPTransport:
    """httpx's own transport, its connection pool's sockets wrapped in :class:`_DeadlineStream`.

    httpx has no public hook for the network backend; if its internals ever change, the
    transport still works, only without the total deadline on status line and headers.
    """
    transport = httpx.HTTPTransport(limits=_LIMITS)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport


def _host(req: HttpRequest) -> str:
    try:
        return urlsplit(req.url).hostname or "the provider"
    except ValueError:
        return "the provider"


def _failure(exc: httpx.HTTPError, req: HttpRequest, started: float) -> ProviderUnavailable:
    host = _host(req)
    if isinstance(exc, httpx.TimeoutException) and time.monotonic() - started >= req.timeout:
        return ProviderUnavailable(f"{host} did not finish its answer within {req.timeout:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return ProviderUnavailable(f"no answer from {host} within {req.timeout:g} s")
    return ProviderUnavailable(f"cannot reach {host} ({type(exc).__name__})")


def _response(resp: httpx.Response, body: bytes) -> HttpResponse:
    return HttpResponse(resp.status_code, {"content-type": resp.headers.get("content-type", "")},
                        body)


class _Driver:
    """What both drivers share: the relying party, and the public login vocabulary."""

    def __init__(self, config: Config, *, now: Callable[[], float] | None, token:
                 Callable[[], str] | None, evidence: EvidenceSink | None) -> None:
        self.evidence = evidence or (DirectorySink(config.evidence_dir)
                                     if config.evidence_dir else None)
        kwargs: dict[str, Any] = {}
        if now is not None:
            kwargs["now"] = now
        if token is not None:
            kwargs["token"] = token
        self.rp = RelyingParty(config, **kwargs)
        self.config = config

    def _http_options(self) -> dict[str, Any]:
        # no cookie jar: the back channel serves every person, and nothing a provider sets
        # during one login may go out with another's (RFC 6265 is for user agents)
        jar = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
        return {"follow_redirects": False, "timeout": self.config.http_timeout,
                "limits": _LIMITS, "headers": {"User-Agent": _USER_AGENT}, "cookies": jar}

    @property
    def fetches(self) -> int:
        """Discovery and JWKS requests made so far (all providers)."""
        return sum(p.fetches for p in self.rp.providers.values())

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The relying party's public keys as a JWKS document."""
        return self.config.jwks()


class Client(_Driver):
    """Synchronous driver over one pooled ``httpx.Client``.

    >>> client = Client(load_config("eidgate.toml"))
    >>> redirect = client.begin_login("ftn", next_url="/account")
    >>> # store redirect.pending, send the browser to redirect.url; on the callback:
    >>> result = client.complete_login(query_string, pending_logins)
    """

    def __init__(self, config: Config, *, http: httpx.Client | None = None,
                 transport: httpx.BaseTransport | None = None,
                 now: Callable[[], float] | None = None,
                 token: Callable[[], str] | None = None,
                 evidence: EvidenceSink | None = None) -> None:
        super().__init__(config, now=now, token=token, evidence=evidence)
        self._owns_http = http is None
        self.http = http or httpx.Client(transport=transport or _sync_transport(),
                                         **self._http_options())

    def begin_login(self, provider: str | None = None, *, next_url: str = "/",
                    prompt: str | None = None, ui_locales: str | None = None,
                    login_hint: str | None = None, max_age: int | None = None,
                    acr_values: str | list[str] | None = None,
                    loa: str | None = None) -> LoginRedirect:
        """Start a login; see :meth:`RelyingParty.begin`."""
        result: LoginRedirect = self.run(self.rp.begin(
            provider, next_url=next_url, prompt=prompt, ui_locales=ui_locales,
            login_hint=login_hint, max_age=max_age, acr_values=acr_values, loa=loa))
        return result

    def complete_login(self, params: Mapping[str, str] | str,
                       pending: PendingSource) -> LoginResult:
        """Finish a login from the callback; see :meth:`RelyingParty.complete`.

        With an evidence sink configured, the archive of an accepted login is stored before
        the result is returned (no evidence, no login).
        """
        result: LoginResult = self.run(self.rp.complete(params, pending))
        keep_evidence(self.evidence, result)
        return result

    def warm_up(self, provider: str | None = None) -> None:
        """Fetch discovery and keys now, so the first login does not wait for them."""
        self.run(self.rp.warm(provider))

    def run(self, steps: Steps) -> Any:
        """Drive a sans-IO generator to its return value."""
        try:
            request = next(steps)
            while True:
                try:
                    response = self._send(request)
                except EidGateError as exc:
                    request = steps.throw(exc)
                else:
                    request = steps.send(response)
        except StopIteration as done:
            return done.value

    def _send(self, req: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        deadline = _DEADLINE.set(started + req.timeout)
        try:
            # never follow, even with a caller's client set to: RFC 9110 15.4.8, a 307 would
            # repeat the POST (code, client secret) to wherever the provider points
            resp = self.http.send(_request(self.http, req), stream=True, follow_redirects=False)
            try:
                body = _Body(req, resp, started)
                for chunk in body.preread() or resp.iter_raw():
                    body.add(chunk)
            finally:
                resp.close()
        except httpx.HTTPError as exc:
            raise _failure(exc, req, started) from exc
        finally:
            _DEADLINE.reset(deadline)
        return _response(resp, bytes(body.data))

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncClient(_Driver):
    """Asynchronous driver over one pooled ``httpx.AsyncClient``; same methods, awaited."""

    def __init__(self, config: Config, *, http: httpx.AsyncClient | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 now: Callable[[], float] | None = None,
                 token: Callable[[], str] | None = None,
                 evidence: EvidenceSink | None = None) -> None:
        super().__init__(config, now=now, token=token, evidence=evidence)
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(transport=transport, **self._http_options())

    async def begin_login(self, provider: str | None = None, *, next_url: str = "/",
                          prompt: str | None = None, ui_locales: str | None = None,
                          login_hint: str | None = None, max_age: int | None = None,
                          acr_values: str | list[str] | None = None,
                          loa: str | None = None) -> LoginRedirect:
        """Start a login; see :meth:`RelyingParty.begin`."""
        result: LoginRedirect = await self.run(self.rp.begin(
            provider, next_url=next_url, prompt=prompt, ui_locales=ui_locales,
            login_hint=login_hint, max_age=max_age, acr_values=acr_values, loa=loa))
        return result

    async def complete_login(self, params: Mapping[str, str] | str,
                             pending: PendingSource) -> LoginResult:
        """Finish a login from the callback; see :meth:`RelyingParty.complete`.

        With an evidence sink configured, the archive of an accepted login is stored (in a
        worker thread) before the result is returned.
        """
        result: LoginResult = await self.run(self.rp.complete(params, pending))
        if self.evidence is not None and result.accepted:
            await anyio.to_thread.run_sync(keep_evidence, self.evidence, result)
        return result

    async def warm_up(self, provider: str | None = None) -> None:
        """Fetch discovery and keys now, so the first login does not wait for them."""
        await self.run(self.rp.warm(provider))

    async def run(self, steps: Steps) -> Any:
        """Drive a sans-IO generator to its return value."""
        try:
            request = next(steps)
            while True:
                try:
                    response = await self._send(request)
                except EidGateError as exc:
                    request = steps.throw(exc)
                else:
                    request = steps.send(response)
        except StopIteration as done:
            return done.value

    async def _send(self, req: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        try:
            # a total deadline around send and read, whatever the transport does
            with anyio.fail_after(req.timeout):
                resp = await self.http.send(_request(self.http, req), stream=True,
                                             follow_redirects=False)
                try:
                    body = _Body(req, resp, started)
                    for chunk in body.preread():
                        body.add(chunk)
                    if not resp.is_stream_consumed:
                        async for chunk in resp.aiter_raw():
                            body.add(chunk)
                finally:
                    await resp.aclose()
        except httpx.HTTPError as exc:
            raise _failure(exc, req, started) from exc
        except TimeoutError as exc:
            host = _host(req)
            raise ProviderUnavailable(f"{host} did not finish its answer within "
                                      f"{req.timeout:g} s") from exc
        return _response(resp, bytes(body.data))

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None,
                        ) -> None:
        await self.aclose()


__all__ = ["AsyncClient", "Client"]

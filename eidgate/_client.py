"""The two drivers: :class:`Client` (``httpx2.Client``) and :class:`AsyncClient`.

They differ only in how a request is sent. Each runs the same sans-IO generators from
:class:`RelyingParty`, pools connections per provider, sets a timeout on every call,
refuses to follow redirects, and cuts off bodies larger than the request's bound.
Transport failures are thrown into the generator as :class:`ProviderUnavailable`; what
goes over the wire (bounded bodies, deadlines) is in ``_transport``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import anyio.to_thread
import httpx2

from . import _network as network
from . import _transport as wire
from ._calls import Call, advance
from ._config import Config
from ._errors import EidGateError, ProviderUnavailable
from ._identity.model import Level
from ._oidc.authorize import LoginRedirect, PendingLogin, PendingLogins
from ._oidc.evidence import DirectorySink, EvidenceSink, keep_evidence
from ._oidc.flow import LoginResult, RelyingParty
from ._oidc.http import HttpRequest, HttpResponse

_USER_AGENT = "eidgate (+https://pypi.org/project/eidgate/)"
PendingSource = PendingLogins | Callable[[str], PendingLogin | None]
T = TypeVar("T")


Steps = Generator[HttpRequest | Call[Any], Any, T]


def _boxed(steps: Steps[T], box: list[T]) -> Steps[None]:
    """``steps`` with its return value put in ``box``: typed, unlike ``StopIteration.value``.
    ``yield from`` passes every send, throw and close through (PEP 380)."""
    box.append((yield from steps))


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
                "limits": wire.LIMITS, "headers": {"User-Agent": _USER_AGENT}, "cookies": jar}

    @property
    def fetches(self) -> int:
        """Discovery and JWKS requests made so far (all providers)."""
        return sum(p.fetches for p in self.rp.providers.values())

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The relying party's public keys as a JWKS document."""
        return self.config.jwks()


class Client(_Driver):
    """Synchronous driver over one pooled ``httpx2.Client``.

    >>> client = Client(load_config("eidgate.toml"))
    >>> redirect = client.begin_login("ftn", next_url="/account")
    >>> # store redirect.pending, send the browser to redirect.url; on the callback:
    >>> result = client.complete_login(query_string, pending_logins)
    """

    def __init__(self, config: Config, *, http: httpx2.Client | None = None,
                 transport: httpx2.BaseTransport | None = None,
                 now: Callable[[], float] | None = None,
                 token: Callable[[], str] | None = None,
                 evidence: EvidenceSink | None = None) -> None:
        super().__init__(config, now=now, token=token, evidence=evidence)
        self._owns_http = http is None
        self.http = http or httpx2.Client(transport=transport or network.sync_transport(),
                                         **self._http_options())

    def begin_login(self, provider: str | None = None, *, next_url: str = "/",
                    prompt: str | None = None, ui_locales: str | None = None,
                    login_hint: str | None = None, max_age: int | None = None,
                    acr_values: str | list[str] | None = None,
                    loa: Level | None = None) -> LoginRedirect:
        """Start a login; see :meth:`RelyingParty.begin`."""
        return self.run(self.rp.begin(
            provider, next_url=next_url, prompt=prompt, ui_locales=ui_locales,
            login_hint=login_hint, max_age=max_age, acr_values=acr_values, loa=loa))

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

    def run(self, steps: Steps[T]) -> T:
        """Drive a sans-IO generator to its return value: its HTTP requests are sent, its
        :class:`~eidgate._calls.Call` steps called, each result or error sent back in."""
        box: list[T] = []
        flow = _boxed(steps, box)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Call):
                    step = advance(flow, step)
                    continue
                try:
                    response = self._send(step)
                except EidGateError as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(response)
        except StopIteration:
            return box[0]
        finally:
            # an exit by any other exception (KeyboardInterrupt, a caller's timeout) leaves
            # no half-run flow behind: its cleanup runs now, not whenever the GC finds it
            flow.close()  # and through it the flow (PEP 380)

    def _send(self, req: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        deadline = network.DEADLINE.set(started + req.timeout)
        try:
            # never follow, even with a caller's client set to: RFC 9110 15.4.8, a 307 would
            # repeat the POST (code, client secret) to wherever the provider points
            resp = self.http.send(wire.request(self.http, req), stream=True, follow_redirects=False)
            try:
                body = wire.Body(req, resp, started)
                for chunk in body.preread() or resp.iter_raw():
                    body.add(chunk)
            finally:
                resp.close()
        except httpx2.HTTPError as exc:
            raise wire.failure(exc, req, started) from exc
        finally:
            network.DEADLINE.reset(deadline)
        return wire.response(resp, bytes(body.data))

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncClient(_Driver):
    """Asynchronous driver over one pooled ``httpx2.AsyncClient``; same methods, awaited."""

    def __init__(self, config: Config, *, http: httpx2.AsyncClient | None = None,
                 transport: httpx2.AsyncBaseTransport | None = None,
                 now: Callable[[], float] | None = None,
                 token: Callable[[], str] | None = None,
                 evidence: EvidenceSink | None = None) -> None:
        super().__init__(config, now=now, token=token, evidence=evidence)
        self._owns_http = http is None
        self.http = http or httpx2.AsyncClient(transport=transport or network.async_transport(),
                                              **self._http_options())

    async def begin_login(self, provider: str | None = None, *, next_url: str = "/",
                          prompt: str | None = None, ui_locales: str | None = None,
                          login_hint: str | None = None, max_age: int | None = None,
                          acr_values: str | list[str] | None = None,
                          loa: Level | None = None) -> LoginRedirect:
        """Start a login; see :meth:`RelyingParty.begin`."""
        return await self.run(self.rp.begin(
            provider, next_url=next_url, prompt=prompt, ui_locales=ui_locales,
            login_hint=login_hint, max_age=max_age, acr_values=acr_values, loa=loa))

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

    async def run(self, steps: Steps[T]) -> T:
        """Drive a sans-IO generator to its return value (see :meth:`Client.run`); a
        blocking call runs in a worker thread, never on the event loop."""
        box: list[T] = []
        flow = _boxed(steps, box)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Call):
                    try:
                        result = await step.arun()
                    except Exception as exc:
                        step = flow.throw(exc)
                    else:
                        step = flow.send(result)
                    continue
                try:
                    response = await self._send(step)
                except EidGateError as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(response)
        except StopIteration:
            return box[0]
        finally:
            flow.close()  # the caller's task was cancelled: close the flow now (see Client)

    async def _send(self, req: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        try:
            # a total deadline around send and read, whatever the transport does
            with anyio.fail_after(req.timeout):
                resp = await self.http.send(wire.request(self.http, req), stream=True,
                                             follow_redirects=False)
                try:
                    body = wire.Body(req, resp, started)
                    for chunk in body.preread():
                        body.add(chunk)
                    if not resp.is_stream_consumed:
                        async for chunk in resp.aiter_raw():
                            body.add(chunk)
                finally:
                    await resp.aclose()
        except httpx2.HTTPError as exc:
            raise wire.failure(exc, req, started) from exc
        except TimeoutError as exc:
            host = wire.host_of(req)
            raise ProviderUnavailable(f"{host} did not finish its answer within "
                                      f"{req.timeout:g} s") from exc
        return wire.response(resp, bytes(body.data))

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

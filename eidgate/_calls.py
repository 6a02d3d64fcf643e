"""What a sans-IO flow asks its driver to do besides HTTP: call a function that may block.

The gate's route generators yield :class:`~eidgate._oidc.http.HttpRequest` values for the
provider, and :class:`Call` values for everything else that does I/O or runs the app's
code: a session store's Redis round trip, the app's ``on_login`` hook. :class:`~eidgate.
Client` calls ``fn`` in place; :class:`~eidgate.AsyncClient` awaits ``afn`` when there is
one (redis-py's asyncio client, an ``async def`` hook) and otherwise runs a blocking ``fn``
in a worker thread, so the event loop never waits on either. One generator, both drivers:
the flow's logic is written once (``DESIGN.md``: no sync/async drift).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One call a flow needs made; its result (or exception) is sent back into the flow.

    ``fn``: the synchronous way; ``afn``: the asynchronous way, if any; ``blocking``: False
    when ``fn`` is quick CPU work an event loop may run in place (a cookie's encryption).
    """

    fn: Callable[[], T]
    afn: Callable[[], Awaitable[T]] | None = None
    blocking: bool = True

    def run(self) -> T:
        """For a synchronous driver."""
        return self.fn()

    async def arun(self) -> T:
        """For an asynchronous driver: ``afn`` awaited, else ``fn`` (in a worker thread if
        it blocks)."""
        if self.afn is not None:
            return await self.afn()
        if not self.blocking:
            return self.fn()
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.fn)


def advance(flow: Generator[Any, Any, Any], step: Call[Any]) -> Any:
    """Make ``step`` in place and send its result into ``flow`` (or throw its exception,
    for the flow to handle: a store outage becomes a 503 page); the flow's next step."""
    try:
        result = step.run()
    except Exception as exc:
        return flow.throw(exc)
    return flow.send(result)


def call(fn: Callable[[], T], *, afn: Callable[[], Awaitable[T]] | None = None,
         blocking: bool = True) -> Generator[Call[T], Any, T]:
    """``result = yield from call(...)`` inside a flow: the driver makes the call."""
    result: T = yield Call(fn, afn, blocking)
    return result


def call_hook(hook: Callable[..., Any], *args: Any) -> Generator[Call[Any], Any, Any]:
    """An app's hook, sync or ``async def``, called as the driver can: an async hook is
    awaited by an async driver (and run to completion on its own loop by a sync one); a
    sync hook runs in a worker thread under an async driver (it may block)."""
    if inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(
            getattr(hook, "__call__", None)):  # noqa: B004 - an async callable object too
        return (yield Call(lambda: asyncio.run(hook(*args)), lambda: hook(*args)))
    result = yield Call(lambda: hook(*args))
    if inspect.isawaitable(result):
        # a plain callable that returns an awaitable (a lambda or a sync decorator around an
        # async def, which iscoroutinefunction cannot see): awaited as the hook's result
        pending: Awaitable[Any] = result
        return (yield Call(lambda: asyncio.run(_awaited(pending)), lambda: pending))
    return result


async def _awaited(pending: Awaitable[T]) -> T:
    return await pending  # asyncio.run takes a coroutine; the hook may return any awaitable

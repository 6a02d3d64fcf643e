"""The sandbox's own request/response values, and its WSGI and ASGI faces.

The provider is one function from :class:`Request` to :class:`Response`; the wrappers here
let it run in-process (``httpx2.WSGITransport`` / ``httpx2.ASGITransport``) or on a socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

Handler = Callable[["Request"], "Response"]


@dataclass(slots=True)
class Request:
    """One HTTP request to the sandbox."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The ``application/x-www-form-urlencoded`` body (first value of each name)."""
        out: dict[str, str] = {}
        for name, value in parse_qsl(self.body.decode("utf-8", "replace"),
                                     keep_blank_values=True):
            out.setdefault(name, value)
        return out


@dataclass(slots=True)
class Response:
    """One HTTP response; ``location`` is settable (Authlib's RFC 9207 hook writes it)."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    location: str | None = None
    delay: float = 0.0  # fault injection: seconds to wait before answering

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data).encode(), [
            ("Content-Type", "application/json"), ("Cache-Control", "no-store")])

    @classmethod
    def html(cls, page: str, status: int = 200) -> Response:
        return cls(status, page.encode(), [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Security-Policy", "default-src 'none'; "
                                            "style-src 'unsafe-inline'; form-action *")])

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", [("Cache-Control", "no-store")], location)

    def all_headers(self) -> list[tuple[str, str]]:
        extra = [("Location", self.location)] if self.location else []
        return [*self.headers, *extra, ("Content-Length", str(len(self.body)))]


_REASONS = {200: "OK", 201: "Created", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}


def wsgi_app(handler: Handler) -> Callable[..., Iterable[bytes]]:
    """A WSGI application around ``handler``."""
    import time

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        response = handler(Request(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/",
                                   dict(parse_qsl(environ.get("QUERY_STRING", ""),
                                                  keep_blank_values=True)), headers, body))
        if response.delay:
            time.sleep(response.delay)
        start_response(f"{response.status} {_REASONS.get(response.status, 'Status')}",
                       response.all_headers())
        return [response.body]
    return app


def asgi_app(handler: Handler) -> Callable[..., Any]:
    """An ASGI (HTTP) application around ``handler``."""
    import asyncio

    async def app(scope: dict[str, Any], receive: Callable[..., Any],
                  send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                               keep_blank_values=True))
        response = handler(Request(scope["method"], scope["path"], query, headers, body))
        if response.delay:
            await asyncio.sleep(response.delay)
        await send({"type": "http.response.start", "status": response.status,
                    "headers": [(k.lower().encode(), v.encode("latin-1"))
                                for k, v in response.all_headers()]})
        await send({"type": "http.response.body", "body": response.body})
    return app

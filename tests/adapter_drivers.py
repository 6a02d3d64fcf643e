"""Requests handed to an app as a server would hand them over, method and headers as sent:
a WSGI app (Flask's included) and an ASGI app, no network and no test client in between.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1:8000"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    @property
    def status_code(self) -> int:  # what eidgate_login reads
        return self.status

    @property
    def reached(self) -> bool:
        return self.headers.get("x-app") == "reached"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def wsgi_send(app: Any, method: str, path: str, query: str,
              headers: dict[str, str]) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False}
    for name, value in {"Host": HOST, **headers}.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]],
                       exc_info: Any = None) -> None:
        started[:] = [status, response_headers]
    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    status, pairs = started
    return Answer(int(status.split()[0]), {k.lower(): v for k, v in pairs}, body,
                  [v for k, v in pairs if k.lower() == "set-cookie"])


async def asgi_send(app: Any, method: str, path: str, query: str,
                    headers: dict[str, str]) -> Answer:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode())
                         for k, v in {"Host": HOST, **headers}.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], {k.lower(): v for k, v in pairs}, body,
                  [v for k, v in pairs if k.lower() == "set-cookie"])


Send = Callable[[str, str, str, dict[str, str]], Answer]

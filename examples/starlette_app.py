"""The Starlette example: protect a path prefix, read request.user.

    .venv/bin/uvicorn --app-dir examples starlette_app:app --port 8000   (sandbox on :8800)

uvicorn is not among eidgate's dependencies: ``.venv/bin/pip install uvicorn`` first.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from eidgate_adapters.asgi import EidGateMiddleware, get_identity


async def home(request: Request) -> PlainTextResponse:
    who = request.user.display_name if request.user.is_authenticated else "anonymous"
    return PlainTextResponse(f"Hello {who}")


@requires("authenticated")
async def account(request: Request) -> PlainTextResponse:
    identity = get_identity(request)
    assert identity is not None
    return PlainTextResponse(f"{identity.full_name} logged in with {identity.method} "
                             f"at level {identity.loa}")


routes = [Route("/", home), Route("/account", account)]
app = EidGateMiddleware(Starlette(routes=routes),
                        config=os.environ.get("EIDGATE_CONFIG")
                        or Path(__file__).with_name("eidgate.toml"),
                        protect=["/account", "/account/*"])

"""The plain-WSGI example (the same middleware serves Django, Bottle, Falcon, Pyramid).

    .venv/bin/python examples/wsgi_app.py     (sandbox on :8800; serves :8000)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import Any

from eidgate_adapters.wsgi import EidGateMiddleware, get_identity


def site(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    identity = get_identity(environ)
    who = escape(identity.full_name or identity.subject) if identity else "anonymous"
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [f"<!doctype html><title>WSGI</title><p>{escape(environ['PATH_INFO'])}: {who}"
            f'</p><p><a href="/account/">account</a></p>'.encode()]


application = EidGateMiddleware(site, config=os.environ.get("EIDGATE_CONFIG")
                                or Path(__file__).with_name("eidgate.toml"),
                                protect=["/account/*"])

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", 8000, application).serve_forever()

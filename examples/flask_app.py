"""The Flask example: a public page, a protected account page, logout.

    .venv/bin/python examples/flask_app.py        (needs the sandbox: eidgate sandbox)
    make demo                                     (starts both)
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from flask import Flask

from eidgate_adapters.flask import EidGate, current_identity, login_required

app = Flask(__name__)
# EIDGATE_CONFIG points the example at another configuration (the tests use it)
EidGate(app, config=os.environ.get("EIDGATE_CONFIG") or Path(__file__).with_name("eidgate.toml"))

_PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
         "<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;"
         "padding:0 1rem}}table{{border-collapse:collapse}}td{{border-top:1px solid #ddd;"
         "padding:.3rem .8rem .3rem 0;vertical-align:top}}</style></head><body>{body}"
         "</body></html>")


@app.get("/")
def home() -> str:
    who = (f"Logged in as {escape(current_identity.full_name or current_identity.subject)}."
           if current_identity else "Not logged in.")
    return _PAGE.format(title="eidgate demo", body=(
        f"<h1>eidgate demo</h1><p>{who}</p>"
        '<p><a href="/account">My account</a> (requires an eID login)</p>'))


def _show(value: object) -> str:
    if isinstance(value, dict):  # national_id, address
        if "value" in value:
            return f"{value['value']} ({value['country']}, {value['type']})"
        return value.get("formatted") or ", ".join(str(v) for v in value.values() if v)
    return str(value)


@app.get("/account")
@login_required
def account() -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(_show(v))}</td></tr>"
                   for k, v in current_identity.to_dict().items()
                   if k not in ("claims", "warnings") and v not in (None, False))
    return _PAGE.format(title="My account", body=(
        f"<h1>Hello {escape(current_identity.first_name or current_identity.full_name or '')}"
        f"</h1><p>You logged in with <b>{escape(current_identity.method)}</b>.</p>"
        f'<table aria-label="Your identity">{rows}</table>'
        '<form method="post" action="/eidgate/logout"><p><button>Log out</button></p></form>'
        '<p><a href="/">Home</a></p>'))


if __name__ == "__main__":
    app.run("127.0.0.1", 8000)

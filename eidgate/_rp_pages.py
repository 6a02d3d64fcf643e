"""The relying party's own pages: provider picker, error, logged out.

Small, accessible, neutral HTML; every value escaped. The words come from ``STRINGS``
(English); pass ``strings={...}`` to the adapter to translate or reword them, or replace a
page entirely in your framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

STRINGS: dict[str, str] = {
    "lang": "en",
    "picker_title": "Log in",
    "picker_text": "Choose how you want to prove who you are.",
    "error_title": "Login did not complete",
    "canceled": "The login was canceled. You can try again.",
    "rejected": "The login was not completed by the identity provider. You can try again.",
    "unavailable_title": "Identity provider unavailable",
    "unavailable": "We could not reach the identity provider. Please try again in a moment.",
    "try_again": "Try again",
    "logged_out_title": "You are logged out",
    "logged_out": "You have been logged out.",
    "home": "Back to the start page",
    "not_found": "This page does not exist.",
    "unknown_provider": "This identity provider is not configured.",
}
_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d1d1f}"
          "main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;"
          "border-radius:8px;box-shadow:0 1px 3px #0002}h1{font-size:1.4rem;margin-top:0}"
          "ul{list-style:none;padding:0}li{margin:.5rem 0}a.choice{display:block;"
          "box-sizing:border-box;padding:.8rem 1rem;border:1px solid #c9ccd1;"
          "border-radius:6px;color:inherit;text-decoration:none}a.choice:hover,"
          "a.choice:focus{border-color:#2456d3;outline:2px solid #2456d355}")


def _page(s: Mapping[str, str], title: str, body: str) -> str:
    return (f'<!doctype html><html lang="{escape(s["lang"])}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")


def picker(s: Mapping[str, str], links: Iterable[tuple[str, str]]) -> str:
    """The provider picker: one link per configured provider, by label."""
    items = "".join(f'<li><a class="choice" href="{escape(url)}">{escape(label)}</a></li>'
                    for label, url in links)
    return _page(s, s["picker_title"], f'<h1>{escape(s["picker_title"])}</h1>'
                 f'<p>{escape(s["picker_text"])}</p><ul>{items}</ul>')


def error(s: Mapping[str, str], message: str, retry: str) -> str:
    """A login that did not complete: what happened, and a way to try again."""
    return _page(s, s["error_title"], f'<h1>{escape(s["error_title"])}</h1>'
                 f'<p role="alert">{escape(message)}</p>'
                 f'<p><a href="{escape(retry)}">{escape(s["try_again"])}</a></p>')


def unavailable(s: Mapping[str, str], retry: str) -> str:
    """The provider could not be reached (502)."""
    return _page(s, s["unavailable_title"], f'<h1>{escape(s["unavailable_title"])}</h1>'
                 f'<p role="alert">{escape(s["unavailable"])}</p>'
                 f'<p><a href="{escape(retry)}">{escape(s["try_again"])}</a></p>')


def logged_out(s: Mapping[str, str]) -> str:
    """After logout."""
    return _page(s, s["logged_out_title"], f'<h1>{escape(s["logged_out_title"])}</h1>'
                 f'<p>{escape(s["logged_out"])}</p><p><a href="/">{escape(s["home"])}</a></p>')

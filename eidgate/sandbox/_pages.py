"""The sandbox's pages: an eID picker that looks like a broker's, and plain error pages.

Small, accessible HTML with every value escaped; forms post back to ``/pick``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._people import TestPerson

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f}
main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}.tag{font-size:.8rem;background:#ffe08a;padding:.1rem .4rem;
border-radius:4px;vertical-align:middle}
ul{list-style:none;padding:0}li{margin:.4rem 0}
a.eid,button.person{display:block;box-sizing:border-box;width:100%;text-align:left;
padding:.7rem 1rem;
border:1px solid #80858d;border-radius:6px;background:#fff;color:inherit;font:inherit;
text-decoration:none;cursor:pointer}
a.eid:hover,button.person:hover{border-color:#2456d3}
a:focus-visible,button:focus-visible{outline:3px solid #2456d3;outline-offset:2px}
@media (max-width:34rem){main{margin:0;border-radius:0;padding:1.25rem}}
.cancel{margin-top:1.5rem;background:none;border:0;color:#2456d3;text-decoration:underline;
font:inherit;cursor:pointer;padding:0}small{color:#5f6368}
"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)} - eidgate sandbox</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")


def picker(tx: str, eids: Mapping[str, str], eid: str | None,
           people: Iterable[TestPerson]) -> str:
    """Step 1: choose an eID; step 2: choose a test person; or cancel."""
    t = escape(tx)
    cancel = (f'<form method="post" action="pick"><input type="hidden" name="tx" value="{t}">'
              f'<button class="cancel" name="cancel" value="1">Cancel</button></form>')
    if eid is None:
        items = "".join(f'<li><a class="eid" href="pick?tx={t}&amp;eid={escape(key)}">'
                        f"{escape(label)}</a></li>" for key, label in eids.items())
        return _page("Choose your eID", f'<h1>Log in with your eID <span class="tag">'
                     f'SANDBOX</span></h1><p>Choose an identity provider.</p>'
                     f'<ul aria-label="eIDs">{items}</ul>{cancel}')
    items = "".join(
        f'<li><button class="person" name="person" value="{escape(p.key)}">'
        f"{escape(p.label)}<br><small>{escape(p.key)} &middot; level {escape(p.loa)}"
        f"</small></button></li>" for p in people)
    return _page(eids[eid], f'<h1>{escape(eids[eid])} <span class="tag">SANDBOX</span></h1>'
                 f"<p>Choose a test person. No real eID is used.</p>"
                 f'<form method="post" action="pick"><input type="hidden" name="tx" '
                 f'value="{t}"><ul aria-label="Test persons">{items}</ul></form>'
                 f'<p><a href="pick?tx={t}">Choose another eID</a></p>{cancel}')


def error_page(message: str) -> str:
    """A plain error page (never a stack trace)."""
    return _page("Error", f"<h1>Something went wrong</h1><p>{escape(message)}</p>")


def logged_out() -> str:
    """Shown after end-session when no redirect back was registered."""
    return _page("Logged out", "<h1>You are logged out</h1><p>You can close this window.</p>")

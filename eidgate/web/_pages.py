"""The relying party's own pages: provider picker, error, logged out.

Small, accessible, neutral HTML; every value escaped. The words come from the language
tables in ``eidgate._languages``; the language of each page is negotiated from the
browser's ``Accept-Language`` among the languages the app offers. Replace a page entirely
in your framework with ``pages=`` (any object with these four functions).

A page function gets the strings of one language (``s["lang"]`` is its tag) and only text:
it escapes everything it puts on the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Protocol


def provider_text(text: str) -> str:
    """Text a provider sent (``error_description``), fit to show: one line, no controls.

    Control, format and separator characters become spaces (a right-to-left override could
    disguise the rest); escaping is the page's job.
    """
    return " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c
                            for c in text).split())


_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d1d1f}"
          "main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;"
          "border-radius:8px;box-shadow:0 1px 3px #0002}h1{font-size:1.4rem;margin-top:0}"
          # long Finnish and German compounds: break rather than overflow a narrow screen
          "h1,p,li,details{overflow-wrap:break-word;hyphens:auto}"
          "ul{list-style:none;padding:0}li{margin:.5rem 0}a.choice{display:block;"
          "box-sizing:border-box;padding:.8rem 1rem;border:1px solid #80858d;"
          "border-radius:6px;color:inherit;text-decoration:none}a.choice:hover{"
          "border-color:#2456d3}a:focus-visible{outline:3px solid #2456d3;outline-offset:2px}"
          "details{color:#4a4f57;font-size:.9rem}summary{cursor:pointer}"
          "@media (max-width:34rem){main{margin:0;border-radius:0;padding:1.25rem}}")


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


def error(s: Mapping[str, str], message: str, retry: str, detail: str | None = None) -> str:
    """A login that did not complete: what happened, and a way to try again.

    ``detail`` is the provider's own text (untrusted, in a language we do not know): behind
    a "Details" disclosure, escaped, isolated in ``<bdi>`` so that its writing direction
    cannot disturb the sentence around it.
    """
    more = ""
    if detail:
        before, found, after = s["provider_said"].partition("{detail}")
        text = (f"{escape(before)}<bdi>{escape(detail)}</bdi>{escape(after)}" if found
                else f"{escape(before)} <bdi>{escape(detail)}</bdi>")
        more = f'<details><summary>{escape(s["details"])}</summary><p>{text}</p></details>'
    return _page(s, s["error_title"], f'<h1>{escape(s["error_title"])}</h1>'
                 f'<p role="alert">{escape(message)}</p>'
                 f'<p><a href="{escape(retry)}">{escape(s["try_again"])}</a></p>{more}')


def unavailable(s: Mapping[str, str], retry: str) -> str:
    """The provider could not be reached (502)."""
    return _page(s, s["unavailable_title"], f'<h1>{escape(s["unavailable_title"])}</h1>'
                 f'<p role="alert">{escape(s["unavailable"])}</p>'
                 f'<p><a href="{escape(retry)}">{escape(s["try_again"])}</a></p>')


def logged_out(s: Mapping[str, str], home: str = "/") -> str:
    """After logout."""
    return _page(s, s["logged_out_title"], f'<h1>{escape(s["logged_out_title"])}</h1>'
                 f'<p>{escape(s["logged_out"])}</p>'
                 f'<p><a href="{escape(home)}">{escape(s["home"])}</a></p>')


class Pages(Protocol):
    """What ``pages=`` replaces: the four pages the gate shows, as HTML text.

    Each method gets ``s``, the strings of the page's language (``s["lang"]`` is its tag;
    the keys are those of ``eidgate.web.STRINGS``), and only text: it must escape whatever
    it puts on the page. Any object with these four methods will do; subclass
    :class:`DefaultPages` to replace only some of them.
    """

    def picker(self, s: Mapping[str, str], links: Sequence[tuple[str, str]]) -> str:
        """The provider picker: ``links`` are ``(label, url)``, one per provider."""
        ...

    def error(self, s: Mapping[str, str], message: str, retry: str,
              detail: str | None = None) -> str:
        """A login that did not complete: ``message`` (already in the page's language),
        ``retry`` (where "try again" leads) and ``detail``, the provider's own text
        (untrusted, any language) or None."""
        ...

    def unavailable(self, s: Mapping[str, str], retry: str) -> str:
        """The provider could not be reached (502 or 504); also the page for a provider
        whose answer says the configuration is wrong (500) and for a session store that
        did not answer (503): ``s["unavailable_title"]`` and ``s["unavailable"]`` then hold
        those words (``misconfigured_title`` / ``misconfigured``, ``store_unavailable*``)."""
        ...

    def logged_out(self, s: Mapping[str, str], home: str) -> str:
        """After logout; ``home`` is the app's root."""
        ...


class DefaultPages:
    """eidgate's own pages (small, accessible, neutral HTML); a :class:`Pages`."""

    def picker(self, s: Mapping[str, str], links: Sequence[tuple[str, str]]) -> str:
        """See :meth:`Pages.picker`."""
        return picker(s, links)

    def error(self, s: Mapping[str, str], message: str, retry: str,
              detail: str | None = None) -> str:
        """See :meth:`Pages.error`."""
        return error(s, message, retry, detail)

    def unavailable(self, s: Mapping[str, str], retry: str) -> str:
        """See :meth:`Pages.unavailable`."""
        return unavailable(s, retry)

    def logged_out(self, s: Mapping[str, str], home: str) -> str:
        """See :meth:`Pages.logged_out`."""
        return logged_out(s, home)

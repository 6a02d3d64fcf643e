"""Drive a login through oidc-provider's dev interaction pages with plain httpx (no browser).

The dev interactions (``features.devInteractions``) are two HTML pages served under the
provider's origin:

* ``GET  /interaction/<uid>`` renders either the login form (``prompt=login``: fields
  ``prompt=login``, ``login`` = account id, ``password`` = anything) or the consent form
  (``prompt=consent``: one hidden field ``prompt=consent``); both ``POST`` to
  ``/interaction/<uid>``.
* ``GET  /interaction/<uid>/abort`` (the "[ Cancel ]" link) ends the interaction with
  ``error=access_denied`` and ``error_description=End-User aborted interaction``.

After each step the provider redirects (303) to ``/auth/<uid>`` to resume the authorization,
which either starts the next interaction or redirects to the client's redirect_uri.  The
interaction cookies (``_interaction``, ``_interaction_resume``, path-scoped to those routes)
are kept in the client's jar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx2

__all__ = ["drive_login"]

_MAX_STEPS = 20


@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    """Collects forms (action, method, named inputs) and link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.links: list[str] = []
        self._text: list[str] = []
        self._in_form = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "form":
            self.forms.append(
                _Form(
                    action=attributes.get("action", ""),
                    method=attributes.get("method", "get").lower(),
                )
            )
            self._in_form = True
        elif tag == "input" and self._in_form and "name" in attributes:
            self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._text.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self._text)).strip()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _stuck(what: str, response: httpx2.Response, page: _PageParser | None = None) -> AssertionError:
    if page is None:
        page = _PageParser()
        page.feed(response.text)
    return AssertionError(
        f"login flow stuck: {what} (HTTP {response.status_code} "
        f"{response.request.method} {response.request.url}):\n{page.text()[:4000]}"
    )


@contextmanager
def _kept(client: httpx2.Client) -> Iterator[httpx2.Client]:
    yield client  # the caller's client: not closed here


def drive_login(authorize_url: str, *, login: str, abort: bool = False, timeout: float = 10,
                browser: httpx2.Client | None = None) -> str:
    """Run the dev login (and consent) for ``authorize_url`` and return the final redirect.

    ``authorize_url`` is the full authorization request URL on the provider (plain, PAR
    ``request_uri`` or signed ``request`` object alike).  Redirects inside the provider's
    origin are followed by hand with a fresh cookie jar; the first redirect leaving that
    origin (the client's redirect_uri with ``code``/``state``/``iss`` or ``error``...) is
    returned without being requested.  With ``abort=True`` the first interaction is cancelled
    through its abort link instead, so the returned URL carries ``error=access_denied``.

    Raises AssertionError, with the page's text, if the provider answers with anything the
    dev interactions would not (an error page, a missing form, too many steps).
    ``browser``: a client (``follow_redirects=False``) whose cookie jar, and so the session at
    the provider, outlives the login (for a logout there afterwards).
    """
    origin = _origin(authorize_url)
    with (httpx2.Client(follow_redirects=False, timeout=timeout) if browser is None
          else _kept(browser)) as client:
        response = client.get(authorize_url)
        for _ in range(_MAX_STEPS):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if _origin(location) != origin:
                    return location
                response = client.get(location)
                continue

            if response.status_code != 200 or "html" not in response.headers.get(
                "content-type", ""
            ):
                raise _stuck("unexpected response", response)

            page = _PageParser()
            page.feed(response.text)
            base = str(response.url)

            if abort:
                aborts = [href for href in page.links if href.rstrip("/").endswith("/abort")]
                if not aborts:
                    raise _stuck("no abort link on the interaction page", response, page)
                response = client.get(urljoin(base, aborts[0]))
                continue

            forms = [form for form in page.forms if "prompt" in form.fields]
            if len(forms) != 1:
                raise _stuck("expected exactly one interaction form", response, page)
            form = forms[0]
            data = dict(form.fields)
            if data["prompt"] == "login":
                data["login"] = login
                data["password"] = "any password"  # devInteractions accept any password
            elif data["prompt"] != "consent":
                raise _stuck(f"unknown interaction prompt {data['prompt']!r}", response, page)
            target = urljoin(base, form.action or base)
            if _origin(target) != origin or form.method != "post":
                raise _stuck(f"unexpected form {form.method} {target}", response, page)
            response = client.post(target, data=data)
        raise _stuck(f"no redirect out of the provider after {_MAX_STEPS} steps", response)

"""pytest plugin: the sandbox eID hub as fixtures, for testing your own protected routes.

Installed with eidgate (entry point ``pytest11``); the fixtures are available in any test:

``eidgate_sandbox``
    a :class:`~eidgate.sandbox.RunningSandbox` on 127.0.0.1 for the test session: its
    ``issuer``, its demo ``client``, ``toml()`` for a ready provider table, and ``sandbox``
    (the :class:`~eidgate.sandbox.Sandbox`, e.g. ``sandbox.faults``).
``eidgate_login``
    ``eidgate_login(test_client, "/account", person="ftn-vaino") -> response``: request a
    protected page with your app's test client, log the person in at the sandbox, come
    back, and get the page. Or ``eidgate_login(authorize_url, person=...) -> callback_url``
    for the sandbox step alone.

The sandbox's demo client accepts the callbacks of the README's config
(``http://127.0.0.1:8000`` and ``http://localhost:8000``) and, through ``eidgate_login``,
the callback your app sends, whatever its ``base_url``. When the sandbox refuses a login,
the error says why (e.g. an unknown ``client_id``, with the clients it has).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from .sandbox import RunningSandbox


@pytest.fixture(scope="session")
def eidgate_sandbox() -> Iterator[RunningSandbox]:
    """The sandbox eID hub on 127.0.0.1 for this test session."""
    with RunningSandbox(0) as running:
        yield running


@pytest.fixture
def eidgate_login(eidgate_sandbox: RunningSandbox) -> Callable[..., Any]:
    """Log a test person in at the sandbox.

    ``eidgate_login(authorize_url, person=...) -> str``: the callback URL to open.

    ``eidgate_login(test_client, "/account", person=...) -> response``: with your app's
    test client (Flask's or Starlette's: anything whose ``get(url, follow_redirects=False)``
    returns a response with ``status_code`` and ``headers``), request ``path``, follow the
    app's redirects through the sandbox and back, and return the app's final response.
    """

    def at_sandbox(authorize_url: str, person: str) -> str:
        url = httpx2.URL(authorize_url).copy_set_param("login_hint", person)
        asked = dict(url.params)
        pushed = eidgate_sandbox.sandbox.pushed(asked.get("request_uri", ""))
        asked = pushed or asked  # RFC 9126 4: with PAR the request is the pushed one
        if asked.get("client_id") == eidgate_sandbox.client.client_id and asked.get(
                "redirect_uri"):
            # the callback of the app under test, from its own config: accepted whatever
            # its base_url (the sandbox still refuses a URI no client could register)
            eidgate_sandbox.accept_redirect(asked["redirect_uri"])
        with httpx2.Client(follow_redirects=False, timeout=10) as browser:
            response = browser.get(url)
            tx = re.search(r'name="tx" value="([^"]+)"', response.text)
            if response.status_code == 200 and tx:
                # the sandbox's picker (RFC 9126 4: a pushed request carries no login_hint
                # from the URL): choose the person as a person would
                response = browser.post(eidgate_sandbox.issuer + "/pick", data={
                    "tx": html.unescape(tx.group(1)), "person": person})
        if response.status_code != 302:
            raise AssertionError(f"the sandbox did not send the person back: HTTP "
                                 f"{response.status_code}: {_reason(response)}")
        return str(response.headers["location"])

    def login(target: Any, path: str | None = None, *, person: str = "ftn-vaino",
              max_redirects: int = 10) -> Any:
        if isinstance(target, str):
            if not target.startswith(eidgate_sandbox.issuer + "/"):
                raise AssertionError(f"{target!r} does not go to the sandbox "
                                     f"({eidgate_sandbox.issuer})")
            return at_sandbox(target, person)
        response = target.get(path or "/", follow_redirects=False)
        for _ in range(max_redirects):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = str(response.headers["location"])
            if location.startswith(eidgate_sandbox.issuer + "/"):
                location = at_sandbox(location, person)
            # the test client only talks to the app: give it path and query, so that its
            # cookies (kept for the test client's own host name) go along
            url = httpx2.URL(location)
            local = url.raw_path.decode("ascii")
            response = target.get(local, follow_redirects=False)
        raise AssertionError(f"more than {max_redirects} redirects from the app")
    return login


def _reason(response: httpx2.Response) -> str:
    """The sandbox's own reason on a refusal: its error page's text, or a JSON error."""
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(response.text)
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("error"):
            return f"{body['error']}: {body.get('error_description') or ''}".strip(": ")
    found = re.search(r"<p>(.*?)</p>", response.text, re.S)
    return html.unescape(found.group(1)) if found else "no reason given"

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
"""

from __future__ import annotations

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
        with httpx2.Client(follow_redirects=False, timeout=10) as browser:
            response = browser.get(url)
        if response.status_code != 302:
            raise AssertionError(f"the sandbox did not send the person back: HTTP "
                                 f"{response.status_code}")
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

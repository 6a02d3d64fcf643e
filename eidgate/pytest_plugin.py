"""pytest plugin: the sandbox eID hub as fixtures, for testing your own protected routes.

Installed with eidgate (entry point ``pytest11``); the fixtures are available in any test:

``eidgate_sandbox``
    a :class:`~eidgate.sandbox.RunningSandbox` on 127.0.0.1 for the test session: its
    ``issuer``, its demo ``client``, ``toml()`` for a ready provider table, and ``sandbox``
    (the :class:`~eidgate.sandbox.Sandbox`, e.g. ``sandbox.faults``).
``eidgate_login``
    ``eidgate_login(authorize_url, person="ftn-vaino") -> callback_url``: what a person does
    at the sandbox. Give it the URL your app redirected to; open the returned callback URL
    with your app's test client to finish the login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from .sandbox import RunningSandbox


@pytest.fixture(scope="session")
def eidgate_sandbox() -> Iterator[RunningSandbox]:
    """The sandbox eID hub on 127.0.0.1 for this test session."""
    with RunningSandbox(0) as running:
        yield running


@pytest.fixture
def eidgate_login(eidgate_sandbox: RunningSandbox) -> Callable[..., str]:
    """Log a test person in at the sandbox; returns the URL back to your app's callback."""

    def login(authorize_url: str, person: str = "ftn-vaino") -> str:
        if not authorize_url.startswith(eidgate_sandbox.issuer + "/"):
            raise AssertionError(f"{authorize_url!r} does not go to the sandbox "
                                 f"({eidgate_sandbox.issuer})")
        url = httpx.URL(authorize_url)
        url = url.copy_set_param("login_hint", person)
        with httpx.Client(follow_redirects=False, timeout=10) as browser:
            response = browser.get(url)
        if response.status_code != 302:
            raise AssertionError(f"the sandbox did not redirect back: HTTP "
                                 f"{response.status_code}")
        return str(response.headers["location"])
    return login

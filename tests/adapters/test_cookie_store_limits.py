"""What the default cookie session store guarantees, and where it stops (issue 10 item 4).

With the cookie store nothing about a login lives on the server: a pending login is a
signed cookie in the browser, and a session is an encrypted cookie. So eidgate cannot know,
server-side, that a ``state`` was used or that a session was logged out in another copy of
the browser. What it does guarantee, pinned here against the sandbox eID hub:

* the provider's code is single use (RFC 6749 4.1.2, 10.5): a callback replayed after the
  code was redeemed makes no session, whoever replays it;
* the pending-login cookie is dropped once used (README: ``state`` is consumed), so the
  same browser cannot finish the same login twice;

and the two limits, asserted as they are today (issue 11, the server-side session store,
ends both: ``state`` recorded as consumed with an atomic set-if-absent, sessions ended on
the server at logout):

* a copy of the pending-login cookie, with the callback URL, finishes the login in another
  browser if it gets there before the original browser redeems the code;
* a session cookie copied before logout stays valid until it expires (the README's
  stateless-cookie caveat).

A browser here is an httpx2 client over the Flask app's WSGI callable, with its own jar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import httpx2
import pytest

from eidgate.sandbox import RunningSandbox
from eidgate_adapters.flask import EidGate, current_identity

BASE = "http://127.0.0.1:8000"
SESSION = "eidgate_session"  # http on 127.0.0.1: no "__Host-" prefix
PENDING = "eidgate_login_"


@pytest.fixture
def app(eidgate_sandbox: RunningSandbox, tmp_path: Path) -> Iterator[flask.Flask]:
    config = tmp_path / "eidgate.toml"
    config.write_text(f'[eidgate]\nbase_url = "{BASE}"\n'
                      'secret_key = "cookie-limits-secret-0123456789"\n\n'
                      + eidgate_sandbox.toml(), encoding="utf-8")
    app = flask.Flask(__name__)
    ext = EidGate(app, str(config), protect=["/account"])

    @app.get("/account")
    def account() -> str:
        return f"account of {current_identity.full_name}"
    yield app
    assert ext.client is not None
    ext.client.close()


Browser = Callable[[], httpx2.Client]


@pytest.fixture
def browser(app: flask.Flask) -> Iterator[Browser]:
    opened: list[httpx2.Client] = []

    def new() -> httpx2.Client:
        client = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url=BASE,
                               headers={"Accept": "text/html"}, follow_redirects=False)
        opened.append(client)
        return client
    yield new
    for client in opened:
        client.close()


def begin(browser: httpx2.Client, eidgate_login: Callable[..., Any]) -> str:
    """Open the protected page, go to the sandbox, log in: the callback URL, not yet opened."""
    to_login = browser.get("/account")
    assert to_login.status_code == 303
    to_provider = browser.get(to_login.headers["location"])
    assert to_provider.status_code == 303
    assert [n for n in browser.cookies if n.startswith(PENDING)], "no pending-login cookie"
    return str(eidgate_login(to_provider.headers["location"], person="ftn-vaino"))


def copy_of(browser: httpx2.Client, new: Browser) -> httpx2.Client:
    """Another browser holding a copy of ``browser``'s cookies (stolen, or a synced profile)."""
    other = new()
    other.cookies = httpx2.Cookies(browser.cookies)
    return other


def callback(browser: httpx2.Client, url: str) -> httpx2.Response:
    assert url.startswith(f"{BASE}/eidgate/callback?")
    return browser.get(url.removeprefix(BASE))


def set_cookie(response: httpx2.Response, name: str) -> bool:
    """True if the response sets ``name`` to a value (not a deletion)."""
    return any(line.startswith(f"{name}=") and "Max-Age=0" not in line
               for line in response.headers.get_list("set-cookie"))


def refused(response: httpx2.Response) -> bool:
    """No session made: an error page (4xx, or 5xx for the provider's refusal) without a
    session cookie."""
    return response.status_code >= 400 and not set_cookie(response, SESSION)


def test_the_code_is_single_use_so_a_replay_after_redemption_makes_no_session(
        browser: Browser, eidgate_login: Callable[..., Any]) -> None:
    """RFC 6749 4.1.2: the provider refuses a code used twice. A copy of the browser taken
    before the callback (pending cookie and all) replays it after the person's own browser
    redeemed the code: the token request fails and no session is made."""
    person = browser()
    url = begin(person, eidgate_login)
    attacker = copy_of(person, browser)
    done = callback(person, url)
    assert done.status_code == 303 and set_cookie(done, SESSION)
    assert person.get("/account").text == "account of Väinö Tunnistus"
    replay = callback(attacker, url)
    assert refused(replay), (replay.status_code, replay.headers.get_list("set-cookie"))
    assert attacker.get("/account").status_code == 303  # still sent to log in


def test_the_pending_login_cookie_is_dropped_once_used_in_this_browser(
        browser: Browser, eidgate_login: Callable[..., Any]) -> None:
    """The callback deletes the pending-login cookie it consumed (README: ``state`` is
    consumed, single use), so the same browser replaying the callback has no pending login
    for that ``state``: 400 before any token request (RFC 6749 10.12)."""
    person = browser()
    url = begin(person, eidgate_login)
    pending = [n for n in person.cookies if n.startswith(PENDING)]
    done = callback(person, url)
    assert done.status_code == 303
    dropped = [line for line in done.headers.get_list("set-cookie")
               if line.startswith(f"{pending[0]}=;") and "Max-Age=0" in line]
    assert dropped, done.headers.get_list("set-cookie")
    assert not [n for n in person.cookies if n.startswith(PENDING)]
    again = callback(person, url)
    assert again.status_code == 400 and not set_cookie(again, SESSION)


def test_limit_a_copied_pending_login_finishes_in_another_browser_before_redemption(
        browser: Browser, eidgate_login: Callable[..., Any]) -> None:
    """LIMIT of the cookie store, asserted as it is today.

    The pending login is a signed cookie in the browser; nothing on the server records that
    its ``state`` was used. A second browser holding a copy of the first one's cookies and
    the callback URL (from a log, a proxy, a synced profile) that opens the callback first
    gets the session; the person's own browser then fails, stopped only by the provider's
    single-use code. The server-side store of the sessions issue (issue 11) ends this: a
    consumed ``state`` is recorded with an atomic set-if-absent, so the copy's callback
    fails on any instance. When it does, this test fails: turn it around then.
    """
    person = browser()
    url = begin(person, eidgate_login)
    copy = copy_of(person, browser)
    taken = callback(copy, url)
    assert taken.status_code == 303 and set_cookie(taken, SESSION)  # the limit
    assert copy.get("/account").text == "account of Väinö Tunnistus"
    late = callback(person, url)
    assert refused(late)  # the provider's code was already spent


def test_limit_a_session_cookie_copied_before_logout_stays_valid_until_it_expires(
        browser: Browser, eidgate_login: Callable[..., Any]) -> None:
    """LIMIT of the cookie store, asserted as it is today (README: "a copy taken before
    stays valid until it expires").

    The session is the cookie: logout deletes it in the browser that logs out, and nothing
    on the server remembers that. A copy made before the logout still opens the protected
    page. The server-side store of issue 11 ends the session on the server at logout; then
    this test fails: turn it around.
    """
    person = browser()
    assert callback(person, begin(person, eidgate_login)).status_code == 303
    stolen = copy_of(person, browser)
    out = person.post("/eidgate/logout")
    assert out.status_code == 303
    assert any(line.startswith(f"{SESSION}=;") and "Max-Age=0" in line
               for line in out.headers.get_list("set-cookie"))
    assert person.get("/account").status_code == 303  # logged out here
    assert stolen.get("/account").text == "account of Väinö Tunnistus"  # the limit

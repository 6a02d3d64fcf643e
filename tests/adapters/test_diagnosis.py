"""Failures an operator can diagnose (issue 12), through the Flask, ASGI and WSGI adapters
against the sandbox: what the person sees (page, status, language) and what the operator
reads (one WARNING line: provider, step, error code, the provider's words).

Expected values from the specs:

* RFC 6749 5.2: ``invalid_client`` (client authentication failed) and
  ``unauthorized_client`` are the client's configuration; OpenID Connect Discovery 4.3: a
  discovery document naming another issuer is the configured issuer's mistake; RFC 7515
  5.2: a signature the provider's published keys do not verify is a key mismatch. These
  are 500 (RFC 9110 15.6.1: the server, ours, failed), not the outage page.
* RFC 9110 15.6.3 / 15.6.5: a provider that answers 5xx is a bad gateway (502), one that
  does not answer in time a gateway timeout (504), as the errors' status hints say.
* RFC 9110 15.5.6: a route asked with a method it does not take is 405 with ``Allow``.
* RFC 6265bis 5.4: a host-only cookie goes back only to the host that set it, so a login
  begun at another host than base_url's comes back to the callback without its cookie.
* RFC 6454: ``next`` for an API call comes from a ``Referer`` of base_url's origin only.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.from_thread
import flask
import httpx2
import pytest
from adapter_drivers import HOST, Answer, Send, asgi_send, wsgi_send

from eidgate._languages import TRANSLATIONS
from eidgate.sandbox import RunningSandbox
from eidgate_adapters import asgi, wsgi
from eidgate_adapters.flask import EidGate

FAMILIES = ("flask", "asgi", "wsgi")
NAVIGATION = {"Accept": "text/html,application/xhtml+xml"}
SECRET_KEY = "diagnosis-test-secret-0123456789"
WRONG_SECRET = "a-wrong-client-secret-0123456789"
EN = TRANSLATIONS["en"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: its faults are switched on and off here."""
    with RunningSandbox(0) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults(sandbox: RunningSandbox) -> Iterator[None]:
    yield
    sandbox.sandbox.faults.clear()


def bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "reached")])
    return [b"APP"]


class BareASGI:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"x-app", b"reached")]})
        await send({"type": "http.response.body", "body": b"APP"})


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Send]]:
    """``make_app(family, providers_toml, **options)``: the bare app behind that adapter,
    protecting /private/*, with base_url http://127.0.0.1:8000; a function that sends it a
    request."""
    closers: list[Callable[[], Any]] = []
    with anyio.from_thread.start_blocking_portal() as portal:
        def make(family: str, table: str, **options: Any) -> Send:
            config = tmp_path / f"eidgate-{len(closers)}.toml"
            config.write_text(f'[eidgate]\nbase_url = "http://{HOST}"\n'
                              f'secret_key = "{SECRET_KEY}"\n\n{table}', encoding="utf-8")
            if family == "flask":
                app = flask.Flask(f"diagnosis_{len(closers)}")
                ext = EidGate(app, str(config), protect=["/private/*"], **options)
                app.add_url_rule("/private/page", "page",
                                 lambda: flask.Response(b"APP", headers={"X-App": "reached"}))
                assert ext.client is not None
                closers.append(ext.client.close)
                return lambda m, p, q, h: wsgi_send(app, m, p, q, h)
            if family == "wsgi":
                middleware = wsgi.EidGateMiddleware(bare_wsgi, str(config),
                                                    protect=["/private/*"], **options)
                closers.append(middleware.close)
                return lambda m, p, q, h: wsgi_send(middleware, m, p, q, h)
            amw = asgi.EidGateMiddleware(BareASGI(), str(config), protect=["/private/*"],
                                         **options)
            closers.append(lambda: portal.call(amw.aclose))
            return lambda m, p, q, h: portal.call(asgi_send, amw, m, p, q, h)
        yield make
        for close in closers:
            close()


class Browser:
    """Enough of a browser: cookies per host (RFC 6265bis 5.4: not per port), redirects
    followed, the sandbox's step done with a test person (``login_hint``)."""

    def __init__(self, send: Send, sandbox: RunningSandbox,
                 headers: dict[str, str] | None = None) -> None:
        self.send = send
        self.sandbox = sandbox
        self.headers = headers or {}
        self.jars: dict[str, dict[str, str]] = defaultdict(dict)

    def get(self, url: str, host: str = HOST, method: str = "GET",
            headers: dict[str, str] | None = None) -> Answer:
        parts = urlsplit(url)
        host = parts.netloc or host
        jar = self.jars[host.split(":")[0]]
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        answer = self.send(method, parts.path, parts.query,
                           {**NAVIGATION, **self.headers, "Host": host, **(headers or {}),
                            **({"Cookie": cookie} if cookie else {})})
        for line in answer.cookies:
            name, _, rest = line.partition("=")
            if "Max-Age=0" in rest:
                jar.pop(name, None)
            else:
                jar[name] = rest.split(";")[0]
        return answer

    def login(self, path: str = "/private/page", host: str = HOST,
              person: str = "ftn-vaino") -> Answer:
        answer = self.get(path, host)
        for _ in range(6):
            if answer.status not in (302, 303):
                return answer
            location = answer.headers["location"]
            if location.startswith(self.sandbox.issuer + "/"):
                at = httpx2.get(httpx2.URL(location).copy_set_param("login_hint", person))
                assert at.status_code == 302, at.text[:300]
                location = at.headers["location"]
            answer = self.get(location, host)
        raise AssertionError("too many redirects")


def h1(answer: Answer) -> str:
    found = re.search(r"<h1>(.*?)</h1>", answer.text)
    assert found is not None, answer.text[:300]
    return unescape(found.group(1))


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "eidgate" and "provider failure" in r.getMessage()
            and r.levelno == logging.WARNING]


# -- misconfigurations: 500, "not set up correctly", one WARNING line -------------------------

@pytest.mark.parametrize("family", FAMILIES)
def test_a_wrong_client_secret(family: str, sandbox: RunningSandbox, make_app: Any,
                               caplog: pytest.LogCaptureFixture) -> None:
    """The secret is checked at the token request (RFC 6749 3.2.1): the login comes back
    from the provider and the code exchange is refused with invalid_client."""
    providers = sandbox.toml().replace(sandbox.client.client_secret or "", WRONG_SECRET)
    browser = Browser(make_app(family, providers), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 500
    assert h1(page) == EN["misconfigured_title"]
    assert EN["misconfigured"] in unescape(page.text)
    assert EN["unavailable"] not in unescape(page.text)
    assert "eidgate_session" not in browser.jars["127.0.0.1"]
    [line] = failure_lines(caplog)
    assert line.startswith("eidgate: provider failure: misconfiguration (provider sandbox, "
                           "step token, invalid_client")
    # neither the secret sent nor the code nor any token reaches the log
    assert WRONG_SECRET not in caplog.text
    assert "code=" not in caplog.text


@pytest.mark.parametrize("family", FAMILIES)
def test_a_wrong_issuer(family: str, sandbox: RunningSandbox, make_app: Any,
                        caplog: pytest.LogCaptureFixture) -> None:
    """The config names the sandbox http://localhost:PORT; its discovery document says
    http://127.0.0.1:PORT (Discovery 4.3): the login cannot start."""
    providers = sandbox.toml().replace("http://127.0.0.1:", "http://localhost:")
    browser = Browser(make_app(family, providers), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 500
    assert h1(page) == EN["misconfigured_title"]
    [line] = failure_lines(caplog)
    assert "misconfiguration (provider sandbox, step discovery, invalid_discovery)" in line
    assert f"names issuer '{sandbox.issuer}'" in line


@pytest.mark.parametrize("family", FAMILIES)
def test_a_wrong_client_id_at_par(family: str, sandbox: RunningSandbox, make_app: Any,
                                  caplog: pytest.LogCaptureFixture) -> None:
    """With PAR the client authenticates before the person leaves (RFC 9126 2.1)."""
    providers = sandbox.toml().replace('client_id = "demo"', 'client_id = "nobody"') + \
        "use_par = true\n"
    browser = Browser(make_app(family, providers), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 500
    assert h1(page) == EN["misconfigured_title"]
    [line] = failure_lines(caplog)
    assert line.startswith("eidgate: provider failure: misconfiguration (provider sandbox, "
                           "step par, invalid_client")


@pytest.mark.parametrize("family", FAMILIES)
def test_signature_keys_that_do_not_match(family: str, sandbox: RunningSandbox, make_app: Any,
                                          caplog: pytest.LogCaptureFixture) -> None:
    sandbox.sandbox.faults.unknown_kid = True  # signed with a key the JWKS does not publish
    browser = Browser(make_app(family, sandbox.toml()), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 500
    assert h1(page) == EN["misconfigured_title"]
    [line] = failure_lines(caplog)
    assert "misconfiguration (provider sandbox, step id_token, invalid_token)" in line
    assert "has no RS256 key with kid" in line


@pytest.mark.parametrize("lang", sorted(TRANSLATIONS))
def test_the_misconfiguration_page_in_every_language(lang: str, sandbox: RunningSandbox,
                                                     make_app: Any) -> None:
    providers = sandbox.toml().replace("http://127.0.0.1:", "http://localhost:")
    browser = Browser(make_app("wsgi", providers), sandbox, {"Accept-Language": lang})
    page = browser.login()
    assert page.status == 500
    assert h1(page) == TRANSLATIONS[lang]["misconfigured_title"]
    assert TRANSLATIONS[lang]["misconfigured"] in unescape(page.text)
    assert page.headers["content-language"] == lang


# -- outages keep the outage page, with their own status ---------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
def test_a_provider_answering_5xx_is_an_outage(family: str, sandbox: RunningSandbox,
                                               make_app: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    sandbox.sandbox.faults.fail["token"] = 503
    browser = Browser(make_app(family, sandbox.toml()), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 502
    assert h1(page) == EN["unavailable_title"]
    [line] = failure_lines(caplog)
    assert line.startswith("eidgate: provider failure: outage (provider sandbox, step token, "
                           "server_error")
    assert "HTTP 503" in line


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("step", ["discovery", "par", "jwks", "userinfo"])
def test_the_line_names_the_step_that_failed(family: str, step: str, sandbox: RunningSandbox,
                                             make_app: Any,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """Each endpoint of the login answering 500 (RFC 9110 15.6.1): an outage at that step."""
    sandbox.sandbox.faults.fail[step] = 500
    par = "use_par = true\n" if step == "par" else ""
    browser = Browser(make_app(family, sandbox.toml() + par), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 502
    assert h1(page) == EN["unavailable_title"]
    [line] = failure_lines(caplog)
    assert line.startswith(f"eidgate: provider failure: outage (provider sandbox, step {step}, ")
    assert "HTTP 500" in line


@pytest.mark.parametrize("family", FAMILIES)
def test_a_provider_that_does_not_answer_in_time_is_an_outage(
        family: str, sandbox: RunningSandbox, make_app: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    sandbox.sandbox.faults.slow["token"] = 2.0
    browser = Browser(make_app(family, sandbox.toml() + "timeout = 0.5\n"), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 504
    assert h1(page) == EN["unavailable_title"]
    [line] = failure_lines(caplog)
    assert line.startswith("eidgate: provider failure: outage (provider sandbox, step token, "
                           "temporarily_unavailable)")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_refused_connection_is_an_outage(family: str, sandbox: RunningSandbox,
                                           make_app: Any,
                                           caplog: pytest.LogCaptureFixture) -> None:
    providers = ('[providers.down]\nissuer = "http://127.0.0.1:9"\nclient_id = "x"\n'
                 'client_secret = "some-secret-0123"\n')
    browser = Browser(make_app(family, providers), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login()
    assert page.status == 504  # ProviderUnavailable's status hint
    assert h1(page) == EN["unavailable_title"]
    [line] = failure_lines(caplog)
    assert line.startswith("eidgate: provider failure: outage (provider down, step discovery, "
                           "temporarily_unavailable)")
    assert "cannot reach 127.0.0.1" in line


# -- a login begun at another host than base_url's ---------------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
def test_a_login_begun_at_another_host(family: str, sandbox: RunningSandbox, make_app: Any,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """The person opens http://localhost:8000 while base_url is http://127.0.0.1:8000: the
    pending-login cookie stays with localhost, the provider returns to 127.0.0.1."""
    browser = Browser(make_app(family, sandbox.toml()), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        page = browser.login(host="localhost:8000")
    assert page.status == 400
    assert h1(page) == EN["error_title"]
    said = EN["wrong_host"].replace("{address}", f"http://{HOST}")
    assert said in unescape(page.text)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith("eidgate: login begun at host 'localhost:8000', but base_url is "
                            f"http://{HOST}") for w in warnings), warnings
    assert any(w.startswith("eidgate: callback refused (invalid_state): no pending-login "
                            "cookie came with it; logins were begun at host 'localhost:8000'")
               for w in warnings), warnings
    # the same browser at base_url's host logs in
    assert browser.login().status == 200


def test_a_login_at_base_urls_host_warns_of_nothing(sandbox: RunningSandbox, make_app: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    browser = Browser(make_app("wsgi", sandbox.toml()), sandbox)
    with caplog.at_level(logging.INFO, "eidgate"):
        assert browser.login().status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- a wrong method on a gate route: 405 with Allow, its own page ------------------------------

@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("method", "path", "allow"), [
    ("GET", "/eidgate/logout", "POST"), ("PUT", "/eidgate/login", "GET"),
    ("HEAD", "/eidgate/callback", "GET"), ("DELETE", "/eidgate/jwks.json", "GET, HEAD")])
def test_a_wrong_method_is_405_with_allow(family: str, method: str, path: str, allow: str,
                                          sandbox: RunningSandbox, make_app: Any) -> None:
    answer = Browser(make_app(family, sandbox.toml()), sandbox).get(path, method=method)
    assert answer.status == 405
    assert answer.headers["allow"] == allow
    if method != "HEAD":  # RFC 9110 9.3.2: no body
        assert h1(answer) == EN["method_not_allowed_title"]
        assert EN["error_title"] not in answer.text


@pytest.mark.parametrize("lang", sorted(TRANSLATIONS))
def test_the_405_page_in_every_language(lang: str, sandbox: RunningSandbox,
                                        make_app: Any) -> None:
    browser = Browser(make_app("flask", sandbox.toml()), sandbox, {"Accept-Language": lang})
    answer = browser.get("/eidgate/logout")
    assert answer.status == 405
    assert h1(answer) == TRANSLATIONS[lang]["method_not_allowed_title"]
    assert TRANSLATIONS[lang]["method_not_allowed"] in unescape(answer.text)


@pytest.mark.parametrize("family", FAMILIES)
def test_an_unknown_gate_page_is_404_titled_so(family: str, sandbox: RunningSandbox,
                                               make_app: Any) -> None:
    answer = Browser(make_app(family, sandbox.toml()), sandbox).get("/eidgate/nope")
    assert answer.status == 404
    assert "allow" not in answer.headers
    assert h1(answer) == EN["not_found_title"]


# -- 401 JSON for API calls: a way back -----------------------------------------------------------

API = {"Accept": "application/json"}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("referer", "login_url"), [
    # the page that made the call, on base_url's origin (RFC 6454 4: scheme, host, port)
    (f"http://{HOST}/account?tab=2", "/eidgate/login?next=%2Faccount%3Ftab%3D2"),
    (f"http://{HOST}/", "/eidgate/login?next=%2F"),
    # another origin: another site, another port, another scheme: no way back from it
    ("https://other.example/account", "/eidgate/login"),
    ("http://127.0.0.1:9000/account", "/eidgate/login"),
    (f"https://{HOST}/account", "/eidgate/login"),
    (None, "/eidgate/login"),
    ("http://127.0.0.1:notaport/x", "/eidgate/login"),
])
def test_the_401_json_has_a_way_back(family: str, referer: str | None, login_url: str,
                                     sandbox: RunningSandbox, make_app: Any) -> None:
    headers = {**API, **({"Referer": referer} if referer else {})}
    answer = Browser(make_app(family, sandbox.toml()), sandbox).get("/private/page",
                                                                    headers=headers)
    assert answer.status == 401
    assert not answer.cookies  # no login state for an API call
    assert json.loads(answer.body) == {"error": "login_required", "login_url": login_url}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("allowed", "login_url"), [
    (["two"], "/eidgate/login?next=%2Fa&provider=two"),  # the rule's one
    (["one", "two"], "/eidgate/login?next=%2Fa"),        # the person picks
])
def test_the_401_json_names_the_rules_provider(
        family: str, allowed: list[str], login_url: str, sandbox: RunningSandbox,
        make_app: Any) -> None:
    providers = sandbox.toml("one") + "\n" + sandbox.toml("two")
    send = make_app(family, providers, providers=allowed)
    answer = Browser(send, sandbox).get("/private/page",
                                        headers={**API, "Referer": f"http://{HOST}/a"})
    assert answer.status == 401
    assert json.loads(answer.body)["login_url"] == login_url


@pytest.mark.parametrize("family", FAMILIES)
def test_the_login_url_of_the_401_json_leads_back(family: str, sandbox: RunningSandbox,
                                                  make_app: Any) -> None:
    """Follow it as the page's script would send the person: back on the calling page."""
    browser = Browser(make_app(family, sandbox.toml()), sandbox)
    answer = browser.get("/private/page", headers={**API, "Referer": f"http://{HOST}/account"})
    final = browser.get(json.loads(answer.body)["login_url"])
    for _ in range(4):
        location = final.headers.get("location", "")
        if location.startswith(sandbox.issuer):
            at = httpx2.get(httpx2.URL(location).copy_set_param("login_hint", "ftn-vaino"))
            location = at.headers["location"]
        if location.startswith(f"http://{HOST}/eidgate/callback"):
            final = browser.get(location)
            break
        final = browser.get(location)
    assert final.status == 303
    assert final.headers["location"] == "/account"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_spent_code_is_a_login_to_start_again_not_an_outage(
        family: str, sandbox: RunningSandbox, make_app: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    """RFC 6749 4.1.2: a code is single use, and 5.2: the token endpoint answers a spent one
    with invalid_grant. A callback replayed with its pending-login cookie (the cookie store
    keeps no record of used states) reaches the token endpoint again: the person is asked
    to start again (400), the provider is not reported unreachable (502)."""
    browser = Browser(make_app(family, sandbox.toml()), sandbox)
    answer = browser.get("/private/page")
    for _ in range(4):  # to the sandbox, with the pending login's cookie set on the way
        location = answer.headers["location"]
        if location.startswith(sandbox.issuer + "/"):
            break
        answer = browser.get(location)
    at = httpx2.get(httpx2.URL(location).copy_set_param("login_hint", "ftn-vaino"))
    callback = at.headers["location"]
    kept = dict(browser.jars["127.0.0.1"])  # the pending login's cookie, before it is spent
    assert browser.get(callback).status == 303  # the login
    browser.jars["127.0.0.1"] = kept
    with caplog.at_level(logging.INFO, "eidgate"):
        again = browser.get(callback)
    assert again.status == 400
    assert h1(again) == EN["error_title"]
    assert EN["invalid_callback"] in unescape(again.text)
    assert EN["unavailable"] not in unescape(again.text)
    assert "eidgate_session" not in browser.jars["127.0.0.1"]
    [line] = failure_lines(caplog)
    assert "step token, invalid_grant" in line

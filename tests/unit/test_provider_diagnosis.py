"""The operator's line for a provider failure (issue 12): what it says, and what it must
never carry. The provider is the crafted one (tests/crafted.py), its answers bent by hand;
the gate is driven sans-IO.

RFC 6749 5.2: ``error_description`` is "human-readable ASCII text" of %x20-21 / %x23-5B /
%x5D-7E; a provider that sends CR/LF or bidi controls there must not forge a log line, and
one that sends a page of text must not fill the log. RFC 6749 10.3 / 10.5: codes and tokens
are secrets, never logged.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider, drive, json_response

from eidgate import HttpRequest, HttpResponse, ProviderError, RelyingParty, parse_config
from eidgate._errors import DiscoveryError, ProviderUnavailable, provider_said
from eidgate.web import Gate, WebRequest, WebResponse

HOSTILE = ("client authentication failed\r\neidgate: login accepted (provider op)\u202e"
           "\x1b[31m" + "x" * 1000)


@pytest.mark.parametrize(("said", "kept"), [
    ("Client authentication failed", "Client authentication failed"),
    ("two\r\nlines", "two lines"),
    ("bidi \u202eoverride\u2066", "bidi override"),
    ("  spaced \t out  ", "spaced out"),
    ("y" * 250, "y" * 200 + "..."),
    ("", None),
    (12, None),
    (None, None),
])
def test_the_providers_words_are_one_bounded_line(said: object, kept: str | None) -> None:
    assert provider_said(said) == kept


@pytest.mark.parametrize(("error", "misconfigured"), [
    # RFC 6749 5.2: the client's credentials or registration
    (ProviderError("x", provider_error="invalid_client", http_status=401), True),
    (ProviderError("x", provider_error="unauthorized_client", http_status=400), True),
    # an answer of unknown cause is no misconfiguration (nor outage): the outage page
    (ProviderError("x", provider_error="invalid_grant", http_status=400), False),
    # RFC 9110 15.6: a 5xx is the provider's failure, whatever error it names
    (ProviderError("x", provider_error="invalid_client", http_status=500), False),
    (DiscoveryError("x"), True),                      # Discovery 4.3, a document unusable
    (DiscoveryError("x", http_status=503), False),    # its fetch failed: an outage
    (DiscoveryError("x", http_status=404), True),     # no document there: a wrong issuer
    (ProviderUnavailable("x"), False),
])
def test_misconfiguration_or_not(error: ProviderError, misconfigured: bool) -> None:
    assert error.misconfigured is misconfigured


def login_and_callback(op: CraftedProvider) -> tuple[WebResponse, str]:
    config = parse_config({
        "eidgate": {"base_url": "https://app.example.test", "secret_key": "k" * 32},
        "providers": {"op": {"issuer": ISSUER, "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET}}})
    gate = Gate(config, RelyingParty(config))
    started: WebResponse = drive(gate.handle(WebRequest("GET", "/eidgate/login",
                                                        "provider=op")), op)
    cookie = started.cookies[-1].split(";", 1)[0].split("=", 1)
    params = op.authorize(dict(started.headers)["Location"])
    back: WebResponse = drive(gate.handle(WebRequest(
        "GET", "/eidgate/callback", urlencode(params), {"host": "app.example.test"},
        {cookie[0]: cookie[1]})), op)
    return back, params["code"]


def test_a_hostile_description_reaches_the_log_as_one_short_line(
        caplog: pytest.LogCaptureFixture) -> None:
    op = CraftedProvider()
    op.overrides["/token"] = lambda r: json_response(
        {"error": "invalid_client", "error_description": HOSTILE}, 401)
    with caplog.at_level(logging.DEBUG, "eidgate"):
        page, code = login_and_callback(op)
    assert page.status == 500
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert line.startswith("eidgate: provider failure: misconfiguration (provider op, step "
                           "token, invalid_client 'client authentication failed eidgate: "
                           "login accepted (provider op)")
    assert "\r" not in line and "\n" not in line and "\u202e" not in line
    assert "\x1b" not in line
    assert len(line) < 500  # the description cut to 200 characters
    assert code not in caplog.text and CLIENT_SECRET not in caplog.text


def test_a_userinfo_refusal_names_its_step_and_no_token(
        caplog: pytest.LogCaptureFixture) -> None:
    """RFC 6750 3: the bearer challenge's error code is read; the access token that was
    sent is not logged."""
    op = CraftedProvider()
    sent: list[HttpRequest] = []

    def refuse(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        return HttpResponse(401, {"content-type": "text/plain", "www-authenticate":
                                  'Bearer error="invalid_token"'}, b"no")
    op.overrides["/userinfo"] = refuse
    with caplog.at_level(logging.DEBUG, "eidgate"):
        page, code = login_and_callback(op)
    assert page.status == 502  # neither the client's configuration nor known to be
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert line.startswith("eidgate: provider failure: error (provider op, step userinfo, "
                           "invalid_token)")
    token = sent[0].headers["Authorization"].removeprefix("Bearer ")
    assert token and token not in caplog.text
    assert code not in caplog.text
    assert urlsplit(sent[0].url).path == "/userinfo"

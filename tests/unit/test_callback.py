"""The browser's half of the flow: the authorization request and the callback.

Expected values come from RFC 6749 (3.1, 4.1.1, 4.1.2.1, 10.12), RFC 7636 (4.1-4.2),
RFC 9207 (2.4), RFC 9700 (4.7) and OIDC Core 1.0 (3.1.2.1); never from eidgate's output.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from crafted import CLIENT_ID, ISSUER, REDIRECT_URI, drive
from unit_harness import Harness

from eidgate import CallbackError, LoginResult, PendingLogin, parse_callback

Build = Callable[..., Harness]
EVIL = "https://evil.example.test"
# RFC 7636 4.1: code_verifier = 43*128unreserved
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
USERCANCEL = ("The Resource Owner did not complete the login. urn:signicat:error:usercancel; "
              "The process was aborted by the end-user")


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def error_params(h: Harness, error: str, description: str | None) -> dict[str, str]:
    """What the provider sends back to the redirect URI when the login did not succeed."""
    state = h.begin().pending.state
    params = {"error": error, "state": state, "iss": ISSUER}
    if description is not None:
        params["error_description"] = description
    return params


def callback_error(h: Harness, params: dict[str, str]) -> CallbackError:
    with pytest.raises(CallbackError) as caught:
        h.complete(params)
    return caught.value


# -- state (RFC 6749 10.12, RFC 9700 4.7) -------------------------------------------------

def test_unknown_state_is_refused(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    params["state"] = "a-state-this-browser-never-sent-xxxxxxxxxxxxxxxx"
    err = callback_error(h, params)
    assert err.error == "invalid_state"
    assert err.status == 400


def test_state_is_single_use(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    assert h.complete(params).accepted
    assert callback_error(h, params).error == "invalid_state"


def test_missing_state_is_refused(harness: Build) -> None:
    h = harness()
    redirect = h.begin()
    params = h.op.authorize(redirect.url)
    del params["state"]
    err = callback_error(h, params)
    assert "state" in err.description
    assert err.status == 400


def test_empty_state_is_refused(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    params["state"] = ""
    callback_error(h, params)


# -- iss response parameter (RFC 9207 2.4) -------------------------------------------------

def test_iss_parameter_mismatch_is_refused(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url, iss=EVIL)
    err = callback_error(h, params)
    assert err.error == "invalid_issuer"
    assert not any("/token" in r.url for r in h.op.requests)  # the code was never sent


def test_iss_parameter_must_match_exactly(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url, iss=ISSUER + "/")
    assert callback_error(h, params).error == "invalid_issuer"


def test_iss_absent_while_advertised_is_refused(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    del params["iss"]
    assert callback_error(h, params).error == "invalid_issuer"


def test_iss_absent_while_not_advertised_is_accepted(harness: Build) -> None:
    h = harness()
    h.op.discovery_extra["authorization_response_iss_parameter_supported"] = False
    params = h.op.authorize(h.begin().url)
    del params["iss"]
    assert h.complete(params).accepted


def test_error_redirect_with_wrong_iss_is_refused(harness: Build) -> None:
    # RFC 9207 2.4 applies to error responses too.
    h = harness()
    params = error_params(h, "access_denied", USERCANCEL)
    params["iss"] = EVIL
    assert callback_error(h, params).error == "invalid_issuer"


# -- several pending logins ---------------------------------------------------------------

def test_three_tabs_complete_in_any_order(harness: Build) -> None:
    h = harness()
    tabs = []
    for n in range(3):
        redirect = h.begin(next_url=f"/tab/{n}")
        tabs.append(h.op.authorize(redirect.url))
        h.clock.t += 1
    assert len({t["state"] for t in tabs}) == 3
    for n in (1, 2, 0):
        result = h.complete(tabs[n])
        assert result.accepted
        assert result.next_url == f"/tab/{n}"
    assert len(h.pending) == 0


def test_pending_logins_are_capped_dropping_the_oldest(harness: Build) -> None:
    h = harness()
    tabs = []
    for _ in range(6):
        tabs.append(h.op.authorize(h.begin().url))
        h.clock.t += 1
    assert len(h.pending) == 5
    assert callback_error(h, tabs[0]).error == "invalid_state"
    for params in (tabs[5], tabs[1]):
        assert h.complete(params).accepted


def test_expired_pending_login_is_refused(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    h.clock.t += 601
    assert callback_error(h, params).error == "login_expired"


def test_pending_login_within_timeout_is_accepted(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    h.clock.t += 590
    assert h.complete(params).accepted


# -- error redirects (RFC 6749 4.1.2.1) are results, not crashes ---------------------------

@pytest.mark.parametrize(("error", "description", "config", "status"), [
    pytest.param("access_denied", USERCANCEL, {}, "canceled", id="signicat-usercancel"),
    pytest.param("access_denied", "IDP-3200: The end user aborted the authentication", {},
                 "canceled", id="eid-hub-IDP-3200"),
    pytest.param("access_denied", "The Resource Owner did not complete the login. "
                 "urn:signicat:error:internal:Expired; ", {}, "rejected",
                 id="signicat-expired"),
    pytest.param("access_denied", None, {}, "rejected", id="no-description"),
    pytest.param("login_required", "End-User aborted interaction",
                 {"cancel_patterns": ["End-User aborted interaction"]}, "canceled",
                 id="custom-cancel-pattern"),
    pytest.param("login_required", "End-User aborted interaction", {}, "rejected",
                 id="custom-text-without-pattern"),
])
def test_error_redirect_becomes_a_result(harness: Build, error: str, description: str | None,
                                         config: dict[str, Any], status: str) -> None:
    h = harness(**config)
    result = h.complete(error_params(h, error, description))
    assert isinstance(result, LoginResult)
    assert result.status == status
    assert not result.accepted
    assert result.error == error
    assert result.error_description == description
    assert result.subject is None
    assert not any("/token" in r.url for r in h.op.requests)


def test_error_code_outside_the_rfc_6749_charset_is_not_passed_on(harness: Build) -> None:
    # RFC 6749 4.1.2.1: error values are limited to %x20-21 / %x23-5B / %x5D-7E.
    h = harness()
    raw = 'access_denied"><script>alert(1)</script>'
    result = h.complete(error_params(h, raw, None))
    assert result.status == "rejected"
    assert result.error != raw
    assert result.error is not None and '"' not in result.error


def test_error_redirect_consumes_the_state(harness: Build) -> None:
    h = harness()
    params = error_params(h, "access_denied", USERCANCEL)
    assert h.complete(params).status == "canceled"
    assert callback_error(h, params).error == "invalid_state"


# -- parse_callback (RFC 6749 3.1: parameters MUST NOT be included more than once) ---------

def test_parse_callback_accepts_a_normal_query() -> None:
    params = parse_callback("code=abc%2Bdef&state=s1+s2&iss=https%3A%2F%2Fop.example.test")
    assert params == {"code": "abc+def", "state": "s1 s2", "iss": "https://op.example.test"}


@pytest.mark.parametrize("query", [
    "code=a&state=b&state=c",
    "code=a&code=a&state=b",
    "state=b&iss=https%3A%2F%2Fop.example.test&iss=https%3A%2F%2Fevil.example.test",
])
def test_parse_callback_refuses_a_repeated_parameter(query: str) -> None:
    with pytest.raises(CallbackError):
        parse_callback(query)


def test_complete_accepts_the_raw_query_string(harness: Build) -> None:
    h = harness()
    params = h.op.authorize(h.begin().url)
    raw = urlencode(params)
    assert drive(h.rp.complete(raw, h.pending), h.op).accepted


# -- the authorization request (OIDC Core 3.1.2.1, RFC 7636 4.2-4.3) ------------------------

def test_authorization_url_carries_the_required_parameters(harness: Build) -> None:
    h = harness()
    redirect = h.begin()
    url = urlsplit(redirect.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/authorize"
    q = query(redirect.url)
    assert all(len(v) == 1 for v in q.values())  # RFC 6749 3.1: each parameter once
    p = {k: v[0] for k, v in q.items()}
    assert p["response_type"] == "code"
    assert p["client_id"] == CLIENT_ID
    assert p["redirect_uri"] == REDIRECT_URI
    assert "openid" in p["scope"].split(" ")
    assert p["state"] == redirect.pending.state
    assert p["nonce"] == redirect.pending.nonce
    assert p["code_challenge_method"] == "S256"
    # RFC 7636 4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), no padding
    digest = hashlib.sha256(redirect.pending.code_verifier.encode("ascii")).digest()
    assert p["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert "code_verifier" not in p
    for optional in ("acr_values", "prompt", "ui_locales", "login_hint", "max_age"):
        assert optional not in p


def test_pkce_challenge_matches_the_rfc_7636_example() -> None:
    # RFC 7636 Appendix B: the reference computation this suite uses for code_challenge.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_authorization_url_carries_the_optional_parameters(harness: Build) -> None:
    h = harness()
    redirect = h.begin(acr_values="idp:idin loa:substantial", prompt="login",
                       ui_locales="fi sv", login_hint="user@example.test", max_age=600)
    p = {k: v[0] for k, v in query(redirect.url).items()}
    assert p["acr_values"] == "idp:idin loa:substantial"
    assert p["prompt"] == "login"
    assert p["ui_locales"] == "fi sv"
    assert p["login_hint"] == "user@example.test"
    assert p["max_age"] == "600"
    assert redirect.pending.max_age == 600


def test_acr_values_as_a_list_are_space_separated(harness: Build) -> None:
    h = harness()
    redirect = h.begin(acr_values=["urn:signicat:oidc:method:ftn-op-auth", "loa:high"])
    p = {k: v[0] for k, v in query(redirect.url).items()}
    assert p["acr_values"] == "urn:signicat:oidc:method:ftn-op-auth loa:high"


def test_state_nonce_and_verifier_are_distinct_and_long(harness: Build) -> None:
    h = harness()
    first, second = h.begin().pending, h.begin().pending
    values = [first.state, first.nonce, first.code_verifier,
              second.state, second.nonce, second.code_verifier]
    assert len(set(values)) == len(values)
    for value in values:
        assert len(value) >= 43
    assert VERIFIER.fullmatch(first.code_verifier)
    assert VERIFIER.fullmatch(second.code_verifier)


# -- PendingLogin as stored data ------------------------------------------------------------

def test_pending_login_round_trips_through_json(harness: Build) -> None:
    h = harness()
    pending = h.begin(next_url="/after", max_age=120).pending
    stored = json.loads(json.dumps(pending.to_dict()))
    again = PendingLogin.from_dict(stored)
    assert again == pending
    assert again.max_age == 120
    assert again.next_url == "/after"


def test_round_tripped_pending_login_still_completes(harness: Build) -> None:
    h = harness()
    redirect = h.begin()
    params = h.op.authorize(redirect.url)
    h.pending.take(redirect.pending.state)
    h.pending.add(PendingLogin.from_dict(json.loads(json.dumps(redirect.pending.to_dict()))))
    assert h.complete(params).accepted


def valid_dict() -> dict[str, Any]:
    return {"state": "s" * 43, "nonce": "n" * 43, "code_verifier": "v" * 43, "provider": "op",
            "issuer": ISSUER, "redirect_uri": REDIRECT_URI, "next_url": "/",
            "created_at": 1_800_000_000.0, "max_age": None}


@pytest.mark.parametrize("garbage", [
    pytest.param({}, id="empty"),
    pytest.param({"state": "s"}, id="only-state"),
    pytest.param({k: v for k, v in valid_dict().items() if k != "nonce"}, id="no-nonce"),
    pytest.param({**valid_dict(), "state": 5}, id="state-not-a-string"),
    pytest.param({**valid_dict(), "created_at": "yesterday"}, id="created-at-a-string"),
    pytest.param({**valid_dict(), "max_age": "600"}, id="max-age-a-string"),
    pytest.param({**valid_dict(), "unexpected": 1, "issuer": None}, id="issuer-null"),
    pytest.param([1, 2, 3], id="a-list"),
    pytest.param("garbage", id="a-string"),
])
def test_pending_login_from_garbage_raises(garbage: Any) -> None:
    with pytest.raises(CallbackError):
        PendingLogin.from_dict(garbage)


def test_valid_dict_is_accepted() -> None:
    # the garbage cases above differ from this one in a single way each
    assert PendingLogin.from_dict(valid_dict()).state == "s" * 43

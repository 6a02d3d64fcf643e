"""The provider's metadata (OIDC Discovery 3 and 4.3, RFC 8414 2): types and endpoint URLs.

Flags and lists of the wrong JSON type are discovery errors (the string "true" must not switch
the RFC 9207 `iss` check off), null reads as absent; endpoint URLs must be usable https URLs
(plain http only on the loop-back, for a local issuer); an endpoint URL's own query is kept and
never repeats or presets the relying party's parameters (RFC 6749 3.1); a refresh that names
another issuer is refused. The peer is the crafted provider (tests/crafted.py), driven sans-IO,
its answers tampered with by hand (tests/tampering.py); each expectation comes from the clause
cited beside it. A traceback of any exception other than the one expected is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from crafted import CLIENT_ID, ISSUER, CraftedProvider, drive, json_response
from tampering import DISCOVERY_PATH, count
from unit_harness import Build, Clock, rejected

import eidgate
from eidgate import DiscoveryError, HttpResponse, RelyingParty, parse_config
from eidgate._oidc.authorize import add_query


@pytest.mark.parametrize("name", ["authorization_response_iss_parameter_supported",
                                  "require_pushed_authorization_requests"])
@pytest.mark.parametrize("value", ["true", "false", 1, 0, [], [True], {}, "", 1.5])
def test_boolean_metadata_of_another_type_is_a_discovery_error(
        harness: Build, name: str, value: Any) -> None:
    """"true" as a string once read as false: the iss check (mix-up defence) went off."""
    h = harness()
    h.op.discovery_extra[name] = value
    with pytest.raises(DiscoveryError, match=name):
        h.login()


def test_iss_flag_as_the_string_true_does_not_switch_the_iss_check_off(harness: Build,
                                                                       ) -> None:
    h = harness()
    h.op.discovery_extra["authorization_response_iss_parameter_supported"] = "true"
    with pytest.raises(DiscoveryError):
        h.begin()


@pytest.mark.parametrize("name", ["authorization_response_iss_parameter_supported",
                                  "require_pushed_authorization_requests"])
def test_boolean_metadata_that_is_null_reads_as_absent(harness: Build, name: str) -> None:
    h = harness()
    h.op.discovery_extra[name] = None
    assert h.login().accepted


@pytest.mark.parametrize("value", ["code", 1, {}, True, [1], ["code", None], {"code": 1}])
def test_response_types_supported_of_another_type_is_a_discovery_error(
        harness: Build, value: Any) -> None:
    """Discovery 3: a JSON array of strings; "code" as a bare string is not that array."""
    h = harness()
    h.op.discovery_extra["response_types_supported"] = value
    with pytest.raises(DiscoveryError, match="response_types_supported"):
        h.login()


@pytest.mark.parametrize("body", [b"[]", b'[{"issuer": "https://op.example.test"}]', b'"x"',
                                  b"1", b"true"])
def test_discovery_that_is_not_an_object_is_a_discovery_error(harness: Build,
                                                              body: bytes) -> None:
    h = harness()
    h.op.overrides[DISCOVERY_PATH] = lambda r: HttpResponse(
        200, {"content-type": "application/json"}, body)
    with pytest.raises(DiscoveryError):
        h.login()


def test_a_refresh_naming_another_issuer_is_refused_on_every_login(harness: Build) -> None:
    """Discovery 4.3: a refreshed document for another issuer is not served from the stale
    copy, not on this login and not on the next one either (no back-off hides it)."""
    h = harness()
    assert h.login().accepted
    h.clock.t += 3601
    h.op.discovery_extra["issuer"] = "https://evil.example.test"
    for _ in range(2):
        with pytest.raises(DiscoveryError, match="issuer"):
            h.login()
        h.clock.t += 1
    assert count(h.op, DISCOVERY_PATH) == 3


@pytest.mark.parametrize("name", ["token_endpoint", "jwks_uri", "userinfo_endpoint",
                                  "authorization_endpoint"])
@pytest.mark.parametrize("value", [
    "http://op.example.test/x",  # Discovery 3: https (outside localhost, see below)
    "https://",  # no host
    "https:///path",
    "https://op.example.test/a b",  # a space
    "https://op.example.test/\r\nX-Injected: 1",
    "https://op.example.test/\x00",
    "https://op.example.test:99999/x",  # no such port
    "https://user:pw@op.example.test/x",  # userinfo in a URL: phishing, refuse
    "https://op.example.test/x#frag",  # RFC 6749 3.1 / 3.2: no fragment
    "javascript:alert(1)", "file:///etc/passwd", "//op.example.test/x", "/relative",
    "https://[::1/x",
])
def test_unusable_endpoint_urls_are_discovery_errors(harness: Build, name: str,
                                                     value: str) -> None:
    h = harness()
    h.op.discovery_extra = {name: value}
    rejected(h, DiscoveryError, match=name)


def local_config(tmp_path: Path, issuer: str) -> eidgate.Config:
    return parse_config({"eidgate": {"base_url": "http://localhost:8000",
                                     "secret_key": "x" * 32},
                         "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                                              "client_secret": "s"}}}, base_dir=tmp_path)


@pytest.mark.parametrize("value", ["http://evil.example.test/token",
                                   "http://localhost.evil.example.test/token",
                                   "http://127.0.0.1.nip.io/token"])
def test_plain_http_endpoint_elsewhere_is_refused_even_for_a_local_issuer(
        tmp_path: Path, clock: Clock, value: str) -> None:
    """Discovery 3 / RFC 8414 2: https. A local (sandbox) issuer may use http on the loop-back
    host only, never to send our client secret and the code in clear to another host."""
    issuer = "http://localhost:9999"
    op = CraftedProvider(issuer=issuer, now=clock)
    op.discovery_extra = {"token_endpoint": value}
    rp = RelyingParty(local_config(tmp_path, issuer), now=clock)
    with pytest.raises(DiscoveryError, match="token_endpoint"):
        drive(rp.begin(), op)


def test_plain_http_on_the_loopback_is_allowed_for_a_local_issuer(tmp_path: Path,
                                                                  clock: Clock) -> None:
    issuer = "http://localhost:9999"
    op = CraftedProvider(issuer=issuer, now=clock)
    op.discovery_extra = {"token_endpoint": "http://127.0.0.1:9999/token"}
    rp = RelyingParty(local_config(tmp_path, issuer), now=clock)
    assert drive(rp.begin(), op).url.startswith(issuer)


def test_endpoints_on_other_https_hosts_are_allowed(harness: Build) -> None:
    """Discovery 3 does not require one host (many providers serve keys from a CDN)."""
    h = harness()
    h.op.discovery_extra = {"jwks_uri": "https://keys.example.test/jwks"}
    h.op.overrides["/jwks"] = lambda r: json_response(h.op.jwks())
    assert h.login().accepted


def test_authorization_endpoint_query_cannot_repeat_or_preset_our_parameters(
        harness: Build) -> None:
    h = harness()
    h.op.discovery_extra["authorization_endpoint"] = (
        f"{ISSUER}/authorize?tenant=a%20b&state=evil&redirect_uri=https%3A%2F%2Fevil.test"
        "&client_id=other&code_challenge_method=plain")
    redirect = h.begin()
    pairs = parse_qsl(urlsplit(redirect.url).query, keep_blank_values=True)
    names = [n for n, _ in pairs]
    assert len(names) == len(set(names))
    query = dict(pairs)
    assert query["tenant"] == "a b"  # the endpoint's own parameter is retained
    assert query["state"] == redirect.pending.state
    assert query["redirect_uri"] == "https://app.example.test/eidgate/callback"
    assert query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256"


def test_end_session_query_keeps_its_own_and_sets_ours_once() -> None:
    url = add_query("https://op.example.test/logout?ui=fi&post_logout_redirect_uri=https%3A"
                    "%2F%2Fevil.test", {"client_id": "c",
                                        "post_logout_redirect_uri": "https://app/out"})
    assert parse_qsl(urlsplit(url).query) == [
        ("ui", "fi"), ("client_id", "c"), ("post_logout_redirect_uri", "https://app/out")]

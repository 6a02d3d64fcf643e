"""The userinfo answer (OIDC Core 5.3): what it may add, and in which shapes.

Userinfo cannot add or override the protocol claims of the ID token, its `sub` must be the ID
token's exactly; a userinfo JWT has a listed algorithm, a fitting type and a lifetime (RFC 7519
4.1.4); JSON is UTF-8 (RFC 8259 8.1). The peer is the crafted provider (tests/crafted.py),
driven sans-IO, its answers tampered with by hand (tests/tampering.py); each expectation comes
from the clause cited beside it. A traceback of any exception other than the one expected is a
bug.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from crafted import CLIENT_ID, ISSUER
from tampering import EVIL
from unit_harness import Build, Harness, rejected

from eidgate import HttpRequest, HttpResponse, InvalidTokenError, ProviderError


def test_userinfo_cannot_add_protocol_claims_the_id_token_lacks(harness: Build) -> None:
    """OIDC Core 2 / 5.3.2: acr, amr, auth_time, iss, aud, nonce... describe the
    authentication and are only trusted from the signed ID token. Userinfo that adds one
    the ID token did not have (say a higher acr) must not make it into the result."""
    h = harness()
    h.op.drop_id_claims = ("auth_time", "acr", "amr")
    forged = {"acr": "urn:signicat:loa:high", "amr": ["hwk"], "auth_time": 1,
              "azp": "someone", "sid": "x", "jti": "y", "nbf": 0}
    h.op.userinfo_claims = forged
    result = h.login()
    assert result.accepted
    for name in forged:
        assert name not in result.claims, name
    assert result.claims["iss"] == ISSUER and result.claims["aud"] == CLIENT_ID


def test_userinfo_cannot_override_protocol_claims(harness: Build) -> None:
    h = harness()
    h.op.id_claims["acr"] = "urn:signicat:loa:low"
    h.op.userinfo_claims = {"iss": EVIL, "aud": "other", "nonce": "n",
                            "acr": "urn:signicat:loa:high", "exp": 9e9}
    result = h.login()
    assert result.claims["iss"] == ISSUER
    assert result.claims["acr"] == "urn:signicat:loa:low"
    assert result.claims["aud"] == CLIENT_ID


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_userinfo_jwt_with_an_unlisted_alg_is_rejected(harness: Build, alg: str) -> None:
    h = harness()

    def userinfo(request: HttpRequest) -> HttpResponse:
        claims = {"sub": "user-1", "iss": ISSUER, "aud": CLIENT_ID}
        token = jwt.encode(claims, "k" * 40 if alg == "HS256" else "", algorithm=alg)
        return HttpResponse(200, {"content-type": "application/jwt"}, token.encode())
    h.op.overrides["/userinfo"] = userinfo
    rejected(h, match="userinfo")


@pytest.mark.parametrize("body", [b'{"sub": "user-1", "x": NaN}', b'{"sub": "user-1", '
                                  b'"sub": "user-2"}', b"\xff\xfe\x00", b"[]",
                                  b'{"sub": "user-1", "n": 1e400}'])
def test_unusable_userinfo_json_is_rejected(harness: Build, body: bytes) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"}, body)
    rejected(h, ProviderError)


@pytest.mark.parametrize("sub", ["user-1\x00", " user-1", 1, None, ["user-1"]])
def test_userinfo_sub_must_be_exactly_the_id_tokens(harness: Build, sub: Any) -> None:
    """OIDC Core 5.3.2: userinfo sub MUST exactly match the ID token's, else not used."""
    h = harness()
    h.op.userinfo_claims = {"sub": sub}
    rejected(h, match="sub")


def test_a_userinfo_jwt_typed_as_an_access_token_is_refused(harness: Build) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/jwt"}, h.op.sign(
            {"iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1"}, {"typ": "at+jwt"}).encode())
    with pytest.raises(InvalidTokenError, match="type"):
        h.login()


def userinfo_jwt(h: Harness, **claims: Any) -> None:
    body = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1", **claims}
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/jwt; charset=utf-8"}, h.op.sign(body).encode())


@pytest.mark.parametrize(("claims", "match"), [
    pytest.param({"exp": 1}, "expired", id="exp-past"),
    pytest.param({"exp": "2100-01-01"}, "exp", id="exp-string"),
    pytest.param({"nbf": 9_000_000_000}, "nbf", id="nbf-future"),
    pytest.param({"nbf": [1]}, "nbf", id="nbf-list"),
])
def test_userinfo_jwt_outside_its_lifetime_is_refused(harness: Build, claims: dict[str, Any],
                                                      match: str) -> None:
    """A signed userinfo response captured long ago (exp passed) is not replayable."""
    h = harness()
    userinfo_jwt(h, **claims)
    with pytest.raises(InvalidTokenError, match=match):
        h.login()


def test_userinfo_jwt_within_its_lifetime_and_charset_parameter_is_accepted(
        harness: Build) -> None:
    h = harness()
    userinfo_jwt(h, exp=h.clock.t + 60, nbf=h.clock.t - 60, name="Signed")
    result = h.login()
    assert result.accepted
    assert result.claims["name"] == "Signed"


def test_plain_json_userinfo_with_an_exp_member_is_not_a_jwt(harness: Build) -> None:
    h = harness()
    h.op.userinfo_claims = {"exp": 1}
    assert h.login().accepted


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-le",
                                      "latin-1"])
def test_userinfo_json_that_is_not_utf8_is_refused(harness: Build, encoding: str) -> None:
    """RFC 8259 8.1: JSON between systems MUST be UTF-8 (json.loads guessed UTF-16/32)."""
    h = harness()
    text = '{"sub": "user-1", "name": "Tést"}'
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": f"application/json; charset={encoding}"}, text.encode(encoding))
    with pytest.raises(ProviderError, match="not JSON"):
        h.login()


def test_userinfo_json_with_a_utf8_byte_order_mark_is_accepted(harness: Build) -> None:
    """RFC 8259 8.1: a parser MAY ignore a BOM."""
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"},
        b"\xef\xbb\xbf" + json.dumps({"sub": "user-1", "name": "Bom"}).encode())
    assert h.login().claims["name"] == "Bom"


@pytest.mark.parametrize(("status", "headers", "body"), [
    (200, {"content-type": "application/json"}, b""),
    (200, {}, b""),
    (401, {"content-type": "application/json",
           "www-authenticate": 'Bearer error="invalid_token"'}, b""),
])
def test_unusable_userinfo_answers_are_provider_errors(harness: Build, status: int,
                                                       headers: dict[str, str],
                                                       body: bytes) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(status, headers, body)
    with pytest.raises(ProviderError) as caught:
        h.login()
    assert caught.value.status == 502

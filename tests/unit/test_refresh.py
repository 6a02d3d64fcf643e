"""The sans-IO refresh (``RelyingParty.refresh``) against the crafted provider.

RFC 6749 6: the refresh request (``grant_type=refresh_token``, the client authenticated as
for the code exchange, OIDC Core 12.1); 5.1: what a success must hold; 5.2: an error
response, where ``invalid_grant`` is the refresh token's own refusal (expired, revoked,
reused); OIDC Core 12.2: an ID token in a refresh response repeats the original's iss,
sub, aud, azp and auth_time, with a new iat and no nonce (or the original's). The crafted
provider's answers are written here by hand, from those clauses.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import jwt
import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, at_hash, drive, json_response
from unit_harness import Build, Harness

from eidgate import (
    HttpRequest,
    HttpResponse,
    InvalidTokenError,
    ProviderError,
    RefreshRefused,
    TokenEndpointError,
    generate_key,
    write_key,
)
from eidgate._oidc.refresh import Tokens

RT = "refresh-token-1"


class RefreshingOP:
    """The crafted provider's token endpoint for ``grant_type=refresh_token``: checks the
    client as the code exchange's does, answers ``answer(form)``, records each form."""

    def __init__(self, h: Harness, answer: Callable[[dict[str, str]], HttpResponse]) -> None:
        self.h = h
        self.forms: list[dict[str, str]] = []
        self.requests: list[HttpRequest] = []
        self.answer = answer
        self.code_token = h.op.token
        h.op.overrides["/token"] = self.token

    def token(self, request: HttpRequest) -> HttpResponse:
        form = {k: v[0] for k, v in parse_qs((request.body or b"").decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return self.code_token(request)  # the login's code exchange
        self.forms.append(form)
        self.requests.append(request)
        if not self.h.op._client_ok(request, form):
            return json_response({"error": "invalid_client"}, 401)
        return self.answer(form)


def bearer(**extra: Any) -> Callable[[dict[str, str]], HttpResponse]:
    def answer(form: dict[str, str]) -> HttpResponse:
        if form.get("refresh_token") != RT:
            return json_response({"error": "invalid_grant"}, 400)
        return json_response({"access_token": "at-2", "token_type": "Bearer",
                              "expires_in": 300, "refresh_token": "rt-2", **extra})
    return answer


def logged_in(h: Harness) -> Tokens:
    """The tokens a login through the crafted provider leaves (with RT as refresh)."""
    h.op.token_extra = {"refresh_token": RT}
    result = h.login()
    assert result.accepted
    return Tokens.from_response(result.token_response, now=h.clock(),
                                id_claims=result.id_token_claims)


def refresh(h: Harness, tokens: Tokens | str) -> Tokens:
    found: Tokens = drive(h.rp.refresh("op", tokens), h.op)
    return found


# -- the request -------------------------------------------------------------------------
def test_the_refresh_request_is_rfc_6749_section_6_with_the_clients_basic_auth(
        harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    op = RefreshingOP(h, bearer())
    refresh(h, tokens)
    (request,) = op.requests
    assert request.method == "POST"
    assert request.url == f"{ISSUER}/token"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert op.forms == [{"grant_type": "refresh_token", "refresh_token": RT}]
    # RFC 6749 2.3.1: id and secret form-urlencoded, then base64 (OIDC Core 12.1: the
    # registered authentication, as for the code exchange)
    ident, _, secret = base64.b64decode(request.headers["Authorization"][6:]).decode(
        ).partition(":")
    assert (unquote_plus(ident), unquote_plus(secret)) == (CLIENT_ID, CLIENT_SECRET)


def test_client_secret_post_sends_the_secret_in_the_form(harness: Build) -> None:
    h = harness(client_auth="client_secret_post")
    h.op.client_auth = "client_secret_post"
    op = RefreshingOP(h, bearer())
    refresh(h, RT)
    assert op.forms[0]["client_id"] == CLIENT_ID
    assert op.forms[0]["client_secret"] == CLIENT_SECRET
    assert "Authorization" not in op.requests[0].headers


def test_private_key_jwt_asserts_to_the_token_endpoint(harness: Build, tmp_path: Path
                                                       ) -> None:
    jwk = generate_key("sig")
    write_key(tmp_path / "signing.jwk.json", jwk)
    h = harness(client_auth="private_key_jwt", signing_key="signing.jwk.json")
    h.op.client_auth = "private_key_jwt"
    h.op.client_public_jwk = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid",
                                                                    "alg", "use")}
    # the crafted provider checks the assertion's times against its clock: the wall's here
    h.clock.t = float(math.floor(time.time()) - 5)
    op = RefreshingOP(h, bearer())
    assert refresh(h, RT).access_token == "at-2"  # the provider verified the assertion
    claims = jwt.decode(op.forms[0]["client_assertion"], options={"verify_signature": False})
    # RFC 7523 3: the token endpoint is the audience; iss = sub = client_id
    assert claims["aud"] == f"{ISSUER}/token"
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert "client_secret" not in op.forms[0]


# -- the answer ---------------------------------------------------------------------------
def test_a_success_gives_the_new_tokens_and_their_expiry(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    RefreshingOP(h, bearer())
    h.clock.t += 100
    new = refresh(h, tokens)
    # RFC 6749 5.1: expires_in is seconds from the response
    assert (new.access_token, new.expires_at) == ("at-2", h.clock.t + 300)
    # RFC 6749 6: a new refresh token replaces the old one
    assert new.refresh_token == "rt-2"
    assert new.id_claims == tokens.id_claims  # the original authentication's, for 12.2
    assert "at-2" not in repr(new) and "rt-2" not in repr(new)


def test_without_a_new_refresh_token_the_old_one_is_kept(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)

    def no_rotation(form: dict[str, str]) -> HttpResponse:
        return json_response({"access_token": "at-2", "token_type": "bearer",
                              "expires_in": 60})
    RefreshingOP(h, no_rotation)
    new = refresh(h, tokens)
    assert new.refresh_token == RT  # RFC 6749 6: a new one is issued at the OP's discretion
    assert new.fresh(h.clock(), 30) and not new.fresh(h.clock() + 31, 30)


def test_no_expires_in_is_an_unknown_expiry(harness: Build) -> None:
    h = harness()
    RefreshingOP(h, lambda form: json_response({"access_token": "at-2",
                                                "token_type": "Bearer"}))
    new = refresh(h, RT)
    assert new.expires_at is None  # RFC 6749 5.1: expires_in is only RECOMMENDED


@pytest.mark.parametrize("status", [400, 401])
def test_invalid_grant_is_a_refused_refresh(harness: Build, status: int) -> None:
    h = harness()
    RefreshingOP(h, lambda form: json_response(
        {"error": "invalid_grant", "error_description": "token was already used"}, status))
    with pytest.raises(RefreshRefused) as caught:
        refresh(h, RT)
    # RFC 6749 5.2: invalid_grant, "expired, revoked ... or was issued to another client"
    assert caught.value.error == "invalid_grant" and caught.value.status == 401
    assert isinstance(caught.value, TokenEndpointError)
    assert (caught.value.provider, caught.value.step) == ("op", "refresh")
    assert not caught.value.misconfigured
    assert RT not in str(caught.value)


def test_a_wrong_client_secret_is_a_misconfiguration_not_a_refused_refresh(
        harness: Build) -> None:
    h = harness()
    h.op.client_secret = "another secret"
    RefreshingOP(h, bearer())
    with pytest.raises(TokenEndpointError) as caught:
        refresh(h, RT)
    assert not isinstance(caught.value, RefreshRefused)
    assert caught.value.provider_error == "invalid_client" and caught.value.misconfigured


@pytest.mark.parametrize("status", [500, 503])
def test_an_outage_is_no_refused_refresh(harness: Build, status: int) -> None:
    h = harness()
    RefreshingOP(h, lambda form: json_response({"error": "server_error"}, status))
    with pytest.raises(ProviderError) as caught:
        refresh(h, RT)
    assert not isinstance(caught.value, RefreshRefused)


@pytest.mark.parametrize("body", [
    pytest.param({"token_type": "Bearer", "expires_in": 60}, id="no-access-token"),
    pytest.param({"access_token": "a", "expires_in": 60}, id="no-token-type"),
    pytest.param({"access_token": "a", "token_type": "DPoP"}, id="not-bearer"),
    pytest.param({"access_token": "a", "token_type": "mac"}, id="mac"),
    pytest.param({"access_token": "a\r\nX: 1", "token_type": "Bearer"}, id="crlf"),
    pytest.param({"access_token": 7, "token_type": "Bearer"}, id="number"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "expires_in": "60"},
                 id="expires-in-text"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "expires_in": -1},
                 id="expires-in-negative"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "expires_in": True},
                 id="expires-in-bool"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "expires_in": 1.5},
                 id="expires-in-fraction"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "refresh_token": 5},
                 id="refresh-token-number"),
    pytest.param({"access_token": "a", "token_type": "Bearer", "error": "invalid_grant"},
                 id="error-with-tokens"),
])
def test_malformed_answers_are_provider_errors(harness: Build, body: dict[str, Any]) -> None:
    h = harness()
    RefreshingOP(h, lambda form: json_response(body))
    with pytest.raises(ProviderError) as caught:
        refresh(h, RT)
    assert not isinstance(caught.value, RefreshRefused)


# -- an ID token in the answer: OIDC Core 12.2 --------------------------------------------
def with_id_token(h: Harness, tokens: Tokens, **change: Any) -> Callable[..., HttpResponse]:
    """A refresh answer whose ID token repeats the original's claims (12.2), ``change``
    applied (None removes a claim)."""
    def answer(form: dict[str, str]) -> HttpResponse:
        now = int(h.clock())
        original = tokens.id_claims
        claims: dict[str, Any] = {"iss": ISSUER, "sub": original["sub"],
                                  "aud": original["aud"], "iat": now, "exp": now + 300,
                                  "auth_time": original["auth_time"],
                                  "at_hash": at_hash("at-2")}
        claims.update(change)
        claims = {k: v for k, v in claims.items() if v is not None}
        return json_response({"access_token": "at-2", "token_type": "Bearer",
                              "expires_in": 300, "id_token": h.op.sign(claims)})
    return answer


def test_a_refreshed_id_token_of_the_same_authentication_is_accepted(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    h.clock.t += 600
    RefreshingOP(h, with_id_token(h, tokens))
    assert refresh(h, tokens).access_token == "at-2"


def test_the_original_nonce_again_is_accepted(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    RefreshingOP(h, with_id_token(h, tokens, nonce=tokens.id_claims["nonce"]))
    assert refresh(h, tokens).access_token == "at-2"


@pytest.mark.parametrize(("change", "why"), [
    pytest.param({"sub": "someone-else"}, "12.2: sub the same", id="other-sub"),
    pytest.param({"iss": "https://other.example.test"}, "12.2: iss the same", id="other-iss"),
    pytest.param({"aud": [CLIENT_ID, "extra"], "azp": CLIENT_ID}, "12.2: aud the same",
                 id="other-aud"),
    pytest.param({"azp": CLIENT_ID}, "12.2: no azp when the original had none",
                 id="azp-added"),
    pytest.param({"auth_time": 1}, "12.2: auth_time of the original authentication",
                 id="new-auth-time"),
    pytest.param({"nonce": "a-new-nonce"}, "12.2: no nonce, or the original's",
                 id="other-nonce"),
    pytest.param({"exp": 10}, "3.1.3.7 (9): not expired", id="expired"),
    pytest.param({"iat": None}, "3.1.3.7 (10): iat REQUIRED", id="no-iat"),
    pytest.param({"iat": 4_000_000_000}, "3.1.3.7 (10): not issued in the future",
                 id="future-iat"),
    pytest.param({"sub": None}, "OIDC Core 2: sub REQUIRED", id="no-sub"),
    pytest.param({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "3.1.3.8: at_hash of the token",
                 id="wrong-at-hash"),
])
def test_a_refreshed_id_token_of_another_authentication_is_refused(
        harness: Build, change: dict[str, Any], why: str) -> None:
    h = harness()
    tokens = logged_in(h)
    RefreshingOP(h, with_id_token(h, tokens, **change))
    with pytest.raises(InvalidTokenError):
        refresh(h, tokens)


def test_another_audience_is_refused_even_when_trusted(harness: Build) -> None:
    """3.1.3.7 (3) would take a trusted extra audience; 12.2 wants the original's aud."""
    h = harness(trusted_audiences=["extra"])
    tokens = logged_in(h)
    RefreshingOP(h, with_id_token(h, tokens, aud=[CLIENT_ID, "extra"], azp=CLIENT_ID))
    with pytest.raises(InvalidTokenError, match="another audience"):
        refresh(h, tokens)


def test_a_refreshed_id_token_with_a_bad_signature_is_refused(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    good = with_id_token(h, tokens)

    def tampered(form: dict[str, str]) -> HttpResponse:
        body = json.loads(good(form).body)
        head, payload, sig = body["id_token"].split(".")
        body["id_token"] = f"{head}.{payload}.{sig[::-1]}"
        return json_response(body)
    RefreshingOP(h, tampered)
    with pytest.raises(InvalidTokenError):  # 3.1.3.7 (6): the same rules as at login
        refresh(h, tokens)


# -- what a session keeps -----------------------------------------------------------------
def test_tokens_round_trip_through_the_store_and_hide_in_repr(harness: Build) -> None:
    h = harness()
    tokens = logged_in(h)
    assert Tokens.from_store(json.loads(json.dumps(tokens.to_store()))) == tokens
    assert tokens.refresh_token == RT and RT not in repr(tokens)
    assert tokens.access_token not in repr(tokens)
    # OIDC Core 12.2 needs these of the original ID token, and nothing else is kept
    assert set(tokens.id_claims) <= {"iss", "sub", "aud", "azp", "auth_time", "nonce"}
    assert {"iss", "sub", "aud", "auth_time", "nonce"} <= set(tokens.id_claims)
    for junk in (None, "x", {"at": 5}, {"at": "a", "exp": "soon"}, {"at": "a", "exp": True}):
        assert Tokens.from_store(junk) is None
    assert urlsplit(ISSUER).scheme == "https"

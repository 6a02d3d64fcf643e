"""Client authentication, PAR and signed request objects, through the sans-IO Harness.

The crafted provider checks client authentication like a real one: it decodes Basic
credentials per RFC 6749 2.3.1, compares client_secret_post fields, and verifies
private_key_jwt assertions with our public key. The tests also check what went over the
wire against the RFCs (6749 2.3.1, 7523 3, 7636 4.2, 9101 4-5, 9126 2).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote_plus, urlsplit

import jwt
import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URI, CraftedProvider, rsa_key
from unit_harness import Harness

from eidgate import HttpRequest, ProviderError, TokenEndpointError, generate_key, write_key

TOKEN_ENDPOINT = f"{ISSUER}/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"  # RFC 7523 2.2
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


# -- helpers ---------------------------------------------------------------------------
@functools.cache
def signing_jwk() -> dict[str, Any]:
    return generate_key("sig")


def public_jwk() -> dict[str, Any]:
    return {k: v for k, v in signing_jwk().items() if k not in PRIVATE_MEMBERS}


def signing_key_file(tmp_path: Path) -> str:
    write_key(tmp_path / "signing.jwk.json", signing_jwk())
    return "signing.jwk.json"


def header(request: HttpRequest, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def form(request: HttpRequest) -> dict[str, str]:
    parsed = parse_qs((request.body or b"").decode("ascii"), keep_blank_values=True)
    assert all(len(v) == 1 for v in parsed.values()), "a form field was sent twice"
    return {k: v[0] for k, v in parsed.items()}


def requests_to(op: CraftedProvider, path: str) -> list[HttpRequest]:
    return [r for r in op.requests if urlsplit(r.url).path == path]


def query(url: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in parsed.values())
    return {k: v[0] for k, v in parsed.items()}


def s256(verifier: str) -> str:
    """RFC 7636 4.2: BASE64URL(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_rp_jwt(token: str, audience: str) -> dict[str, Any]:
    """Signature and audience; the time claims are checked by the tests against the clock."""
    key = jwt.PyJWK(public_jwk())
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=[signing_jwk()["alg"]], audience=audience,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                 "require": ["exp", "iat"]})
    return claims


# -- client_secret_basic ---------------------------------------------------------------
SPECIAL_ID = "rp:client/ä+%20 x&y=z"
SPECIAL_SECRET = "pa:ss wo+rd&=/?ü%41~*"


def test_client_secret_basic_with_special_characters(harness: Callable[..., Harness]) -> None:
    op = CraftedProvider(client_id=SPECIAL_ID, client_secret=SPECIAL_SECRET)
    h = harness(op, client_id=SPECIAL_ID, client_secret=SPECIAL_SECRET)
    result = h.login()
    assert result.status == "accepted"  # the provider decoded the header per RFC 6749 2.3.1

    (token_request,) = requests_to(op, "/token")
    # RFC 6749 2.3.1: form-urlencode id and secret, join with ":", then base64
    pair = quote_plus(SPECIAL_ID) + ":" + quote_plus(SPECIAL_SECRET)
    expected = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    assert header(token_request, "Authorization") == expected
    # the ":" inside the client id must not split the pair in the wrong place
    ident, _, secret = base64.b64decode(expected[6:]).decode().partition(":")
    assert (unquote_plus(ident), unquote_plus(secret)) == (SPECIAL_ID, SPECIAL_SECRET)
    # RFC 6749 2.3: one authentication method per request; no secret in the body
    body = form(token_request)
    assert "client_secret" not in body
    assert "client_assertion" not in body
    assert body["grant_type"] == "authorization_code"


def test_client_secret_basic_is_rejected_by_provider_when_secret_differs(
        harness: Callable[..., Harness]) -> None:
    # the crafted provider really checks the header: a wrong secret is refused
    op = CraftedProvider(client_secret="the-provider-knows-another-secret")
    h = harness(op)
    redirect = h.begin()
    with pytest.raises(TokenEndpointError) as info:
        h.complete(op.authorize(redirect.url))
    assert info.value.provider_error == "invalid_client"


# -- client_secret_post ----------------------------------------------------------------
def test_client_secret_post(harness: Callable[..., Harness]) -> None:
    op = CraftedProvider(client_id=SPECIAL_ID, client_secret=SPECIAL_SECRET,
                         client_auth="client_secret_post")
    h = harness(op, client_id=SPECIAL_ID, client_secret=SPECIAL_SECRET,
                client_auth="client_secret_post")
    assert h.login().status == "accepted"
    (token_request,) = requests_to(op, "/token")
    body = form(token_request)
    assert body["client_id"] == SPECIAL_ID
    assert body["client_secret"] == SPECIAL_SECRET
    assert header(token_request, "Authorization") is None  # RFC 6749 2.3: only one method


# -- private_key_jwt -------------------------------------------------------------------
def private_key_jwt_harness(harness: Callable[..., Harness], tmp_path: Path,
                            **provider: Any) -> Harness:
    op = CraftedProvider(client_auth="private_key_jwt", client_public_jwk=public_jwk())
    h = harness(op, client_auth="private_key_jwt", signing_key=signing_key_file(tmp_path),
                **provider)
    # the crafted provider verifies assertions with pyjwt against the wall clock, not op.now:
    # start a little in the past so that iat is not in its future and exp not in its past
    h.clock.t = float(math.floor(time.time()) - 20)
    return h


def test_private_key_jwt(harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = private_key_jwt_harness(harness, tmp_path)
    times = []
    for _ in range(2):
        times.append(h.clock.t)
        assert h.login().status == "accepted"  # the provider verified the assertion
        h.clock.t += 10

    token_requests = requests_to(h.op, "/token")
    assert len(token_requests) == 2
    jtis = []
    for request, now in zip(token_requests, times, strict=True):
        body = form(request)
        assert header(request, "Authorization") is None
        assert "client_secret" not in body  # a secret is configured, but never sent
        assert body["client_assertion_type"] == ASSERTION_TYPE
        assertion = body["client_assertion"]
        jws_header = jwt.get_unverified_header(assertion)
        assert jws_header["kid"] == signing_jwk()["kid"]
        assert jws_header["alg"] == "RS256"
        claims = verify_rp_jwt(assertion, TOKEN_ENDPOINT)
        # RFC 7523 3: iss = sub = client_id, aud = the token endpoint, exp, jti
        assert claims["iss"] == claims["sub"] == CLIENT_ID
        assert claims["aud"] in (TOKEN_ENDPOINT, [TOKEN_ENDPOINT])
        assert 0 < claims["exp"] - claims["iat"] <= 300
        assert claims["iat"] == math.floor(now)
        assert isinstance(claims["jti"], str) and claims["jti"]
        jtis.append(claims["jti"])
    assert jtis[0] != jtis[1]  # RFC 7523 3 (7): a jti is used once


# -- PAR -------------------------------------------------------------------------------
def assert_par_redirect(h: Harness, url: str) -> dict[str, str]:
    """The authorization URL carries only client_id and request_uri (RFC 9126 4)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ISSUER}/authorize"
    params = query(url)
    assert set(params) == {"client_id", "request_uri"}
    assert params["client_id"] == CLIENT_ID
    assert params["request_uri"] in h.op.par_requests
    (par_request,) = requests_to(h.op, "/par")
    assert par_request.method == "POST"
    return form(par_request)


def test_par_pushes_the_whole_request(harness: Callable[..., Harness]) -> None:
    h = harness(use_par=True)
    redirect = h.begin()
    pushed = assert_par_redirect(h, redirect.url)
    pending = redirect.pending
    assert pushed["response_type"] == "code"
    assert pushed["redirect_uri"] == REDIRECT_URI
    assert "openid" in pushed["scope"].split()
    assert pushed["state"] == pending.state
    assert pushed["nonce"] == pending.nonce
    assert pushed["code_challenge"] == s256(pending.code_verifier)
    assert pushed["code_challenge_method"] == "S256"
    # RFC 9126 2.1: the PAR request is client-authenticated like a token request
    (par_request,) = requests_to(h.op, "/par")
    pair = quote_plus(CLIENT_ID) + ":" + quote_plus(CLIENT_SECRET)
    assert header(par_request, "Authorization") == \
        "Basic " + base64.b64encode(pair.encode()).decode()
    assert "code_verifier" not in pushed  # the verifier never leaves the relying party
    result = h.complete(h.op.authorize(redirect.url))
    assert result.status == "accepted"


def test_par_is_used_when_the_provider_requires_it(harness: Callable[..., Harness]) -> None:
    op = CraftedProvider(discovery_extra={"require_pushed_authorization_requests": True})
    h = harness(op)  # use_par is false in the config
    redirect = h.begin()
    assert_par_redirect(h, redirect.url)
    assert h.complete(op.authorize(redirect.url)).status == "accepted"


def test_without_par_the_request_goes_in_the_url(harness: Callable[..., Harness]) -> None:
    h = harness()
    redirect = h.begin()
    assert requests_to(h.op, "/par") == []
    params = query(redirect.url)
    assert params["state"] == redirect.pending.state
    assert params["code_challenge"] == s256(redirect.pending.code_verifier)


def test_use_par_without_a_par_endpoint_fails(harness: Callable[..., Harness]) -> None:
    # falling back silently to a front-channel request would defeat the configuration
    op = CraftedProvider(discovery_extra={"pushed_authorization_request_endpoint": None})
    h = harness(op, use_par=True)
    with pytest.raises(ProviderError):
        h.begin()


def test_par_with_private_key_jwt(harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = private_key_jwt_harness(harness, tmp_path, use_par=True)
    redirect = h.begin()
    pushed_raw = form(requests_to(h.op, "/par")[0])
    assert pushed_raw["client_assertion_type"] == ASSERTION_TYPE
    # RFC 9126 2: the issuer identifier is a valid audience at the PAR endpoint
    claims = verify_rp_jwt(pushed_raw["client_assertion"], ISSUER)
    assert claims["iss"] == CLIENT_ID
    assert h.complete(h.op.authorize(redirect.url)).status == "accepted"
    token_claims = verify_rp_jwt(form(requests_to(h.op, "/token")[0])["client_assertion"],
                                 TOKEN_ENDPOINT)
    assert token_claims["jti"] != claims["jti"]


# -- signed request objects ------------------------------------------------------------
def check_request_object(token: str, pending: Any, now: float) -> dict[str, Any]:
    jws_header = jwt.get_unverified_header(token)
    assert jws_header["typ"] == "oauth-authz-req+jwt"  # RFC 9101 10.8
    assert jws_header["kid"] == signing_jwk()["kid"]
    assert jws_header["alg"] == "RS256"
    claims = verify_rp_jwt(token, ISSUER)
    # RFC 9101 4: iss is the client_id, aud the authorization server's issuer
    assert claims["iss"] == CLIENT_ID
    assert claims["aud"] in (ISSUER, [ISSUER])
    assert claims["client_id"] == CLIENT_ID
    assert claims["response_type"] == "code"
    assert claims["redirect_uri"] == REDIRECT_URI
    assert "openid" in claims["scope"].split()
    assert claims["state"] == pending.state
    assert claims["nonce"] == pending.nonce
    assert claims["code_challenge"] == s256(pending.code_verifier)
    assert claims["code_challenge_method"] == "S256"
    # RFC 9101 4: a request object must not itself contain request or request_uri
    assert "request" not in claims
    assert "request_uri" not in claims
    assert "code_verifier" not in claims
    assert claims["iat"] == claims["nbf"] == math.floor(now)
    assert now < claims["exp"] <= now + 3600  # FAPI 2.0 / FAPI 1 5.2.2-13: at most 60 min
    return claims


def test_signed_request_object(harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = harness(request_object=True, signing_key=signing_key_file(tmp_path))
    redirect = h.begin()
    params = query(redirect.url)
    assert "request" in params
    assert "request_uri" not in params
    # RFC 9101 5 / OIDC Core 6.1: client_id (and response_type, scope) also outside
    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert "openid" in params["scope"].split()
    check_request_object(params["request"], redirect.pending, h.clock.t)
    assert requests_to(h.op, "/par") == []
    assert h.complete(h.op.authorize(redirect.url)).status == "accepted"


def test_signed_request_object_is_signed_with_our_key_only(
        harness: Callable[..., Harness], tmp_path: Path) -> None:
    h = harness(request_object=True, signing_key=signing_key_file(tmp_path))
    token = query(h.begin().url)["request"]
    assert verify_rp_jwt(token, ISSUER)["iss"] == CLIENT_ID
    other = rsa_key(1).public_key()  # some other RSA key
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other, algorithms=["RS256"], audience=ISSUER,
                   options={"verify_iat": False, "verify_nbf": False})


def test_signed_request_object_pushed_with_par(harness: Callable[..., Harness],
                                               tmp_path: Path) -> None:
    h = harness(request_object=True, use_par=True, signing_key=signing_key_file(tmp_path))
    redirect = h.begin()
    pushed = assert_par_redirect(h, redirect.url)
    assert pushed["client_id"] == CLIENT_ID
    check_request_object(pushed["request"], redirect.pending, h.clock.t)
    assert h.complete(h.op.authorize(redirect.url)).status == "accepted"

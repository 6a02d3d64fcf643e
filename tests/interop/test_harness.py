"""Self-tests of the interop harness: oidc-provider driven by hand, no eidgate involved.

Every flow is written out with plain httpx, hashlib and joserfc so that a failure here is a
harness problem, not an eidgate one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import httpx2
import pytest
from joserfc import jwe, jwt
from joserfc.jwk import KeySet, RSAKey

from ._driver import drive_login
from ._provider import OidcProvider
from ._seed_accounts import FTN_VAINO, IDIN_DE_VRIES, IDIN_STEGENGA

pytestmark = pytest.mark.interop

FTN_SCOPE = "openid profile signicat.national_id ftn"
IDIN_SCOPE = "openid profile address signicat.idin"


# --------------------------------------------------------------------------- helpers


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _pkce_pair() -> tuple[str, str]:
    """RFC 7636: (code_verifier, S256 code_challenge)."""
    verifier = _b64url(secrets.token_bytes(32))
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def _discovery(op: OidcProvider) -> dict[str, Any]:
    response = httpx2.get(f"{op.issuer}/.well-known/openid-configuration")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def _query(url: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), url
    return {key: values[0] for key, values in parsed.items()}


def _basic_auth(client_id: str, client_secret: str) -> str:
    """RFC 6749 2.3.1: form-urlencode id and secret, then base64 "id:secret"."""
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _load_key(path: Path) -> RSAKey:
    key = RSAKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    return key


def _client_assertion(op: OidcProvider, client_id: str, audience: str) -> dict[str, str]:
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "RS256", "kid": "rp-sig-1"},
        {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "exp": now + 60,
        },
        _load_key(op.sig_key_path),
    )
    return {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }


def _verify_jws(op: OidcProvider, token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx2.get(f"{op.issuer}/jwks").json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    claims: dict[str, Any] = decoded.claims
    return claims


def _decrypt(op: OidcProvider, token: str) -> str:
    assert token.count(".") == 4, "expected a compact JWE"
    key = _load_key(op.enc_key_path)
    # oidc-provider replicates iss and aud into the JWE protected header (RFC 7519 5.3),
    # which joserfc's default registry rejects as unsupported header parameters.
    registry = jwe.JWERegistry(algorithms=["RSA-OAEP", "A128CBC-HS256"], strict_check_header=False)
    decrypted = jwe.decrypt_compact(token, key, registry=registry)
    assert decrypted.protected["iss"] == op.issuer
    assert decrypted.protected["alg"] == "RSA-OAEP"
    assert decrypted.protected["enc"] == "A128CBC-HS256"
    assert decrypted.plaintext is not None
    return decrypted.plaintext.decode("ascii")


def _authorize(
    op: OidcProvider, client_id: str, scope: str, challenge: str, state: str, nonce: str
) -> str:
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": op.redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{op.issuer}/auth?{urlencode(params)}"


def _callback(op: OidcProvider, redirect: str, state: str) -> str:
    """Check the authorization response and return its code."""
    assert redirect.startswith(op.redirect_uri + "?"), redirect
    params = _query(redirect)
    assert params.get("error") is None, params
    assert params["state"] == state
    assert params["iss"] == op.issuer  # RFC 9207
    return params["code"]


def _token_form(op: OidcProvider, code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": op.redirect_uri,
        "code_verifier": verifier,
    }


def _check_id_token(
    op: OidcProvider, claims: dict[str, Any], client_id: str, nonce: str, sub: str
) -> None:
    assert claims["iss"] == op.issuer
    assert claims["aud"] == client_id
    assert claims["nonce"] == nonce
    assert claims["sub"] == sub
    assert claims["exp"] > time.time() > claims["iat"] - 15


def _userinfo(op: OidcProvider, access_token: str) -> httpx2.Response:
    response = httpx2.get(f"{op.issuer}/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    return response


# --------------------------------------------------------------------------- tests


def test_discovery(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    assert op.issuer.startswith("http://127.0.0.1:")
    document = _discovery(op)
    assert document["issuer"] == op.issuer
    assert document["authorization_endpoint"] == f"{op.issuer}/auth"
    assert document["token_endpoint"] == f"{op.issuer}/token"
    assert document["userinfo_endpoint"] == f"{op.issuer}/me"
    assert document["jwks_uri"] == f"{op.issuer}/jwks"
    assert document["pushed_authorization_request_endpoint"] == f"{op.issuer}/request"
    assert document["authorization_response_iss_parameter_supported"] is True
    assert document["request_parameter_supported"] is True
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(
        document["token_endpoint_auth_methods_supported"]
    )
    assert "RSA-OAEP" in document["id_token_encryption_alg_values_supported"]
    assert "A128CBC-HS256" in document["userinfo_encryption_enc_values_supported"]
    assert {"signicat.national_id", "ftn", "signicat.idin"} <= set(document["scopes_supported"])
    jwks = httpx2.get(document["jwks_uri"]).json()
    assert [(k["kty"], k["alg"], k["use"]) for k in jwks["keys"]] == [("RSA", "RS256", "sig")]
    assert all("d" not in k for k in jwks["keys"])


def test_basic_client_code_flow_returns_ftn_claims(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    creds = op.clients["basic-client"]
    assert creds["client_id"] == "basic:client"
    assert creds["client_secret"] is not None
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    redirect = drive_login(
        _authorize(op, creds["client_id"], FTN_SCOPE, challenge, state, nonce),
        login=FTN_VAINO["sub"],
    )
    code = _callback(op, redirect, state)

    response = httpx2.post(
        f"{op.issuer}/token",
        data=_token_form(op, code, verifier),
        headers={"Authorization": _basic_auth(creds["client_id"], creds["client_secret"])},
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == FTN_SCOPE

    id_token = _verify_jws(op, tokens["id_token"])
    _check_id_token(op, id_token, creds["client_id"], nonce, FTN_VAINO["sub"])
    # conformIdTokenClaims: false -> the scope's claims are in the ID token too.
    assert id_token["signicat.national_id"] == FTN_VAINO["signicat.national_id"]

    assert _userinfo(op, tokens["access_token"]).json() == FTN_VAINO


@pytest.mark.parametrize(
    ("encode_id", "encode_secret", "status", "error"),
    [
        (False, False, 400, "invalid_request"),
        (True, False, 400, "invalid_request"),
        (False, True, 401, "invalid_client"),
    ],
    ids=["raw-id-and-secret", "raw-secret", "raw-id"],
)
def test_basic_auth_without_form_urlencoding_is_rejected(
    oidc_provider: OidcProvider, encode_id: bool, encode_secret: bool, status: int, error: str
) -> None:
    """RFC 6749 2.3.1: basic-client's id and secret only work when form-urlencoded.

    oidc-provider decodes both halves leniently (a raw value without "%" or "+" would pass), so
    the "%" in the secret is what rejects a raw secret ("not properly encoded"), and the colon in
    the id is what rejects a raw id (the pair splits at it: unknown client "basic").
    """
    op = oidc_provider
    creds = op.clients["basic-client"]
    assert creds["client_secret"] is not None
    client_id = quote_plus(creds["client_id"]) if encode_id else creds["client_id"]
    secret = quote_plus(creds["client_secret"]) if encode_secret else creds["client_secret"]
    raw = f"{client_id}:{secret}".encode()
    response = httpx2.post(
        f"{op.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": "not-a-code",
            "redirect_uri": op.redirect_uri,
            "code_verifier": "v" * 43,
        },
        headers={"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")},
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


def test_abort_returns_access_denied(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    _, challenge = _pkce_pair()
    state = secrets.token_urlsafe(16)
    redirect = drive_login(
        _authorize(op, op.clients["basic-client"]["client_id"], FTN_SCOPE, challenge, state, "n"),
        login=FTN_VAINO["sub"],
        abort=True,
    )
    assert redirect.startswith(op.redirect_uri + "?"), redirect
    assert _query(redirect) == {
        "error": "access_denied",
        "error_description": "End-User aborted interaction",
        "state": state,
        "iss": op.issuer,
    }


@pytest.mark.parametrize(
    ("account", "scope"),
    [
        (IDIN_STEGENGA, IDIN_SCOPE),
        (IDIN_DE_VRIES, "openid profile email phone address signicat.idin"),
    ],
    ids=["idin-stegenga", "idin-de-vries"],
)
def test_post_client_returns_idin_claims(
    oidc_provider: OidcProvider, account: dict[str, Any], scope: str
) -> None:
    op = oidc_provider
    creds = op.clients["post-client"]
    assert creds["client_secret"] is not None
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    redirect = drive_login(
        _authorize(op, creds["client_id"], scope, challenge, state, nonce), login=account["sub"]
    )
    code = _callback(op, redirect, state)
    response = httpx2.post(
        f"{op.issuer}/token",
        data={
            **_token_form(op, code, verifier),
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    _check_id_token(
        op, _verify_jws(op, tokens["id_token"]), creds["client_id"], nonce, account["sub"]
    )
    assert _userinfo(op, tokens["access_token"]).json() == account


def test_unknown_login_gets_bare_account(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    creds = op.clients["post-client"]
    assert creds["client_secret"] is not None
    verifier, challenge = _pkce_pair()
    redirect = drive_login(
        _authorize(op, creds["client_id"], FTN_SCOPE, challenge, "s", "n"), login="nobody"
    )
    code = _callback(op, redirect, "s")
    tokens = httpx2.post(
        f"{op.issuer}/token",
        data={
            **_token_form(op, code, verifier),
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
    ).json()
    assert _userinfo(op, tokens["access_token"]).json() == {"sub": "nobody"}


def test_private_key_jwt_client(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    client_id = op.clients["pkjwt-client"]["client_id"]
    assert op.clients["pkjwt-client"]["client_secret"] is None
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    redirect = drive_login(
        _authorize(op, client_id, FTN_SCOPE, challenge, state, nonce), login=FTN_VAINO["sub"]
    )
    code = _callback(op, redirect, state)
    response = httpx2.post(
        f"{op.issuer}/token",
        data={
            **_token_form(op, code, verifier),
            **_client_assertion(op, client_id, f"{op.issuer}/token"),
        },
    )
    assert response.status_code == 200, response.text
    id_token = _verify_jws(op, response.json()["id_token"])
    _check_id_token(op, id_token, client_id, nonce, FTN_VAINO["sub"])


def test_encrypted_id_token_and_userinfo(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    creds = op.clients["enc-client"]
    assert creds["client_secret"] is not None
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    redirect = drive_login(
        _authorize(op, creds["client_id"], FTN_SCOPE, challenge, state, nonce),
        login=FTN_VAINO["sub"],
    )
    code = _callback(op, redirect, state)
    response = httpx2.post(
        f"{op.issuer}/token",
        data=_token_form(op, code, verifier),
        headers={"Authorization": _basic_auth(creds["client_id"], creds["client_secret"])},
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    id_token = _verify_jws(op, _decrypt(op, tokens["id_token"]))
    _check_id_token(op, id_token, creds["client_id"], nonce, FTN_VAINO["sub"])

    userinfo = _userinfo(op, tokens["access_token"])
    assert userinfo.headers["content-type"].startswith("application/jwt")
    claims = _verify_jws(op, _decrypt(op, userinfo.text))
    assert claims["iss"] == op.issuer
    assert claims["aud"] == creds["client_id"]
    assert {k: v for k, v in claims.items() if k not in ("iss", "aud", "iat", "exp")} == FTN_VAINO


def test_par_client(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    creds = op.clients["par-client"]
    assert creds["client_secret"] is not None
    auth = _basic_auth(creds["client_id"], creds["client_secret"])
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    # Without PAR the request is refused with an error redirect to the client.
    plain = httpx2.get(_authorize(op, creds["client_id"], FTN_SCOPE, challenge, state, nonce))
    assert plain.status_code == 303
    assert _query(plain.headers["location"]) == {
        "error": "invalid_request",
        "error_description": "Pushed Authorization Request must be used",
        "state": state,
        "iss": op.issuer,
    }

    pushed = httpx2.post(
        f"{op.issuer}/request",
        data=_query(_authorize(op, creds["client_id"], FTN_SCOPE, challenge, state, nonce)),
        headers={"Authorization": auth},
    )
    assert pushed.status_code == 201, pushed.text
    request_uri = pushed.json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:")

    redirect = drive_login(
        f"{op.issuer}/auth?"
        + urlencode({"client_id": creds["client_id"], "request_uri": request_uri}),
        login=FTN_VAINO["sub"],
    )
    code = _callback(op, redirect, state)
    response = httpx2.post(
        f"{op.issuer}/token", data=_token_form(op, code, verifier), headers={"Authorization": auth}
    )
    assert response.status_code == 200, response.text
    _check_id_token(
        op,
        _verify_jws(op, response.json()["id_token"]),
        creds["client_id"],
        nonce,
        FTN_VAINO["sub"],
    )


def test_signed_request_object(oidc_provider: OidcProvider) -> None:
    op = oidc_provider
    client_id = op.clients["ro-client"]["client_id"]
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    now = int(time.time())
    request_object = jwt.encode(
        {"alg": "RS256", "kid": "rp-sig-1", "typ": "oauth-authz-req+jwt"},
        {
            **_query(_authorize(op, client_id, FTN_SCOPE, challenge, state, nonce)),
            "iss": client_id,
            "aud": op.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
        },
        _load_key(op.sig_key_path),
    )
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid",
        "request": request_object,
    }
    redirect = drive_login(f"{op.issuer}/auth?{urlencode(query)}", login=FTN_VAINO["sub"])
    code = _callback(op, redirect, state)
    response = httpx2.post(
        f"{op.issuer}/token",
        data={
            **_token_form(op, code, verifier),
            **_client_assertion(op, client_id, op.issuer),
        },
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["scope"] == FTN_SCOPE  # the scope came from the signed request object
    _check_id_token(op, _verify_jws(op, tokens["id_token"]), client_id, nonce, FTN_VAINO["sub"])


def test_driver_reports_provider_error_page(oidc_provider: OidcProvider) -> None:
    """An error the provider cannot redirect (unregistered redirect_uri) stops the driver."""
    op = oidc_provider
    _, challenge = _pkce_pair()
    url = _authorize(op, op.clients["post-client"]["client_id"], "openid", challenge, "s", "n")
    url = url.replace("eidgate%2Fcallback", "elsewhere")
    with pytest.raises(AssertionError, match="invalid_redirect_uri"):
        drive_login(url, login=FTN_VAINO["sub"])

"""The back-channel half of a login: the code exchange, the ID token and the userinfo.

The steps are sans-IO generators, as in ``flow`` (which strings them together): the token
request and the checks on its response (OIDC Core 3.1.3.1-3.1.3.5), decryption and
signature verification of a JWT (3.1.3.7 (1)-(8)), the userinfo request (5.3), and the claim
checks of an ID token (3.1.3.7) and of a userinfo response (5.3.2).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping
from typing import Any

from .._config import ProviderConfig
from .._errors import InvalidTokenError, ProviderError, TokenEndpointError, at_step, shown, stepped
from .._json import parse_json
from .authorize import VSCHAR, PendingLogin, client_auth
from .http import ERROR_CODE as ERROR_CODE  # where flow and others import it from
from .http import HttpRequest, HttpResponse, expect_ok, json_object, oauth_error
from .jose import decrypt, is_jwe, left_hash, protected_header, same, verify
from .metadata import ProviderState, PublicKey

_MAX_SUB_LENGTH = 255  # OIDC Core 2: sub MUST NOT exceed 255 ASCII characters
_OTHER_TYPS = frozenset({"at+jwt", "logout+jwt", "oauth-authz-req+jwt", "secevent+jwt",
                         "dpop+jwt", "token-introspection+jwt", "client-authentication+jwt"})


def _number(claims: Mapping[str, Any], name: str, required: bool,
            what: str = "ID token") -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise InvalidTokenError(f"{what} has no {name!r} claim")
        return None
    # RFC 7519 2: NumericDate is a finite JSON number (a bool is not one; an int of 400
    # digits overflows a float, and NaN / infinity never compare as expired).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTokenError(f"{what} {name!r} is not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InvalidTokenError(f"{what} {name!r} is not a finite number")
    return number


def check_subject(claims: Mapping[str, Any], what: str) -> str:
    """OIDC Core 2: ``sub`` is REQUIRED, a non-empty string of at most 255 ASCII characters."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > _MAX_SUB_LENGTH or not sub.isascii():
        raise InvalidTokenError(f"{what} has no valid 'sub' claim")
    return sub


def check_audience(claims: Mapping[str, Any], provider: ProviderConfig, what: str) -> None:
    """OIDC Core 3.1.3.7 (3)-(5): our client id is an audience; others must be trusted."""
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise InvalidTokenError(f"{what} has no valid 'aud' claim")
    # (3) MUST contain our client_id ...
    if provider.client_id not in audiences:
        raise InvalidTokenError(f"{what} is meant for another audience")
    # (3) ... and MUST be rejected if it lists audiences not trusted by the client.
    untrusted = set(audiences) - {provider.client_id, *provider.trusted_audiences}
    if untrusted:
        raise InvalidTokenError(f"{what} lists {len(untrusted)} untrusted extra audience(s)")
    azp = claims.get("azp")
    # (4) with several audiences, azp SHOULD be present: we require it.
    if len(audiences) > 1 and azp is None:
        raise InvalidTokenError(f"{what} has several audiences but no 'azp'")
    # (5) if azp is present, it MUST be our client_id.
    if azp is not None and azp != provider.client_id:
        raise InvalidTokenError(f"{what} was issued to another party (azp)")


def check_id_token(claims: Mapping[str, Any], *, provider: ProviderConfig, alg: str,
                   nonce: str, now: float, leeway: int, access_token: str | None) -> None:
    """All claim checks of OIDC Core 3.1.3.7 after the signature has been verified."""
    # (2) iss MUST exactly match the issuer identifier.
    if claims.get("iss") != provider.issuer:
        raise InvalidTokenError("ID token was issued by another issuer", misconfigured=True)
    check_subject(claims, "ID token")
    check_audience(claims, provider, "ID token")
    # (9) the current time MUST be before exp (with a bounded clock skew).
    exp = _number(claims, "exp", True)
    assert exp is not None
    if now >= exp + leeway:
        raise InvalidTokenError("ID token has expired")
    # (10) iat is REQUIRED; a token issued in the future is refused.
    iat = _number(claims, "iat", True)
    assert iat is not None
    if iat > now + leeway:
        raise InvalidTokenError("ID token was issued in the future (check clocks)")
    # RFC 7519 4.1.5: not before nbf.
    nbf = _number(claims, "nbf", False)
    if nbf is not None and nbf > now + leeway:
        raise InvalidTokenError("ID token is not valid yet (nbf)")
    # (11) nonce MUST be present and equal the one sent in the authentication request.
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not same(token_nonce, nonce):
        raise InvalidTokenError("ID token nonce does not match this login")
    # OIDC Core 2: auth_time, when present, is a NumericDate; with max_age requested it is
    # REQUIRED and recent enough, which the flow judges (stale_authentication): a login
    # that fails it is refused as too old, with a way to log in again, not as a bad token
    _number(claims, "auth_time", False)
    # 3.1.3.8 / 3.2.2.9: at_hash is optional in the code flow, but checked when present.
    at_hash = claims.get("at_hash")
    if at_hash is not None and (not isinstance(at_hash, str) or access_token is None or
                                not same(at_hash, left_hash(access_token, alg))):
        raise InvalidTokenError("ID token at_hash does not match the access token")


def stale_authentication(claims: Mapping[str, Any], *, max_age: int, now: float,
                         leeway: int) -> str | None:
    """Why the ID token's authentication is too old for ``max_age``, or None if it is not.

    OIDC Core 3.1.3.7 (13): with max_age requested, check auth_time and request
    re-authentication if too much time has elapsed; OIDC Core 2: auth_time is then
    REQUIRED (a provider that does not say when the person authenticated has not shown
    that it honoured max_age). The bound allows the clock skew, as exp and iat do.
    """
    auth_time = _number(claims, "auth_time", False)
    if auth_time is None:
        return f"the provider did not say when the person authenticated (no auth_time); " \
               f"this login asked for max_age={max_age}"
    age = now - auth_time
    if age > max_age + leeway:
        return f"the authentication was {int(age)} s old; this login asked for " \
               f"max_age={max_age}"
    return None


def check_userinfo(claims: Mapping[str, Any], *, provider: ProviderConfig, subject: str,
                   signed: bool, now: float | None = None, leeway: int = 0) -> None:
    """OIDC Core 5.3.2: same ``sub`` as the ID token; signed responses name us and the issuer.

    ``now`` is given for a JWT response (its ``exp`` / ``nbf`` are checked), not for JSON.
    """
    sub = check_subject(claims, "userinfo")
    if not same(sub, subject):
        # 5.3.2: if they do not match, the userinfo values MUST NOT be used.
        raise InvalidTokenError("userinfo 'sub' differs from the ID token's (possible token "
                                "substitution)")
    if signed:
        # 5.3.2: a signed response SHOULD contain iss and aud; when present they must fit.
        if "iss" in claims and claims["iss"] != provider.issuer:
            raise InvalidTokenError("signed userinfo was issued by another issuer")
        if "aud" in claims:
            check_audience(claims, provider, "signed userinfo")
    if now is not None:
        # RFC 7519 4.1.4 / 4.1.5: a userinfo JWT (signed and/or encrypted) past its exp (a
        # replayed old response) or before its nbf MUST NOT be accepted; both optional.
        exp = _number(claims, "exp", False, "userinfo JWT")
        if exp is not None and now >= exp + leeway:
            raise InvalidTokenError("userinfo JWT has expired")
        nbf = _number(claims, "nbf", False, "userinfo JWT")
        if nbf is not None and nbf > now + leeway:
            raise InvalidTokenError("userinfo JWT is not valid yet (nbf)")


@stepped("token")
def exchange_code(conf: ProviderConfig, endpoint: str, login: PendingLogin, code: str, *,
                  now: float, jti: str) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
    """OIDC Core 3.1.3.1-3.1.3.5: the token request and the checks on its response."""
    # RFC 7523 3: the token endpoint URL is the client assertion audience.
    headers, form = client_auth(conf, endpoint, now=now, jti=jti)
    form.update(grant_type="authorization_code", code=code,
                redirect_uri=login.redirect_uri, code_verifier=login.code_verifier)
    response = yield HttpRequest.form(endpoint, form, headers, conf.timeout, conf.issuer)
    if response.status in (400, 401):
        # RFC 6749 5.2: error response; the code in the description, the provider's text
        # (bounded, one line) only for the operator's log
        name, said = oauth_error(response)
        raise TokenEndpointError(f"token endpoint refused the code exchange "
                                 f"({name or f'HTTP {response.status}'})",
                                 provider_error=name, provider_description=said,
                                 http_status=response.status)
    expect_ok(response, "token endpoint")
    tokens = json_object(response, "token endpoint")
    if "error" in tokens:  # RFC 6749 5.2: an error member means failure, even with 200
        code_name = tokens["error"]
        name = code_name if isinstance(code_name, str) and ERROR_CODE.fullmatch(
            code_name) else None
        raise TokenEndpointError(f"token endpoint answered HTTP 200 with an error "
                                 f"({name or 'unnamed'})", provider_error=name)
    # OIDC Core 3.1.3.3: access_token, token_type Bearer, and an id_token.
    for name in ("access_token", "id_token", "token_type"):
        if not isinstance(tokens.get(name), str) or not tokens[name]:
            raise ProviderError(f"token response has no {name}")
    if tokens["token_type"].lower() != "bearer":
        raise ProviderError("token response token_type is not Bearer")
    # RFC 6749 A.12 / RFC 6750 2.1: an access token is printable ASCII (it goes into an
    # Authorization header and into at_hash).
    if not VSCHAR.fullmatch(tokens["access_token"]):
        raise ProviderError("token response access_token has characters outside RFC "
                            "6749 A.12")
    return tokens


def verified(conf: ProviderConfig, keys: ProviderState, token: str, what: str, *, now: float,
             must_sign: bool) -> Generator[HttpRequest, HttpResponse,
                                           tuple[dict[str, Any], str | None]]:
    """Decrypt (if JWE) and verify (JWS) ``token``; returns the claims and the JWS alg."""
    with at_step(conf.name, "id_token" if what == "ID token" else "userinfo"):
        return (yield from _verified(conf, keys, token, what, now=now, must_sign=must_sign))


def _verified(conf: ProviderConfig, keys: ProviderState, token: str, what: str, *,
              now: float, must_sign: bool) -> Generator[HttpRequest, HttpResponse,
                                                        tuple[dict[str, Any], str | None]]:
    if is_jwe(token):
        # OIDC Core 3.1.3.7 (1) / 5.3.2: decrypt with the keys we registered.
        plaintext = decrypt(token, conf.decryption_keys, what).strip()
        # RFC 7519 5.2 / 7.2: the plaintext is a nested JWT (compact JWS, which never
        # starts with "{"), or, for an encrypted-only userinfo, the JSON claims.
        if plaintext.startswith(b"{"):
            if must_sign:  # OIDC Core 2: ID tokens MUST be signed (then maybe encrypted).
                raise InvalidTokenError(f"{what} is encrypted but not signed")
            try:
                claims = parse_json(plaintext)
            except ValueError as exc:
                raise InvalidTokenError(f"{what}: decrypted content is not JSON") from exc
            if not isinstance(claims, dict):
                raise InvalidTokenError(f"{what}: decrypted content is not an object")
            return claims, None
        try:
            token = plaintext.decode("ascii")
        except UnicodeDecodeError as exc:
            raise InvalidTokenError(f"{what}: decrypted content is neither a JWS nor "
                                    "JSON") from exc
    header = protected_header(token, what)
    typ = header.get("typ")
    # RFC 8725 3.11 / 2.8: a JWT explicitly typed as another kind (an access token, a
    # logout token, a request object) is never taken for an ID token or userinfo.
    if isinstance(typ, str) and typ.lower().removeprefix("application/") in _OTHER_TYPS:
        raise InvalidTokenError(f"{what}: a JWT of type {shown(typ)} is not one")
    alg = header.get("alg")
    # OIDC Core 3.1.3.7 (6)-(8): only allow-listed algorithms; never "none"; HS* only
    # when configured, with the client secret as key (OIDC Core 10.1).
    if not isinstance(alg, str) or alg not in conf.id_token_algorithms:
        raise InvalidTokenError(f"{what}: signature algorithm {shown(alg)} is not allowed")
    if alg.startswith("HS"):
        key: str | PublicKey | None = conf.client_secret
    else:
        kid = header.get("kid")
        key = yield from keys.key_for(alg, kid if isinstance(kid, str) else None, now)
    return verify(token, key, alg, what), alg


@stepped("userinfo")
def fetch_userinfo(conf: ProviderConfig, keys: ProviderState, endpoint: str, access_token: str,
                   subject: str, *, now: float, leeway: int
                   ) -> Generator[HttpRequest, HttpResponse, tuple[dict[str, Any], str]]:
    """OIDC Core 5.3: bearer request; JSON, signed JWT, or signed-then-encrypted JWT.

    Returns the checked claims and the response body as text (for the evidence archive).
    """
    response = yield HttpRequest("GET", endpoint, {
        "Authorization": f"Bearer {access_token}",
        "Accept": "application/json, application/jwt"}, timeout=conf.timeout,
        issuer=conf.issuer)
    expect_ok(response, "userinfo")
    kind = response.content_type
    when: float | None = None  # only a JWT has a lifetime (exp, nbf) to check
    if kind == "application/json":
        claims, signed = json_object(response, "userinfo"), False
    elif kind == "application/jwt":
        try:
            text = response.body.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise ProviderError("userinfo JWT is not ASCII") from exc
        claims, alg = yield from verified(conf, keys, text, "userinfo", now=now,
                                          must_sign=False)
        signed, when = alg is not None, now
    else:
        raise ProviderError(f"userinfo has content type {shown(kind or 'none')}; expected "
                            "application/json or application/jwt")
    check_userinfo(claims, provider=conf, subject=subject, signed=signed, now=when,
                   leeway=leeway)
    return claims, response.body.decode("utf-8", "replace")

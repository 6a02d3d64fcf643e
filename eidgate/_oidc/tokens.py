"""Checks on the claims of an ID token (OIDC Core 3.1.3.7) and of a userinfo response (5.3)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._config import ProviderConfig
from .._errors import InvalidTokenError
from .jose import left_hash, same

_MAX_SUB_LENGTH = 255  # OIDC Core 2: sub MUST NOT exceed 255 ASCII characters


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
                   nonce: str, now: float, leeway: int, max_age: int | None,
                   access_token: str | None) -> None:
    """All claim checks of OIDC Core 3.1.3.7 after the signature has been verified."""
    # (2) iss MUST exactly match the issuer identifier.
    if claims.get("iss") != provider.issuer:
        raise InvalidTokenError("ID token was issued by another issuer")
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
    # (13) with max_age requested, auth_time is REQUIRED and must be recent enough.
    if max_age is not None:
        auth_time = _number(claims, "auth_time", True)
        assert auth_time is not None
        if now > auth_time + max_age + leeway:
            raise InvalidTokenError("authentication is older than the requested max_age")
    else:
        _number(claims, "auth_time", False)
    # 3.1.3.8 / 3.2.2.9: at_hash is optional in the code flow, but checked when present.
    at_hash = claims.get("at_hash")
    if at_hash is not None and (not isinstance(at_hash, str) or access_token is None or
                                not same(at_hash, left_hash(access_token, alg))):
        raise InvalidTokenError("ID token at_hash does not match the access token")


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

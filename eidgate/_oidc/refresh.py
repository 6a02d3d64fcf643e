"""Tokens for API calls: what a login leaves for them, and the refresh request (sans-IO).

Theory of operation
-------------------
A login's token response (OIDC Core 3.1.3.3) gives an access token, its lifetime
(``expires_in``) and, when the provider grants one (``offline_access``, OIDC Core 11, or
its own policy), a refresh token. :class:`Tokens` is what a server-side session keeps of
them, with the few claims of the original ID token that a refreshed ID token must repeat
(OIDC Core 12.2). :func:`refresh` is the refresh request of RFC 6749 6 / OIDC Core 12.1,
as a generator like the rest of the core: it yields the token request (with the client
authentication of the code exchange) and checks the answer:

* 400/401 ``invalid_grant`` (RFC 6749 5.2): the refresh token is expired, revoked or was
  already used (a rotated one): :class:`RefreshRefused`, so the caller ends the session;
* any other error, or a malformed answer: a :class:`~eidgate.ProviderError` (an outage or a
  misconfiguration, the session stays);
* a success: ``access_token`` and ``token_type`` Bearer (RFC 6749 5.1), ``expires_in`` a
  whole number of seconds when present, the new refresh token when the provider rotates it
  (RFC 6749 6: the client then discards the old one), and an ID token, when there is one,
  checked as OIDC Core 12.2 says.

Nothing here logs or puts a token into an error's text.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import InvalidTokenError, ProviderError, TokenEndpointError, stepped
from .authorize import VSCHAR, client_auth
from .http import ERROR_CODE, HttpRequest, HttpResponse, expect_ok, json_object, oauth_error
from .jose import left_hash, same
from .tokens import _number, check_audience, check_subject, verified

if TYPE_CHECKING:
    from .._config import ProviderConfig
    from .flow import RelyingParty

#: the claims of the original ID token a refreshed one must repeat (OIDC Core 12.2)
_KEPT_CLAIMS = ("iss", "sub", "aud", "azp", "auth_time", "nonce")
_MAX_EXPIRES_IN = 10 * 365 * 24 * 3600  # larger is a provider's mistake, not a lifetime


class RefreshRefused(TokenEndpointError):
    """The provider refused the refresh token (RFC 6749 5.2 ``invalid_grant``): expired,
    revoked, or already used (a rotated refresh token spent twice). The session it belongs
    to cannot get new access tokens: end it, and have the person log in again."""

    error = "invalid_grant"
    status = 401


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens a server-side session keeps for API calls (never the cookie store).

    ``expires_at``: Unix time the access token expires (None: the provider did not say,
    RFC 6749 5.1 ``expires_in`` is only RECOMMENDED); ``id_claims``: the original ID
    token's ``iss``, ``sub``, ``aud``, ``azp``, ``auth_time`` and ``nonce``, which a
    refreshed ID token must repeat (OIDC Core 12.2). The tokens are not in ``repr()``.
    """

    access_token: str = field(repr=False)
    expires_at: float | None
    refresh_token: str | None = field(default=None, repr=False)
    id_claims: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def fresh(self, now: float, leeway: float) -> bool:
        """True while the access token is valid for at least ``leeway`` more seconds (an
        unknown expiry counts as valid: there is nothing to refresh it by)."""
        return self.expires_at is None or now + leeway < self.expires_at

    @classmethod
    def from_response(cls, tokens: Mapping[str, Any], *, now: float,
                      id_claims: Mapping[str, Any] | None = None,
                      previous: Tokens | None = None) -> Tokens:
        """From a checked token response (the code exchange's or a refresh's).

        ``previous``: the tokens a refresh replaces; their refresh token is kept when the
        response has none (RFC 6749 6: a new one is issued at the provider's discretion),
        and so are their original ID token claims."""
        expires_in = tokens.get("expires_in")
        refresh_token = tokens.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            refresh_token = previous.refresh_token if previous is not None else None
        # OIDC Core 12.2: every later refreshed ID token is compared with the original's
        kept = dict(previous.id_claims) if previous is not None else {
            k: id_claims[k] for k in _KEPT_CLAIMS if id_claims and k in id_claims}
        return cls(str(tokens["access_token"]),
                   None if expires_in is None else now + float(expires_in),
                   refresh_token, kept)

    def to_store(self) -> dict[str, Any]:
        """The JSON a session store keeps (sealed with the session)."""
        return {"at": self.access_token, "exp": self.expires_at, "rt": self.refresh_token,
                "idt": dict(self.id_claims)}

    @classmethod
    def from_store(cls, data: object) -> Tokens | None:
        """What :meth:`to_store` wrote, or None for anything else."""
        if not isinstance(data, dict) or not isinstance(data.get("at"), str):
            return None
        exp, rt, idt = data.get("exp"), data.get("rt"), data.get("idt")
        if exp is not None and (isinstance(exp, bool) or not isinstance(exp, int | float)):
            return None
        return cls(data["at"], None if exp is None else float(exp),
                   rt if isinstance(rt, str) and rt else None,
                   idt if isinstance(idt, dict) else {})


def refresh(rp: RelyingParty, provider: str, tokens: Tokens | str
            ) -> Generator[HttpRequest, HttpResponse, Tokens]:
    """RFC 6749 6 / OIDC Core 12: new tokens for ``tokens`` (or a bare refresh token).

    Returns the new :class:`Tokens`; raises :class:`RefreshRefused` when the provider
    refuses the refresh token (``invalid_grant``), another
    :class:`~eidgate.ProviderError` for an outage or a malformed answer.
    """
    if isinstance(tokens, str):
        tokens = Tokens("", None, tokens)
    if not tokens.refresh_token:
        raise ValueError("no refresh token to refresh with")
    conf = rp.config.provider(provider)
    now = rp.now()
    meta = yield from rp.providers[conf.name].ensure_metadata(now)
    answer = yield from _token_request(conf, meta.token_endpoint, tokens.refresh_token,
                                       now=now, jti=rp.token())
    id_claims: dict[str, Any] | None = None
    id_token = answer.get("id_token")
    if id_token is not None:
        if not isinstance(id_token, str) or not id_token:
            raise ProviderError("refresh response id_token is not a string")
        id_claims, alg = yield from verified(conf, rp.providers[conf.name], id_token,
                                             "ID token", now=now, must_sign=True)
        assert alg is not None
        check_refreshed_id_token(id_claims, tokens.id_claims, provider=conf, alg=alg,
                                 now=now, leeway=rp.config.clock_skew,
                                 access_token=answer["access_token"])
    return Tokens.from_response(answer, now=now, id_claims=id_claims, previous=tokens)


@stepped("refresh")
def _token_request(conf: ProviderConfig, endpoint: str, refresh_token: str, *, now: float,
                   jti: str) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
    # OIDC Core 12.1: the client authenticates as it registered (as in the code exchange);
    # RFC 7523 3: the token endpoint is a client assertion's audience
    headers, form = client_auth(conf, endpoint, now=now, jti=jti)
    # RFC 6749 6: grant_type and refresh_token; no scope: the one originally granted
    form.update(grant_type="refresh_token", refresh_token=refresh_token)
    response = yield HttpRequest.form(endpoint, form, headers, conf.timeout, conf.issuer)
    if response.status in (400, 401):
        # RFC 6749 5.2: an error response; invalid_grant is the refresh token's own refusal
        name, said = oauth_error(response)
        kind = RefreshRefused if name == "invalid_grant" else TokenEndpointError
        raise kind(f"token endpoint refused the refresh ({name or f'HTTP {response.status}'})",
                   provider_error=name, provider_description=said,
                   http_status=response.status)
    expect_ok(response, "token endpoint")
    answer = json_object(response, "token endpoint")
    if "error" in answer:  # RFC 6749 5.2: an error member means failure, even with 200
        code = answer["error"]
        name = code if isinstance(code, str) and ERROR_CODE.fullmatch(code) else None
        raise TokenEndpointError(f"token endpoint answered HTTP 200 with an error "
                                 f"({name or 'unnamed'})", provider_error=name)
    check_refresh_response(answer)
    return answer


def check_refresh_response(answer: Mapping[str, Any]) -> None:
    """RFC 6749 5.1 (OIDC Core 12.2: the token response of 3.1.3.3, ID token optional)."""
    # 5.1: access_token and token_type are REQUIRED
    for name in ("access_token", "token_type"):
        if not isinstance(answer.get(name), str) or not answer[name]:
            raise ProviderError(f"refresh response has no {name}")
    # OIDC Core 3.1.3.3 / RFC 6750: a Bearer token; 5.1: the type is case insensitive
    if answer["token_type"].lower() != "bearer":
        raise ProviderError("refresh response token_type is not Bearer")
    # A.12 / RFC 6750 2.1: printable ASCII, it goes into an Authorization header
    if not VSCHAR.fullmatch(answer["access_token"]):
        raise ProviderError("refresh response access_token has characters outside RFC "
                            "6749 A.12")
    # 5.1: expires_in is the lifetime in seconds (RECOMMENDED; a JSON number when present)
    expires_in = answer.get("expires_in")
    if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(
            expires_in, int) or not 0 <= expires_in <= _MAX_EXPIRES_IN):
        raise ProviderError("refresh response expires_in is not a whole number of seconds")
    # 5.1 / A.17: a refresh token is VSCHAR too, when one is issued
    rt = answer.get("refresh_token")
    if rt is not None and (not isinstance(rt, str) or not VSCHAR.fullmatch(rt)):
        raise ProviderError("refresh response refresh_token is not a VSCHAR string")


def check_refreshed_id_token(claims: Mapping[str, Any], original: Mapping[str, Any], *,
                             provider: ProviderConfig, alg: str, now: float, leeway: int,
                             access_token: str) -> None:
    """OIDC Core 12.2: an ID token in a refresh response, after its signature (3.1.3.7
    (6)-(8), checked by the caller): the claims of the original authentication again, and
    the rules of an ID token at the original authentication, except the nonce's."""
    # 12.2 / 3.1.3.7 (2): iss the same as the original's, and the provider's
    if claims.get("iss") != provider.issuer or (
            "iss" in original and claims.get("iss") != original["iss"]):
        raise InvalidTokenError("refreshed ID token was issued by another issuer")
    # 12.2: sub the same as in the original ID token (OIDC Core 2: its shape)
    sub = check_subject(claims, "refreshed ID token")
    if "sub" in original and not same(sub, str(original["sub"])):
        raise InvalidTokenError("refreshed ID token names another subject")
    # 12.2: aud the same as the original's; 3.1.3.7 (3)-(5) as at the login
    check_audience(claims, provider, "refreshed ID token")
    if "aud" in original and _audiences(claims.get("aud")) != _audiences(original["aud"]):
        raise InvalidTokenError("refreshed ID token has another audience")
    # 12.2: azp the same as the original's; none if the original had none
    if claims.get("azp") != original.get("azp"):
        raise InvalidTokenError("refreshed ID token's azp differs from the original's")
    # 12.2: auth_time, if present, is the time of the original authentication
    auth_time = _number(claims, "auth_time", False, "refreshed ID token")
    if auth_time is not None and auth_time != original.get("auth_time"):
        raise InvalidTokenError("refreshed ID token's auth_time is not the original "
                                "authentication's")
    # 12.2: nonce SHOULD be absent; when present, the original ID token's (Errata Set 2)
    nonce = claims.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not isinstance(
            original.get("nonce"), str) or not same(nonce, original["nonce"])):
        raise InvalidTokenError("refreshed ID token's nonce is not the original's")
    # 3.1.3.7 (9): not expired (with the bounded clock skew)
    exp = _number(claims, "exp", True, "refreshed ID token")
    assert exp is not None
    if now >= exp + leeway:
        raise InvalidTokenError("refreshed ID token has expired")
    # 12.2: iat is the time the new ID token is issued; 3.1.3.7 (10): not in the future
    iat = _number(claims, "iat", True, "refreshed ID token")
    assert iat is not None
    if iat > now + leeway:
        raise InvalidTokenError("refreshed ID token was issued in the future (check clocks)")
    # 3.1.3.8: at_hash, when present, binds it to the access token returned beside it
    at_hash = claims.get("at_hash")
    if at_hash is not None and (not isinstance(at_hash, str) or not same(
            at_hash, left_hash(access_token, alg))):
        raise InvalidTokenError("refreshed ID token at_hash does not match the access token")


def _audiences(aud: object) -> frozenset[str]:
    # OIDC Core 2: one audience may be a string, several an array (the same audience)
    return frozenset([aud] if isinstance(aud, str) else aud if isinstance(aud, list) else [])


__all__ = ["RefreshRefused", "Tokens", "check_refresh_response", "check_refreshed_id_token",
           "refresh"]

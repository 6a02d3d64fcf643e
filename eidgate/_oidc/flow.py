"""The OpenID Connect authorization code flow as sans-IO generators.

Theory of operation
-------------------
:class:`RelyingParty` holds the configuration and one :class:`ProviderState` cache per
provider. Its public methods return generators that yield :class:`HttpRequest` values and
receive :class:`HttpResponse` values; a driver (``eidgate.Client`` or
``eidgate.AsyncClient``) sends them. When the driver cannot reach the provider it throws a
:class:`ProviderUnavailable` into the generator, which may recover (stale cache) or let it
propagate. The generator's return value is the result. Time and randomness are injected.

``begin`` builds the authorization request (PKCE S256, state, nonce; optionally a signed
request object and/or PAR) and returns the :class:`PendingLogin` to store. ``complete``
takes the callback parameters, consumes the matching pending login, checks ``iss``
(RFC 9207), maps provider errors to ``canceled`` / ``rejected`` results, exchanges the code,
verifies the ID token (OIDC Core 3.1.3.7), fetches and verifies userinfo (5.3) and returns an
``accepted`` :class:`LoginResult` with the merged claims.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from .._config import Config, ProviderConfig
from .._errors import (
    CallbackError,
    InvalidTokenError,
    ProviderError,
    TokenEndpointError,
    shown,
)
from .._identity.levels import LEVELS, as_level, at_least, lowest, stated_level
from .._identity.model import Identity, Level
from .._identity.normalize import normalize
from .._json import parse_json
from .authorize import (
    LoginRedirect,
    PendingLogin,
    PendingLogins,
    add_query,
    client_auth,
    request_object,
)
from .http import HttpRequest, HttpResponse, expect_ok, json_object
from .jose import decrypt, is_jwe, protected_header, verify
from .metadata import ProviderState, PublicKey
from .tokens import check_id_token, check_subject, check_userinfo

Status = Literal["accepted", "rejected", "canceled"]
Steps = Generator[HttpRequest, HttpResponse, Any]
_MAX_CALLBACK_QUERY = 16 * 1024
_MAX_DESCRIPTION = 512
_MAX_REQUEST_URI = 2048
# OIDC Core 2 / 3.1.3.7: claims about the authentication itself, as the signed ID token says.
_ID_TOKEN_ONLY = ("iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "auth_time", "acr", "amr",
                  "at_hash", "c_hash", "sid", "jti")
_VSCHAR = re.compile(r"[\x20-\x7E]+")
_OTHER_TYPS = frozenset({"at+jwt", "logout+jwt", "oauth-authz-req+jwt", "secevent+jwt",
                         "dpop+jwt", "token-introspection+jwt", "client-authentication+jwt"})
_ERROR_CODE = re.compile(r"[\x20-\x21\x23-\x5B\x5D-\x7E]{1,128}")  # RFC 6749 5.2 charset


@dataclass(frozen=True, slots=True)
class LoginResult:
    """How a login ended: ``accepted`` with verified claims, or ``rejected`` / ``canceled``.

    ``claims`` are the ID token claims merged with the userinfo claims (userinfo wins, but
    the protocol claims such as ``iss``, ``nonce``, ``acr`` always come from the ID token).
    ``identity`` is the normalised :class:`Identity` (docs/identity.md). ``token_response``
    and ``raw_userinfo`` are kept verbatim for the evidence archive; none of the personal
    fields appear in ``repr()`` so a stray log line leaks nothing.
    """

    status: Status
    provider: str
    issuer: str
    next_url: str
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    id_token_claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    userinfo_claims: Mapping[str, Any] | None = field(default=None, repr=False)
    token_response: Mapping[str, Any] = field(default_factory=dict, repr=False)
    raw_userinfo: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None
    identity: Identity | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        """True when the person was authenticated."""
        return self.status == "accepted"

    @property
    def subject(self) -> str | None:
        """The provider's ``sub`` for the person, when accepted."""
        sub = self.claims.get("sub")
        return sub if isinstance(sub, str) else None


def merge_claims(id_token: Mapping[str, Any], userinfo: Mapping[str, Any] | None
                 ) -> dict[str, Any]:
    """ID token claims overlaid with userinfo claims (userinfo wins for claims about the
    person), except the ID token's protocol claims, which only the signed ID token may set.
    """
    # OIDC Core 2 / 5.3.2: a protocol claim only the userinfo response has (say a higher
    # acr or a fresh auth_time) is not the ID token's word: it is dropped, not merged.
    merged = {**id_token, **{k: v for k, v in (userinfo or {}).items()
                             if k not in _ID_TOKEN_ONLY}}
    merged.update({k: id_token[k] for k in _ID_TOKEN_ONLY if k in id_token})
    return merged


def parse_callback(query: str) -> dict[str, str]:
    """Parse a callback query string; RFC 6749 3.1: no parameter may appear twice."""
    if len(query) > _MAX_CALLBACK_QUERY:
        raise CallbackError("callback query string is too long")
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=64)
    except ValueError as exc:
        raise CallbackError("callback query string is malformed") from exc
    for name, value in pairs:
        if name in params:
            raise CallbackError(f"callback repeats the parameter {shown(name)}")
        params[name] = value
    return params


class RelyingParty:
    """The sans-IO OpenID Connect relying party; drive it with ``Client`` or ``AsyncClient``."""

    def __init__(self, config: Config, *, now: Callable[[], float] = time.time,
                 token: Callable[[], str] = lambda: secrets.token_urlsafe(32)):
        self.config = config
        self.now = now
        self.token = token
        self.providers = {name: ProviderState(p) for name, p in config.providers.items()}

    def warm(self, provider: str | None = None) -> Generator[HttpRequest, HttpResponse, None]:
        """Fetch discovery and JWKS for one provider (or all) ahead of the first login."""
        names = [self.config.provider(provider).name] if provider else list(self.providers)
        for name in names:
            yield from self.providers[name].warm(self.now())

    def logout(self, provider: str, *, post_logout_redirect_uri: str
               ) -> Generator[HttpRequest, HttpResponse, str | None]:
        """The provider's logout URL to send the browser to, or None if it has none.

        OpenID Connect RP-Initiated Logout 1.0, 2: ``client_id`` identifies the relying
        party (no ID token is kept for ``id_token_hint``); the provider sends the browser
        back to ``post_logout_redirect_uri``, which must be registered with it.
        """
        conf = self.config.provider(provider)
        meta = yield from self.providers[conf.name].ensure_metadata(self.now())
        if not meta.end_session_endpoint:
            return None
        return add_query(meta.end_session_endpoint, {
            "client_id": conf.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})

    def begin(self, provider: str | None = None, *, next_url: str = "/",
              prompt: str | None = None, ui_locales: str | None = None,
              login_hint: str | None = None, max_age: int | None = None,
              acr_values: str | list[str] | None = None, loa: Level | None = None
              ) -> Generator[HttpRequest, HttpResponse, LoginRedirect]:
        """Build the authorization request; returns a :class:`LoginRedirect`.

        ``loa`` (``low``, ``substantial``, ``high``): the least level of assurance this
        login must reach. It is asked for (``acr_values`` ``loa:<level>``, eID Hub syntax,
        in place of any configured ``loa:``) and checked on the way back: a login below it
        is ``rejected``, whatever the provider did with the request.
        """
        # typed, but an untyped caller may still pass any string: refused, never sent
        if loa is not None and as_level(loa) is None:
            raise ValueError(f"loa must be one of {LEVELS}, not {loa!r}")
        conf = self.config.provider(provider)
        cache = self.providers[conf.name]
        now = self.now()
        meta = yield from cache.ensure_metadata(now)
        state, nonce, verifier = self.token(), self.token(), self.token()
        params = {"response_type": "code", "client_id": conf.client_id,
                  "redirect_uri": self.config.redirect_uri, "scope": " ".join(conf.scopes),
                  "state": state, "nonce": nonce,
                  # RFC 7636 4.2: always S256, never plain.
                  "code_challenge": create_s256_code_challenge(verifier),
                  "code_challenge_method": "S256"}
        acr = list(conf.acr_values) if acr_values is None else (
            acr_values.split() if isinstance(acr_values, str) else list(acr_values))
        if loa is not None:
            acr = [a for a in acr if not a.startswith("loa:")] + [f"loa:{loa}"]
        optional = {"acr_values": " ".join(acr), "prompt": prompt, "ui_locales": ui_locales,
                    "login_hint": login_hint,
                    "max_age": None if max_age is None else str(int(max_age))}
        params.update({k: v for k, v in optional.items() if v})
        if conf.request_object:
            signed = request_object(conf, params, audience=conf.issuer, now=now,
                                    jti=self.token())
            # RFC 9101 5 / OIDC Core 6.1: client_id (and response_type, scope) stay outside.
            params = {"client_id": conf.client_id, "response_type": "code",
                      "scope": params["scope"], "request": signed}
        if conf.use_par or meta.require_pushed_authorization_requests:
            params = yield from self._push(conf, meta.pushed_authorization_request_endpoint,
                                           params, now)
        url = add_query(meta.authorization_endpoint, params)
        pending = PendingLogin(state=state, nonce=nonce, code_verifier=verifier,
                               provider=conf.name, issuer=conf.issuer,
                               redirect_uri=self.config.redirect_uri, next_url=next_url,
                               created_at=now, max_age=max_age, loa=loa)
        return LoginRedirect(url, pending)

    def _push(self, conf: ProviderConfig, endpoint: str | None, params: dict[str, str],
              now: float) -> Generator[HttpRequest, HttpResponse, dict[str, str]]:
        """RFC 9126 2: push the request to the PAR endpoint, get a ``request_uri`` back."""
        if endpoint is None:
            raise ProviderError(f"provider {conf.name!r} has no PAR endpoint (use_par = true)")
        # RFC 9126 2: the issuer is a valid client assertion audience at the PAR endpoint.
        headers, auth = client_auth(conf, conf.issuer, now=now, jti=self.token())
        response = yield HttpRequest.form(endpoint, {**params, **auth}, headers, conf.timeout)
        # RFC 9126 2.2: success is 201 Created (panva's openid-client insists on it too)
        expect_ok(response, "pushed authorization request", (201,))
        body = json_object(response, "pushed authorization request")
        request_uri = body.get("request_uri")
        # RFC 9126 2.2: a string (URN or URL) that goes into the browser's URL: bounded.
        if not isinstance(request_uri, str) or not _VSCHAR.fullmatch(request_uri) or len(
                request_uri) > _MAX_REQUEST_URI:
            raise ProviderError("pushed authorization request: no usable request_uri in the "
                                "response")
        return {"client_id": conf.client_id, "request_uri": request_uri}

    def complete(self, params: Mapping[str, str] | str,
                 pending: PendingLogins | Callable[[str], PendingLogin | None]) -> Steps:
        """Finish a login from the callback parameters; returns a :class:`LoginResult`.

        ``pending`` is where the adapter keeps pending logins: the one matching ``state`` is
        taken out (single use) before anything else happens.
        """
        if isinstance(params, str):
            params = parse_callback(params)
        # RFC 6749 4.1.2 / 4.1.2.1: each parameter is one string (a framework's multi-dict
        # handed over with lists must be refused, not crash or reach the token endpoint).
        for name in ("state", "code", "iss", "error", "error_description"):
            if name in params and not isinstance(params[name], str):
                raise CallbackError(f"callback parameter {name!r} is not a single value")
        state = params.get("state")
        if not state:
            raise CallbackError("callback has no state parameter")
        take = pending.take if isinstance(pending, PendingLogins) else pending
        login = take(state)
        # RFC 6749 10.12 / RFC 9700 4.7: state must match a login this browser started.
        if login is None:
            raise CallbackError("unknown or already used login state; start the login again",
                                error="invalid_state")
        now = self.now()
        if now - login.created_at > self.config.login_timeout:
            raise CallbackError("the login took too long; start it again",
                                error="login_expired")
        conf = self.config.providers.get(login.provider)
        if conf is None or conf.issuer != login.issuer:
            raise CallbackError("the provider of this login is no longer configured",
                                error="invalid_state")
        meta = yield from self.providers[conf.name].ensure_metadata(now)
        iss = params.get("iss")
        # RFC 9207 2.4: compare iss exactly (mix-up defence); required when advertised.
        if iss is not None and iss != login.issuer:
            raise CallbackError("callback 'iss' is not the provider this login went to "
                                "(mix-up attack?)", error="invalid_issuer")
        if iss is None and meta.authorization_response_iss_parameter_supported:
            raise CallbackError("callback has no 'iss' although the provider sends it",
                                error="invalid_issuer")
        if "error" in params:
            return self._error_result(conf, login, params)
        code = params.get("code")
        if not code:
            raise CallbackError("callback has neither code nor error")
        tokens = yield from self._exchange(conf, meta.token_endpoint, login, code, now)
        id_token = tokens["id_token"]
        access_token = tokens["access_token"]
        id_claims, alg = yield from self._verified(conf, id_token, "ID token", now, True)
        assert alg is not None
        check_id_token(id_claims, provider=conf, alg=alg, nonce=login.nonce, now=now,
                       leeway=self.config.clock_skew, max_age=login.max_age,
                       access_token=access_token)
        subject = check_subject(id_claims, "ID token")
        userinfo: dict[str, Any] | None = None
        raw_userinfo: str | None = None
        if conf.userinfo and meta.userinfo_endpoint:
            userinfo, raw_userinfo = yield from self._userinfo(
                conf, meta.userinfo_endpoint, access_token, subject, now)
        claims = merge_claims(id_claims, userinfo)
        # ages are judged at the login, not by the wall clock of whoever normalises
        identity = normalize(claims, conf.profile, provider=conf.name, issuer=conf.issuer,
                             scopes=conf.scopes, today=datetime.fromtimestamp(now, UTC).date())
        # OIDC Core 2: a level the signed ID token states is not raised by userinfo's claims
        # (for the session and every later loa= check too, not only this login's)
        reached = lowest(identity.loa, stated_level(id_claims))
        if reached != identity.loa:
            identity = replace(identity, loa=reached)
        if login.loa is not None and not at_least(reached, login.loa):
            # RFC 9470 3: the authentication does not meet the level this login required
            # (a provider may ignore acr_values, OIDC Core 3.1.2.1: "voluntary")
            return LoginResult("rejected", conf.name, conf.issuer, login.next_url,
                               error="insufficient_user_authentication",
                               error_description=f"the eID reached level "
                               f"{reached or 'unknown'}; this login needed {login.loa}")
        return LoginResult("accepted", conf.name, conf.issuer, login.next_url, claims=claims,
                           id_token_claims=id_claims, userinfo_claims=userinfo,
                           token_response=tokens, raw_userinfo=raw_userinfo, identity=identity)

    @staticmethod
    def _error_result(conf: ProviderConfig, login: PendingLogin,
                      params: Mapping[str, str]) -> LoginResult:
        """RFC 6749 4.1.2.1: an error redirect is a result (canceled / rejected), not a crash."""
        error, description = params.get("error", ""), params.get("error_description")
        text = f"{error} {description or ''}"
        status: Status = "canceled" if any(p in text for p in conf.cancel_patterns) else \
            "rejected"
        # The description is text from the browser's query string: bounded, never trusted.
        # RFC 6749 4.1.2.1 allows only printable ASCII; we keep printable Unicode (brokers
        # localise it) but drop controls, CR/LF, bidi overrides and line separators.
        kept = None if description is None else "".join(
            ch for ch in description[:4 * _MAX_DESCRIPTION] if ch.isprintable()
        )[:_MAX_DESCRIPTION]
        return LoginResult(status, conf.name, conf.issuer, login.next_url,
                           error=error if _ERROR_CODE.fullmatch(error) else "invalid_error",
                           error_description=kept)

    def _exchange(self, conf: ProviderConfig, endpoint: str, login: PendingLogin, code: str,
                  now: float) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        """OIDC Core 3.1.3.1-3.1.3.5: the token request and the checks on its response."""
        # RFC 7523 3: the token endpoint URL is the client assertion audience.
        headers, form = client_auth(conf, endpoint, now=now, jti=self.token())
        form.update(grant_type="authorization_code", code=code,
                    redirect_uri=login.redirect_uri, code_verifier=login.code_verifier)
        response = yield HttpRequest.form(endpoint, form, headers, conf.timeout)
        if response.status in (400, 401):
            # RFC 6749 5.2: error response; keep the code, never the description verbatim.
            try:
                code_name = json_object(response, "token endpoint").get("error")
            except ProviderError:
                code_name = None
            name = code_name if isinstance(code_name, str) and _ERROR_CODE.fullmatch(
                code_name) else None
            raise TokenEndpointError(f"token endpoint refused the code exchange "
                                     f"({name or f'HTTP {response.status}'})",
                                     provider_error=name)
        expect_ok(response, "token endpoint")
        tokens = json_object(response, "token endpoint")
        if "error" in tokens:  # RFC 6749 5.2: an error member means failure, even with 200
            code_name = tokens["error"]
            name = code_name if isinstance(code_name, str) and _ERROR_CODE.fullmatch(
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
        if not _VSCHAR.fullmatch(tokens["access_token"]):
            raise ProviderError("token response access_token has characters outside RFC "
                                "6749 A.12")
        return tokens

    def _verified(self, conf: ProviderConfig, token: str, what: str, now: float,
                  must_sign: bool) -> Generator[HttpRequest, HttpResponse,
                                                tuple[dict[str, Any], str | None]]:
        """Decrypt (if JWE) and verify (JWS) ``token``; returns the claims and the JWS alg."""
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
            key = yield from self.providers[conf.name].key_for(
                alg, kid if isinstance(kid, str) else None, now)
        return verify(token, key, alg, what), alg

    def _userinfo(self, conf: ProviderConfig, endpoint: str, access_token: str, subject: str,
                  now: float) -> Generator[HttpRequest, HttpResponse,
                                           tuple[dict[str, Any], str]]:
        """OIDC Core 5.3: bearer request; JSON, signed JWT, or signed-then-encrypted JWT."""
        response = yield HttpRequest("GET", endpoint, {
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json, application/jwt"}, timeout=conf.timeout)
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
            claims, alg = yield from self._verified(conf, text, "userinfo", now, False)
            signed, when = alg is not None, now
        else:
            raise ProviderError(f"userinfo has content type {shown(kind or 'none')}; expected "
                                "application/json or application/jwt")
        check_userinfo(claims, provider=conf, subject=subject, signed=signed, now=when,
                       leeway=self.config.clock_skew)
        return claims, response.body.decode("utf-8", "replace")

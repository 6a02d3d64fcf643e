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
``accepted`` :class:`LoginResult` with the merged claims. The outbound steps (request object,
PAR) are in ``authorize``, the back-channel steps (code exchange, JWT verification,
userinfo) in ``tokens``; this module strings them together.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from .._config import Config, ProviderConfig
from .._errors import CallbackError, ConfigError, shown
from .._identity.levels import LEVELS, as_level, at_least, lowest, stated_level
from .._identity.model import Identity, Level
from .._identity.normalize import normalize
from .authorize import (
    LoginRedirect,
    PendingLogin,
    PendingLogins,
    add_query,
    push,
    request_object,
)
from .http import HttpRequest, HttpResponse
from .logout import LogoutRequest, ReplayCache, backchannel_logout
from .metadata import ProviderState
from .refresh import Tokens, refresh
from .tokens import (
    ERROR_CODE,
    check_id_token,
    check_subject,
    exchange_code,
    fetch_userinfo,
    stale_authentication,
    verified,
)

Status = Literal["accepted", "rejected", "canceled"]
_MAX_CALLBACK_QUERY = 16 * 1024
_MAX_DESCRIPTION = 512
# OIDC Core 2 / 3.1.3.7: claims about the authentication itself, as the signed ID token says.
_ID_TOKEN_ONLY = ("iss", "aud", "azp", "exp", "iat", "nbf", "nonce", "auth_time", "acr", "amr",
                  "at_hash", "c_hash", "sid", "jti")


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

    def refresh(self, provider: str, refresh_token: str | Tokens
                ) -> Generator[HttpRequest, HttpResponse, Tokens]:
        """New tokens from a refresh token (RFC 6749 6, OIDC Core 12); returns
        :class:`~eidgate._oidc.refresh.Tokens`. Raises :class:`~eidgate.RefreshRefused`
        when the provider refuses the refresh token. See ``eidgate._oidc.refresh``."""
        return refresh(self, provider, refresh_token)

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

    def backchannel_logout(self, provider_or_issuer: str | None, body: bytes | str, *,
                           replay: ReplayCache | None = None
                           ) -> Generator[HttpRequest, HttpResponse, LogoutRequest]:
        """Check a back-channel logout request; returns the :class:`LogoutRequest` to act on.

        OpenID Connect Back-Channel Logout 1.0: ``body`` is the POST body the provider sent
        (2.5, a form with ``logout_token``); the token is checked per 2.6 (see
        ``eidgate._oidc.logout``). ``provider_or_issuer``: the provider name or issuer it
        must come from, or None to find it by the token's ``iss``. ``replay``: where used
        ``jti`` values are kept (default: this relying party's in-memory cache). Raises
        :class:`~eidgate.LogoutTokenError` (status 400) for a request to refuse.
        """
        return backchannel_logout(self, provider_or_issuer, body, replay=replay)

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
            # the same error as login_required(loa=...) and the adapters' loa= option
            raise ConfigError(f"must be one of {', '.join(LEVELS)}, not {loa!r}", option="loa")
        # OIDC Core 3.1.2.1: max_age is a number of seconds; a bool or text is a mistake
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(
                max_age, int) or max_age < 0):
            raise ConfigError(f"must be a whole number of seconds, 0 or more, not {max_age!r}",
                              option="max_age")
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
                    "max_age": None if max_age is None else str(max_age)}
        params.update({k: v for k, v in optional.items() if v})
        if conf.request_object:
            signed = request_object(conf, params, audience=conf.issuer, now=now,
                                    jti=self.token())
            # RFC 9101 5 / OIDC Core 6.1: client_id (and response_type, scope) stay outside.
            params = {"client_id": conf.client_id, "response_type": "code",
                      "scope": params["scope"], "request": signed}
        if conf.use_par or meta.require_pushed_authorization_requests:
            params = yield from push(conf, meta.pushed_authorization_request_endpoint, params,
                                     now=now, jti=self.token())
        url = add_query(meta.authorization_endpoint, params)
        pending = PendingLogin(state=state, nonce=nonce, code_verifier=verifier,
                               provider=conf.name, issuer=conf.issuer,
                               redirect_uri=self.config.redirect_uri, next_url=next_url,
                               created_at=now, max_age=max_age, loa=loa)
        return LoginRedirect(url, pending)

    def complete(self, params: Mapping[str, str] | str,
                 pending: PendingLogins | Callable[[str], PendingLogin | None]
                 ) -> Generator[HttpRequest, HttpResponse, LoginResult]:
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
        tokens = yield from exchange_code(conf, meta.token_endpoint, login, code, now=now,
                                          jti=self.token())
        id_token = tokens["id_token"]
        access_token = tokens["access_token"]
        keys = self.providers[conf.name]
        id_claims, alg = yield from verified(conf, keys, id_token, "ID token", now=now,
                                             must_sign=True)
        assert alg is not None
        check_id_token(id_claims, provider=conf, alg=alg, nonce=login.nonce, now=now,
                       leeway=self.config.clock_skew,
                       access_token=access_token)
        if login.max_age is not None:
            # OIDC Core 3.1.3.7 (13): a step-up for a fresh login that comes back with an
            # older authentication (a provider may ignore max_age and prompt=login) is
            # refused, as RFC 9470 3 names it, before any userinfo is fetched
            stale = stale_authentication(id_claims, max_age=login.max_age, now=now,
                                         leeway=self.config.clock_skew)
            if stale is not None:
                return LoginResult("rejected", conf.name, conf.issuer, login.next_url,
                                   error="insufficient_user_authentication",
                                   error_description=stale)
        subject = check_subject(id_claims, "ID token")
        userinfo: dict[str, Any] | None = None
        raw_userinfo: str | None = None
        if conf.userinfo and meta.userinfo_endpoint:
            userinfo, raw_userinfo = yield from fetch_userinfo(
                conf, keys, meta.userinfo_endpoint, access_token, subject, now=now,
                leeway=self.config.clock_skew)
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
                           error=error if ERROR_CODE.fullmatch(error) else "invalid_error",
                           error_description=kept)

"""Tokens for API calls: kept with a server-side session, refreshed one at a time.

Theory of operation
-------------------
At the callback, a store that can keep tokens (a server-side store with ``update``,
``lock``, ``unlock`` and ``reload``: :class:`~eidgate.web.RedisSessions`) gets the session
field ``tokens`` (:meth:`Tokens.to_store <eidgate._oidc.refresh.Tokens.to_store>`: the
access token, its expiry, the refresh token, the original ID token's claims that a
refreshed one must repeat), sealed with the rest of the session. The cookie store never
holds tokens: the browser would.

:func:`access_token` (``Gate.access_token``) is a sans-IO generator like the gate's routes:
it yields the store's calls and the provider's requests, so the sync and async adapters
run the same code. A token valid for more than :data:`REFRESH_LEEWAY` seconds is returned
as it is (from the store's cache: the hot path). Otherwise the request takes the session's
refresh lock (Redis ``SET NX PX``, across instances), reads the session again from Redis
(another request may have refreshed it meanwhile), refreshes (RFC 6749 6), writes the new
tokens in place (compare-and-set, every instance's cache dropped), and releases the lock
(compare-and-delete). A request that finds the lock taken waits a little and reads the
session again from Redis until it holds a fresh token. So a rotated refresh token is spent
once, however many requests or instances need it at the same moment.

A refresh the provider refuses (``invalid_grant``: expired, revoked, reused) ends the
session on every instance and raises :class:`LoginRequired`; an outage raises the
provider's error and keeps the session. Log lines name the provider and the outcome, never
a token.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from .._calls import Call
from .._config import Config
from .._errors import ConfigError, ProviderError, ProviderUnavailable, SessionError
from .._identity.model import Identity
from .._oidc.flow import LoginResult
from .._oidc.http import HttpRequest
from .._oidc.refresh import RefreshRefused, Tokens
from ._sessions import CookieSessions, SessionStore

if TYPE_CHECKING:
    from ._gate import Gate

log = logging.getLogger("eidgate")
#: the session field that holds the tokens (server-side stores only)
TOKENS = "tokens"
#: seconds before its expiry that an access token is refreshed: a token handed to the app
#: stays valid for its API call (and a little clock skew between us and the API)
REFRESH_LEEWAY = 30
_LOCK = "refresh"
_POLL = 0.05  # seconds between two looks at a session another request is refreshing
_STORE_OPS = ("update", "lock", "unlock", "reload")

Steps = Generator[HttpRequest | Call[Any], Any, str]


class LoginRequired(SessionError):
    """No access token for this request without a new login: nobody is logged in, the
    session keeps no tokens, its access token expired without a refresh token, or the
    provider refused the refresh (then the session has been ended on every instance).
    Send the person to log in again (``error`` tells which; status 401)."""

    error = "login_required"
    status = 401


def keeps_tokens(store: SessionStore) -> bool:
    """True for a store that can keep a session's tokens and refresh them one at a time:
    server-side, with ``update``, ``lock``, ``unlock`` and ``reload``."""
    return not isinstance(store, CookieSessions) and all(
        callable(getattr(store, op, None)) for op in _STORE_OPS)


def check_scopes(config: Config, store: SessionStore) -> None:
    """A :class:`~eidgate.ConfigError` for a provider that asks for ``offline_access`` (a
    refresh token, OIDC Core 11) when the store cannot keep tokens: the provider would
    issue long-lived refresh tokens that nobody keeps or uses."""
    if keeps_tokens(store):
        return
    for conf in config.providers.values():
        if "offline_access" in conf.scopes:
            kind = "the cookie store: never in the browser" if isinstance(
                store, CookieSessions) else f"{type(store).__name__} cannot"
            raise ConfigError(f'"offline_access" asks for a refresh token, which only a '
                              f"server-side session store keeps ({kind}); set "
                              f'[eidgate.session] store = "redis", or remove '
                              f'"offline_access" from scopes', file=config.source,
                              key=f"providers.{conf.name}.scopes")


def session_tokens(gate: Gate, result: LoginResult) -> dict[str, Any] | None:
    """The ``tokens`` session field for an accepted login, or None when the gate's store
    cannot keep tokens (the cookie store: never in the browser)."""
    if not keeps_tokens(gate.sessions) or not result.token_response.get("access_token"):
        return None
    expires_in = result.token_response.get("expires_in")
    # RFC 6749 5.1: expires_in is the access token's lifetime in seconds (RECOMMENDED); a
    # value that is no whole number of seconds is taken as unknown
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 0:
        expires_in = None
    return Tokens.from_response({**result.token_response, "expires_in": expires_in},
                                now=gate.rp.now(),
                                id_claims=result.id_token_claims).to_store()


def _not_kept(gate: Gate) -> SessionError:
    if isinstance(gate.sessions, CookieSessions):
        return SessionError(
            "access tokens are kept only in a server-side session store: the cookie store "
            "never holds them (the browser would); use the Redis store, "
            '[eidgate.session] store = "redis" in eidgate.toml', error="tokens_not_kept")
    return SessionError(f"this session store ({type(gate.sessions).__name__}) cannot keep "
                        f"tokens: it needs {', '.join(_STORE_OPS)} (as RedisSessions has)",
                        error="tokens_not_kept")


def _found(found: tuple[Identity, dict[str, Any]] | None) -> tuple[Identity, Tokens]:
    if found is None:
        raise LoginRequired("nobody is logged in with this session (absent, expired or "
                            "ended); log in")
    tokens = Tokens.from_store(found[1].get(TOKENS))
    if tokens is None:
        raise LoginRequired("this session keeps no tokens (it began before they were "
                            "kept); log in again", error="no_tokens")
    return found[0], tokens


def _pause(seconds: float) -> Call[None]:
    """A wait the driver makes: ``time.sleep``, or under an async driver an awaited sleep
    (no thread; the event loop serves other requests meanwhile)."""
    def asleep() -> Awaitable[None]:
        import anyio

        return anyio.sleep(seconds)
    return Call(lambda: time.sleep(seconds), asleep)


def access_token(gate: Gate, value: str | None, *, leeway: float = REFRESH_LEEWAY,
                 clock: Callable[[], float] = time.monotonic) -> Steps:
    """A valid access token for the session cookie ``value`` (see the module docstring).

    Raises :class:`LoginRequired` (no session, no tokens, no refresh token left, refresh
    refused: the session ended), :class:`~eidgate.web.SessionError` for a store that
    cannot keep tokens, :class:`~eidgate.ProviderError` when the provider is unavailable,
    :class:`~eidgate.web.SessionStoreUnavailable` when the store is.
    """
    if not keeps_tokens(gate.sessions):
        raise _not_kept(gate)
    identity, tokens = _found((yield from gate.store("load", value)))
    if tokens.fresh(gate.rp.now(), leeway):
        return tokens.access_token
    if tokens.refresh_token is None:
        return _unrefreshable(gate, tokens)
    conf = gate.config.providers.get(identity.provider or "")
    # the lock outlives the refresh's own deadline (the provider's timeout), so it is held
    # for the whole refresh; a holder that died frees it by expiry
    ttl = (conf.timeout if conf is not None else gate.config.http_timeout) + 5
    deadline = clock() + ttl + 1
    while True:
        held: str | None = yield from gate.store("lock", value, _LOCK, ttl)
        if held is not None:
            break
        if clock() > deadline:
            raise ProviderUnavailable("the token refresh of this session did not finish "
                                      "in time")
        yield _pause(_POLL)
        # another request (here or on another instance) is refreshing: its new tokens are
        # in Redis as soon as it is done, and in no cache before the publish reaches it
        identity, tokens = _found((yield from gate.store("reload", value)))
        if tokens.fresh(gate.rp.now(), leeway):
            return tokens.access_token
    try:
        token = yield from _refresh_held(gate, value, leeway)
    except Exception:
        yield from _unlock(gate, value, held)
        raise
    yield from _unlock(gate, value, held)
    return token


def _refresh_held(gate: Gate, value: str | None, leeway: float) -> Steps:
    """The refresh itself, with the session's lock held."""
    # read again under the lock: a request that held it just before may have refreshed
    identity, tokens = _found((yield from gate.store("reload", value)))
    if tokens.fresh(gate.rp.now(), leeway):
        return tokens.access_token
    if tokens.refresh_token is None:
        return _unrefreshable(gate, tokens)
    provider = identity.provider or "?"
    try:
        new = yield from gate.rp.refresh(provider, tokens)
    except RefreshRefused as exc:
        # RFC 6749 5.2 invalid_grant: expired, revoked or already used. No new token
        # will come from this session: end it on every instance, then a new login
        log.info("eidgate: token refresh refused (provider %s, %s); session ended",
                 provider, exc.provider_error or exc.error)
        yield from gate.store("delete", value)
        raise LoginRequired("the provider refused to refresh this session's tokens; the "
                            "session has ended: log in again",
                            error="refresh_refused") from exc
    except ProviderError as exc:
        exc.at(provider, "refresh")
        log.warning("eidgate: provider failure: %s", exc.diagnosis())
        raise
    if not (yield from gate.store("update", value, **{TOKENS: new.to_store()})):
        raise LoginRequired("the session ended while its tokens were refreshed; log in "
                            "again")
    log.info("eidgate: access token refreshed (provider %s)", provider)
    return new.access_token


def _unrefreshable(gate: Gate, tokens: Tokens) -> str:
    """A token without a refresh token: itself while it is valid at all, then nothing."""
    if tokens.fresh(gate.rp.now(), 0):
        return tokens.access_token
    raise LoginRequired("the access token has expired and the provider gave no refresh "
                        "token (ask for offline_access in scopes); log in again",
                        error="token_expired")


def _unlock(gate: Gate, value: str | None, held: str) -> Generator[Call[Any], Any, None]:
    with contextlib.suppress(SessionError):  # Redis went away: the lock expires by itself
        yield from gate.store("unlock", value, _LOCK, held)


__all__ = ["REFRESH_LEEWAY", "TOKENS", "LoginRequired", "access_token", "keeps_tokens",
           "session_tokens"]

"""One exception tree for everything eidgate raises.

Every error carries an OAuth-style ``error`` code, a human ``description`` that never
contains personal data or tokens, and an HTTP ``status`` hint, so that an adapter maps any
failure to a response in one line. Third-party exceptions are wrapped (``raise ... from``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
Y = TypeVar("Y")
S = TypeVar("S")
R = TypeVar("R")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


def shown(value: object, limit: int = 40) -> str:
    """``repr`` of a value a provider or browser sent, cut short for an error message (a
    hostile ``kid`` or ``alg`` may be a megabyte long)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


class EidGateError(Exception):
    """Base of every error eidgate raises."""

    error: str = "server_error"
    status: int = 500

    def __init__(self, description: str, *, error: str | None = None, status: int | None = None):
        super().__init__(description)
        self.description = description
        if error is not None:
            self.error = error
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return f"{self.error}: {self.description}"


class ConfigError(EidGateError):
    """The configuration is wrong; the message names the file, the key and the fix.

    For an option given in code (``EidGate(app, languages=...)``), ``option`` names it
    instead of a file and key.
    """

    error = "invalid_configuration"
    status = 500

    def __init__(self, description: str, *, file: str = "<config>", key: str | None = None,
                 option: str | None = None):
        if option is not None:
            where = f"option {option}="
        elif key:
            where = f"{file}: [{key}]" if "." not in key else f"{file}: {key}"
        else:
            where = file
        super().__init__(f"{where}: {description}")
        self.file = file
        self.key = key
        self.option = option


class SessionError(EidGateError):
    """A session could not be kept (e.g. an identity too large for a cookie)."""

    error = "session_error"
    status = 500


class SessionStoreUnavailable(SessionError):
    """The server-side session store (Redis) did not answer in time or refused: the
    request that needs a session gets a 503 page and may be retried (``retry_after``)."""

    error = "temporarily_unavailable"
    status = 503
    retry_after = 5


class LoginRefused(EidGateError):
    """Raised by the app's ``on_login`` hook to refuse a verified login (someone who is
    not a customer): ``reason`` is shown to the person on the gate's error page (escaped),
    with status 403; no session is made. Write it for the person, in the page's language:
    it is the app's text, shown as given, and is not logged (it may name the person)."""

    error = "login_refused"
    status = 403

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CallbackError(EidGateError):
    """The browser came back with a callback we must not accept (state, iss, shape)."""

    error = "invalid_request"
    status = 400


#: RFC 6749 5.2 error codes that say the client's registration or credentials are wrong,
#: not that the provider is down: the relying party's configuration must change
MISCONFIGURATION_CODES = frozenset({"invalid_client", "unauthorized_client",
                                    "unsupported_grant_type", "invalid_scope"})
_MAX_SAID = 200


def provider_said(text: object, limit: int = _MAX_SAID) -> str | None:
    """A provider's ``error_description``, fit for a log line: one line of printable
    characters (controls, CR/LF, bidi overrides dropped: no forged log lines), cut to
    ``limit``. RFC 6749 5.2 allows only printable ASCII there; brokers localise it."""
    if not isinstance(text, str):
        return None
    kept = " ".join("".join(c if c.isprintable() else " " for c in text[:4 * limit]).split())
    return (kept if len(kept) <= limit else kept[:limit] + "...") or None


class ProviderError(EidGateError):
    """The OpenID provider answered with something unusable: HTTP error, not JSON, too big.

    For the operator (never the person): ``provider`` (its name in eidgate.toml) and
    ``step`` (``discovery``, ``jwks``, ``par``, ``token``, ``id_token``, ``userinfo``,
    ``logout``) say where it failed; ``provider_error`` and ``provider_description`` are
    the provider's own RFC 6749 5.2 ``error`` and ``error_description`` (the description cut
    short, one line), ``http_status`` its HTTP status. :attr:`misconfigured` tells a
    configuration error from an outage; :meth:`diagnosis` is the log line's text.
    """

    error = "provider_error"
    status = 502
    provider: str | None = None
    step: str | None = None
    provider_error: str | None = None
    provider_description: str | None = None
    http_status: int | None = None
    _misconfigured = False

    def __init__(self, description: str, *, error: str | None = None,
                 status: int | None = None, provider_error: str | None = None,
                 provider_description: str | None = None, http_status: int | None = None,
                 misconfigured: bool | None = None) -> None:
        super().__init__(description, error=error, status=status)
        self.provider_error = provider_error
        self.provider_description = provider_said(provider_description)
        self.http_status = http_status
        if misconfigured is not None:
            self._misconfigured = misconfigured

    @property
    def misconfigured(self) -> bool:
        """True when the provider's answer says eidgate's configuration is wrong (a wrong
        client id or secret, issuer, discovery document, or signature keys), False for an
        outage (no answer, a timeout, HTTP 5xx or 429) or an answer of unknown cause."""
        # RFC 9110 15.6: a 5xx is the server's failure; RFC 6585 4: 429 is a rate limit
        if self.http_status is not None and (self.http_status >= 500 or self.http_status == 429):
            return False
        return self._misconfigured or self.provider_error in MISCONFIGURATION_CODES

    def at(self, provider: str, step: str) -> None:
        """Name the provider and step, unless a more precise one already did."""
        self.provider = self.provider or provider
        self.step = self.step or step

    def diagnosis(self) -> str:
        """What the operator needs: the cause, the provider, the step, the provider's own
        error and description; no personal data or tokens (eidgate's descriptions carry
        none; the provider's is cut short to one line)."""
        kind = ("misconfiguration" if self.misconfigured else
                "outage" if isinstance(self, ProviderUnavailable) or (
                    self.http_status is not None and self.http_status >= 500) else "error")
        said = self.provider_error or self.error
        if self.provider_description:
            said += f" {self.provider_description!r}"
        return (f"{kind} (provider {self.provider or '?'}, step {self.step or '?'}, "
                f"{said}): {self.description}")


class ProviderUnavailable(ProviderError):
    """The OpenID provider could not be reached in time (connection error or timeout)."""

    error = "temporarily_unavailable"
    status = 504


class DiscoveryError(ProviderError):
    """The provider's discovery document or key set is missing, malformed or not its own."""

    error = "invalid_discovery"
    # Discovery 4.3 / RFC 7517: a document that is not the issuer's, or not one, is a wrong
    # issuer or a wrong URL in the configuration (its HTTP 5xx is an outage: misconfigured)
    _misconfigured = True
    #: True when the document names another issuer (Discovery 4.3): ``eidgate check``
    #: says ``issuer mismatch``
    issuer_mismatch = False


class TokenEndpointError(ProviderError):
    """The token endpoint refused the code exchange (``invalid_grant``, ``invalid_client``...)."""

    error = "token_request_failed"


class InvalidTokenError(ProviderError):
    """An ID token, userinfo response or key failed a JOSE or OpenID Connect check."""

    error = "invalid_token"


class LogoutTokenError(InvalidTokenError):
    """A back-channel logout request or its logout token failed a check of OpenID Connect
    Back-Channel Logout 1.0 (2.5, 2.6): nothing is ended.

    An :class:`InvalidTokenError` (a token from a provider that must not be acted on), but
    its status hint is ``400``: section 2.8 answers an invalid logout request with ``400
    Bad Request`` and an OAuth ``error`` of ``invalid_request``; here the request that
    carried the token is the bad one, not an answer this party waited for during a login.
    """

    error = "invalid_request"
    status = 400


@contextmanager
def at_step(provider: str, step: str) -> Iterator[None]:
    """A :class:`ProviderError` raised (or thrown into a flow by its driver) within names
    ``provider`` and ``step``, unless a step within already did (the innermost is the most
    precise: a JWKS fetch during the ID token check is step ``jwks``)."""
    try:
        yield
    except ProviderError as exc:
        exc.at(provider, step)
        raise


def stepped(step: str) -> Callable[[Callable[Concatenate[Any, P], Generator[Y, S, R]]],
                                   Callable[Concatenate[Any, P], Generator[Y, S, R]]]:
    """:func:`at_step` around a sans-IO step whose first argument is the provider's config
    (anything with a ``name``)."""
    def wrap(fn: Callable[Concatenate[Any, P], Generator[Y, S, R]]
             ) -> Callable[Concatenate[Any, P], Generator[Y, S, R]]:
        @functools.wraps(fn)
        def run(conf: _Named, /, *args: P.args, **kwargs: P.kwargs) -> Generator[Y, S, R]:
            with at_step(conf.name, step):
                return (yield from fn(conf, *args, **kwargs))
        return run
    return wrap

"""One exception tree for everything eidgate raises.

Every error carries an OAuth-style ``error`` code, a human ``description`` that never
contains personal data or tokens, and an HTTP ``status`` hint, so that an adapter maps any
failure to a response in one line. Third-party exceptions are wrapped (``raise ... from``).
"""

from __future__ import annotations


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


class CallbackError(EidGateError):
    """The browser came back with a callback we must not accept (state, iss, shape)."""

    error = "invalid_request"
    status = 400


class ProviderError(EidGateError):
    """The OpenID provider answered with something unusable: HTTP error, not JSON, too big."""

    error = "provider_error"
    status = 502


class ProviderUnavailable(ProviderError):
    """The OpenID provider could not be reached in time (connection error or timeout)."""

    error = "temporarily_unavailable"
    status = 504


class DiscoveryError(ProviderError):
    """The provider's discovery document or key set is missing, malformed or not its own."""

    error = "invalid_discovery"


class TokenEndpointError(ProviderError):
    """The token endpoint refused the code exchange (``invalid_grant``, ``invalid_client``...)."""

    error = "token_request_failed"

    def __init__(self, description: str, *, provider_error: str | None = None):
        super().__init__(description)
        self.provider_error = provider_error


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

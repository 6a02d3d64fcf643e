"""eidgate: require a European eID login in any Python web app, through OpenID Connect.

The core (this package) imports no web framework. Its protocol logic is sans-IO
(:class:`RelyingParty`); :class:`Client` and :class:`AsyncClient` drive it over httpx.
"""

from ._authorize import LoginRedirect, PendingLogin, PendingLogins
from ._client import AsyncClient, Client
from ._config import Config, ProviderConfig, load_config, parse_config
from ._errors import (
    CallbackError,
    ConfigError,
    DiscoveryError,
    EidGateError,
    InvalidTokenError,
    ProviderError,
    ProviderUnavailable,
    TokenEndpointError,
)
from ._flow import LoginResult, RelyingParty, parse_callback
from ._http import HttpRequest, HttpResponse
from ._keys import RPKey, generate_key, write_key
from ._provider import ProviderMetadata

__all__ = [
    "AsyncClient",
    "CallbackError",
    "Client",
    "Config",
    "ConfigError",
    "DiscoveryError",
    "EidGateError",
    "HttpRequest",
    "HttpResponse",
    "InvalidTokenError",
    "LoginRedirect",
    "LoginResult",
    "PendingLogin",
    "PendingLogins",
    "ProviderConfig",
    "ProviderError",
    "ProviderMetadata",
    "ProviderUnavailable",
    "RPKey",
    "RelyingParty",
    "TokenEndpointError",
    "generate_key",
    "load_config",
    "parse_callback",
    "parse_config",
    "write_key",
]

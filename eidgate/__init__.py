"""eidgate: require a European eID login in any Python web app, through OpenID Connect.

The core (this package) imports no web framework. Its protocol logic is sans-IO
(:class:`RelyingParty`); :class:`Client` and :class:`AsyncClient` drive it over httpx.

Importing ``eidgate`` is cheap: the protocol layer (httpx, pyjwt, joserfc) loads the first
time one of its names is used, so an app that only reads its config or normalises claims,
or that imports eidgate at start-up, does not pay for it up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from ._evidence import DirectorySink, EvidenceSink, evidence_archive
from ._http import HttpRequest, HttpResponse
from ._identity import Address, Identity
from ._keys import RPKey, generate_key, write_key
from ._national_id import NationalId, parse_national_id
from ._normalize import normalize

if TYPE_CHECKING:
    from ._authorize import LoginRedirect, PendingLogin, PendingLogins
    from ._client import AsyncClient, Client
    from ._flow import LoginResult, RelyingParty, parse_callback
    from ._provider import ProviderMetadata

_LAZY = {"LoginRedirect": "_authorize", "PendingLogin": "_authorize",
         "PendingLogins": "_authorize", "AsyncClient": "_client", "Client": "_client",
         "LoginResult": "_flow", "RelyingParty": "_flow", "parse_callback": "_flow",
         "ProviderMetadata": "_provider"}


def __getattr__(name: str) -> Any:
    """PEP 562: load the protocol layer on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eidgate' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Address",
    "AsyncClient",
    "CallbackError",
    "Client",
    "Config",
    "ConfigError",
    "DirectorySink",
    "DiscoveryError",
    "EidGateError",
    "EvidenceSink",
    "HttpRequest",
    "HttpResponse",
    "Identity",
    "InvalidTokenError",
    "LoginRedirect",
    "LoginResult",
    "NationalId",
    "PendingLogin",
    "PendingLogins",
    "ProviderConfig",
    "ProviderError",
    "ProviderMetadata",
    "ProviderUnavailable",
    "RPKey",
    "RelyingParty",
    "TokenEndpointError",
    "evidence_archive",
    "generate_key",
    "load_config",
    "normalize",
    "parse_callback",
    "parse_config",
    "parse_national_id",
    "write_key",
]

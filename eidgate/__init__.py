"""eidgate: require a European eID login in any Python web app, through OpenID Connect.

The core (this package) imports no web framework. Its protocol logic is sans-IO
(:class:`RelyingParty`); :class:`Client` and :class:`AsyncClient` drive it over httpx2.

Importing ``eidgate`` is cheap: the protocol layer (httpx2, pyjwt, joserfc) and the evidence
archive load the first time one of their names is used, and key handling (joserfc.jwk,
which imports ``cryptography.x509``) the first time a key is read or generated, so an app
that only reads its config or normalises claims, or that imports eidgate at start-up, does
not pay for them up front.
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
    LoginRefused,
    LogoutTokenError,
    ProviderError,
    ProviderUnavailable,
    TokenEndpointError,
)
from ._identity.model import Address, Identity, Level
from ._identity.national_id import NationalId, parse_national_id
from ._identity.normalize import normalize
from ._keys import RPKey, generate_key, write_key
from ._oidc.http import HttpRequest, HttpResponse
from ._version import __version__ as __version__  # not in __all__: not a name to import

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._oidc.authorize import LoginRedirect, PendingLogin, PendingLogins
    from ._oidc.evidence import DirectorySink, EvidenceSink, evidence_archive
    from ._oidc.flow import LoginResult, RelyingParty, parse_callback
    from ._oidc.logout import LogoutRequest, MemoryReplayCache, ReplayCache
    from ._oidc.metadata import ProviderMetadata
    from ._oidc.refresh import RefreshRefused

_LAZY = {"LoginRedirect": "_oidc.authorize", "PendingLogin": "_oidc.authorize",
         "PendingLogins": "_oidc.authorize", "AsyncClient": "_client", "Client": "_client",
         "LoginResult": "_oidc.flow", "RelyingParty": "_oidc.flow",
         "parse_callback": "_oidc.flow", "ProviderMetadata": "_oidc.metadata",
         "DirectorySink": "_oidc.evidence", "EvidenceSink": "_oidc.evidence",
         "evidence_archive": "_oidc.evidence", "LogoutRequest": "_oidc.logout",
         "MemoryReplayCache": "_oidc.logout", "ReplayCache": "_oidc.logout",
         "RefreshRefused": "_oidc.refresh"}


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
    "Level",
    "LoginRedirect",
    "LoginRefused",
    "LoginResult",
    "LogoutRequest",
    "LogoutTokenError",
    "MemoryReplayCache",
    "NationalId",
    "PendingLogin",
    "PendingLogins",
    "ProviderConfig",
    "ProviderError",
    "ProviderMetadata",
    "ProviderUnavailable",
    "RPKey",
    "RefreshRefused",
    "RelyingParty",
    "ReplayCache",
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

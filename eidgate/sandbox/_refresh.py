"""The sandbox's refresh tokens: the refresh grant (RFC 6749 6) with rotation.

A client gets a refresh token with its tokens when it asks for ``offline_access`` (OIDC
Core 11) or is registered with ``refresh_tokens=True``. Every refresh answers a new refresh
token and spends the old one (rotation); a spent token presented again is refused
(``invalid_grant``), counted in :attr:`RefreshTokens.replayed`, and, as RFC 9700 4.14.2
advises for a detected replay, the live token of its family is revoked too. Tests read
:attr:`RefreshTokens.granted` to see how many refreshes a client made. Taking a token is
atomic (one lock), so of two concurrent refreshes with one token exactly one succeeds.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from authlib.oauth2.rfc6749 import grants
from joserfc import jwt

from ._authlib import _Login

if TYPE_CHECKING:
    from ._authlib import SandboxClient


@dataclass
class _RefreshToken:
    """One live refresh token, as Authlib's refresh grant reads it."""

    login: _Login
    client_id: str
    scope: str
    family: str = field(default_factory=lambda: secrets.token_hex(8))

    def check_client(self, client: SandboxClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope


class RefreshTokens:
    """The refresh tokens a sandbox issued: live, spent, and counts for tests."""

    def __init__(self) -> None:
        self._live: dict[str, _RefreshToken] = {}
        self._spent: dict[str, str] = {}  # token -> its family
        self._lock = threading.Lock()
        #: client_id -> refresh grants accepted
        self.granted: Counter[str] = Counter()
        #: client_id -> spent refresh tokens presented again (refused)
        self.replayed: Counter[str] = Counter()

    def issue(self, token: str, login: _Login, client_id: str, scope: str,
              rotated: _RefreshToken | None = None) -> None:
        """Record a new refresh token (of ``rotated``'s family when it replaces one)."""
        with self._lock:
            self._live[token] = _RefreshToken(login, client_id, scope, *(
                (rotated.family,) if rotated is not None else ()))

    def take(self, token: str, client_id: str) -> _RefreshToken | None:
        """Spend ``token`` for ``client_id``: its record, or None if it is unknown, spent
        (counted as a replay; RFC 9700 4.14.2: the family's live token is revoked) or
        another client's (RFC 6749 6: bound to the client it was issued to)."""
        with self._lock:
            found = self._live.get(token)
            if found is None:
                family = self._spent.get(token)
                if family is not None:
                    self.replayed[client_id] += 1
                    for key, live in list(self._live.items()):
                        if live.family == family:
                            del self._live[key]
                            self._spent[key] = family
                return None
            if found.client_id != client_id:
                return None
            del self._live[token]
            self._spent[token] = found.family
            self.granted[client_id] += 1
            return found

    def revoke(self, client_id: str | None = None) -> int:
        """Revoke every live refresh token (of one client): the next refresh is refused,
        as after a provider-side logout or a revoked consent. Returns how many."""
        with self._lock:
            gone = [k for k, v in self._live.items() if client_id in (None, v.client_id)]
            for key in gone:
                self._spent[key] = self._live.pop(key).family
            return len(gone)


class _RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """RFC 6749 6 with rotation (a new refresh token every time, the old one spent)."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic", "client_secret_post", "private_key_jwt"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> _RefreshToken | None:
        taken: _RefreshToken | None = self.server.sandbox.refresh.take(
            refresh_token, self.request.client.client_id)
        return taken

    def authenticate_user(self, refresh_token: _RefreshToken) -> _Login:
        return refresh_token.login

    def revoke_old_credential(self, refresh_token: _RefreshToken) -> None:
        pass  # spent when taken (atomically, before the new tokens were made)

    def create_token_response(self) -> Any:
        status, token, headers = super().create_token_response()
        record: _RefreshToken = self.request.refresh_token
        if "openid" in record.scope.split():
            # OIDC Core 12.2: a new ID token for the same authentication: the original's
            # iss, sub, aud and auth_time, a new iat, and no nonce
            sandbox = self.server.sandbox
            key = sandbox._signing_key_for_tokens()
            now = int(time.time())
            claims = {"iss": sandbox.issuer, "sub": record.login.sub,
                      "aud": [record.client_id], "iat": now,
                      "exp": now + int(token.get("expires_in") or 600),
                      "auth_time": record.login.auth_time, "acr": record.login.acr,
                      "sid": record.login.sid}
            token["id_token"] = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"},
                                           claims, key)
        return status, token, headers

"""The sandbox's logout: its session cookie, RP-initiated logout, and the logout tokens
it sends to clients' back-channel logout URIs (OpenID Connect Back-Channel Logout 1.0).

A mixin of :class:`~eidgate.sandbox.Sandbox` (which provides the clients, the sessions and
the keys).
"""

from __future__ import annotations

import secrets
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from . import _pages
from ._http import Request, Response

if TYPE_CHECKING:
    from ._authlib import SandboxClient, _Login

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
SESSION_COOKIE = "eidgate_sandbox_sid"


def _cookie(header: str, name: str) -> str | None:
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name:
            return value
    return None


def _deliver(uri: str, token: str) -> int:
    """POST a logout token (Back-Channel Logout 1.0 2.5); the status the RP answered."""
    if not uri.startswith(("http://", "https://")):  # a registered URI, never file: & co
        return 0
    request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
        uri, urlencode({"logout_token": token}).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return 0


class Logouts:
    """Logout at the sandbox and the logout tokens it sends (mixed into ``Sandbox``)."""

    issuer: str
    clients: dict[str, SandboxClient]
    # sid -> (sub, the clients that got an ID token in it): whom to send logout tokens
    _sessions: dict[str, tuple[str, set[str]]]

    def _signing_key_for_tokens(self) -> RSAKey:
        raise NotImplementedError

    def _encrypt(self, token: str, client: SandboxClient) -> str:
        raise NotImplementedError

    def logout_token(self, client_id: str, *, sub: str | None = None, sid: str | None = None,
                     **claims: Any) -> str:
        """A logout token for ``client_id`` (OpenID Connect Back-Channel Logout 1.0 2.4):
        signed like the ID tokens (``typ`` ``logout+jwt``, two minutes of life, a fresh
        ``jti``), encrypted when the client's ID tokens are. ``claims`` add or replace
        claims (a test's way to break one); a claim set to None is left out."""
        client = self.clients[client_id]
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": client_id, "iat": now, "exp": now + 120,
            "jti": secrets.token_urlsafe(16), "sub": sub, "sid": sid,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}}, **claims}
        key = self._signing_key_for_tokens()
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"},
                           {k: v for k, v in body.items() if v is not None}, key)
        return self._encrypt(token, client) if client.encrypt_id_token else token

    def end_session(self, *, sid: str | None = None, sub: str | None = None
                    ) -> dict[str, int]:
        """Log a person out at the sandbox: the session ``sid``, or every session of
        ``sub``. Each client that got an ID token in it and registered a
        ``backchannel_logout_uri`` is sent a logout token (Back-Channel Logout 1.0 2.5);
        returns the HTTP status each answered (0: not reached)."""
        ended = [(s, entry) for s, entry in self._sessions.items()
                 if s == sid or (sid is None and entry[0] == sub)]
        answers: dict[str, int] = {}
        for session, (subject, clients) in ended:
            del self._sessions[session]
            for client_id in sorted(clients):
                client = self.clients.get(client_id)
                if client is None or not client.backchannel_logout_uri:
                    continue
                token = self.logout_token(client_id, sub=subject, sid=session)
                answers[client_id] = _deliver(client.backchannel_logout_uri, token)
        return answers

    def _remember(self, login: _Login, client: SandboxClient) -> None:
        """Note that ``client`` got an ID token in the session of ``login``."""
        self._sessions.setdefault(login.sid, (login.sub, set()))[1].add(client.client_id)

    def _logout(self, request: Request) -> Response:
        sid = _cookie(request.headers.get("cookie", ""), SESSION_COOKIE)
        if sid in self._sessions:
            self.end_session(sid=sid)
        response = self._logged_out(request)
        response.headers.append(("Set-Cookie", f"{SESSION_COOKIE}=; Max-Age=0; Path=/; "
                                 "HttpOnly; SameSite=Lax"))
        return response

    def _logged_out(self, request: Request) -> Response:
        target = request.query.get("post_logout_redirect_uri")
        client = self.clients.get(request.query.get("client_id", ""))
        allowed = {u for c in ([client] if client else self.clients.values())
                   for u in c.post_logout_redirect_uris}
        if target and target in allowed:
            state = request.query.get("state")
            return Response.redirect(target + (f"?{urlencode({'state': state})}"
                                               if state else ""))
        return Response.html(_pages.logged_out())

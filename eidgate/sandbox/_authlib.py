"""Authlib's server side, wired to the sandbox: clients, codes, grants, client assertions.

Authlib does the protocol (authorization code grant, OpenID Connect ID tokens, PKCE,
client authentication); these classes give it the sandbox's in-memory state.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from authlib.oauth2.rfc6749 import AuthorizationServer, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, OAuth2Request
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oidc.core import OpenIDCode
from joserfc.jwk import KeySet, RSAKey

from ._http import Request, Response
from ._people import TestPerson

if TYPE_CHECKING:
    from ._provider import Sandbox

UserinfoFormat = Literal["json", "jwt", "jwe"]
TTL = 600  # seconds codes' tokens and pending logins live


@dataclass
class SandboxClient:
    """A client registered at the sandbox (an RP under test)."""

    client_id: str
    client_secret: str | None = None
    redirect_uris: tuple[str, ...] = ()
    auth_method: str = "client_secret_basic"
    jwks: dict[str, Any] | None = None  # the RP's public keys (private_key_jwt, encryption)
    userinfo_format: UserinfoFormat = "json"
    encrypt_id_token: bool = False
    post_logout_redirect_uris: tuple[str, ...] = ()
    #: OpenID Connect Back-Channel Logout 1.0 2.2: where logout tokens are POSTed
    backchannel_logout_uri: str | None = None
    #: a refresh token with every login, not only when it asks for offline_access
    refresh_tokens: bool = False
    #: seconds its access tokens live (default: TTL); short ones for refresh tests
    token_lifetime: int | None = None

    # -- Authlib ClientMixin -----------------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret is not None and secrets.compare_digest(
            client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")

    def public_keys(self, use: str) -> KeySet:
        keys = [k for k in (self.jwks or {}).get("keys", []) if k.get("use", use) == use]
        return KeySet.import_key_set({"keys": keys})


@dataclass
class _Login:
    """Who logged in, as Authlib's grant_user."""

    person: TestPerson
    sub: str
    acr: str
    auth_time: int
    #: the sandbox session this login belongs to (the ID token's and logout token's sid)
    sid: str = field(default_factory=lambda: secrets.token_hex(16))

    def get_user_id(self) -> str:
        return self.sub


@dataclass
class _Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    login: _Login
    expires: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.login.auth_time

    def get_acr(self) -> str:
        return self.login.acr

    def get_amr(self) -> list[str]:
        return ["external"]


class _OAuth2Request(OAuth2Request):  # type: ignore[misc]
    """Authlib's request with the query and form it reads in some code paths."""

    query_args: dict[str, str]
    form_data: dict[str, str]

    @property
    def args(self) -> dict[str, str]:
        return self.query_args

    @property
    def form(self) -> dict[str, str]:
        return self.form_data


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(scopes_supported=None)
        self.sandbox = sandbox

    def query_client(self, client_id: str) -> SandboxClient | None:
        return self.sandbox.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.sandbox._tokens[token["access_token"]] = (request.user, request.client,
                                                       token.get("scope", ""),
                                                       time.time() + token.get("expires_in",
                                                                               TTL))
        if "refresh_token" in token:  # a refresh's new token is of the family it replaces
            self.sandbox.refresh.issue(token["refresh_token"], request.user,
                                       request.client.client_id, token.get("scope", ""),
                                       request.refresh_token)

    def create_oauth2_request(self, request: Request | OAuth2Request) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request  # Authlib calls this again on what it was given
        form = request.form() if request.method == "POST" else {}
        # Authlib reads headers by their canonical names ("Authorization")
        req = _OAuth2Request(request.method, self.sandbox.issuer + request.path,
                             headers={k.title(): v for k, v in request.headers.items()})
        req.query_args, req.form_data = dict(request.query), form
        req.payload = BasicOAuth2Payload({**request.query, **form})
        return req

    def handle_response(self, status: int, body: Any, headers: Iterable[tuple[str, str]]
                        ) -> Response:
        pairs = list(headers)
        location = next((v for k, v in pairs if k.lower() == "location"), None)
        rest = [(k, v) for k, v in pairs if k.lower() != "location"]
        if isinstance(body, dict):
            response = Response.json(body, status)
            response.headers += [h for h in rest if h[0].lower() != "content-type"]
        else:
            response = Response(status, (body or "").encode(), rest)
        response.location = location
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic", "client_secret_post", "private_key_jwt"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.sandbox._codes[code] = _Code(
            code, request.client.client_id, data["redirect_uri"], data.get("scope", ""),
            data.get("nonce"), data.get("code_challenge"), data.get("code_challenge_method"),
            request.user, time.time() + 60)

    def query_authorization_code(self, code: str, client: SandboxClient) -> _Code | None:
        found: _Code | None = self.server.sandbox._codes.get(code)
        if found and found.client_id == client.client_id and found.expires > time.time():
            return found
        return None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.server.sandbox._codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> _Login:
        return authorization_code.login

    def generate_token(self, user: Any = None, scope: str | None = None,
                       grant_type: str | None = None, expires_in: int | None = None,
                       include_refresh_token: bool = True) -> dict[str, Any]:
        # OIDC Core 11: offline_access asks for a refresh token (the sandbox needs no
        # consent for it); or the client is registered to get one
        client: SandboxClient = self.request.client
        include = client.refresh_tokens or "offline_access" in (scope or "").split()
        token: dict[str, Any] = super().generate_token(
            user=user, scope=scope, grant_type=grant_type, expires_in=expires_in,
            include_refresh_token=include)
        return token


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(require_nonce=False)
        self.sandbox = sandbox

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False

    def resolve_client_private_key(self, client: SandboxClient) -> RSAKey:
        return self.sandbox._signing_key_for_tokens()

    def get_client_claims(self, client: SandboxClient) -> dict[str, Any]:
        issuer = "https://wrong-issuer.invalid" if self.sandbox.faults.wrong_issuer else \
            self.sandbox.issuer
        return {"iss": issuer, "aud": [client.client_id], "exp": int(time.time()) + TTL}

    def get_encode_header(self, client: SandboxClient) -> dict[str, Any]:
        key = self.sandbox._signing_key_for_tokens()
        return {"alg": "RS256", "kid": key.kid, "typ": "JWT"}

    def get_client_algorithm(self, client: SandboxClient) -> str:
        return "RS256"

    def generate_user_info(self, user: _Login, scope: str) -> dict[str, Any]:
        # eID Hub ID tokens name the eID and carry the broker's session claims.
        return {"sub": user.sub, "idp": user.person.eid, "sid": user.sid,
                "transaction_id": secrets.token_hex(16), "sandbox": True}

    def process_token(self, grant: Any, response: Any) -> Any:
        token = super().process_token(grant, response)
        sandbox = self.sandbox
        client = grant.request.client
        if "id_token" in token:
            sandbox._remember(grant.request.user, client)  # for a back-channel logout
            if sandbox.faults.bad_signature:
                head, body, sig = token["id_token"].split(".")
                token["id_token"] = f"{head}.{body}.{sig[::-1]}"
            if client.encrypt_id_token:
                token["id_token"] = sandbox._encrypt(token["id_token"], client)
        return token


class _ClientAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
    """RFC 7523 client assertions; RFC 9126 2: the issuer is an accepted audience too."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self._seen: dict[str, float] = {}

    def get_audiences(self) -> list[str]:
        return [self.sandbox.issuer + "/token", self.sandbox.issuer + "/par",
                self.sandbox.issuer]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        now = time.time()
        self._seen = {k: v for k, v in self._seen.items() if v > now}
        if jti in self._seen:
            return False
        self._seen[jti] = now + 600
        return True

    def resolve_client_public_key(self, client: SandboxClient) -> KeySet:
        return client.public_keys("sig")

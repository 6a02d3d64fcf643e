"""The sandbox eID hub: a real OpenID provider, built on Authlib's server components.

Theory of operation
-------------------
:class:`Sandbox` is one function from :class:`Request` to :class:`Response` (see
``_http``). Authlib does the protocol: the authorization code grant with the OpenID Connect
extension, PKCE, client authentication (``client_secret_basic``, ``client_secret_post``,
``private_key_jwt``) and the RFC 9207 ``iss`` parameter. The sandbox adds what a broker adds:
an eID picker with test persons, claims in each eID's real broker shape, PAR, userinfo as
JSON / signed JWT / signed-then-encrypted JWT, encrypted ID tokens, the broker's error
outcomes, and faults that tests switch on explicitly (:class:`Faults`).

State (codes, tokens, pushed requests, pending pickers) lives in memory: a sandbox is for
one process's tests or one developer's demo.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode, urlsplit

from authlib.oauth2 import rfc6749
from authlib.oauth2.rfc6749 import AuthorizationServer, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import OpenIDCode
from joserfc import jwe, jwt
from joserfc.jwk import KeySet, RSAKey

from . import _pages
from ._http import Request, Response
from ._people import EIDS, PEOPLE, TestPerson, people_for, person

UserinfoFormat = Literal["json", "jwt", "jwe"]
CANCEL = ("access_denied", "The Resource Owner did not complete the login. "
          "urn:signicat:error:usercancel; The process was aborted by the end-user")
EXPIRED = ("access_denied", "The Resource Owner did not complete the login. "
           "urn:signicat:error:internal:Expired; ")
# eID Hub `acr_values=idp:<eid>` names and legacy `urn:signicat:oidc:method:<m>` methods.
_METHODS = {"nbid-mobile": "nbid", "sk-smartid": "smartid", "de-npa": "npa",
            "ftn-op-auth": "ftn", "ftn-nordea-auth": "ftn"}
_TTL = 600
_LEVELS = ("low", "substantial", "high")
PROVIDER_ERROR = ("server_error", "urn:signicat:error:internal:Sandbox; the sandbox was "
                  "asked to fail this login (login_hint=error)")
LOA_NOT_MET = ("access_denied", "The Resource Owner did not complete the login. "
               "urn:signicat:error:loa:notmet; the eID does not reach the requested level")


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
        return grant_type == "authorization_code"

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


@dataclass
class Faults:
    """Failures the sandbox produces on request, for tests. All off by default.

    ``fail`` / ``slow`` / ``malformed`` take endpoint names: ``discovery``, ``jwks``,
    ``token``, ``userinfo``, ``par``.
    """

    fail: dict[str, int] = field(default_factory=dict)      # endpoint -> HTTP status
    slow: dict[str, float] = field(default_factory=dict)    # endpoint -> seconds
    malformed: set[str] = field(default_factory=set)        # endpoint -> body not JSON
    wrong_issuer: bool = False      # ID tokens and discovery name another issuer
    bad_signature: bool = False     # ID token signatures do not verify
    unknown_kid: bool = False       # ID tokens signed with a key not in the JWKS

    def clear(self) -> None:
        """Switch every fault off."""
        self.fail.clear()
        self.slow.clear()
        self.malformed.clear()
        self.wrong_issuer = self.bad_signature = self.unknown_kid = False


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
                                                       time.time() + _TTL)

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
        return {"iss": issuer, "aud": [client.client_id], "exp": int(time.time()) + _TTL}

    def get_encode_header(self, client: SandboxClient) -> dict[str, Any]:
        key = self.sandbox._signing_key_for_tokens()
        return {"alg": "RS256", "kid": key.kid, "typ": "JWT"}

    def get_client_algorithm(self, client: SandboxClient) -> str:
        return "RS256"

    def generate_user_info(self, user: _Login, scope: str) -> dict[str, Any]:
        # eID Hub ID tokens name the eID and carry the broker's session claims.
        return {"sub": user.sub, "idp": user.person.eid, "sid": secrets.token_hex(16),
                "transaction_id": secrets.token_hex(16), "sandbox": True}

    def process_token(self, grant: Any, response: Any) -> Any:
        token = super().process_token(grant, response)
        sandbox = self.sandbox
        client = grant.request.client
        if "id_token" in token:
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


class Sandbox:
    """An in-memory eID hub with the seed identities as test persons.

    >>> sandbox = Sandbox("https://sandbox.eidgate.test")
    >>> sandbox.register(SandboxClient("demo", "secret", ("https://app/eidgate/callback",)))
    >>> app = sandbox.wsgi_app()        # or asgi_app(); or serve it: eidgate sandbox
    """

    def __init__(self, issuer: str = "https://sandbox.eidgate.test") -> None:
        self.issuer = issuer.rstrip("/")
        self.clients: dict[str, SandboxClient] = {}
        self.faults = Faults()
        self._keys: list[RSAKey] = [self._new_key()]
        self._stray_key = self._new_key()  # never published: the "unknown kid" fault
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, tuple[_Login, SandboxClient, str, float]] = {}
        self._pushed: dict[str, tuple[str, dict[str, str], float]] = {}
        self._pending: dict[str, tuple[dict[str, str], float]] = {}
        self.server = _Server(self)
        self.server.register_token_generator("default", BearerTokenGenerator(
            lambda client, grant_type, user, scope: secrets.token_urlsafe(32),
            expires_generator=lambda client, grant_type: _TTL))
        self.server.register_grant(_CodeGrant, [CodeChallenge(required=True),
                                                _OpenIDCode(self)])
        self.server.register_client_auth_method("private_key_jwt", _ClientAssertion(self))
        issuer_parameter = IssuerParameter()
        issuer_parameter.get_issuer = lambda: self.issuer
        self.server.register_extension(issuer_parameter)

    # -- set-up --------------------------------------------------------------------------
    def register(self, client: SandboxClient) -> SandboxClient:
        """Register (or replace) a client."""
        self.clients[client.client_id] = client
        return client

    def rotate_keys(self) -> str:
        """Start signing with a new key (old one still published); returns the new kid."""
        key = self._new_key()
        self._keys.insert(0, key)
        del self._keys[2:]
        return str(key.kid)

    @staticmethod
    def _new_key() -> RSAKey:
        key = RSAKey.generate_key(2048, private=True)
        key.ensure_kid()
        return key

    def _signing_key_for_tokens(self) -> RSAKey:
        return self._stray_key if self.faults.unknown_kid else self._keys[0]

    def _encrypt(self, token: str, client: SandboxClient) -> str:
        recipient = next(iter(client.public_keys("enc").keys), None)
        if recipient is None:
            raise ValueError(f"client {client.client_id} has no encryption key")
        header = {"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "cty": "JWT",
                  "kid": recipient.kid}
        return jwe.encrypt_compact(header, token, recipient)

    def sub_for(self, person_key: str) -> str:
        """The stable ``sub`` the sandbox gives a test person."""
        digest = hashlib.sha256(f"{self.issuer}|{person_key}".encode()).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode()

    # -- the HTTP surface ----------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one HTTP request."""
        routes = {"/.well-known/openid-configuration": ("discovery", self._discovery),
                  "/jwks": ("jwks", self._jwks), "/authorize": ("authorize", self._authorize),
                  "/pick": ("authorize", self._pick), "/token": ("token", self._token),
                  "/userinfo": ("userinfo", self._userinfo), "/par": ("par", self._par),
                  "/logout": ("logout", self._logout)}
        name, route = routes.get(request.path, ("", None))
        if route is None:
            return Response.json({"error": "not_found"}, 404)
        if name in self.faults.fail:
            return Response.json({"error": "server_error"}, self.faults.fail[name])
        response = route(request)
        if name in self.faults.malformed:
            response = Response(200, b"<html>upstream error</html>",
                                [("Content-Type", "application/json")])
        response.delay = self.faults.slow.get(name, 0.0)
        return response

    def wsgi_app(self) -> Any:
        """This sandbox as a WSGI application."""
        from ._http import wsgi_app

        return wsgi_app(self.handle)

    def asgi_app(self) -> Any:
        """This sandbox as an ASGI application."""
        from ._http import asgi_app

        return asgi_app(self.handle)

    def _discovery(self, request: Request) -> Response:
        base = self.issuer
        return Response.json({
            "issuer": "https://wrong-issuer.invalid" if self.faults.wrong_issuer else base,
            "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo", "jwks_uri": f"{base}/jwks",
            "pushed_authorization_request_endpoint": f"{base}/par",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"], "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "id_token_encryption_alg_values_supported": ["RSA-OAEP"],
            "id_token_encryption_enc_values_supported": ["A128CBC-HS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "userinfo_encryption_alg_values_supported": ["RSA-OAEP"],
            "userinfo_encryption_enc_values_supported": ["A128CBC-HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "scopes_supported": ["openid", "profile", "email", "phone", "address", "nin",
                                 "idp-id", "signicat.national_id"],
            "acr_values_supported": [f"idp:{eid}" for eid in EIDS] + [
                "loa:low", "loa:substantial", "loa:high"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False})

    def _jwks(self, request: Request) -> Response:
        return Response.json({"keys": [
            {**k.as_dict(private=False), "use": "sig", "alg": "RS256", "kid": k.kid}
            for k in self._keys]})

    def _authorize(self, request: Request) -> Response:
        params = dict(request.query)
        if "request_uri" in params:  # RFC 9126 4: the pushed request, once, unexpired
            pushed = self._pushed.pop(params["request_uri"], None)
            if pushed is None or pushed[2] < time.time() or pushed[0] != params.get(
                    "client_id"):
                return Response.html(_pages.error_page("The pushed request is unknown or "
                                                       "has expired."), 400)
            params = dict(pushed[1])
        request = Request("GET", "/authorize", params, request.headers)
        try:
            self.server.get_consent_grant(self.server.create_oauth2_request(request))
        except OAuth2Error as exc:
            return self._authorization_error(params, exc)
        return self._after_checks(params)

    def _after_checks(self, params: dict[str, str]) -> Response:
        hint = params.get("login_hint", "").strip().lower()
        outcomes = {"cancel": CANCEL, "expired": EXPIRED, "error": PROVIDER_ERROR}
        if hint in outcomes:
            return self._finish(params, None, outcomes[hint])
        eid = self._eid(params.get("acr_values", ""))
        asked = self._asked_level(params.get("acr_values", ""))
        chosen = person(hint.split(":", 1)[-1]) if hint else None
        if chosen is not None and (eid is None or chosen.eid == eid):
            if not self._reaches(chosen, asked):
                return self._finish(params, None, LOA_NOT_MET)
            return self._finish(params, chosen)
        tx = secrets.token_urlsafe(16)
        self._pending[tx] = (params, time.time() + _TTL)
        return Response.html(_pages.picker(tx, EIDS, eid, self._choices(eid, asked)))

    def _choices(self, eid: str | None, asked: str | None) -> tuple[TestPerson, ...]:
        """The persons the picker offers: of this eID, reaching the level asked for."""
        return tuple(p for p in people_for(eid) if self._reaches(p, asked)) if eid else ()

    def _pick(self, request: Request) -> Response:
        data = {**request.query, **(request.form() if request.method == "POST" else {})}
        pending = self._pending.get(data.get("tx", ""))
        if pending is None or pending[1] < time.time():
            return Response.html(_pages.error_page("This login has expired. Start again "
                                                   "from the application."), 400)
        params = pending[0]
        if "cancel" in data:
            del self._pending[data["tx"]]
            return self._finish(params, None, CANCEL)
        asked = self._asked_level(params.get("acr_values", ""))
        chosen = person(data.get("person", ""))
        if chosen is not None and request.method == "POST" and self._reaches(chosen, asked):
            del self._pending[data["tx"]]
            return self._finish(params, chosen)
        eid = data.get("eid") if data.get("eid") in EIDS else None
        return Response.html(_pages.picker(data["tx"], EIDS, eid, self._choices(eid, asked)))

    @staticmethod
    def _eid(acr_values: str) -> str | None:
        for word in acr_values.split():
            lower = word.lower()
            name = lower[4:] if lower.startswith("idp:") else \
                lower.rsplit(":", 1)[-1] if lower.startswith("urn:signicat:oidc:method:") \
                else None
            name = _METHODS.get(name or "", name)
            if name in EIDS:
                return name
        return None

    @staticmethod
    def _asked_level(acr_values: str) -> str | None:
        """The ``loa:<level>`` asked for in ``acr_values`` (eID Hub style), if any."""
        for word in acr_values.split():
            if word.lower().startswith("loa:") and word[4:].lower() in _LEVELS:
                return word[4:].lower()
        return None

    @staticmethod
    def _reaches(chosen: TestPerson, asked: str | None) -> bool:
        return asked is None or _LEVELS.index(chosen.loa) >= _LEVELS.index(asked)

    def _finish(self, params: dict[str, str], chosen: TestPerson | None,
                error: tuple[str, str] | None = None) -> Response:
        request = Request("GET", "/authorize", params, {})
        oauth_request = self.server.create_oauth2_request(request)
        if chosen is None:
            assert error is not None
            query = {"error": error[0], "error_description": error[1]}
            if "state" in params:
                query["state"] = params["state"]
            query["iss"] = self.issuer
            return Response.redirect(f"{params['redirect_uri']}?{urlencode(query)}")
        # acr states what this login reached: the person's level, never more
        login = _Login(chosen, self.sub_for(chosen.key), f"loa:{chosen.loa}", int(time.time()))
        grant = self.server.get_consent_grant(oauth_request, end_user=login)
        response: Response = self.server.create_authorization_response(
            oauth_request, grant_user=login, grant=grant)
        return response

    def _authorization_error(self, params: dict[str, str], exc: OAuth2Error) -> Response:
        client = self.clients.get(params.get("client_id", ""))
        redirect = params.get("redirect_uri", "")
        if client is None or not client.check_redirect_uri(redirect):
            # RFC 6749 4.1.2.1: never redirect to an unverified redirect_uri
            reason = exc.description or exc.error
            return Response.html(_pages.error_page(f"Invalid request: {reason}"), 400)
        query = {"error": exc.error, "error_description": exc.description or "",
                 "iss": self.issuer}
        if "state" in params:
            query["state"] = params["state"]
        return Response.redirect(f"{redirect}?{urlencode(query)}")

    def _token(self, request: Request) -> Response:
        response: Response = self.server.create_token_response(
            self.server.create_oauth2_request(request))
        return response

    def _par(self, request: Request) -> Response:
        oauth_request = self.server.create_oauth2_request(request)
        try:
            client = self.server.authenticate_client(
                oauth_request, _CodeGrant.TOKEN_ENDPOINT_AUTH_METHODS, endpoint="par")
        except OAuth2Error as exc:
            return Response.json({"error": exc.error}, exc.status_code)
        params = {k: v for k, v in request.form().items() if not k.startswith("client_")}
        params["client_id"] = client.client_id
        uri = f"urn:ietf:params:oauth:request_uri:{secrets.token_urlsafe(16)}"
        self._pushed[uri] = (client.client_id, params, time.time() + 60)
        return Response.json({"request_uri": uri, "expires_in": 60}, 201)

    def _userinfo(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        entry = self._tokens.get(auth[7:]) if auth[:7].lower() == "bearer " else None
        if entry is None or entry[3] < time.time():
            response = Response.json({"error": "invalid_token"}, 401)
            response.headers.append(("WWW-Authenticate", 'Bearer error="invalid_token"'))
            return response
        login, client, _, _ = entry
        claims = {"sub": login.sub, **login.person.claims}
        if client.userinfo_format == "json":
            return Response.json(claims)
        key = self._keys[0]
        token = jwt.encode({"alg": "RS256", "kid": key.kid},
                           {"iss": self.issuer, "aud": client.client_id, **claims}, key)
        if client.userinfo_format == "jwe":
            token = self._encrypt(token, client)
        return Response(200, token.encode(), [("Content-Type", "application/jwt")])

    def _logout(self, request: Request) -> Response:
        target = request.query.get("post_logout_redirect_uri")
        client = self.clients.get(request.query.get("client_id", ""))
        allowed = {u for c in ([client] if client else self.clients.values())
                   for u in c.post_logout_redirect_uris}
        if target and target in allowed:
            state = request.query.get("state")
            return Response.redirect(target + (f"?{urlencode({'state': state})}"
                                               if state else ""))
        return Response.html(_pages.logged_out())


def host_of(url: str) -> str:
    """The host (and port) part of ``url``."""
    return urlsplit(url).netloc


__all__ = ["CANCEL", "EXPIRED", "PEOPLE", "Faults", "Sandbox", "SandboxClient"]
_ = (Mapping, rfc6749)

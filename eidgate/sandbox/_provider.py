"""The sandbox eID hub: a real OpenID provider, built on Authlib's server components.

Theory of operation
-------------------
:class:`Sandbox` is one function from :class:`Request` to :class:`Response` (see
``_http``). Authlib does the protocol: the authorization code grant with the OpenID Connect
extension, PKCE, client authentication (``client_secret_basic``, ``client_secret_post``,
``private_key_jwt``) and the RFC 9207 ``iss`` parameter. The sandbox adds what a broker adds:
an eID picker with test persons, claims in each eID's real broker shape, PAR, userinfo as
JSON / signed JWT / signed-then-encrypted JWT, encrypted ID tokens, the broker's error
outcomes, and faults that tests switch on explicitly (:class:`Faults`). It also logs out as
a provider does (OpenID Connect Back-Channel Logout 1.0): a login's ``sid`` is the sandbox
session's; ``/logout`` ends the browser's session there (its cookie) and POSTs a logout
token to every client of it with a ``backchannel_logout_uri``; tests do the same with
:meth:`Sandbox.end_session` and craft tokens with :meth:`Sandbox.logout_token`.

State (codes, tokens, pushed requests, pending pickers) lives in memory: a sandbox is for
one process's tests or one developer's demo.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from joserfc import jwe, jwt
from joserfc.jwk import RSAKey

from . import _pages
from ._authlib import (
    TTL,
    SandboxClient,
    UserinfoFormat,
    _ClientAssertion,
    _Code,
    _CodeGrant,
    _Login,
    _OpenIDCode,
    _Server,
)
from ._http import Request, Response
from ._logout import SESSION_COOKIE, Logouts
from ._people import EIDS, PEOPLE, TestPerson, people_for, person
from ._refresh import RefreshTokens, _RefreshGrant

CANCEL = ("access_denied", "The Resource Owner did not complete the login. "
          "urn:signicat:error:usercancel; The process was aborted by the end-user")
EXPIRED = ("access_denied", "The Resource Owner did not complete the login. "
           "urn:signicat:error:internal:Expired; ")
# eID Hub `acr_values=idp:<eid>` names and legacy `urn:signicat:oidc:method:<m>` methods.
_METHODS = {"nbid-mobile": "nbid", "sk-smartid": "smartid", "de-npa": "npa",
            "ftn-op-auth": "ftn", "ftn-nordea-auth": "ftn"}
_LEVELS = ("low", "substantial", "high")
PROVIDER_ERROR = ("server_error", "urn:signicat:error:internal:Sandbox; the sandbox was "
                  "asked to fail this login (login_hint=error)")
#: Back-Channel Logout 1.0 2.4: the event that makes a JWT a logout token
#: the sandbox's own browser session cookie (which session /logout ends)
LOA_NOT_MET = ("access_denied", "The Resource Owner did not complete the login. "
               "urn:signicat:error:loa:notmet; the eID does not reach the requested level")


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


class Sandbox(Logouts):
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
        # sid -> (sub, the clients that got an ID token in it): whom to send logout tokens
        self._sessions: dict[str, tuple[str, set[str]]] = {}
        self.server = _Server(self)
        #: refresh tokens issued, spent and replayed (RFC 6749 6, with rotation)
        self.refresh = RefreshTokens()
        self.server.register_token_generator("default", BearerTokenGenerator(
            lambda client, grant_type, user, scope: secrets.token_urlsafe(32),
            lambda client, grant_type, user, scope: secrets.token_urlsafe(32),
            expires_generator=lambda client, grant_type: client.token_lifetime or TTL))
        self.server.register_grant(_RefreshGrant)
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
            # OpenID Connect Back-Channel Logout 1.0 2.1: logout tokens, with sid
            "backchannel_logout_supported": True, "backchannel_logout_session_supported": True,
            "response_types_supported": ["code"], "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
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
                                 "idp-id", "signicat.national_id", "offline_access"],
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
        self._pending[tx] = (params, time.time() + TTL)
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
        # the browser's session at the sandbox: /logout ends it (and sends logout tokens)
        response.headers.append(("Set-Cookie", f"{SESSION_COOKIE}={login.sid}; Path=/; "
                                 "HttpOnly; SameSite=Lax"))
        return response

    def pushed(self, request_uri: str) -> dict[str, str] | None:
        """The parameters of a pushed authorization request still waiting (RFC 9126), or
        None; the request stays pushed (for tests and the pytest plugin)."""
        found = self._pushed.get(request_uri)
        return dict(found[1]) if found is not None else None

    def refusal(self, params: dict[str, str]) -> str | None:
        """Why an authorization request's client or ``redirect_uri`` is refused (the
        request as it names them, and what is registered), or None if both are fine."""
        client_id = params.get("client_id", "")
        client = self.clients.get(client_id)
        if client is None:
            return (f"unknown client_id {client_id[:100]!r}; this sandbox's clients: "
                    f"{', '.join(repr(c) for c in self.clients) or 'none'}")
        redirect = params.get("redirect_uri", "")
        if not client.check_redirect_uri(redirect):
            # RFC 6749 3.1.2.3: compared as a string with those registered; the operator
            # needs both sides to see which one is wrong
            return (f"redirect_uri {redirect[:300]!r} is not registered for client "
                    f"{client_id!r}; registered: "
                    f"{', '.join(repr(u) for u in client.redirect_uris) or 'none'} "
                    f"(eidgate sandbox --redirect-uri adds one)")
        return None

    def _authorization_error(self, params: dict[str, str], exc: OAuth2Error) -> Response:
        redirect = params.get("redirect_uri", "")
        refused = self.refusal(params)
        if refused is not None:
            # RFC 6749 4.1.2.1: never redirect to an unverified redirect_uri; the page says
            # what was asked and what is registered
            return Response.html(_pages.error_page(f"Invalid request: {refused}"), 400)
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

__all__ = ["CANCEL", "EXPIRED", "PEOPLE", "Faults", "Sandbox", "SandboxClient",
           "UserinfoFormat"]

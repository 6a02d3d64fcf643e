"""The outbound half of a login: pending-login values, the authorization request (signed,
pushed), client auth.

A :class:`PendingLogin` holds what the callback must check (state, nonce, PKCE verifier,
provider and issuer). It is a plain value: the adapter stores it (a signed cookie, a server
side store) and hands it back. :class:`PendingLogins` keeps several at once, so logins in
several browser tabs all succeed, and hands each out once only (single-use ``state``).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote_plus, unquote_plus, urlencode, urlsplit, urlunsplit

import jwt

from .._config import ProviderConfig
from .._errors import CallbackError, ProviderError, stepped
from .._identity.levels import as_level
from .._identity.model import Level
from .http import HttpRequest, HttpResponse, expect_ok, json_object

_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_ASSERTION_LIFETIME = 60
_MAX_REQUEST_URI = 2048
#: RFC 6749 A.12 / A.11: VSCHAR, the printable ASCII of access tokens and request URIs.
VSCHAR = re.compile(r"[\x20-\x7E]+")


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login that has been sent to the provider and not come back yet."""

    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    provider: str
    issuer: str
    redirect_uri: str
    next_url: str
    created_at: float
    max_age: int | None = None
    loa: Level | None = None  # the least level of assurance the login must reach

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the adapter's storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingLogin:
        """Rebuild from :meth:`to_dict` output; :class:`CallbackError` if malformed."""
        try:
            # the stored level is read, not trusted: a cookie naming another is refused
            stored_loa = data.get("loa")
            loa = as_level(stored_loa)
            value = cls(**{k: data[k] for k in (
                "state", "nonce", "code_verifier", "provider", "issuer", "redirect_uri",
                "next_url", "created_at")}, max_age=data.get("max_age"), loa=loa)
        except (KeyError, TypeError, AttributeError) as exc:  # not a JSON object
            raise CallbackError("stored login state is malformed") from exc
        strings = (value.state, value.nonce, value.code_verifier, value.provider, value.issuer,
                   value.redirect_uri, value.next_url)
        if not all(isinstance(s, str) for s in strings) or not isinstance(
                value.created_at, int | float) or not isinstance(value.max_age, int | None) \
                or (stored_loa is not None and loa is None):
            raise CallbackError("stored login state is malformed")
        return value


class PendingLogins:
    """A bounded set of pending logins keyed by ``state``; :meth:`take` hands each out once."""

    def __init__(self, items: Iterable[PendingLogin] = (), *, limit: int = 5):
        self.limit = limit
        self._items: dict[str, PendingLogin] = {}
        for item in items:
            self.add(item)

    def add(self, login: PendingLogin) -> None:
        """Remember ``login``; the oldest is dropped when more than ``limit`` are pending."""
        self._items[login.state] = login
        while len(self._items) > self.limit:
            oldest = min(self._items.values(), key=lambda p: p.created_at)
            del self._items[oldest.state]

    def take(self, state: str) -> PendingLogin | None:
        """Remove and return the login for ``state`` (RFC 9700 4.7: state is single-use)."""
        return self._items.pop(state, None)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[PendingLogin]:
        return iter(list(self._items.values()))

    def to_list(self) -> list[dict[str, Any]]:
        """JSON-ready form of all pending logins."""
        return [p.to_dict() for p in self._items.values()]

    @classmethod
    def from_list(cls, data: Iterable[Mapping[str, Any]], *, limit: int = 5) -> PendingLogins:
        """Rebuild from :meth:`to_list` output."""
        return cls((PendingLogin.from_dict(d) for d in data), limit=limit)


@dataclass(frozen=True, slots=True)
class LoginRedirect:
    """Where to send the browser, and the pending login to store until it comes back."""

    url: str
    pending: PendingLogin


def add_query(url: str, params: Mapping[str, str]) -> str:
    """Append ``params`` to ``url``, keeping a query the URL already has.

    RFC 6749 3.1: the endpoint's own query is retained, but no parameter may appear twice,
    so one of ours (``state``, ``redirect_uri``, ``post_logout_redirect_uri``...) that the
    endpoint URL from the discovery document already names is dropped from that query.
    """
    parts = urlsplit(url)
    kept = [piece for piece in parts.query.split("&") if piece and unquote_plus(
        piece.split("=", 1)[0]) not in params]
    query = "&".join([*kept, urlencode(params)] if params else kept)
    return urlunsplit(parts._replace(query=query))


def client_auth(provider: ProviderConfig, audience: str, *, now: float, jti: str,
                ) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form fields that authenticate the client at ``audience``."""
    if provider.client_auth == "client_secret_basic":
        # RFC 6749 2.3.1: id and secret are form-urlencoded before base64 (not raw).
        pair = f"{quote_plus(provider.client_id)}:{quote_plus(provider.client_secret or '')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}, {}
    if provider.client_auth == "client_secret_post":
        return {}, {"client_id": provider.client_id,
                    "client_secret": provider.client_secret or ""}
    # RFC 7523 2.2 / 3: a short-lived JWT signed with our key, unique jti, kid in header.
    key = provider.signing_key
    assert key is not None  # guaranteed by the config loader
    assertion = jwt.encode(
        {"iss": provider.client_id, "sub": provider.client_id, "aud": audience, "jti": jti,
         "iat": math.floor(now), "exp": math.floor(now) + _ASSERTION_LIFETIME},
        key.private_key, algorithm=key.alg, headers={"kid": key.kid})
    return {}, {"client_id": provider.client_id, "client_assertion_type": _ASSERTION_TYPE,
                "client_assertion": assertion}


def request_object(provider: ProviderConfig, params: Mapping[str, str], *, audience: str,
                   now: float, jti: str) -> str:
    """RFC 9101 4: the authorization request as a JWT signed with our key."""
    key = provider.signing_key
    assert key is not None  # guaranteed by the config loader
    issued = math.floor(now)
    claims: dict[str, str | int] = {**params, "iss": provider.client_id, "aud": audience,
                                    "iat": issued, "nbf": issued, "exp": issued + 300,
                                    "jti": jti}
    if "max_age" in claims:
        claims["max_age"] = int(claims["max_age"])
    # RFC 9101 10.8: explicit typ so the JWT cannot be confused with other JWTs.
    return jwt.encode(claims, key.private_key, algorithm=key.alg,
                      headers={"kid": key.kid, "typ": "oauth-authz-req+jwt"})


@stepped("par")
def push(conf: ProviderConfig, endpoint: str | None, params: Mapping[str, str], *, now: float,
         jti: str) -> Generator[HttpRequest, HttpResponse, dict[str, str]]:
    """RFC 9126 2: push the request to the PAR endpoint; returns the parameters that go to
    the authorization endpoint in its place (``client_id``, ``request_uri``)."""
    if endpoint is None:
        raise ProviderError(f"provider {conf.name!r} has no PAR endpoint (use_par = true)")
    # RFC 9126 2: the issuer is a valid client assertion audience at the PAR endpoint.
    headers, auth = client_auth(conf, conf.issuer, now=now, jti=jti)
    response = yield HttpRequest.form(endpoint, {**params, **auth}, headers, conf.timeout,
                                      conf.issuer)
    # RFC 9126 2.2: success is 201 Created (panva's openid-client insists on it too)
    expect_ok(response, "pushed authorization request", (201,))
    body = json_object(response, "pushed authorization request")
    request_uri = body.get("request_uri")
    # RFC 9126 2.2: a string (URN or URL) that goes into the browser's URL: bounded.
    if not isinstance(request_uri, str) or not VSCHAR.fullmatch(request_uri) or len(
            request_uri) > _MAX_REQUEST_URI:
        raise ProviderError("pushed authorization request: no usable request_uri in the "
                            "response")
    return {"client_id": conf.client_id, "request_uri": request_uri}

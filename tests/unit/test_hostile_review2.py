"""A hostile OpenID provider, second pass: what the first review (test_hostile_review.py) did
not cover. Metadata of the wrong JSON type, JWKS members of the wrong type, userinfo JWT
lifetimes, JSON that is not UTF-8, duplicate query parameters, explicit JWT types, the
metadata cache under an outage and under concurrency, and cancelled flows.

Each expectation comes from the clause cited beside it; the peers are the crafted provider
(sans-IO) or the crafted provider behind ``httpx2.MockTransport`` (drivers).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import jwt
import pytest
from conftest import Clock, Harness, make_config
from crafted import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    CraftedProvider,
    SigningKey,
    drive,
    json_response,
    rsa_key,
)

import eidgate
from eidgate import (
    DiscoveryError,
    EidGateError,
    HttpRequest,
    HttpResponse,
    InvalidTokenError,
    PendingLogins,
    ProviderError,
    ProviderUnavailable,
    TokenEndpointError,
    parse_config,
)
from eidgate._oidc.authorize import add_query

Build = Callable[..., Harness]
DISCOVERY_PATH = "/.well-known/openid-configuration"


def count(op: CraftedProvider, path: str) -> int:
    return sum(urlsplit(r.url).path == path for r in op.requests)


def resign(op: CraftedProvider, header: dict[str, Any] | None = None,
           key: Any = None) -> None:
    """``/token`` answers normally, its ID token re-signed with ``key`` and ``header``."""
    def token(request: HttpRequest) -> HttpResponse:
        answer = op.token(request)
        body = json.loads(answer.body)
        if "id_token" in body:
            claims = jwt.decode(body["id_token"], options={"verify_signature": False})
            body["id_token"] = jwt.encode(claims, key or op.keys[0].private, algorithm="RS256",
                                          headers={"kid": "k1", **(header or {})})
        return json_response(body, answer.status)
    op.overrides["/token"] = token


# -- discovery: flags and lists of the wrong JSON type (RFC 8414 2, RFC 9207 3, RFC 9126 5) --

@pytest.mark.parametrize("name", ["authorization_response_iss_parameter_supported",
                                  "require_pushed_authorization_requests"])
@pytest.mark.parametrize("value", ["true", "false", 1, 0, [], [True], {}, "", 1.5])
def test_boolean_metadata_of_another_type_is_a_discovery_error(
        harness: Build, name: str, value: Any) -> None:
    """"true" as a string once read as false: the iss check (mix-up defence) went off."""
    h = harness()
    h.op.discovery_extra[name] = value
    with pytest.raises(DiscoveryError, match=name):
        h.login()


def test_iss_flag_as_the_string_true_does_not_switch_the_iss_check_off(harness: Build,
                                                                       ) -> None:
    h = harness()
    h.op.discovery_extra["authorization_response_iss_parameter_supported"] = "true"
    with pytest.raises(DiscoveryError):
        h.begin()


@pytest.mark.parametrize("name", ["authorization_response_iss_parameter_supported",
                                  "require_pushed_authorization_requests"])
def test_boolean_metadata_that_is_null_reads_as_absent(harness: Build, name: str) -> None:
    h = harness()
    h.op.discovery_extra[name] = None
    assert h.login().accepted


@pytest.mark.parametrize("value", ["code", 1, {}, True, [1], ["code", None], {"code": 1}])
def test_response_types_supported_of_another_type_is_a_discovery_error(
        harness: Build, value: Any) -> None:
    """Discovery 3: a JSON array of strings; "code" as a bare string is not that array."""
    h = harness()
    h.op.discovery_extra["response_types_supported"] = value
    with pytest.raises(DiscoveryError, match="response_types_supported"):
        h.login()


@pytest.mark.parametrize("body", [b"[]", b'[{"issuer": "https://op.example.test"}]', b'"x"',
                                  b"1", b"true"])
def test_discovery_that_is_not_an_object_is_a_discovery_error(harness: Build,
                                                              body: bytes) -> None:
    h = harness()
    h.op.overrides[DISCOVERY_PATH] = lambda r: HttpResponse(
        200, {"content-type": "application/json"}, body)
    with pytest.raises(DiscoveryError):
        h.login()


def test_a_refresh_naming_another_issuer_is_refused_on_every_login(harness: Build) -> None:
    """Discovery 4.3: a refreshed document for another issuer is not served from the stale
    copy, not on this login and not on the next one either (no back-off hides it)."""
    h = harness()
    assert h.login().accepted
    h.clock.t += 3601
    h.op.discovery_extra["issuer"] = "https://evil.example.test"
    for _ in range(2):
        with pytest.raises(DiscoveryError, match="issuer"):
            h.login()
        h.clock.t += 1
    assert count(h.op, DISCOVERY_PATH) == 3


# -- JWKS members of the wrong type (RFC 7517 4, RFC 7518 6) -------------------------------

def good_jwk(op: CraftedProvider, **extra: Any) -> dict[str, Any]:
    return {**op.keys[0].public_jwk(), **extra}


@pytest.mark.parametrize("extra", [
    pytest.param({"alg": 1}, id="alg-number"),
    pytest.param({"alg": ["RS256"]}, id="alg-list"),
    pytest.param({"alg": {"RS256": True}}, id="alg-object"),
    pytest.param({"kid": ["k1"]}, id="kid-list"),
    pytest.param({"alg": "none"}, id="alg-none"),
    pytest.param({"alg": "HS256"}, id="alg-hs256"),
    pytest.param({"e": "AQ"}, id="rsa-e-1"),
    pytest.param({"n": "AQAB"}, id="rsa-tiny-modulus"),
    pytest.param({"kty": "oct", "k": "c2VjcmV0"}, id="oct"),
])
def test_a_jwks_key_with_a_malformed_member_verifies_nothing(
        harness: Build, extra: dict[str, Any]) -> None:
    """RFC 7517 4.4: alg is a string; a key whose alg is 1 once verified every algorithm."""
    h = harness()
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [good_jwk(h.op, **extra)]})
    with pytest.raises(InvalidTokenError, match="no RS256 key"):
        h.login()


def test_a_malformed_kid_does_not_make_a_key_the_default_for_tokens_without_kid(
        harness: Build) -> None:
    h = harness()
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [good_jwk(h.op, kid=7)]})
    h.op.signing_kid = None
    h.op.keys[0].kid = None
    with pytest.raises(InvalidTokenError, match="without kid"):
        h.login()


@pytest.mark.parametrize("crv", ["P-192", "secp256k1", 5, None])
def test_ec_keys_on_other_curves_never_verify_es256(harness: Build, crv: Any) -> None:
    """RFC 7518 3.4: ES256 is P-256 only."""
    from crafted import ec_key
    key = SigningKey("e1", ec_key(), "ES256")
    op = CraftedProvider(keys=[key], signing_kid="e1")
    h = harness(op, id_token_algorithms=["ES256"])
    h.op.overrides["/jwks"] = lambda r: json_response({"keys": [
        {**key.public_jwk(), "crv": crv}]})
    with pytest.raises(InvalidTokenError):
        h.login()


def test_id_token_signed_by_another_configured_providers_key_is_refused(
        tmp_path: Path, clock: Clock) -> None:
    """OIDC Core 3.1.3.7 (6): verified with the keys of the issuer the login went to only,
    even when the other provider's key has the same kid (mix-up between two providers)."""
    other = CraftedProvider(issuer="https://other.example.test", now=clock,
                            keys=[SigningKey("k1", rsa_key(1))])
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {
                               "op": {"issuer": ISSUER, "client_id": CLIENT_ID,
                                      "client_secret": CLIENT_SECRET},
                               "other": {"issuer": other.issuer, "client_id": CLIENT_ID,
                                         "client_secret": CLIENT_SECRET}}},
                          base_dir=tmp_path)
    op = CraftedProvider(now=clock)
    h = Harness(config, op, clock)
    drive(h.rp.warm("other"), other)  # the other provider's key is cached in the same app
    resign(op, key=other.keys[0].private)
    with pytest.raises(InvalidTokenError, match="signature"):
        h.login(provider="op")
    resign(op, {"kid": "k-other"}, key=other.keys[0].private)
    with pytest.raises(InvalidTokenError, match="kid"):
        h.login(provider="op")


# -- explicit typing (RFC 8725 3.11) ---------------------------------------------------------

@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "logout+jwt",
                                 "oauth-authz-req+jwt", "secevent+jwt"])
def test_a_jwt_typed_as_another_kind_is_not_an_id_token(harness: Build, typ: str) -> None:
    h = harness()
    resign(h.op, {"typ": typ})
    with pytest.raises(InvalidTokenError, match="type"):
        h.login()


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt"])
def test_a_jwt_typed_jwt_is_still_an_id_token(harness: Build, typ: str) -> None:
    h = harness()
    resign(h.op, {"typ": typ})
    assert h.login().accepted


def test_a_userinfo_jwt_typed_as_an_access_token_is_refused(harness: Build) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/jwt"}, h.op.sign(
            {"iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1"}, {"typ": "at+jwt"}).encode())
    with pytest.raises(InvalidTokenError, match="type"):
        h.login()


# -- userinfo: JWT lifetime, encodings, content types (RFC 7519 4.1.4, RFC 8259 8.1) ---------

def userinfo_jwt(h: Harness, **claims: Any) -> None:
    body = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1", **claims}
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/jwt; charset=utf-8"}, h.op.sign(body).encode())


@pytest.mark.parametrize(("claims", "match"), [
    pytest.param({"exp": 1}, "expired", id="exp-past"),
    pytest.param({"exp": "2100-01-01"}, "exp", id="exp-string"),
    pytest.param({"nbf": 9_000_000_000}, "nbf", id="nbf-future"),
    pytest.param({"nbf": [1]}, "nbf", id="nbf-list"),
])
def test_userinfo_jwt_outside_its_lifetime_is_refused(harness: Build, claims: dict[str, Any],
                                                      match: str) -> None:
    """A signed userinfo response captured long ago (exp passed) is not replayable."""
    h = harness()
    userinfo_jwt(h, **claims)
    with pytest.raises(InvalidTokenError, match=match):
        h.login()


def test_userinfo_jwt_within_its_lifetime_and_charset_parameter_is_accepted(
        harness: Build) -> None:
    h = harness()
    userinfo_jwt(h, exp=h.clock.t + 60, nbf=h.clock.t - 60, name="Signed")
    result = h.login()
    assert result.accepted
    assert result.claims["name"] == "Signed"


def test_plain_json_userinfo_with_an_exp_member_is_not_a_jwt(harness: Build) -> None:
    h = harness()
    h.op.userinfo_claims = {"exp": 1}
    assert h.login().accepted


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-le",
                                      "latin-1"])
def test_userinfo_json_that_is_not_utf8_is_refused(harness: Build, encoding: str) -> None:
    """RFC 8259 8.1: JSON between systems MUST be UTF-8 (json.loads guessed UTF-16/32)."""
    h = harness()
    text = '{"sub": "user-1", "name": "Tést"}'
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": f"application/json; charset={encoding}"}, text.encode(encoding))
    with pytest.raises(ProviderError, match="not JSON"):
        h.login()


def test_userinfo_json_with_a_utf8_byte_order_mark_is_accepted(harness: Build) -> None:
    """RFC 8259 8.1: a parser MAY ignore a BOM."""
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(
        200, {"content-type": "application/json"},
        b"\xef\xbb\xbf" + json.dumps({"sub": "user-1", "name": "Bom"}).encode())
    assert h.login().claims["name"] == "Bom"


@pytest.mark.parametrize(("status", "headers", "body"), [
    (200, {"content-type": "application/json"}, b""),
    (200, {}, b""),
    (401, {"content-type": "application/json",
           "www-authenticate": 'Bearer error="invalid_token"'}, b""),
])
def test_unusable_userinfo_answers_are_provider_errors(harness: Build, status: int,
                                                       headers: dict[str, str],
                                                       body: bytes) -> None:
    h = harness()
    h.op.overrides["/userinfo"] = lambda r: HttpResponse(status, headers, body)
    with pytest.raises(ProviderError) as caught:
        h.login()
    assert caught.value.status == 502


# -- query strings: no parameter twice (RFC 6749 3.1) ---------------------------------------

def test_authorization_endpoint_query_cannot_repeat_or_preset_our_parameters(
        harness: Build) -> None:
    h = harness()
    h.op.discovery_extra["authorization_endpoint"] = (
        f"{ISSUER}/authorize?tenant=a%20b&state=evil&redirect_uri=https%3A%2F%2Fevil.test"
        "&client_id=other&code_challenge_method=plain")
    redirect = h.begin()
    pairs = parse_qsl(urlsplit(redirect.url).query, keep_blank_values=True)
    names = [n for n, _ in pairs]
    assert len(names) == len(set(names))
    query = dict(pairs)
    assert query["tenant"] == "a b"  # the endpoint's own parameter is retained
    assert query["state"] == redirect.pending.state
    assert query["redirect_uri"] == "https://app.example.test/eidgate/callback"
    assert query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256"


def test_end_session_query_keeps_its_own_and_sets_ours_once() -> None:
    url = add_query("https://op.example.test/logout?ui=fi&post_logout_redirect_uri=https%3A"
                    "%2F%2Fevil.test", {"client_id": "c",
                                        "post_logout_redirect_uri": "https://app/out"})
    assert parse_qsl(urlsplit(url).query) == [
        ("ui", "fi"), ("client_id", "c"), ("post_logout_redirect_uri", "https://app/out")]


# -- PAR (RFC 9126 2.2) ----------------------------------------------------------------------

def test_par_success_is_201_not_200(harness: Build) -> None:
    h = harness(use_par=True)

    def answer_200(request: HttpRequest) -> HttpResponse:
        answer = h.op.par(request)
        return HttpResponse(200, answer.headers, answer.body)
    h.op.overrides["/par"] = answer_200
    with pytest.raises(ProviderError, match="HTTP 200"):
        h.begin()


def test_par_201_without_expires_in_still_works(harness: Build) -> None:
    h = harness(use_par=True)

    def without_expiry(request: HttpRequest) -> HttpResponse:
        body = json.loads(h.op.par(request).body)
        return json_response({"request_uri": body["request_uri"]}, 201)
    h.op.overrides["/par"] = without_expiry
    assert h.login().accepted


# -- the token endpoint through the drivers ------------------------------------------------

def served(op: CraftedProvider, path: str, answer: Callable[[httpx2.Request], httpx2.Response]
           ) -> httpx2.MockTransport:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == path:
            return answer(request)
        reply = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                      request.read()))
        return httpx2.Response(reply.status, headers=dict(reply.headers), content=reply.body)
    return httpx2.MockTransport(handler)


def sync_login(config: eidgate.Config, op: CraftedProvider, clock: Clock,
               transport: httpx2.MockTransport) -> eidgate.LoginResult:
    with eidgate.Client(config, transport=transport, now=clock) as client:
        redirect = client.begin_login()
        return client.complete_login(op.authorize(redirect.url),
                                     PendingLogins([redirect.pending]))


def test_token_response_of_one_mib_less_one_byte_is_accepted(tmp_path: Path,
                                                             clock: Clock) -> None:
    op = CraftedProvider(now=clock)

    def big(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(op.token(HttpRequest("POST", str(request.url), request.headers,
                                                 request.read())).body)
        text = json.dumps({**body, "padding": ""}).encode()
        pad = 1024 * 1024 - 1 - len(text)
        text = json.dumps({**body, "padding": "p" * pad}).encode()
        assert len(text) == 1024 * 1024 - 1
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=text)
    result = sync_login(make_config(tmp_path), op, clock, served(op, "/token", big))
    assert result.accepted


@pytest.mark.parametrize(("status", "error"), [(304, ProviderError), (204, ProviderError),
                                               (401, TokenEndpointError)])
def test_token_endpoint_odd_statuses_are_clean_errors(tmp_path: Path, clock: Clock,
                                                      status: int,
                                                      error: type[EidGateError]) -> None:
    op = CraftedProvider(now=clock)
    answer = httpx2.Response(status, headers={
        "www-authenticate": 'Basic realm="x", error="invalid_client"'})
    with pytest.raises(error):
        sync_login(make_config(tmp_path), op, clock, served(op, "/token", lambda r: answer))


# -- the cache under an outage and under concurrency ----------------------------------------

def test_an_outage_costs_one_attempt_per_cool_down_not_one_per_login(
        tmp_path: Path, clock: Clock) -> None:
    """Stale copies serve logins while the provider's metadata endpoints are down, and each
    login does not wait a full timeout for a refresh that just failed (one per 60 s)."""
    op = CraftedProvider(now=clock)
    attempts: list[str] = []
    down = {"on": False}

    def handler(request: httpx2.Request) -> httpx2.Response:
        if down["on"] and request.url.path in (DISCOVERY_PATH, "/jwks"):
            attempts.append(request.url.path)
            raise httpx2.ConnectTimeout("down", request=request)
        reply = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                      request.read()))
        return httpx2.Response(reply.status, headers=dict(reply.headers), content=reply.body)

    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(handler),
                        now=clock) as client:
        client.warm_up()
        clock.t += 3601
        down["on"] = True
        for _ in range(5):
            redirect = client.begin_login()
            assert client.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending])).accepted
            clock.t += 5
        assert sorted(attempts) == [DISCOVERY_PATH, "/jwks"]
        clock.t += 60
        redirect = client.begin_login()
        assert client.complete_login(op.authorize(redirect.url),
                                     PendingLogins([redirect.pending])).accepted
        assert sorted(attempts) == [DISCOVERY_PATH, DISCOVERY_PATH, "/jwks", "/jwks"]


def test_an_outage_on_a_cold_cache_is_retried_on_every_login(harness: Build) -> None:
    h = harness()
    h.op.overrides[DISCOVERY_PATH] = lambda r: HttpResponse(503, {}, b"")
    for _ in range(2):
        with pytest.raises(DiscoveryError):
            h.begin()
    assert count(h.op, DISCOVERY_PATH) == 2


class SlowMetadata:
    """A transport whose discovery and JWKS answers take a while; counts them."""

    def __init__(self, op: CraftedProvider, delay: float = 0.05) -> None:
        self.op, self.delay = op, delay
        self.hits = {DISCOVERY_PATH: 0, "/jwks": 0}
        self.lock = threading.Lock()

    def reply(self, request: httpx2.Request) -> httpx2.Response:
        answer = self.op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                            request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    def sync(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path in self.hits:
            with self.lock:
                self.hits[request.url.path] += 1
            time.sleep(self.delay)
        with self.lock:
            return self.reply(request)

    async def asynchronous(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path in self.hits:
            self.hits[request.url.path] += 1
            await asyncio.sleep(self.delay)
        return self.reply(request)


def test_expired_cache_is_refreshed_once_by_many_threads(tmp_path: Path,
                                                         clock: Clock) -> None:
    """50 logins in 50 threads when the hour is up: one discovery and one JWKS request
    (each login once made its own, a burst of requests against the provider)."""
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)
    results: list[bool] = []
    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(wire.sync),
                        now=clock) as client:
        client.warm_up()
        clock.t += 3601

        def login() -> None:
            redirect = client.begin_login()
            results.append(client.complete_login(op.authorize(redirect.url),
                                                 PendingLogins([redirect.pending])).accepted)
        threads = [threading.Thread(target=login) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [True] * 50
    assert wire.hits == {DISCOVERY_PATH: 2, "/jwks": 2}  # warm-up + one refresh each


def test_expired_cache_is_refreshed_once_by_many_tasks(tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)

    async def scenario() -> list[bool]:
        async with eidgate.AsyncClient(make_config(tmp_path), now=clock,
                                       transport=httpx2.MockTransport(wire.asynchronous)
                                       ) as client:
            await client.warm_up()
            clock.t += 3601

            async def login() -> bool:
                redirect = await client.begin_login()
                result = await client.complete_login(op.authorize(redirect.url),
                                                     PendingLogins([redirect.pending]))
                return result.accepted
            return list(await asyncio.gather(*(login() for _ in range(50))))

    assert asyncio.run(scenario()) == [True] * 50
    assert wire.hits == {DISCOVERY_PATH: 2, "/jwks": 2}


def test_random_kids_from_many_threads_make_one_refetch(tmp_path: Path, clock: Clock) -> None:
    """OIDC Core 10.1.1 rotation refetch, rate-limited across threads: 40 tokens with 40
    unknown kids at once make one JWKS request, not 40."""
    op = CraftedProvider(now=clock)
    wire = SlowMetadata(op)

    def token(request: HttpRequest) -> HttpResponse:
        body = json.loads(op.token(request).body)
        claims = jwt.decode(body["id_token"], options={"verify_signature": False})
        body["id_token"] = jwt.encode(claims, op.keys[0].private, algorithm="RS256",
                                      headers={"kid": secrets.token_hex(8)})
        return json_response(body)
    op.overrides["/token"] = token
    errors: list[type[BaseException]] = []
    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(wire.sync),
                        now=clock) as client:
        client.warm_up()
        redirects = [client.begin_login() for _ in range(40)]

        def complete(redirect: eidgate.LoginRedirect) -> None:
            try:
                client.complete_login(op.authorize(redirect.url),
                                      PendingLogins([redirect.pending]))
            except BaseException as exc:  # any type is recorded, and checked below
                errors.append(type(exc))
        threads = [threading.Thread(target=complete, args=(r,)) for r in redirects]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [InvalidTokenError] * 40
    assert wire.hits["/jwks"] == 2  # warm-up + one forced refetch


# -- flows that end early are closed at once -------------------------------------------------

def test_a_cancelled_async_login_closes_its_flow_and_the_client_still_works(
        tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    started = asyncio.Event()

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token" and not started.is_set():
            started.set()
            await asyncio.sleep(60)  # never answers: the caller gives up first
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       await request.aread()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    async def scenario() -> None:
        async with eidgate.AsyncClient(make_config(tmp_path), now=clock,
                                       transport=httpx2.MockTransport(handler)) as client:
            redirect = await client.begin_login()
            pending = PendingLogins([redirect.pending])
            flow = client.rp.complete(op.authorize(redirect.url), pending)
            task = asyncio.create_task(client.run(flow))
            await asyncio.wait_for(started.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert flow.gi_frame is None  # closed, not left suspended for the GC
            assert len(pending) == 0  # RFC 9700 4.7: the state stays spent
            again = await client.begin_login()
            assert (await client.complete_login(op.authorize(again.url),
                                                PendingLogins([again.pending]))).accepted

    asyncio.run(scenario())


def test_a_sync_flow_interrupted_by_a_foreign_exception_is_closed(tmp_path: Path,
                                                                  clock: Clock) -> None:
    op = CraftedProvider(now=clock)

    class Interrupted(BaseException):
        pass

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            raise Interrupted
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    with eidgate.Client(make_config(tmp_path), transport=httpx2.MockTransport(handler),
                        now=clock) as client:
        redirect = client.begin_login()
        flow = client.rp.complete(op.authorize(redirect.url), PendingLogins([redirect.pending]))
        with pytest.raises(Interrupted):
            client.run(flow)
        assert flow.gi_frame is None


def test_a_jwe_id_token_without_decryption_keys_is_a_clear_error(harness: Build) -> None:
    from eidgate import generate_key
    jwk = generate_key("enc", "RSA")
    h = harness()
    h.op.encrypt_to = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid")}
    with pytest.raises(InvalidTokenError, match="decryption_keys"):
        h.login()


def test_provider_unavailable_keeps_its_type_through_a_cold_cache(harness: Build) -> None:
    h = harness()
    steps = h.rp.begin()
    request = next(steps)
    assert urlsplit(request.url).path == DISCOVERY_PATH
    with pytest.raises(ProviderUnavailable):
        steps.throw(ProviderUnavailable("no answer from op.example.test within 10 s"))

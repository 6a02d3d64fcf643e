"""Logout tokens against OpenID Connect Back-Channel Logout 1.0, section 2.6, sans-IO.

A table of crafted logout tokens, signed with the crafted provider's keys by pyjwt (never
eidgate code): the spec's own example claims set (2.4) is accepted, and each rule of 2.6 is
broken once. Expected outcomes come from the spec text: every refusal is a 400 (2.8: "If the
logout request was invalid ... the RP MUST respond with HTTP 400 Bad Request"), so the error
is a ``LogoutTokenError`` with status 400 and OAuth error ``invalid_request``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
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
from joserfc import jwe
from joserfc.jwk import RSAKey
from recording_store import RecordingStore as Recording
from tampering import b64url, rp_key, sign_raw
from unit_harness import Build, Clock, Harness, make_config

from eidgate import (
    Identity,
    InvalidTokenError,
    LogoutRequest,
    LogoutTokenError,
    MemoryReplayCache,
    ProviderError,
    RelyingParty,
    ReplayCache,
    parse_config,
    write_key,
)
from eidgate._oidc.logout import check_logout_claims
from eidgate.web import CookieSessions, Gate, SessionError, WebRequest, WebResponse

# 2.4: events "containing the member name"
# http://schemas.openid.net/event/backchannel-logout
EVENT = "http://schemas.openid.net/event/backchannel-logout"
# 2.4's non-normative example (its sub, sid and jti), with iat / exp set to the test clock
SUB, SID, JTI = "248289761001", "08a5019c-17e1-4977-8f42-65a12843ea02", "bWJq"


def example(now: float) -> dict[str, Any]:
    """The example JWT claims set of section 2.4, issued now, valid two minutes (section 4:
    "preferably at most two minutes in the future")."""
    return {"iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "iat": int(now),
            "exp": int(now) + 120, "jti": JTI, "sid": SID, "events": {EVENT: {}}}


def form(token: str, **extra: str) -> bytes:
    """2.5: the logout token as the one parameter of a form POST body."""
    return urlencode({"logout_token": token, **extra}).encode()


def check(h: Harness, body: bytes | str, **kw: Any) -> LogoutRequest:
    found: LogoutRequest = drive(h.rp.backchannel_logout(kw.pop("provider", None), body,
                                                         **kw), h.op)
    return found


def refused(h: Harness, body: bytes | str, match: str | None = None, **kw: Any
            ) -> LogoutTokenError:
    with pytest.raises(LogoutTokenError, match=match) as caught:
        check(h, body, **kw)
    error = caught.value
    # 2.8: an invalid logout request is answered 400; 6749 5.2's invalid_request
    assert (error.status, error.error) == (400, "invalid_request")
    assert isinstance(error, InvalidTokenError)  # one family with the ID token checks
    return error


Claims = dict[str, Any]
Make = Callable[[CraftedProvider, Claims], str]


def signed(op: CraftedProvider, claims: Claims, **header: Any) -> str:
    return op.sign(claims, header or None)


def unknown_key(op: CraftedProvider, claims: Claims) -> str:
    # a well-formed RS256 JWS by a key the provider's JWKS does not publish
    return jwt.encode(claims, rsa_key(1), algorithm="RS256", headers={"kid": "not-published"})


def alg_none(op: CraftedProvider, claims: Claims) -> str:
    # RFC 7519 6.1: an unsecured JWT; 2.6 (3): "alg with the value none MUST NOT be used"
    return (f"{b64url(json.dumps({'alg': 'none', 'typ': 'logout+jwt'}).encode())}."
            f"{b64url(json.dumps(claims).encode())}.")


def hs256_with_secret(op: CraftedProvider, claims: Claims) -> str:
    # the client secret as an HMAC key, when the allow-list has no HS* (OIDC Core 10.1)
    return jwt.encode(claims, CLIENT_SECRET.encode().ljust(32, b"!"), algorithm="HS256")


def tampered(op: CraftedProvider, claims: Claims) -> str:
    head, _, sig = op.sign(claims).split(".")
    other = b64url(json.dumps({**claims, "sub": "someone-else"}).encode())
    return f"{head}.{other}.{sig}"


def id_token(op: CraftedProvider, claims: Claims) -> str:
    # an ID token of this provider for this client (OIDC Core 2), typed JWT: its nonce and
    # its lack of events make it no logout token (2.4, 4.1)
    now = claims["iat"]
    return op.sign({"iss": ISSUER, "sub": SUB, "aud": CLIENT_ID, "exp": now + 300,
                    "iat": now, "nonce": "n-0S6_WzA2Mj", "auth_time": now - 5, "sid": SID},
                   {"typ": "JWT"})


def drop(*names: str) -> Callable[[Claims], Claims]:
    return lambda c: {k: v for k, v in c.items() if k not in names}


def with_(**values: Any) -> Callable[[Claims], Claims]:
    return lambda c: {**c, **values}


# (claims change, how the token is made, words of the refusal): one rule of 2.6 broken each
BROKEN: dict[str, tuple[Callable[[Claims], Claims], Make, str]] = {
    # 2.6 (4) / OIDC Core 3.1.3.7 (2): iss exactly the issuer
    "wrong iss": (with_(iss="https://evil.example.test"), signed, "no configured provider"),
    "iss with a trailing slash": (with_(iss=ISSUER + "/"), signed, "no configured provider"),
    # 2.6 (4) / OIDC Core 3.1.3.7 (3): aud contains the client_id
    "wrong aud": (with_(aud="another-client"), signed, "another audience"),
    "aud with an untrusted extra audience": (with_(aud=[CLIENT_ID, "another-client"]), signed,
                                             "untrusted"),
    "aud not a string": (with_(aud=7), signed, "aud"),
    # 2.4 iat REQUIRED; 2.6 (4) / OIDC Core 3.1.3.7 (10)
    "missing iat": (drop("iat"), signed, "iat"),
    "iat in the future": (lambda c: {**c, "iat": c["iat"] + 3600, "exp": c["exp"] + 3600},
                          signed, "future"),
    "iat an hour ago, no exp": (lambda c: drop("exp")({**c, "iat": c["iat"] - 3600}), signed,
                                "issued more than"),
    "iat not a number": (with_(iat="1471566154"), signed, "iat"),
    # 2.6 (4) / OIDC Core 3.1.3.7 (9): exp honoured
    "expired exp": (lambda c: {**c, "iat": c["iat"] - 300, "exp": c["iat"] - 180}, signed,
                    "expired"),
    "nbf in the future": (lambda c: {**c, "nbf": c["iat"] + 600}, signed, "nbf"),
    # 2.4: jti REQUIRED
    "no jti": (drop("jti"), signed, "jti"),
    "jti not a string": (with_(jti=1234), signed, "jti"),
    "empty jti": (with_(jti=""), signed, "jti"),
    # 2.6 (6) / 2.4: events, a JSON object with the member; its value a JSON object
    "no events": (drop("events"), signed, "event"),
    "events not an object": (with_(events=[EVENT]), signed, "event"),
    "wrong event member": (with_(events={
        "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked": {}}), signed,
        "event"),
    "event member over http with a slash": (with_(events={EVENT + "/": {}}), signed, "event"),
    "event value not an object": (with_(events={EVENT: "logout"}), signed, "JSON object"),
    "event value a list": (with_(events={EVENT: []}), signed, "JSON object"),
    # 2.6 (5) / 2.4: sub, sid or both
    "neither sub nor sid": (drop("sub", "sid"), signed, "neither"),
    "sid not a string": (lambda c: drop("sub")({**c, "sid": 42}), signed, "sid"),
    "sub too long (OIDC Core 2)": (with_(sub="x" * 256), signed, "sub"),
    # 2.6 (7) / 2.4: nonce MUST NOT be present
    "a nonce present": (with_(nonce="n-0S6_WzA2Mj"), signed, "nonce"),
    # 4.1 / RFC 8725 3.11: typed, then as logout+jwt
    "typ at+jwt": (lambda c: c, lambda op, c: signed(op, c, typ="at+jwt"), "typ"),
    "typ secevent+jwt": (lambda c: c, lambda op, c: signed(op, c, typ="secevent+jwt"), "typ"),
    "typ not a string": (lambda c: c, lambda op, c: signed(op, c, typ=["logout+jwt"]), "typ"),
    # 2.6 (2), (3): signature and alg as for ID tokens; never none
    "alg none": (lambda c: c, alg_none, "not allowed"),
    "HS256 with the client secret, not configured": (lambda c: c, hs256_with_secret,
                                                     "not allowed"),
    "signed by an unknown key": (lambda c: c, unknown_key, "no RS256 key"),
    "payload changed after signing": (lambda c: c, tampered, "signature"),
    # 4.1 Cross-JWT Confusion: an ID token is no logout token
    "an ID token (typ JWT, nonce)": (lambda c: c, id_token, "nonce|event"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_each_rule_of_section_2_6_broken_once_is_refused(case: str, harness: Build,
                                                         clock: Clock) -> None:
    h = harness()
    change, make, words = BROKEN[case]
    refused(h, form(make(h.op, change(example(clock())))), words)


def test_the_example_of_section_2_4_is_accepted(harness: Build, clock: Clock) -> None:
    h = harness()
    found = check(h, form(h.op.sign(example(clock()))))
    assert found == LogoutRequest(ISSUER, "op", SUB, SID, JTI)
    # no personal identifier in a log line made of the request
    assert SUB not in repr(found) and SID not in repr(found)


@pytest.mark.parametrize(("change", "header", "sub", "sid"), [
    (lambda c: c, {"typ": "logout+jwt"}, SUB, SID),  # 4.1: explicitly typed
    (lambda c: c, {"typ": "application/logout+jwt"}, SUB, SID),  # RFC 7515 4.1.9
    (lambda c: c, {"typ": "JWT"}, SUB, SID),  # RFC 7519 5.1: "a JWT", untyped
    (drop("sub"), {}, None, SID),  # 2.4: a sid alone
    (drop("sid"), {}, SUB, None),  # 2.4: a sub alone: every session of the subject
    (drop("exp"), {}, SUB, SID),  # exp honoured when present (iat bounds the age)
    (with_(aud=[CLIENT_ID]), {}, SUB, SID),  # RFC 7519 4.1.3: aud as an array
    (with_(events={EVENT: {}, "https://example.test/other": {"x": 1}}), {}, SUB, SID),
    (with_(extra="ignored", revoke_offline_access=True), {}, SUB, SID),  # 2.4: ignored
], ids=["typ logout+jwt", "typ application/logout+jwt", "typ JWT", "sid only", "sub only",
        "no exp", "aud array", "other events too", "unknown claims"])
def test_tokens_within_the_rules_are_accepted(change: Callable[[Claims], Claims],
                                              header: dict[str, Any], sub: str | None,
                                              sid: str | None, harness: Build,
                                              clock: Clock) -> None:
    h = harness()
    found = check(h, form(h.op.sign(change(example(clock())), header)))
    assert (found.issuer, found.provider, found.sub, found.sid) == (ISSUER, "op", sub, sid)


def test_clock_skew_is_allowed_either_way(harness: Build, clock: Clock) -> None:
    h = harness()  # clock_skew 60 s (the default)
    early = {**example(clock()), "iat": int(clock()) + 50, "jti": "early"}
    late = {**example(clock()), "exp": int(clock()) - 50, "iat": int(clock()) - 100,
            "jti": "late"}
    assert check(h, form(h.op.sign(early))).jti == "early"
    assert check(h, form(h.op.sign(late))).jti == "late"


def test_a_replayed_jti_is_refused_within_the_lifetime(harness: Build, clock: Clock) -> None:
    h = harness()
    token = h.op.sign(example(clock()))
    check(h, form(token))
    # 2.6 (8): "another Logout Token with the same jti value has not been recently received"
    refused(h, form(token), "already used")
    again = {**example(clock()), "iat": int(clock()) + 1}  # a new token, the same jti
    refused(h, form(h.op.sign(again)), "already used")


def test_an_invalid_token_does_not_use_up_a_jti(harness: Build, clock: Clock) -> None:
    h = harness()
    refused(h, form(h.op.sign({**example(clock()), "nonce": "x"})), "nonce")
    assert check(h, form(h.op.sign(example(clock())))).jti == JTI


def test_the_jti_is_remembered_per_issuer_and_until_the_token_is_no_longer_acceptable(
        ) -> None:
    now = [100.0]
    cache = MemoryReplayCache(now=lambda: now[0])
    assert isinstance(cache, ReplayCache)
    assert cache.first_use("https://a.example", "j", 120)
    assert not cache.first_use("https://a.example", "j", 120)
    assert cache.first_use("https://b.example", "j", 120)  # another issuer's jti
    now[0] += 121
    assert cache.first_use("https://a.example", "j", 120)  # expired: seen anew
    assert len(cache) == 1


def test_the_memory_cache_is_bounded_and_drops_the_soonest_to_expire() -> None:
    cache = MemoryReplayCache(3, now=lambda: 0.0)
    for jti, ttl in (("a", 50), ("b", 10), ("c", 30)):
        assert cache.first_use("i", jti, ttl)
    assert cache.first_use("i", "d", 40)
    assert len(cache) == 3
    assert cache.first_use("i", "b", 10)  # b (closest to expiry) was dropped
    assert not cache.first_use("i", "a", 50)


def test_a_given_replay_cache_is_used(harness: Build, clock: Clock) -> None:
    class Recording:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str, float]] = []

        def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
            self.calls.append((issuer, jti, ttl))
            return len(self.calls) == 1

    h = harness()
    store = Recording()
    token = h.op.sign(example(clock()))
    check(h, form(token), replay=store)
    refused(h, form(token), "already used", replay=store)
    # remembered for as long as the token is acceptable: exp (120 s) plus the clock skew
    assert store.calls[0] == (ISSUER, JTI, 180.0)


@pytest.mark.parametrize(("body", "words"), [
    (b"", "exactly one"),
    (b"logout_token=", "exactly one"),
    (b"token=abc", "exactly one"),
    (b"logout_token=a.b.c&logout_token=a.b.c", "exactly one"),  # 2.5: one token
    (b"\xff\xfe", "not a form"),
    (b"logout_token=a%20b", "not a signed JWT"),
    (b"logout_token=eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "not a signed JWT"),  # not JSON
    (b"logout_token=" + b"a" * 40_000, "not a compact JWT"),
    ("logout_token=\u00e9.\u00e9.\u00e9", "not a compact JWT"),
    (b"logout_token=a.b.c.d.e", "encrypted"),  # a JWE, and no decryption key
])
def test_malformed_requests_are_refused(body: bytes | str, words: str, harness: Build) -> None:
    refused(harness(), body, words)


def test_provider_named_by_name_or_issuer(harness: Build, clock: Clock) -> None:
    h = harness()
    token = h.op.sign(example(clock()))
    assert check(h, form(token), provider="op").provider == "op"
    refused(h, form(h.op.sign({**example(clock()), "jti": "x"})), "no configured provider",
            provider="nobody")
    assert check(h, form(h.op.sign({**example(clock()), "jti": "y"})),
                 provider=ISSUER).jti == "y"


def test_several_buttons_on_one_issuer_pick_the_client_the_token_names(
        tmp_path: Path, clock: Clock) -> None:
    both = {"issuer": ISSUER, "client_secret": CLIENT_SECRET}
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {"first": {**both, "client_id": "first-client"},
                                         "second": {**both, "client_id": CLIENT_ID}}},
                          base_dir=tmp_path)
    h = Harness(config, CraftedProvider(now=clock), clock)
    assert check(h, form(h.op.sign(example(clock())))).provider == "second"
    refused(h, form(h.op.sign({**example(clock()), "aud": "third", "jti": "z"})),
            "another audience")


def test_alg_outside_the_configured_allow_list_is_refused(harness: Build,
                                                           clock: Clock) -> None:
    # 2.6 (3): alg validated as for ID tokens: the configured list (here ES256 only)
    h = harness(id_token_algorithms=["ES256"])
    refused(h, form(h.op.sign(example(clock()))), "RS256")


def test_hs256_with_the_client_secret_when_configured(harness: Build, clock: Clock) -> None:
    secret = "a client secret of 32 bytes or more"  # RFC 7518 3.2
    h = harness(id_token_algorithms=["HS256"], client_secret=secret)
    token = jwt.encode(example(clock()), secret, algorithm="HS256")
    assert check(h, form(token)).sid == SID


def test_several_audiences_need_azp_naming_us(harness: Build, clock: Clock) -> None:
    h = harness(trusted_audiences=["api"])
    many = {**example(clock()), "aud": [CLIENT_ID, "api"]}
    refused(h, form(h.op.sign(many)), "azp")
    refused(h, form(h.op.sign({**many, "azp": "api"})), "another party")
    assert check(h, form(h.op.sign({**many, "azp": CLIENT_ID}))).sub == SUB


def test_a_key_the_provider_rotated_in_is_fetched(harness: Build, clock: Clock) -> None:
    h = harness()
    check(h, form(h.op.sign({**example(clock()), "jti": "before"})))
    h.op.keys.append(SigningKey("k2", rsa_key(2)))
    h.op.signing_kid = "k2"
    assert check(h, form(h.op.sign(example(clock())))).jti == JTI


def test_unreachable_keys_are_a_provider_failure_not_a_bad_token(harness: Build,
                                                                  clock: Clock) -> None:
    h = harness()
    h.op.overrides["/jwks"] = lambda request: json_response({"error": "down"}, 503)
    with pytest.raises(ProviderError) as caught:
        check(h, form(h.op.sign(example(clock()))))
    assert not isinstance(caught.value, LogoutTokenError)
    h.op.overrides.clear()  # the jti was not used up by the failed attempt
    assert check(h, form(h.op.sign(example(clock())))).jti == JTI


def test_a_raw_json_payload_that_is_no_object_is_refused(harness: Build) -> None:
    h = harness()
    refused(h, form(sign_raw(h.op, b"[1, 2]")), "not a signed JWT")


# -- encrypted logout tokens: 2.6 (1), with the keys the ID tokens are encrypted to -------
@pytest.fixture
def encrypting(tmp_path: Path, clock: Clock) -> Harness:
    key = rp_key("RSA")
    write_key(tmp_path / "rsa.json", key)
    public = {k: v for k, v in key.items() if k in ("kty", "n", "e", "kid")}
    op = CraftedProvider(now=clock, encrypt_to=public)
    return Harness(make_config(tmp_path, decryption_keys=["rsa.json"]), op, clock)


def test_a_signed_then_encrypted_logout_token_is_accepted(encrypting: Harness,
                                                          clock: Clock) -> None:
    h = encrypting
    token = h.op.encrypt(h.op.sign(example(clock()), {"typ": "logout+jwt"}))
    assert token.count(".") == 4
    assert check(h, form(token)) == LogoutRequest(ISSUER, "op", SUB, SID, JTI)


def test_an_encrypted_but_unsigned_logout_token_is_refused(encrypting: Harness,
                                                           clock: Clock) -> None:
    # 2.4: "A Logout Token MUST be signed and MAY also be encrypted"
    h = encrypting
    token = h.op.encrypt(json.dumps(example(clock())), cty=None)
    refused(h, form(token), "not signed")


def test_an_encrypted_token_for_another_key_is_refused(encrypting: Harness,
                                                       clock: Clock) -> None:
    h = encrypting
    other = RSAKey.generate_key(2048)
    registry = jwe.JWERegistry(algorithms=["RSA-OAEP", "A128CBC-HS256"])
    token = jwe.encrypt_compact({"alg": "RSA-OAEP", "enc": "A128CBC-HS256"},
                                h.op.sign(example(clock())), other, registry=registry)
    refused(h, form(token), "encrypted to a key")


def test_encrypted_content_that_is_not_ascii_is_refused(encrypting: Harness) -> None:
    refused(encrypting, form(encrypting.op.encrypt("\u00e9t\u00e9.a.b")), "not a JWS")


def test_the_claim_checks_hold_on_their_own(clock: Clock, tmp_path: Path) -> None:
    # check_logout_claims compares iss itself, whoever picked the provider
    config = make_config(tmp_path)
    other = replace(config.providers["op"], issuer="https://other.example.test")
    with pytest.raises(LogoutTokenError, match="another issuer"):
        check_logout_claims(example(clock()), other, now=clock(), leeway=60)
    sub, sid, jti, ttl = check_logout_claims(example(clock()), config.providers["op"],
                                             now=clock(), leeway=60)
    assert (sub, sid, jti, ttl) == (SUB, SID, JTI, 180.0)


def test_the_relying_party_keeps_one_cache_of_its_own(tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    token = op.sign(example(clock()))
    first = Harness(make_config(tmp_path), op, clock)
    second = Harness(make_config(tmp_path), op, clock)
    check(first, form(token))
    check(second, form(token))  # another process: its own memory (Redis shares one)
    assert isinstance(first.rp, RelyingParty)
    refused(first, form(token), "already used")


# -- the gate, sans-IO: a login keeps the ID token's sid; the logout token ends it --------
def login_through_the_gate(gate: Gate, op: CraftedProvider) -> WebResponse:
    started = drive(gate.handle(WebRequest("GET", "/eidgate/login", "provider=op")), op)
    location = dict(started.headers)["Location"]
    name, _, rest = started.cookies[-1].partition("=")
    back = op.authorize(location)
    return drive(gate.handle(WebRequest("GET", "/eidgate/callback", urlencode(back),
                                        cookies={name: rest.split(";", 1)[0]})), op)


@pytest.mark.parametrize(("sid", "kept"), [(SID, {"sid": SID}), (None, {}), (42, {})])
def test_the_callback_keeps_the_id_tokens_sid_with_the_session(
        sid: Any, kept: dict[str, Any], tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock, id_claims={} if sid is None else {"sid": sid})
    config = make_config(tmp_path)
    store = Recording()
    gate = Gate(config, RelyingParty(config, now=clock), sessions=store, now=clock)
    assert login_through_the_gate(gate, op).status == 303
    assert store.saved == [kept]  # OIDC Core 2 / Back-Channel Logout 2.7: a string sid


def test_the_gate_ends_what_the_logout_token_names(tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    config = make_config(tmp_path)
    store = Recording()
    gate = Gate(config, RelyingParty(config, now=clock), sessions=store, now=clock)
    answer = drive(gate.handle(WebRequest("POST", "/eidgate/backchannel-logout",
                                          body=form(op.sign(example(clock()))))), op)
    assert (answer.status, answer.cookies) == (200, [])
    assert ("Cache-Control", "no-store") in answer.all_headers()  # 2.8
    assert store.ended == [(ISSUER, SID, SUB)]
    assert gate.reads_body("/eidgate/backchannel-logout", "POST")
    assert not gate.reads_body("/eidgate/backchannel-logout", "GET")
    assert not gate.reads_body("/eidgate/logout", "POST")


def test_a_store_with_first_use_is_the_replay_cache(tmp_path: Path, clock: Clock) -> None:
    class Shared(Recording):  # a Redis store would share this among instances
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[tuple[str, str]] = set()

        def first_use(self, issuer: str, jti: str, ttl: float) -> bool:
            new = (issuer, jti) not in self.seen
            self.seen.add((issuer, jti))
            return new

    op = CraftedProvider(now=clock)
    config = make_config(tmp_path)
    store = Shared()
    token = form(op.sign(example(clock())))
    for instance in range(2):  # two instances, one store: the second sees the replay
        gate = Gate(config, RelyingParty(config, now=clock), sessions=store, now=clock)
        answer = drive(gate.handle(WebRequest("POST", "/eidgate/backchannel-logout",
                                              body=token)), op)
        assert answer.status == (200 if instance == 0 else 400)
    assert store.seen == {(ISSUER, JTI)}


def test_unreachable_keys_answer_400_temporarily_unavailable(tmp_path: Path,
                                                             clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    op.overrides["/jwks"] = lambda request: json_response({"error": "down"}, 503)
    config = make_config(tmp_path)
    gate = Gate(config, RelyingParty(config, now=clock), sessions=Recording(), now=clock)
    answer = drive(gate.handle(WebRequest("POST", "/eidgate/backchannel-logout",
                                          body=form(op.sign(example(clock()))))), op)
    # 2.8: "If ... the logout failed, the RP MUST respond with HTTP 400 Bad Request"
    assert answer.status == 400
    assert json.loads(answer.body)["error"] == "temporarily_unavailable"


def test_a_store_without_end_cannot_log_out(tmp_path: Path, clock: Clock) -> None:
    class Older:  # a store written before end() joined the protocol
        def __init__(self) -> None:
            self.inner = CookieSessions(["x" * 32], 3600)

        def save(self, identity: Identity, **fields: Any) -> str:
            return self.inner.save(identity, **fields)

        def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
            return self.inner.load(value)

        def delete(self, value: str | None) -> None:
            self.inner.delete(value)

    op = CraftedProvider(now=clock)
    config = make_config(tmp_path)
    gate = Gate(config, RelyingParty(config, now=clock), sessions=Older(),  # type: ignore[arg-type]
                now=clock)
    answer = drive(gate.handle(WebRequest("POST", "/eidgate/backchannel-logout",
                                          body=form(op.sign(example(clock()))))), op)
    assert answer.status == 400
    assert json.loads(answer.body)["error"] == "sessions_not_revocable"


def test_the_cookie_store_says_it_cannot_end_sessions() -> None:
    with pytest.raises(SessionError, match="Redis") as caught:
        CookieSessions(["x" * 32], 3600).end(ISSUER, sid=SID)
    assert caught.value.error == "sessions_not_revocable"

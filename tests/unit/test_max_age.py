"""Fresh logins for sensitive actions (``max_age``), in the core, against the crafted provider.

Expected outcomes are OIDC Core 1.0's: 3.1.2.1 (``max_age``: "the allowable elapsed time in
seconds since the last time the End-User was actively authenticated"; ``prompt=login``),
2 (``auth_time`` is REQUIRED when a ``max_age`` request is made) and 3.1.3.7 (13) (the
client checks ``auth_time`` and requests re-authentication when too much time has
elapsed), with RFC 9470 3's name for the refusal, ``insufficient_user_authentication``.
The clock skew allowed is eidgate.toml's ``clock_skew`` (60 s by default).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider, drive
from unit_harness import Build, Clock, make_config

from eidgate import (
    ConfigError,
    Identity,
    InvalidTokenError,
    PendingLogins,
    RelyingParty,
    parse_config,
)
from eidgate.web import Gate, Rule, WebRequest

NOW = 1_800_000_000  # the harness clock's start (unit_harness.Clock)
SKEW = 60  # eidgate.toml's clock_skew default


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def userinfo_fetched(h: Any) -> bool:
    return any(urlsplit(r.url).path == "/userinfo" for r in h.op.requests)


# -- the authorization request ------------------------------------------------------------

def test_max_age_and_prompt_login_are_asked_for_and_remembered(harness: Build) -> None:
    h = harness()
    redirect = h.begin(max_age=300, prompt="login")
    sent = query(redirect.url)
    assert sent["max_age"] == "300" and sent["prompt"] == "login"
    assert redirect.pending.max_age == 300


def test_max_age_zero_is_sent(harness: Build) -> None:
    # 3.1.2.1: max_age=0 is meaningful (authenticate now); it must not be dropped as falsy
    assert query(harness().begin(max_age=0).url)["max_age"] == "0"


def test_max_age_with_loa_in_one_request(harness: Build) -> None:
    h = harness(acr_values=["idp:ftn"])
    sent = query(h.begin(max_age=120, prompt="login", loa="high").url)
    assert sent["max_age"] == "120" and sent["prompt"] == "login"
    assert sent["acr_values"].split() == ["idp:ftn", "loa:high"]


@pytest.mark.parametrize("bad", [True, "300", -1, 1.5])
def test_max_age_that_is_not_whole_seconds_is_a_programming_error(
        harness: Build, bad: object) -> None:
    with pytest.raises(ConfigError, match="option max_age=") as refused:
        harness().begin(max_age=bad)
    assert refused.value.option == "max_age"


# -- the callback: auth_time against max_age ------------------------------------------------

@pytest.mark.parametrize(("age", "status"), [
    (0, "accepted"),
    (300, "accepted"),
    (300 + SKEW, "accepted"),        # within max_age plus the allowed skew
    (300 + SKEW + 1, "rejected"),    # one second more: too much time has elapsed
    (86_400, "rejected"),
])
def test_auth_time_is_judged_against_max_age(harness: Build, clock: Clock, age: int,
                                             status: str) -> None:
    h = harness()
    h.op.id_claims = {"auth_time": NOW - age}
    result = h.login(max_age=300, prompt="login")
    assert result.status == status
    if status == "rejected":
        assert result.error == "insufficient_user_authentication"  # RFC 9470 3
        assert result.identity is None and result.claims == {}
        assert result.error_description == (f"the authentication was {age} s old; this "
                                             "login asked for max_age=300")
        assert not userinfo_fetched(h)  # nothing about the person fetched for a refusal
    else:
        assert result.identity is not None
        assert result.identity.auth_time == datetime.fromtimestamp(NOW - age, UTC)


def test_id_token_without_auth_time_is_refused_when_max_age_was_asked(harness: Build) -> None:
    h = harness()
    h.op.drop_id_claims = ("auth_time",)
    result = h.login(max_age=300)
    assert result.status == "rejected"
    assert result.error == "insufficient_user_authentication"
    assert result.error_description is not None and "no auth_time" in result.error_description
    assert not userinfo_fetched(h)


def test_userinfo_auth_time_does_not_stand_in_for_the_id_tokens(harness: Build) -> None:
    # OIDC Core 2: auth_time is an ID token claim; a fresh one in userinfo proves nothing
    h = harness()
    h.op.drop_id_claims = ("auth_time",)
    h.op.userinfo_claims = {"auth_time": NOW}
    assert h.login(max_age=300).status == "rejected"


def test_without_max_age_an_old_authentication_is_accepted(harness: Build) -> None:
    h = harness()
    h.op.id_claims = {"auth_time": NOW - 86_400}
    result = h.login()
    assert result.status == "accepted" and result.identity is not None
    assert result.identity.auth_time == datetime.fromtimestamp(NOW - 86_400, UTC)


def test_without_max_age_no_auth_time_is_needed(harness: Build) -> None:
    h = harness()
    h.op.drop_id_claims = ("auth_time",)
    result = h.login()
    assert result.status == "accepted" and result.identity is not None
    assert result.identity.auth_time is None  # never iat in its place


def test_auth_time_that_is_not_a_number_is_a_bad_token(harness: Build) -> None:
    # RFC 7519 2 / OIDC Core 2: a NumericDate; text is not one, max_age or not
    h = harness()
    h.op.id_claims = {"auth_time": str(NOW)}
    with pytest.raises(InvalidTokenError, match="auth_time"):
        h.login(max_age=300)


@pytest.mark.parametrize(("auth_time", "acr", "error_part"), [
    (NOW - 1000, "loa:high", "max_age=300"),           # too old, level fine
    (NOW - 10, "loa:low", "needed high"),              # fresh, level too low
])
def test_max_age_and_loa_are_both_checked(harness: Build, auth_time: int, acr: str,
                                          error_part: str) -> None:
    h = harness()
    h.op.id_claims = {"auth_time": auth_time, "acr": acr}
    result = h.login(max_age=300, prompt="login", loa="high")
    assert result.status == "rejected"
    assert result.error == "insufficient_user_authentication"
    assert result.error_description is not None and error_part in result.error_description


def test_max_age_and_loa_both_met_is_accepted(harness: Build) -> None:
    h = harness()
    h.op.id_claims = {"auth_time": NOW - 10, "acr": "loa:high"}
    result = h.login(max_age=300, prompt="login", loa="high")
    assert result.status == "accepted" and result.identity is not None
    assert result.identity.loa == "high"


def test_the_configured_clock_skew_bounds_the_age(tmp_path: Path, clock: Clock) -> None:
    # clock_skew = 0: exactly max_age, not a second more
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32, "clock_skew": 0},
                           "providers": {"op": {"issuer": ISSUER, "client_id": CLIENT_ID,
                                                "client_secret": CLIENT_SECRET}}})
    rp = RelyingParty(config, now=clock)
    for age, status in ((300, "accepted"), (301, "rejected")):
        op = CraftedProvider(now=clock, id_claims={"auth_time": NOW - age})
        pending = PendingLogins()
        redirect = drive(rp.begin(max_age=300), op)
        pending.add(redirect.pending)
        result = drive(rp.complete(op.authorize(redirect.url), pending), op)
        assert result.status == status, age


# -- the rule and the gate's answer -------------------------------------------------------

def identity(auth_time: float | None, provider: str = "op", loa: Any = "high") -> Identity:
    when = None if auth_time is None else datetime.fromtimestamp(auth_time, UTC)
    return Identity("sub-1", "https://op.example.test", provider, "oidc", loa=loa,
                    auth_time=when)


@pytest.mark.parametrize("bad", [-1, True, "300", 2.5, 366 * 24 * 3600 + 1])
def test_rule_max_age_must_be_whole_seconds(bad: object) -> None:
    with pytest.raises(ConfigError, match="option max_age=: must be a whole number"):
        Rule(max_age=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="option max_age="):
        Rule.of(max_age=bad)  # type: ignore[arg-type]


def test_rule_of_max_age() -> None:
    assert Rule.of(provider="op", loa="high", max_age=300) == Rule(("op",), "high", False, 300)


@pytest.mark.parametrize(("auth_time", "leeway", "allowed"), [
    (NOW - 300, 0, True),
    (NOW - 301, 0, False),
    (NOW - 360, 60, True),
    (NOW - 361, 60, False),
    (None, 60, False),   # no auth_time: not known to be fresh
])
def test_rule_allows_by_auth_time(auth_time: float | None, leeway: int, allowed: bool) -> None:
    rule = Rule(max_age=300)
    assert rule.allows(identity(auth_time), now=NOW, leeway=leeway) is allowed


def test_a_stale_login_is_still_refused_for_its_level() -> None:
    rule = Rule(loa="high", max_age=300)
    assert not rule.allows(identity(NOW, loa="substantial"), now=NOW)
    assert rule.allows(identity(NOW, loa="high"), now=NOW)


def gate(tmp_path: Path, clock: Clock, **options: Any) -> Gate:
    config = make_config(tmp_path)
    return Gate(config, RelyingParty(config, now=clock), **options)


def page(path: str = "/pay", accept: str = "text/html") -> WebRequest:
    return WebRequest("GET", path, "", {"accept": accept, "sec-fetch-mode": "navigate"}
                      if accept == "text/html" else {"accept": accept})


def test_a_stale_login_is_sent_back_to_its_provider_with_max_age(tmp_path: Path,
                                                                 clock: Clock) -> None:
    g = gate(tmp_path, clock)
    rule = Rule(loa="high", max_age=300)
    stale = identity(NOW - 300 - SKEW - 1)
    answer = g.refuse(stale, page(), method="GET", rule=rule)
    assert answer is not None and answer.status == 303
    location = dict(answer.headers)["Location"]
    assert urlsplit(location).path == "/eidgate/login"
    assert query(location) == {"next": "/pay", "loa": "high", "max_age": "300",
                               "provider": "op"}
    # fresh enough by the gate's clock and skew: through
    assert g.refuse(identity(NOW - 300 - SKEW), page(), method="GET", rule=rule) is None


def test_api_call_gets_401_naming_max_age(tmp_path: Path, clock: Clock) -> None:
    g = gate(tmp_path, clock)
    answer = g.refuse(identity(NOW - 1000), page(accept="application/json"), method="GET",
                      rule=Rule(max_age=300))
    assert answer is not None and answer.status == 401
    body = json.loads(answer.body)
    assert body["error"] == "insufficient_authentication" and body["max_age"] == 300
    assert query(body["login_url"])["max_age"] == "300"
    # RFC 9470 3: the challenge names the max_age too
    assert 'max_age="300"' in dict(answer.headers)["WWW-Authenticate"]


def test_protect_takes_max_age_from_the_gate_options(tmp_path: Path, clock: Clock) -> None:
    g = gate(tmp_path, clock, protect=["/pay/*"], max_age=60)
    assert g.rule == Rule(max_age=60)
    assert g.refuse(identity(NOW - 200), page("/pay/x"), method="GET") is not None
    assert g.refuse(identity(NOW - 100), page("/pay/x"), method="GET") is None  # 60 + skew
    clock.t += 30
    assert g.refuse(identity(NOW - 100), page("/pay/x"), method="GET") is not None


def two_provider_gate(tmp_path: Path, clock: Clock) -> Gate:
    table = {"issuer": ISSUER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {"a": table, "b": dict(table)}})
    return Gate(config, RelyingParty(config, now=clock))


def test_a_stale_login_goes_back_to_the_provider_it_came_from(tmp_path: Path,
                                                              clock: Clock) -> None:
    g = two_provider_gate(tmp_path, clock)
    answer = g.refuse(identity(NOW - 1000, provider="b"), page(), method="GET",
                      rule=Rule(max_age=300))
    assert answer is not None
    assert query(dict(answer.headers)["Location"]) == {"next": "/pay", "max_age": "300",
                                                       "provider": "b"}
    # not logged in: the picker, which passes max_age on to every provider's login link
    answer = g.refuse(None, page(), method="GET", rule=Rule(max_age=300))
    assert answer is not None
    location = dict(answer.headers)["Location"]
    assert urlsplit(location).path == "/eidgate/"
    assert query(location) == {"next": "/pay", "max_age": "300"}
    picker = drive(g.handle(WebRequest("GET", "/eidgate/", urlsplit(location).query,
                                       {"accept": "text/html"})), CraftedProvider())
    links = [query(h.replace("&amp;", "&")) for h in
             re.findall(r'href="([^"]*login\?[^"]*)"', picker.body.decode())]
    assert sorted(link["provider"] for link in links) == ["a", "b"]
    assert all(link["max_age"] == "300" and link["next"] == "/pay" for link in links)


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", "99999999999", "\uff13\uff10\uff10"])
def test_a_max_age_in_the_url_that_is_not_seconds_is_dropped(
        tmp_path: Path, clock: Clock, value: str) -> None:
    g = two_provider_gate(tmp_path, clock)
    picker = drive(g.handle(WebRequest("GET", "/eidgate/", f"max_age={value}",
                                       {"accept": "text/html"})), CraftedProvider())
    assert "max_age" not in picker.body.decode()

"""A login that must reach a level of assurance (``loa=``): asked for, and checked on return.

OIDC Core 3.1.2.1 makes ``acr_values`` a voluntary request: a provider may answer with a
weaker authentication (or someone may strip the parameter on the way). RFC 9470 3 names
the outcome: ``insufficient_user_authentication``. The level is read by ``normalize`` from
the signed ID token's ``acr`` (eID Hub ``loa:<level>`` values here).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from unit_harness import Harness

from eidgate import CallbackError, ConfigError, PendingLogin


def acr_values(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query)["acr_values"][0].split()


@pytest.mark.parametrize(("acr", "need", "status"), [
    ("loa:substantial", "high", "rejected"),
    ("loa:low", "substantial", "rejected"),
    ("loa:high", "high", "accepted"),
    ("loa:high", "substantial", "accepted"),
    ("loa:substantial", "substantial", "accepted"),
])
def test_result_below_the_required_level_is_rejected(
        harness: Callable[..., Harness], acr: str, need: str, status: str) -> None:
    h = harness()
    h.op.id_claims = {"acr": acr}
    result = h.login(loa=need)
    assert result.status == status
    if status == "rejected":
        assert result.error == "insufficient_user_authentication"
        assert result.identity is None
        assert result.error_description is not None and need in result.error_description
    else:
        assert result.identity is not None and result.identity.loa == acr[4:]


def test_unknown_level_does_not_pass_a_required_one(harness: Callable[..., Harness]) -> None:
    h = harness()  # the generic claims say nothing about the level
    result = h.login(loa="low")
    assert result.status == "rejected"
    assert result.error == "insufficient_user_authentication"



def test_userinfo_cannot_raise_the_level_the_id_token_states(
        harness: Callable[..., Harness]) -> None:
    # OIDC Core 2 / 5.3.2: the level of the authentication is the signed ID token's word
    # (merge_claims keeps userinfo from adding acr; a "loa" claim must not do it either)
    h = harness()
    h.op.id_claims = {"acr": "loa:low"}
    h.op.userinfo_claims = {"loa": "high"}
    result = h.login(loa="high")
    assert result.status == "rejected"
    assert result.error == "insufficient_user_authentication"
    assert result.error_description == "the eID reached level low; this login needed high"
    # and the identity kept without a step-up says low too: sessions and later loa= checks
    accepted = h.login()
    assert accepted.identity is not None and accepted.identity.loa == "low"


def test_userinfo_level_counts_when_the_id_token_states_none(
        harness: Callable[..., Harness]) -> None:
    h = harness()  # MitID via the eID Hub: the level only in userinfo (mitid.loa)
    h.op.userinfo_claims = {"mitid.loa": "HIGH"}
    assert h.login(loa="high").status == "accepted"


def test_without_loa_any_level_is_accepted(harness: Callable[..., Harness]) -> None:
    h = harness()
    h.op.id_claims = {"acr": "loa:low"}
    assert h.login().status == "accepted"


def test_level_is_asked_for_in_place_of_a_configured_one(
        harness: Callable[..., Harness]) -> None:
    h = harness(acr_values=["idp:ftn", "loa:low"])
    assert acr_values(h.begin().url) == ["idp:ftn", "loa:low"]
    assert acr_values(h.begin(loa="high").url) == ["idp:ftn", "loa:high"]
    assert h.begin(loa="high").pending.loa == "high"


def test_unknown_level_name_is_a_programming_error(harness: Callable[..., Harness]) -> None:
    # the same error as login_required(loa="very high") and the adapters' loa= option
    with pytest.raises(ConfigError, match="option loa=: must be one of") as refused:
        harness().begin(loa="very high")
    assert refused.value.option == "loa"


@pytest.mark.parametrize("loa", ["very high", 3, ["high"]])
def test_stored_pending_login_with_a_bad_level_is_refused(loa: object) -> None:
    stored = PendingLogin(state="s", nonce="n", code_verifier="v", provider="p",
                          issuer="https://op.example.test", redirect_uri="https://a/cb",
                          next_url="/", created_at=0.0, loa="high").to_dict()
    assert PendingLogin.from_dict(stored).loa == "high"
    with pytest.raises(CallbackError):
        PendingLogin.from_dict({**stored, "loa": loa})

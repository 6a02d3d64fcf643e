from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from unit_harness import Harness

from eidgate import generate_key, write_key


def test_plain_login_is_accepted(harness: Callable[..., Harness]) -> None:
    h = harness()
    result = h.login(next_url="/account")
    assert result.status == "accepted"
    assert result.subject == "user-1"
    assert result.claims["name"] == "Test"
    assert result.next_url == "/account"
    assert result.userinfo_claims == {"sub": "user-1", "name": "Test"}


def test_encrypted_everything(harness: Callable[..., Harness], tmp_path: Path) -> None:
    jwk: dict[str, Any] = generate_key("enc")
    write_key(tmp_path / "enc.json", jwk)
    h = harness(decryption_keys=["enc.json"])
    h.op.encrypt_to = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid")}
    h.op.userinfo_mode = "jwe"
    result = h.login()
    assert result.status == "accepted"
    assert result.claims["name"] == "Test"
    assert result.raw_userinfo is not None and result.raw_userinfo.count(".") == 4


def test_userinfo_wins_for_person_claims_but_never_for_protocol_claims(
        harness: Callable[..., Harness]) -> None:
    h = harness()
    h.op.id_claims = {"name": "From ID token", "acr": "loa:substantial", "email": "a@b.test"}
    # an unsigned JSON userinfo trying to restate who issued what, and how strongly
    h.op.userinfo_claims = {"name": "From userinfo", "iss": "https://evil.test",
                            "aud": "someone-else", "acr": "loa:high", "nonce": "x",
                            "auth_time": 1}
    result = h.login()
    assert result.claims["name"] == "From userinfo"          # OIDC Core 5.3.2: userinfo wins
    assert result.claims["email"] == "a@b.test"              # kept from the ID token
    assert result.claims["iss"] == "https://op.example.test"
    assert result.claims["aud"] == "rp-client"
    assert result.claims["acr"] == "loa:substantial"
    assert result.claims["nonce"] != "x"
    assert result.claims["auth_time"] != 1
    assert result.userinfo_claims is not None
    assert result.userinfo_claims["acr"] == "loa:high"        # the raw userinfo is untouched


def test_error_description_from_the_browser_is_bounded(harness: Callable[..., Harness]) -> None:
    h = harness()
    redirect = h.begin()
    result = h.complete({"state": redirect.pending.state, "iss": h.op.issuer,
                         "error": "access_denied", "error_description": "x" * 10_000})
    assert result.status == "rejected"
    assert result.error_description is not None
    assert 0 < len(result.error_description) <= 512

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Harness

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

"""What the sans-IO unit tests share: a clock, a config for the crafted provider, a harness
that drives the relying party against it (imported by name: several test folders have a
``conftest``, so ``from conftest import`` would depend on collection order)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ISSUER, CraftedProvider, drive
from tampering import rp_key

import eidgate
from eidgate import (
    Config,
    EidGateError,
    InvalidTokenError,
    PendingLogins,
    RelyingParty,
    parse_config,
    write_key,
)


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def make_config(tmp_path: Path, **provider: Any) -> Config:
    table: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET}
    table.update(provider)
    return parse_config({"eidgate": {"base_url": "https://app.example.test",
                                     "secret_key": "x" * 32},
                         "providers": {"op": table}}, base_dir=tmp_path)


class Harness:
    """A relying party and a crafted provider sharing one clock."""

    def __init__(self, config: Config, op: CraftedProvider, clock: Clock) -> None:
        self.rp = RelyingParty(config, now=clock)
        self.op = op
        self.clock = clock
        self.pending = PendingLogins()

    def begin(self, **kw: Any) -> eidgate.LoginRedirect:
        redirect: eidgate.LoginRedirect = drive(self.rp.begin(**kw), self.op)
        self.pending.add(redirect.pending)
        return redirect

    def complete(self, params: dict[str, str]) -> eidgate.LoginResult:
        result: eidgate.LoginResult = drive(self.rp.complete(params, self.pending), self.op)
        return result

    def login(self, **kw: Any) -> eidgate.LoginResult:
        redirect = self.begin(**kw)
        return self.complete(self.op.authorize(redirect.url))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def harness(tmp_path: Path, clock: Clock) -> Callable[..., Harness]:
    def build(op: CraftedProvider | None = None, **provider: Any) -> Harness:
        op = op or CraftedProvider(now=clock)
        op.now = clock
        return Harness(make_config(tmp_path, **provider), op, clock)
    return build


Build = Callable[..., Harness]


def rejected(h: Harness, error: type[EidGateError] = InvalidTokenError,
             match: str | None = None) -> EidGateError:
    """The login fails with ``error``, blamed on the provider (a 5xx hint, not the browser)."""
    with pytest.raises(error, match=match) as caught:
        h.login()
    assert caught.value.status >= 500  # the provider misbehaved, not the browser
    return caught.value


@pytest.fixture
def enc(harness: Build, tmp_path: Path) -> Callable[..., Harness]:
    """A harness whose relying party has an RSA and an EC decryption key."""
    write_key(tmp_path / "rsa.json", rp_key("RSA"))
    write_key(tmp_path / "ec.json", rp_key("EC"))

    def build(op: CraftedProvider | None = None, **extra: Any) -> Harness:
        return harness(op, decryption_keys=["rsa.json", "ec.json"], **extra)
    return build

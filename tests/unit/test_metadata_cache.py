"""The provider metadata cache on its own: one :class:`ProviderState`, driven sans-IO.

The rules (eidgate/_oidc/metadata.py, theory of operation): discovery and JWKS are kept
``ttl`` (3600 s); a refresh that fails with an outage serves the stale copy for up to
``stale_grace`` (one day) and is tried again once per ``cooldown`` (60 s), not once per
login; a provider that answers wrongly is never papered over; an unknown ``kid`` makes one
JWKS refetch per cool-down (OIDC Core 10.1.1). The drivers' view of the same rules (threads,
tasks, real transports) is in test_metadata_cache_concurrency.py and test_drivers.py.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from crafted import CraftedProvider, SigningKey, json_response, rsa_key
from unit_harness import make_config

from eidgate import DiscoveryError, HttpRequest, HttpResponse, InvalidTokenError
from eidgate._errors import ProviderUnavailable
from eidgate._oidc.metadata import ProviderState

DISCOVERY = "/.well-known/openid-configuration"
T0 = 1_800_000_000.0


class Wire:
    """The crafted provider behind a switch: when down, the driver throws
    ProviderUnavailable into the flow, as eidgate's drivers do on a timeout."""

    def __init__(self, op: CraftedProvider) -> None:
        self.op, self.down = op, False
        self.paths: list[str] = []

    def run(self, steps: Generator[HttpRequest, HttpResponse, Any]) -> Any:
        try:
            request = next(steps)
            while True:
                self.paths.append(request.url.removeprefix(self.op.issuer))
                if self.down:
                    request = steps.throw(ProviderUnavailable("timed out"))
                else:
                    request = steps.send(self.op.handle(request))
        except StopIteration as done:
            return done.value


@pytest.fixture
def setup(tmp_path: Path) -> tuple[ProviderState, Wire]:
    op = CraftedProvider()
    return ProviderState(make_config(tmp_path).providers["op"]), Wire(op)


def test_a_fresh_copy_is_served_without_a_request(setup: tuple[ProviderState, Wire]) -> None:
    state, wire = setup
    wire.run(state.warm(T0))
    assert wire.paths == [DISCOVERY, "/jwks"]
    wire.run(state.ensure_metadata(T0 + 3599))
    wire.run(state.key_for("RS256", "k1", T0 + 3599))
    assert wire.paths == [DISCOVERY, "/jwks"]
    assert state.fetches == 2


def test_an_outage_serves_the_stale_copy_and_retries_once_per_cool_down(
        setup: tuple[ProviderState, Wire]) -> None:
    state, wire = setup
    fresh = wire.run(state.ensure_metadata(T0))
    wire.down = True
    assert wire.run(state.ensure_metadata(T0 + 3601)) is fresh  # the refresh failed
    assert wire.run(state.ensure_metadata(T0 + 3601 + 59)) is fresh  # in the cool-down
    assert wire.paths == [DISCOVERY, DISCOVERY]
    assert wire.run(state.ensure_metadata(T0 + 3601 + 60)) is fresh  # the next attempt
    assert wire.paths == [DISCOVERY] * 3


def test_the_stale_copy_is_not_served_after_the_grace(
        setup: tuple[ProviderState, Wire]) -> None:
    state, wire = setup
    wire.run(state.ensure_metadata(T0))
    wire.down = True
    with pytest.raises(ProviderUnavailable):
        wire.run(state.ensure_metadata(T0 + 86400))


def test_a_wrong_answer_is_not_papered_over_and_is_asked_again(
        setup: tuple[ProviderState, Wire]) -> None:
    # Discovery 4.3: a document for another issuer is refused, and the stale copy is not
    # served in its place; the next login asks again (no cool-down after an answer)
    state, wire = setup
    wire.run(state.ensure_metadata(T0))
    wire.op.overrides[DISCOVERY] = lambda r: json_response(
        {**wire.op.discovery(), "issuer": "https://evil.example.test"})
    for _ in range(2):
        with pytest.raises(DiscoveryError):
            wire.run(state.ensure_metadata(T0 + 3601))
    assert wire.paths == [DISCOVERY] * 3


def test_an_empty_stale_key_set_does_not_cover_an_outage(
        setup: tuple[ProviderState, Wire]) -> None:
    # a key set without a usable key verifies nothing: the outage is what the login hears
    state, wire = setup
    wire.op.keys = []
    wire.run(state.warm(T0))
    assert state.keys == ()
    wire.down = True
    with pytest.raises(ProviderUnavailable):
        wire.run(state.key_for("RS256", "k1", T0 + 3601))


def test_an_unknown_kid_refetches_once_per_cool_down(
        setup: tuple[ProviderState, Wire]) -> None:
    state, wire = setup
    wire.run(state.warm(T0))
    for _ in range(3):
        with pytest.raises(InvalidTokenError, match="kid"):
            wire.run(state.key_for("RS256", "random", T0 + 10))
    assert wire.paths == [DISCOVERY, "/jwks", "/jwks"]  # one refetch for three tokens
    # the provider rotates its keys: after the cool-down the new kid is found
    wire.op.keys.append(SigningKey("k2", rsa_key(1)))
    assert wire.run(state.key_for("RS256", "k2", T0 + 10 + 60)) is not None
    assert wire.paths == [DISCOVERY, "/jwks", "/jwks", "/jwks"]
    assert [k.kid for k in state.keys] == ["k1", "k2"]


def test_no_lock_is_held_while_a_refresh_is_in_flight(
        setup: tuple[ProviderState, Wire]) -> None:
    """A refresh waiting for the provider (suspended at its yield) must not block another
    login of the same relying party: it is served the copy, not made to wait."""
    state, wire = setup
    wire.run(state.warm(T0))
    fresh = state.metadata
    in_flight = state.ensure_metadata(T0 + 3601)
    assert next(in_flight).url.endswith(DISCOVERY)  # the refresh is waiting for its answer
    served: list[object] = []

    def other_login() -> None:
        served.append(wire.run(state.ensure_metadata(T0 + 3602)))
    thread = threading.Thread(target=other_login, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the second login waited for the first one's refresh"
    assert served == [fresh]
    in_flight.close()

"""The callback's parameters (RFC 6749 4.1.2, RFC 9207, RFC 9700 4.4): what the browser brings.

Values that are not single strings, a code beside an error, an error description with control
characters or of any length, a response from another provider (mix-up), a pending login for a
provider no longer configured. The peer is the crafted provider (tests/crafted.py), driven
sans-IO, its answers tampered with by hand (tests/tampering.py); each expectation comes from
the clause cited beside it. A traceback of any exception other than the one expected is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from crafted import CLIENT_ID, ISSUER, CraftedProvider, drive
from unit_harness import Build, Clock, Harness, make_config

import eidgate
from eidgate import (
    CallbackError,
    HttpRequest,
    HttpResponse,
    PendingLogins,
    RelyingParty,
    parse_config,
)


def test_callback_values_that_are_not_strings_are_refused(harness: Build) -> None:
    """RFC 6749 4.1.2: state and code are single string values (a framework's multi-dict
    handed over as lists must not crash, nor be sent to the token endpoint)."""
    h = harness()
    redirect = h.begin()
    params: dict[str, Any] = dict(h.op.authorize(redirect.url))
    for bad in ({**params, "state": [params["state"]]}, {**params, "code": [params["code"]]},
                {**params, "iss": [ISSUER]}, {**params, "code": None}):
        with pytest.raises(CallbackError):
            drive_complete(h, bad)


def drive_complete(h: Harness, params: Any) -> eidgate.LoginResult:
    result: eidgate.LoginResult = drive(h.rp.complete(params, h.pending), h.op)
    return result


def test_code_and_error_together_are_never_accepted(harness: Build) -> None:
    """RFC 6749 4.1.2 / 4.1.2.1: a response is either success or error; one with `error` is
    an error response whatever else it carries: the login ends with the provider's error
    (a denial without a cancel text is "rejected") and the code is not redeemed."""
    h = harness()
    redirect = h.begin()
    params = h.op.authorize(redirect.url, error="access_denied")
    assert params["code"] and params["error"] == "access_denied"  # really both
    result = h.complete(params)
    assert (result.status, result.error) == ("rejected", "access_denied")
    assert not [r for r in h.op.requests if r.url.endswith("/token")]


@pytest.mark.parametrize("description", [
    "x" * 100_000, "<script>alert(1)</script>", "line1\r\nline2\x00\x1b[31m\x7f",
    "\u202eevil\u2028\u2029", "é" * 600,
])
def test_error_description_is_bounded_and_has_no_control_characters(
        harness: Build, description: str) -> None:
    """RFC 6749 4.1.2.1: error_description is printable ASCII; what we keep of it is short
    and free of control, bidi and line-separator characters (safe to log and render)."""
    h = harness()
    redirect = h.begin()
    params = {"state": redirect.pending.state, "iss": ISSUER, "error": "access_denied",
              "error_description": description}
    result = h.complete(params)
    assert result.status in ("rejected", "canceled")
    kept = result.error_description or ""
    assert len(kept) <= 512
    assert all(ch.isprintable() for ch in kept), repr(kept)


def test_mix_up_between_two_providers_is_refused(tmp_path: Path, clock: Clock) -> None:
    """RFC 9207 / RFC 9700 4.4: a login begun at provider A, answered with B's iss."""
    other = "https://other.example.test"
    config = parse_config({"eidgate": {"base_url": "https://app.example.test",
                                       "secret_key": "x" * 32},
                           "providers": {
                               "a": {"issuer": ISSUER, "client_id": CLIENT_ID,
                                     "client_secret": "s"},
                               "b": {"issuer": other, "client_id": CLIENT_ID,
                                     "client_secret": "s"}}}, base_dir=tmp_path)
    op_a = CraftedProvider(now=clock)
    op_b = CraftedProvider(issuer=other, now=clock)

    def both(request: HttpRequest) -> HttpResponse:
        return (op_b if request.url.startswith(other) else op_a).handle(request)
    rp = RelyingParty(config, now=clock)
    pending = PendingLogins()

    def run(steps: Any) -> Any:
        try:
            request = next(steps)
            while True:
                request = steps.send(both(request))
        except StopIteration as done:
            return done.value
    redirect = run(rp.begin("a"))
    pending.add(redirect.pending)
    params = op_a.authorize(redirect.url)
    params["iss"] = other  # the attacker's provider B claims the response
    with pytest.raises(CallbackError, match="iss"):
        run(rp.complete(params, pending))
    assert not [r for r in op_b.requests if r.url.endswith("/token")]


def test_pending_config_for_unknown_provider(tmp_path: Path, clock: Clock) -> None:
    config = make_config(tmp_path)
    rp = RelyingParty(config, now=clock)
    login = eidgate.PendingLogin(state="s", nonce="n", code_verifier="v", provider="gone",
                                 issuer=ISSUER, redirect_uri="x", next_url="/",
                                 created_at=clock())
    steps = rp.complete({"state": "s", "code": "c"}, PendingLogins([login]))
    with pytest.raises(CallbackError):
        drive(steps, CraftedProvider(now=clock))

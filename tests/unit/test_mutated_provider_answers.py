"""A hostile or broken provider can only ever produce an EidGateError, never a traceback.

Seeded mutations of every answer the provider gives (discovery, JWKS, token response, ID
token, userinfo) must end in either an accepted login (the mutation was harmless, e.g. a
reordered field) or an ``EidGateError`` subclass; any other exception is a bug.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crafted import CraftedProvider, json_response
from unit_harness import Harness

import eidgate
from eidgate import HttpRequest, HttpResponse

CASES = int(os.environ.get("EIDGATE_FUZZ_CASES", "60"))
_JUNK: list[Any] = [None, 0, -1, 1.5, True, "", "x", [], {}, ["a"], {"a": 1}, "é" * 3,
                    "a.b.c", "a.b.c.d.e", 10**30, "=" * 8, "eyJ", "\x00"]


def mutate_text(rng: random.Random, text: str) -> str:
    choice = rng.randrange(6)
    if not text or choice == 0:
        return text + rng.choice([".", "..", "=", "A", "!", "é"])
    i = rng.randrange(len(text))
    if choice == 1:
        return text[:i]
    if choice == 2:
        return text[:i] + rng.choice("AZaz09-_.=+/!{}\"") + text[i + 1:]
    if choice == 3:
        parts = text.split(".")
        parts[rng.randrange(len(parts))] = rng.choice(["", "e30", "W10", "bnVsbA", "AAAA",
                                                       "eyJhbGciOiJub25lIn0"])
        return ".".join(parts)
    if choice == 4:
        return text + "." + text
    return text[:i] + text[i:][::-1]


def mutate_json(rng: random.Random, data: Any) -> Any:
    if isinstance(data, dict) and data:
        key = rng.choice(list(data))
        copy = dict(data)
        roll = rng.randrange(4)
        if roll == 0:
            del copy[key]
        elif roll == 1 and isinstance(copy[key], str):
            copy[key] = mutate_text(rng, copy[key])
        elif roll == 2:
            copy[key] = mutate_json(rng, copy[key])
        else:
            copy[key] = rng.choice(_JUNK)
        return copy
    if isinstance(data, list) and data:
        copy_list = list(data)
        i = rng.randrange(len(copy_list))
        copy_list[i] = mutate_json(rng, copy_list[i]) if rng.random() < 0.7 else rng.choice(
            _JUNK)
        return copy_list
    return rng.choice(_JUNK)


def hostile(rng: random.Random, response: HttpResponse) -> HttpResponse:
    """Bend one provider response: its body, its JSON, its content type or its status."""
    roll = rng.randrange(10)
    if roll == 0:
        return HttpResponse(rng.choice([200, 201, 204, 301, 400, 401, 403, 404, 500, 503]),
                            response.headers, response.body)
    if roll == 1:
        return HttpResponse(response.status, {"content-type": rng.choice(
            ["", "text/html", "application/jwt", "application/json; charset=x"])},
            response.body)
    if roll == 2:
        return HttpResponse(response.status, response.headers,
                            bytes(rng.randrange(256) for _ in range(rng.randrange(40))))
    try:
        data = json.loads(response.body)
    except ValueError:
        text = response.body.decode("latin-1")
        return HttpResponse(response.status, response.headers,
                            mutate_text(rng, text).encode("utf-8"))
    if isinstance(data, dict) and "id_token" in data and roll < 7:
        data = {**data, "id_token": mutate_text(rng, data["id_token"])}
    else:
        data = mutate_json(rng, data)
    return json_response(data, response.status)


def bend(op: CraftedProvider, target: str, rng: random.Random) -> None:
    """Route ``target`` through :func:`hostile`, answered first by the honest provider."""

    def bent(request: HttpRequest) -> HttpResponse:
        del op.overrides[target]
        try:
            return hostile(rng, op.handle(request))
        finally:
            op.overrides[target] = bent
    op.overrides[target] = bent


@pytest.mark.parametrize("target", ["/.well-known/openid-configuration", "/jwks", "/token",
                                    "/userinfo"])
@pytest.mark.parametrize("mode", ["json", "jwe"])
def test_mutated_provider_answers_never_escape_as_other_exceptions(
        harness: Callable[..., Harness], tmp_path: Path, target: str, mode: str) -> None:
    rng = random.Random(f"{target}-{mode}")
    outcomes: dict[str, int] = {}
    extra: dict[str, Any] = {}
    jwk = None
    if mode == "jwe":
        jwk = eidgate.generate_key("enc")
        eidgate.write_key(tmp_path / "enc.json", jwk)
        extra["decryption_keys"] = ["enc.json"]
    for _ in range(CASES):
        op = CraftedProvider(userinfo_mode="jwe" if jwk else "json")
        if jwk:
            op.encrypt_to = {k: jwk[k] for k in ("kty", "n", "e", "kid")}
        bend(op, target, rng)
        h = harness(op, **extra)
        failure: eidgate.EidGateError | None = None
        try:
            result = h.login()
        except eidgate.EidGateError as exc:
            failure = exc
        if failure is None:
            assert result.status == "accepted"
            outcomes["accepted"] = outcomes.get("accepted", 0) + 1
        else:
            assert failure.description
            assert 400 <= failure.status <= 599
            name = type(failure).__name__
            outcomes[name] = outcomes.get(name, 0) + 1
    # the mutations must actually hurt (harmless ones, e.g. in unused fields, pass)
    assert sum(v for k, v in outcomes.items() if k != "accepted") > CASES // 3, outcomes


_DEEP = b"[" * 200_000 + b"]" * 200_000  # under 1 MiB, far deeper than json's recursion limit


def _deep_jws() -> str:
    """A JWS whose header is deeply nested JSON, small enough to pass the size bound."""
    import base64

    deep = b"[" * 50_000 + b"]" * 50_000
    segment = base64.urlsafe_b64encode(deep).rstrip(b"=").decode()
    return f"{segment}.e30.c2ln"


@pytest.mark.parametrize("target", ["/.well-known/openid-configuration", "/jwks", "/token",
                                    "/userinfo", "id_token_header"])
def test_deeply_nested_json_is_a_clean_error(harness: Callable[..., Harness],
                                             target: str) -> None:
    op = CraftedProvider()
    if target == "id_token_header":
        op.token_extra = {"id_token": _deep_jws()}
    else:
        op.overrides[target] = lambda request: HttpResponse(
            200, {"content-type": "application/json"}, _DEEP)
    with pytest.raises(eidgate.EidGateError) as caught:
        harness(op).login()
    assert isinstance(caught.value, eidgate.ProviderError)
    assert caught.value.status == 502

"""Every parser that sees outside input holds on the fuzz corpus and on a fixed-seed mutation
of it: the deterministic share of the fuzzing (issue 10), run by every ``make test``.

The coverage-guided share is ``make fuzz`` (tests/fuzz/run.py, atheris); what it finds is
kept in tests/fuzz/corpus and replayed here. The outcome for any input must be an
``EidGateError`` or a clean value (see tests/fuzz/harnesses.py); any other exception, an
input slower than :data:`DEADLINE` seconds, or a wrong value (:class:`Violation`) fails.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from harnesses import (
    CORPUS,
    HARNESSES,
    KNOWN_BUGS,
    KNOWN_CLASSES,
    SECRET,
    STATE,
    Violation,
    _check_response,
    _check_result,
    _drive,
    _login,
    corpus_files,
    world,
)

from eidgate import HttpResponse
from eidgate.web import WebRequest, WebResponse

#: mutations per harness (x 16 harnesses); EIDGATE_FUZZ_MUTATIONS raises it for a longer run
MUTATIONS = int(os.environ.get("EIDGATE_FUZZ_MUTATIONS", "300"))
DEADLINE = 5.0  # seconds one input may take (the slowest honest one takes milliseconds)
SEED = 20261207


class Hang(Exception):
    """An input ran past :data:`DEADLINE` (raised from a timer signal)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the code under test after ``seconds`` (a hang must fail, not block)."""
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"an input took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def replay(name: str, data: bytes) -> None:
    with deadline(DEADLINE):
        HARNESSES[name](data)


def _cases() -> Iterator[object]:
    for name in HARNESSES:
        for path in corpus_files(name):
            reason = KNOWN_BUGS.get((name, path.name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, path, id=f"{name}/{path.name}", marks=marks)


@pytest.mark.parametrize(("name", "path"), list(_cases()))
def test_corpus_input_holds(name: str, path: Path) -> None:
    replay(name, path.read_bytes())


@pytest.mark.parametrize("name", list(HARNESSES))
def test_every_harness_has_a_corpus(name: str) -> None:
    files = corpus_files(name)
    assert any(p.name.startswith("seed-") for p in files), f"no seeds for {name}"
    # kept small: the corpus is in the repository and replayed by every make test
    assert all(p.stat().st_size <= 8192 for p in files)


def test_known_bugs_have_their_reproducer() -> None:
    for name, file in KNOWN_BUGS:
        assert (CORPUS / name / file).is_file(), (name, file)


# -- a fixed-seed mutation pass ------------------------------------------------------------

_TOKENS = [b'"', b"{", b"}", b"[", b"]", b",", b":", b".", b"=", b"&", b";", b"%", b"?",
           b"/", b"\\", b"\\u0000", b"\\ud800", b"1e999", b"-0", b"NaN", b"null", b"true",
           b"[]", b"{}", b"%00", b"%ff", b"\r\n", b"\xff", b"\xc3\xa9", b"\x00", b"eyJ",
           b"..", b"==", b";q=0", b"\n", b"*", b"@pending@", b"@session@", b"e30", b"W10"]
_JUNK: list[object] = [None, 0, -1, 1.5, True, "", "x", [], {}, ["a"], {"a": 1}, 10**30,
                       "a.b.c", "a.b.c.d.e", "=" * 8, "\x00", "é", 1e300]


def _mutate_json(rng: random.Random, value: object) -> object:
    if isinstance(value, dict) and value:
        copy = dict(value)
        key = rng.choice(list(copy))
        roll = rng.randrange(4)
        if roll == 0:
            del copy[key]
        elif roll == 1:
            copy[key] = _mutate_json(rng, copy[key])
        else:
            copy[key] = rng.choice(_JUNK)
        return copy
    if isinstance(value, list) and value:
        items = list(value)
        i = rng.randrange(len(items))
        items[i] = _mutate_json(rng, items[i]) if rng.random() < 0.6 else rng.choice(_JUNK)
        return items
    if isinstance(value, str) and value and rng.random() < 0.5:
        return value[:rng.randrange(len(value))] + rng.choice(["", ".", "=", "%", "é", "\x00"])
    return rng.choice(_JUNK)


def _structured(rng: random.Random, data: bytes) -> bytes | None:
    """A mutation that keeps the format: inside a JSON body, or a base64url JWT segment."""
    head, sep, body = data.partition(b"\n") if data.startswith(b"HTTP ") else (b"", b"", data)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):  # the corpus holds a payload nested 1000 deep
        value = None
    if isinstance(value, dict | list):
        return head + sep + json.dumps(_mutate_json(rng, value)).encode()
    parts = data.split(b".")
    if len(parts) in (3, 5) and all(len(p) < 4096 for p in parts):
        i = rng.randrange(len(parts))
        try:
            decoded = base64.urlsafe_b64decode(parts[i] + b"=" * (-len(parts[i]) % 4))
            inner = json.loads(decoded)
        except (ValueError, binascii.Error, RecursionError):
            return None
        encoded = json.dumps(_mutate_json(rng, inner)).encode()
        parts[i] = base64.urlsafe_b64encode(encoded).rstrip(b"=")
        return b".".join(parts)
    return None


def mutate(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """One to four byte-level edits (libFuzzer's kind), or one structured edit."""
    if rng.random() < 0.3 and (structured := _structured(rng, data)) is not None:
        return structured
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        roll = rng.randrange(7)
        if roll == 0 and out:
            out[min(i, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif roll == 1:
            out[i:i] = rng.choice(_TOKENS)
        elif roll == 2:
            out[i:i + rng.randint(1, 16)] = b""
        elif roll == 3:
            j = rng.randrange(len(out) + 1)
            out[j:j] = out[i:i + rng.randint(1, 32)]
        elif roll == 4:
            del out[i:]
        elif roll == 5 and others:
            other = rng.choice(others)
            k = rng.randrange(len(other) + 1)
            out[i:] = other[k:]
        else:
            out[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
    return bytes(out[:8192])


def mutation_failures(harness: Callable[[bytes], None], corpus: list[bytes], count: int,
                      seed: str) -> list[tuple[bytes, BaseException]]:
    """Run ``count`` mutated inputs; the ones the harness did not hold on."""
    rng = random.Random(seed)
    failures: list[tuple[bytes, BaseException]] = []
    for _ in range(count):
        data = mutate(rng, rng.choice(corpus), corpus)
        try:
            with deadline(DEADLINE):
                harness(data)
        except Exception as exc:
            failures.append((data, exc))
    return failures


@pytest.mark.parametrize("name", list(HARNESSES))
def test_mutations_hold(name: str, tmp_path: Path) -> None:
    corpus = [p.read_bytes() for p in corpus_files(name)
              if (name, p.name) not in KNOWN_BUGS]
    started = time.perf_counter()
    failures = mutation_failures(HARNESSES[name], corpus, MUTATIONS, f"{name}-{SEED}")
    known = KNOWN_CLASSES.get(name, lambda exc: False)
    failures = [(data, exc) for data, exc in failures if not known(exc)]
    elapsed = time.perf_counter() - started
    if failures:
        data, exc = failures[0]
        (tmp_path / "reproducer").write_bytes(data)
        raise AssertionError(
            f"{len(failures)} of {MUTATIONS} mutated inputs break {name}; the first, "
            f"saved as {tmp_path / 'reproducer'} (keep it in tests/fuzz/corpus/{name}): "
            f"{data[:300]!r}\n-> {exc!r:.500}") from exc
    # the whole pass stays a small share of make test (generous: make test runs it under
    # coverage, on a machine that may be busy)
    assert elapsed < 60 * max(1, MUTATIONS / 300), f"{name}: {elapsed:.1f} s"


# -- the checks themselves can fail ---------------------------------------------------------

def test_a_breaking_input_is_reported() -> None:
    def fragile(data: bytes) -> None:
        if b"{" in data:
            raise KeyError("a parser bug")
    failures = mutation_failures(fragile, [b"{}", b"x"], 50, "self-test")
    assert failures and all(isinstance(exc, KeyError) for _, exc in failures)


def test_a_hang_is_reported() -> None:
    def hanging(data: bytes) -> None:
        time.sleep(10)
    with pytest.raises(Hang), deadline(0.2):
        hanging(b"")


def test_a_traceback_page_is_a_violation() -> None:
    with pytest.raises(Violation, match="traceback"):
        _check_response(WebResponse(500, b'Traceback (most recent call last):\n  File "x"'))
    with pytest.raises(Violation, match="CR, LF"):
        _check_response(WebResponse(303, headers=[("Location", "/a\r\nSet-Cookie: x=1")]))
    with pytest.raises(Violation):
        _check_result("not a LoginResult")
    _check_response(WebResponse(404, b"<p>This page does not exist.</p>"))


# -- the harnesses still reach what they are meant to (the world has not drifted) -----------

def test_the_valid_callback_seed_logs_in() -> None:
    # a harness whose valid seed stopped at the first check would fuzz nothing past it
    w = world()
    cookie = w.gate.pending.cookie_name(w.pending)
    request = WebRequest.from_headers(
        "GET", "/eidgate/callback",
        (CORPUS / "callback_query" / "seed-valid").read_text(),
        [("Cookie", f"{cookie}={w.pending_cookie()}")])
    response = _drive(w.gate.handle(request), w.op.handle)
    assert response.status == 303
    assert any(c.startswith(w.gate.session_cookie + "=") for c in response.cookies)


def test_the_signed_and_sealed_seeds_pass_the_signature() -> None:
    # the harnesses sign and seal as eidgate.web._sessions does: if that changed, these
    # seeds would only ever reach "bad signature"
    w = world()
    payload = (CORPUS / "pending_signed" / "seed-made").read_bytes()
    value = w.signer.make_signer(w.signer.salt).sign(
        base64.urlsafe_b64encode(payload).rstrip(b"=")).decode()
    found = list(w.gate.pending.collect({w.gate.pending.prefix + STATE: value}))
    assert [p.state for p in found] == [STATE]
    assert w.gate.sessions.load(w.session_cookie) is not None
    stored = (CORPUS / "session_cookie" / "seed-made").read_text()
    assert w.gate.sessions.load(stored) is not None, "seed-made no longer opens with " + SECRET


def test_the_valid_token_response_is_accepted() -> None:
    body = (CORPUS / "token_response" / "seed-valid").read_bytes()
    seen: list[HttpResponse] = []

    def answer(request: object) -> HttpResponse:
        response = world().op.handle(request)  # type: ignore[arg-type]
        seen.append(response)
        return response
    _login(answer)
    assert json.loads(body)["id_token"] == world().token_response["id_token"]
    assert any(r.status == 200 and b"user-1" in r.body for r in seen)  # userinfo reached

"""What goes over the wire (eidgate.Client and AsyncClient): bounds on the provider's answers.

Compressed answers are inflated within the size bound (a gzip bomb is cut off without being
inflated), codings that cannot be bounded are refused; a provider that trickles bytes is cut
off at the total deadline; huge header values are not copied into errors; redirects are never
followed; URLs httpx2 cannot send to are provider errors; a token response just under the size
bound still works, odd statuses are clean errors. The peers are the crafted provider behind
httpx2.MockTransport, or served over loop-back; no mocks of eidgate.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from crafted import CLIENT_ID, CraftedProvider
from tampering import EVIL, b64url, junk_jwe, swap_id_token
from unit_harness import Build, Clock, make_config

import eidgate
from eidgate import (
    EidGateError,
    HttpRequest,
    HttpResponse,
    PendingLogins,
    ProviderError,
    TokenEndpointError,
    parse_config,
)

DRIVERS = pytest.mark.parametrize("kind", ["sync", "async"])


def driver_login(kind: str, config: eidgate.Config, op: CraftedProvider, clock: Clock,
                 transport: Any = None) -> eidgate.LoginResult:
    """One login through eidgate.Client or eidgate.AsyncClient (default transport if None)."""
    async def scenario() -> eidgate.LoginResult:
        if kind == "sync":
            with eidgate.Client(config, transport=transport, now=clock) as client:
                redirect = client.begin_login()
                return client.complete_login(op.authorize(redirect.url),
                                             PendingLogins([redirect.pending]))
        async with eidgate.AsyncClient(config, transport=transport, now=clock) as aclient:
            redirect = await aclient.begin_login()
            return await aclient.complete_login(op.authorize(redirect.url),
                                                PendingLogins([redirect.pending]))
    return asyncio.run(scenario())


def encoded(op: CraftedProvider, path: str, coding: str,
            body: Callable[[bytes], bytes]) -> httpx2.MockTransport:
    """The crafted provider, answering ``path`` with ``body(honest body)`` and a coding."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        if request.url.path != path:
            return httpx2.Response(answer.status, headers=dict(answer.headers),
                                  content=answer.body)
        # streamed, as from a socket (httpx would read and decode an in-memory body itself)
        return httpx2.Response(answer.status, stream=Streamed(body(answer.body)), headers={
            **answer.headers, "content-encoding": coding})
    transport = httpx2.MockTransport(handler)
    transport.seen = seen  # type: ignore[attr-defined]
    return transport


class Streamed(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    def __init__(self, body: bytes, size: int = 64 * 1024) -> None:
        self.chunks = [body[i:i + size] for i in range(0, len(body), size)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def gzip_bytes(data: bytes) -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


@functools.cache
def gzip_bomb() -> bytes:
    """About 256 MiB of spaces after a JSON object, gzipped to about 256 KiB."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1024 * 1024)
    return b"".join([squeezer.compress(b"{}")] + [squeezer.compress(block)
                                                   for _ in range(256)] + [squeezer.flush()])


@DRIVERS
def test_gzip_bomb_is_cut_off_without_inflating_it(kind: str, tmp_path: Path,
                                                   clock: Clock) -> None:
    """RFC 9110 8.4: a coded body is bounded by its decoded size (1 MiB), and decoding stops
    there: the relying party never holds the gigabyte (peak memory stays small)."""
    import tracemalloc
    bomb = gzip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", "gzip", lambda body: bomb)
    tracemalloc.start()
    try:
        with pytest.raises(ProviderError, match="bytes"):
            driver_login(kind, make_config(tmp_path), op, clock, transport)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, peak


@DRIVERS
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_honest_compressed_answers_still_work(kind: str, coding: str, tmp_path: Path,
                                              clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    pack = gzip_bytes if coding == "gzip" else zlib.compress
    transport = encoded(op, "/token", coding, pack)
    assert driver_login(kind, make_config(tmp_path), op, clock, transport).accepted
    # RFC 9110 12.5.3: we asked for no coding at all
    assert all(r.headers["accept-encoding"] == "identity"
               for r in transport.seen)  # type: ignore[attr-defined]


@DRIVERS
@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip", "x-evil"])
def test_content_codings_we_cannot_bound_are_refused(kind: str, coding: str, tmp_path: Path,
                                                     clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", coding, lambda body: body)
    with pytest.raises(ProviderError, match="coding"):
        driver_login(kind, make_config(tmp_path), op, clock, transport)


@DRIVERS
def test_corrupt_gzip_is_a_provider_error(kind: str, tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    transport = encoded(op, "/token", "gzip", lambda body: b"\x1f\x8b" + os.urandom(64))
    with pytest.raises(ProviderError):
        driver_login(kind, make_config(tmp_path), op, clock, transport)


@DRIVERS
@pytest.mark.parametrize("url", ["https://xn--/token", "https://256.1.1.1/token",
                                 "https://xn--zz-/token", "https://a.XN--ZZ-.example/token"])
def test_endpoint_url_httpx_cannot_send_to_is_a_provider_error(
        kind: str, url: str, tmp_path: Path, clock: Clock) -> None:
    op = CraftedProvider(now=clock)
    op.discovery_extra = {"token_endpoint": url}
    with pytest.raises(ProviderError):
        driver_login(kind, make_config(tmp_path), op, clock, op.transport())


class Trickler:
    """A real HTTP server on the loop-back: sends ``head`` at once, then ``tail`` one byte at
    a time every ``delay`` seconds."""

    def __init__(self, head: bytes, tail: bytes, delay: float) -> None:
        import socket
        self.head, self.tail, self.delay = head, tail, delay
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: Any) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.head)
                for i in range(len(self.tail)):
                    if self.stop.wait(self.delay):
                        return
                    conn.sendall(self.tail[i:i + 1])
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@DRIVERS
@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_provider_is_cut_off_at_the_timeout(kind: str, where: str,
                                                        tmp_path: Path, clock: Clock) -> None:
    """Every outbound call has a timeout (DESIGN: bounded, no hangs): in total, not per byte.
    httpx's read timeout applies per socket read; a byte every 0.05 s never trips it."""
    body = b'{"issuer": "x"}' + b" " * 200
    head = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\nx-pad: " + b"a" * 200 + b"\r\n\r\n")
    server = Trickler(b"", head + body, 0.05) if where == "headers" else Trickler(
        head, body, 0.05)
    try:
        issuer = f"http://127.0.0.1:{server.port}"
        config = parse_config({"eidgate": {"base_url": "http://localhost:8000",
                                           "secret_key": "x" * 32, "http_timeout": 1},
                               "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                                                    "client_secret": "s"}}},
                              base_dir=tmp_path)
        started = time.monotonic()
        with pytest.raises(eidgate.ProviderUnavailable):
            driver_login(kind, config, CraftedProvider(issuer=issuer, now=clock), clock)
        assert time.monotonic() - started < 3
    finally:
        server.close()


@pytest.mark.parametrize("where", ["jws-alg", "jwe-kid", "jwe-alg", "discovery-issuer",
                                   "token-content-type"])
def test_megabyte_header_values_are_not_copied_into_error_messages(enc: Build,
                                                                   where: str) -> None:
    h = enc()
    huge = "A" * 500_000
    if where == "jws-alg":
        swap_id_token(h.op, lambda c, signed: ".".join(
            (b64url(json.dumps({"alg": huge}).encode()), *signed.split(".")[1:])))
    elif where == "jwe-kid":
        swap_id_token(h.op, lambda c, _: junk_jwe({"alg": "RSA-OAEP", "enc": "A128GCM",
                                                   "kid": huge}))
    elif where == "jwe-alg":
        swap_id_token(h.op, lambda c, _: junk_jwe({"alg": huge, "enc": "A128GCM"}))
    elif where == "token-content-type":
        h.op.overrides["/token"] = lambda r: HttpResponse(
            200, {"content-type": f"text/{huge.lower()}"}, b"<html>not JSON</html>")
    else:
        h.op.discovery_extra = {"issuer": huge}
    with pytest.raises(EidGateError) as caught:
        h.login()
    assert len(str(caught.value)) < 500


@DRIVERS
@pytest.mark.parametrize("status", [302, 307, 308])
def test_redirects_are_not_followed_even_by_a_callers_client(kind: str, status: int,
                                                             tmp_path: Path,
                                                             clock: Clock) -> None:
    """RFC 9110 15.4.8: a 307/308 repeats the POST, code and client secret included; the
    token endpoint's redirect is an error, whatever the caller's httpx client would do."""
    op = CraftedProvider(now=clock)
    sent: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(str(request.url))
        if request.url.path == "/token" and request.url.host == "op.example.test":
            return httpx2.Response(status, headers={"location": f"{EVIL}/steal"})
        answer = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                       request.read()))
        return httpx2.Response(answer.status, headers=dict(answer.headers),
                              content=answer.body)
    config = make_config(tmp_path)

    async def scenario() -> None:
        if kind == "sync":
            http = httpx2.Client(transport=httpx2.MockTransport(handler), follow_redirects=True)
            with http, eidgate.Client(config, http=http, now=clock) as client:
                redirect = client.begin_login()
                client.complete_login(op.authorize(redirect.url),
                                      PendingLogins([redirect.pending]))
            return
        ahttp = httpx2.AsyncClient(transport=httpx2.MockTransport(handler),
                                  follow_redirects=True)
        async with ahttp, eidgate.AsyncClient(config, http=ahttp, now=clock) as aclient:
            redirect = await aclient.begin_login()
            await aclient.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending]))
    with pytest.raises(ProviderError, match=str(status)):
        asyncio.run(scenario())
    assert not [u for u in sent if u.startswith(EVIL)]


def served(op: CraftedProvider, path: str, answer: Callable[[httpx2.Request], httpx2.Response]
           ) -> httpx2.MockTransport:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == path:
            return answer(request)
        reply = op.handle(HttpRequest(request.method, str(request.url), request.headers,
                                      request.read()))
        return httpx2.Response(reply.status, headers=dict(reply.headers), content=reply.body)
    return httpx2.MockTransport(handler)


def sync_login(config: eidgate.Config, op: CraftedProvider, clock: Clock,
               transport: httpx2.MockTransport) -> eidgate.LoginResult:
    with eidgate.Client(config, transport=transport, now=clock) as client:
        redirect = client.begin_login()
        return client.complete_login(op.authorize(redirect.url),
                                     PendingLogins([redirect.pending]))


def test_token_response_of_one_mib_less_one_byte_is_accepted(tmp_path: Path,
                                                             clock: Clock) -> None:
    op = CraftedProvider(now=clock)

    def big(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(op.token(HttpRequest("POST", str(request.url), request.headers,
                                                 request.read())).body)
        text = json.dumps({**body, "padding": ""}).encode()
        pad = 1024 * 1024 - 1 - len(text)
        text = json.dumps({**body, "padding": "p" * pad}).encode()
        assert len(text) == 1024 * 1024 - 1
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=text)
    result = sync_login(make_config(tmp_path), op, clock, served(op, "/token", big))
    assert result.accepted


@pytest.mark.parametrize(("status", "error"), [(304, ProviderError), (204, ProviderError),
                                               (401, TokenEndpointError)])
def test_token_endpoint_odd_statuses_are_clean_errors(tmp_path: Path, clock: Clock,
                                                      status: int,
                                                      error: type[EidGateError]) -> None:
    op = CraftedProvider(now=clock)
    answer = httpx2.Response(status, headers={
        "www-authenticate": 'Basic realm="x", error="invalid_client"'})
    with pytest.raises(error):
        sync_login(make_config(tmp_path), op, clock, served(op, "/token", lambda r: answer))

"""The address a name resolves to, checked where the drivers connect (issue 10, item 3).

Both drivers run over their real network layer against a real HTTP server on 127.0.0.1,
with a resolver of the test's own in place of DNS (the transports' ``resolve=``), so a
name can resolve to whatever address a hostile provider's DNS would give. The server
counts the TCP connections it accepts: a refusal must come before any byte is sent.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Callable, Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from crafted import CLIENT_ID, CLIENT_SECRET, ServedProvider, served_provider

import eidgate
from eidgate import AsyncClient, Client, HttpRequest, HttpResponse, PendingLogins
from eidgate import _network as wire
from eidgate._errors import ProviderError, ProviderUnavailable
from eidgate.web import Gate, WebRequest

PUBLIC = "93.184.215.14"  # globally reachable (RFC 6890): a public provider's address
METADATA = "169.254.169.254"  # RFC 3927 link-local: the cloud metadata service


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


class Resolver:
    """DNS as the test wants it: each name answers the next of its lists (the last one
    again once they run out), and every question is written down."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        lists = self.answers[host]
        return lists.pop(0) if len(lists) > 1 else lists[0]

    async def aresolve(self, host: str, port: int) -> list[str]:
        return self(host, port)


def config(issuer: str, tmp_path: Path) -> eidgate.Config:
    return eidgate.parse_config({
        "eidgate": {"base_url": "http://127.0.0.1:8000", "secret_key": "s" * 32},
        "providers": {"op": {"issuer": issuer, "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET}}}, base_dir=tmp_path)


def one(req: HttpRequest) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
    return (yield req)


Send = Callable[[HttpRequest, Resolver], HttpResponse]


def sync_send(tmp_path: Path) -> Send:
    def send(req: HttpRequest, resolver: Resolver) -> HttpResponse:
        transport = wire.DeadlineTransport(resolve=resolver)
        with Client(config("https://op.example", tmp_path), transport=transport) as client:
            return client.run(one(req))
    return send


def async_send(tmp_path: Path) -> Send:
    def send(req: HttpRequest, resolver: Resolver) -> HttpResponse:
        async def run() -> HttpResponse:
            transport = wire.GuardedAsyncTransport(resolve=resolver.aresolve)
            async with AsyncClient(config("https://op.example", tmp_path),
                                   transport=transport) as client:
                return await client.run(one(req))
        return asyncio.run(run())
    return send


@pytest.fixture(params=["sync", "async"])
def send(request: pytest.FixtureRequest, tmp_path: Path) -> Send:
    return sync_send(tmp_path) if request.param == "sync" else async_send(tmp_path)


def get(url: str, issuer: str) -> HttpRequest:
    return HttpRequest("GET", url, {"Accept": "application/json"}, timeout=5, issuer=issuer)


def test_a_public_issuers_endpoint_that_resolves_to_loopback_is_refused_unsent(
        send: Send, server: _Server) -> None:
    """The token endpoint's name looks public; its address is the relying party's own
    host. The client secret must not go there: refused before connecting."""
    resolver = Resolver({"op.example": [[PUBLIC]], "token.op.example": [["127.0.0.1"]]})
    url = f"http://token.op.example:{server.server_port}/token"
    with pytest.raises(ProviderError) as caught:
        send(get(url, "https://op.example"), resolver)
    assert not isinstance(caught.value, ProviderUnavailable)  # a refusal, not an outage
    assert caught.value.description == (
        "refused to connect to token.op.example: it resolves to 127.0.0.1, loop-back "
        "(RFC 1122 3.2.1.3), and the issuer is not on such addresses")
    assert server.connections == 0


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.10", "100.64.0.1", "::1",
                                     "fd12:3456::1", "::ffff:127.0.0.1"])
def test_a_public_issuers_endpoint_on_any_internal_address_is_refused(
        send: Send, server: _Server, address: str) -> None:
    # RFC 1918, RFC 6598, RFC 4291 2.5.3, RFC 4193, RFC 4291 2.5.5.2
    resolver = Resolver({"op.example": [[PUBLIC]], "jwks.op.example": [[address]]})
    with pytest.raises(ProviderError, match=re.escape(f"resolves to {address}, ")):
        send(get(f"http://jwks.op.example:{server.server_port}/", "https://op.example"),
             resolver)
    assert server.connections == 0


def test_a_literal_address_is_checked_at_connect_time_too(send: Send, server: _Server) -> None:
    """A request the core never checked (HttpRequest is public) is judged all the same."""
    resolver = Resolver({"op.example": [[PUBLIC]]})
    with pytest.raises(ProviderError, match=re.escape("resolves to 127.0.0.1")):
        send(get(f"http://127.0.0.1:{server.server_port}/", "https://op.example"), resolver)
    assert server.connections == 0


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:{port}", "http://localhost:{port}"])
def test_a_loopback_issuers_endpoints_on_loopback_work(send: Send, server: _Server,
                                                       issuer: str) -> None:
    """The sandbox: the issuer is on 127.0.0.1, so its endpoints may be too."""
    resolver = Resolver({"localhost": [["127.0.0.1"]], "token.sandbox.test": [["127.0.0.1"]]})
    port = server.server_port
    answer = send(get(f"http://token.sandbox.test:{port}/", issuer.format(port=port)),
                  resolver)
    assert answer.status == 200
    assert server.connections == 1
    assert "localhost" not in resolver.asked  # by its spelling (RFC 6761 6.3), not by DNS


def test_a_named_issuer_on_the_internal_network_may_use_internal_endpoints(
        send: Send, server: _Server) -> None:
    """A company's own provider: its name resolves to internal addresses only, so its
    endpoints may be there too. Its host is resolved once to learn that."""
    resolver = Resolver({"idp.corp.test": [["127.0.0.1"]],
                         "token.corp.test": [["127.0.0.1", "10.0.0.7"]]})
    answer = send(get(f"http://token.corp.test:{server.server_port}/", "https://idp.corp.test"),
                  resolver)
    assert answer.status == 200
    assert resolver.asked == ["idp.corp.test", "token.corp.test"]


def test_an_issuer_on_both_public_and_internal_addresses_is_not_internal(
        send: Send, server: _Server) -> None:
    resolver = Resolver({"op.example": [[PUBLIC, "10.0.0.1"]],
                         "token.op.example": [["127.0.0.1"]]})
    with pytest.raises(ProviderError, match=re.escape("issuer is not on such addresses")):
        send(get(f"http://token.op.example:{server.server_port}/", "https://op.example"),
             resolver)
    assert server.connections == 0


@pytest.mark.parametrize("answer", [[METADATA], ["::ffff:169.254.169.254"],
                                    ["fe80::1%eth0"], ["100.100.100.200"], ["0.0.0.0"],  # noqa: S104
                                    ["127.0.0.1", METADATA], ["fd00:ec2::254"]])
@pytest.mark.parametrize("issuer", ["http://127.0.0.1:{port}", "https://op.example"])
def test_a_name_resolving_to_a_metadata_or_link_local_address_is_refused_always(
        send: Send, server: _Server, answer: list[str], issuer: str) -> None:
    """OWASP SSRF cheat sheet: the metadata service hands out the host's cloud
    credentials; no issuer, not even the sandbox's, may point there. Every address of the
    answer is checked, not only the first."""
    resolver = Resolver({"op.example": [[PUBLIC]], "keys.test": [answer]})
    port = server.server_port
    refused = re.escape("refused to connect to keys.test: it resolves to")
    with pytest.raises(ProviderError, match=refused) as caught:
        send(get(f"http://keys.test:{port}/", issuer.format(port=port)), resolver)
    assert "issuer" not in caught.value.description  # refused whoever the issuer is
    assert server.connections == 0


def test_the_checked_address_is_the_one_connected_to(send: Send, server: _Server) -> None:
    """DNS rebinding: a name that answers a harmless address first and the metadata
    service on every later question. Resolved once per connection, the check and the
    connection see the same answer; nothing asks again behind the check's back."""
    resolver = Resolver({"rebind.test": [["127.0.0.1"], [METADATA]]})
    port = server.server_port
    answer = send(get(f"http://rebind.test:{port}/", f"http://127.0.0.1:{port}"), resolver)
    assert answer.status == 200
    assert resolver.asked == ["rebind.test"]
    assert server.connections == 1


def test_a_rebound_name_is_refused_on_its_next_connection(tmp_path: Path,
                                                          server: _Server) -> None:
    resolver = Resolver({"rebind.test": [["127.0.0.1"], [METADATA]]})
    port = server.server_port
    issuer = f"http://127.0.0.1:{port}"
    transport = wire.DeadlineTransport(resolve=resolver)
    with Client(config(issuer, tmp_path), transport=transport) as client:
        assert client.run(one(get(f"http://rebind.test:{port}/", issuer))).status == 200
    # a new pool (a restarted app, an expired keep-alive): the name asked again
    transport = wire.DeadlineTransport(resolve=resolver)
    with Client(config(issuer, tmp_path), transport=transport) as client, pytest.raises(
            ProviderError, match=re.escape(f"resolves to {METADATA}")):
        client.run(one(get(f"http://rebind.test:{port}/", issuer)))
    assert server.connections == 1


@pytest.mark.parametrize(("issuer", "asked"), [
    ("https://idp.corp.test", "idp.corp.test"),
    ("https://IdP.Corp.Test", "idp.corp.test"),  # RFC 4343: names compare without case
    ("https://bücher.corp.test", "xn--bcher-kva.corp.test"),  # RFC 5891: the A-label
])
def test_an_internal_issuer_that_turns_public_is_refused(send: Send, server: _Server,
                                                         issuer: str, asked: str) -> None:
    """A provider cannot have its host judged internal once (so that its endpoints may
    point inside) and then serve its discovery document from outside."""
    resolver = Resolver({asked: [["127.0.0.1"], [PUBLIC]]})
    turned = re.escape(f"the issuer resolved to internal addresses, now to the public {PUBLIC}")
    with pytest.raises(ProviderError, match=turned):
        send(get(f"{issuer}/.well-known/openid-configuration", issuer), resolver)
    assert resolver.asked == [asked, asked]


def test_a_name_that_does_not_resolve_is_an_outage(send: Send, server: _Server) -> None:
    resolver = Resolver({})
    with pytest.raises(ProviderUnavailable, match=re.escape("cannot reach nowhere.test")):
        send(get(f"http://nowhere.test:{server.server_port}/", "https://op.example"),
             resolver)
    assert resolver.asked == ["op.example", "nowhere.test"]  # the issuer, then the host


def test_a_request_without_an_issuer_reaches_public_addresses_only(
        send: Send, server: _Server) -> None:
    resolver = Resolver({"loop.test": [["127.0.0.1"]]})
    req = HttpRequest("GET", f"http://loop.test:{server.server_port}/", timeout=5)
    with pytest.raises(ProviderError, match=re.escape("issuer is not on such addresses")):
        send(req, resolver)
    assert server.connections == 0


def test_the_next_address_is_tried_when_one_refuses(send: Send, server: _Server) -> None:
    """As ``socket.create_connection``: every checked address in turn."""
    resolver = Resolver({"two.test": [["::1", "127.0.0.1"]]})
    port = server.server_port
    answer = send(get(f"http://two.test:{port}/", f"http://127.0.0.1:{port}"), resolver)
    assert answer.status == 200  # ::1 refused the connection (nothing listens there)


# -- a whole login --------------------------------------------------------------------

@pytest.fixture
def provider() -> Iterator[ServedProvider]:
    # the token endpoint's name is loop-back by its spelling (RFC 6761), so discovery takes
    # it from a loop-back issuer; the resolver says where it really is
    with served_provider() as srv:
        srv.op.discovery_extra["token_endpoint"] = f"http://localhost:{srv.server_port}/token"
        yield srv


def _logins(tmp_path: Path, provider: ServedProvider, resolver: Resolver, mode: str) -> Any:
    op = provider.op
    conf = config(op.issuer, tmp_path)
    if mode == "sync":
        with Client(conf, transport=wire.DeadlineTransport(resolve=resolver)) as client:
            redirect = client.begin_login()
            return client.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending]))

    async def run() -> Any:
        transport = wire.GuardedAsyncTransport(resolve=resolver.aresolve)
        async with AsyncClient(conf, transport=transport) as client:
            redirect = await client.begin_login()
            return await client.complete_login(op.authorize(redirect.url),
                                               PendingLogins([redirect.pending]))
    return asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_login_whose_token_endpoint_resolves_to_metadata_fails_cleanly(
        tmp_path: Path, provider: ServedProvider, mode: str) -> None:
    resolver = Resolver({"localhost": [[METADATA]]})
    with pytest.raises(ProviderError) as caught:
        _logins(tmp_path, provider, resolver, mode)
    assert caught.value.status == 502  # the "provider unavailable" page
    assert caught.value.description.startswith(
        f"refused to connect to localhost: it resolves to {METADATA}, link-local")
    paths = [r.url.rsplit("/", 1)[-1] for r in provider.op.requests]
    assert "token" not in paths  # the code and the client secret never left


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_same_login_works_where_the_name_is_loopback(tmp_path: Path, provider: ServedProvider,
                                                         mode: str) -> None:
    resolver = Resolver({"localhost": [["127.0.0.1"]]})
    assert _logins(tmp_path, provider, resolver, mode).accepted


def test_the_callback_answers_provider_unavailable(tmp_path: Path,
                                                    provider: ServedProvider) -> None:
    """The browser's side of a refusal: the callback page says the provider is unavailable
    (502), no traceback, and no session is made."""
    op = provider.op
    conf = config(op.issuer, tmp_path)
    resolver = Resolver({"localhost": [[METADATA]]})
    with Client(conf, transport=wire.DeadlineTransport(resolve=resolver)) as client:
        gate = Gate(conf, client.rp)
        login = client.run(gate.handle(WebRequest("GET", "/eidgate/login", "provider=op")))
        name, value = login.cookies[-1].split(";")[0].split("=", 1)
        back = op.authorize(dict(login.headers)["Location"])
        web = client.run(gate.handle(WebRequest("GET", "/eidgate/callback", urlencode(back),
                                                cookies={name: value})))
    assert web.status == 502
    assert b"<h1>Identity provider unavailable</h1>" in web.body
    assert not any(c.startswith(f"{gate.session_cookie}=") and "=;" not in c
                   for c in web.cookies)


# -- the network layer's other paths: outages stay outages ----------------------------

def test_a_name_that_resolves_to_nothing_is_an_outage(send: Send, server: _Server) -> None:
    resolver = Resolver({"empty.test": [[]]})
    port = server.server_port
    with pytest.raises(ProviderUnavailable, match=re.escape("cannot reach empty.test")):
        send(get(f"http://empty.test:{port}/", f"http://127.0.0.1:{port}"), resolver)


def test_a_checked_address_where_nothing_listens_is_an_outage(send: Send) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    resolver = Resolver({"down.test": [["127.0.0.1"]]})
    with pytest.raises(ProviderUnavailable, match=re.escape("cannot reach down.test")):
        send(get(f"http://down.test:{port}/", f"http://127.0.0.1:{port}"), resolver)


def test_a_body_cut_short_is_an_outage(send: Send) -> None:
    """A provider that promises 100 bytes, sends 10 and hangs up (the async driver's
    response stream maps httpcore's error as the sync one does)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        with pytest.raises(ProviderUnavailable, match=re.escape("cannot reach 127.0.0.1")):
            send(get(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}"), Resolver({}))
    finally:
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_default_resolver_is_the_systems(tmp_path: Path, server: _Server,
                                             mode: str) -> None:
    """No resolver given: the system's (``localhost`` is in every hosts file, RFC 6761)."""
    port = server.server_port
    req = get(f"http://localhost:{port}/", f"http://127.0.0.1:{port}")
    conf = config(f"http://127.0.0.1:{port}", tmp_path)
    if mode == "sync":
        assert "127.0.0.1" in wire.getaddrinfo("localhost", port)
        with Client(conf) as client:
            assert client.run(one(req)).status == 200
        return

    async def run() -> int:
        assert "127.0.0.1" in await wire.async_getaddrinfo("localhost", port)
        async with AsyncClient(conf) as client:
            return (await client.run(one(req))).status
    assert asyncio.run(run()) == 200

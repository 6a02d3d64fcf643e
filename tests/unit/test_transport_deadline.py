"""The sync driver's transport (``_network.DeadlineTransport``) against real loopback peers.

It is httpx2's request path rebuilt on the public ``httpcore2.ConnectionPool``: these pin
what that rebuild must keep from ``httpx2.HTTPTransport`` (httpx2's exception types, TLS
verification) and what it adds (one total deadline over every socket operation).
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eidgate import _network as wire


def serve_once(answer: Callable[[socket.socket], None],
               wrap: Callable[[socket.socket], socket.socket] | None = None) -> Iterator[int]:
    """A loopback server answering each connection with ``answer``; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with wrap(conn) if wrap else conn as c:
                    answer(c)
            except (OSError, ssl.SSLError):
                continue

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def fetch(url: str, timeout: float = 5.0) -> bytes:
    with httpx2.Client(transport=wire.DeadlineTransport()) as client, client.stream(
            "GET", url, timeout=timeout) as resp:
        return b"".join(resp.iter_raw())


def test_connection_refused_is_httpx2s_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    # the port is free again: nothing listens there
    with pytest.raises(httpx2.ConnectError):
        fetch(f"http://127.0.0.1:{port}/")


@pytest.fixture
def cut_short() -> Iterator[int]:
    def answer(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    yield from serve_once(answer)


def test_a_body_cut_short_is_httpx2s_protocol_error_while_streaming(cut_short: int) -> None:
    # raised from the response stream, after handle_request returned: mapped there too
    with pytest.raises(httpx2.RemoteProtocolError):
        fetch(f"http://127.0.0.1:{cut_short}/")


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[int]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    def answer(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    yield from serve_once(answer, lambda conn: context.wrap_socket(conn, server_side=True))


def test_tls_certificates_are_verified(self_signed: int) -> None:
    # a certificate no trusted CA issued: refused in the handshake, as httpx2's own
    # transport refuses it (httpx2.create_ssl_context(): verification on)
    with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://localhost:{self_signed}/")


@pytest.fixture
def trickled_status_line() -> Iterator[int]:
    def answer(conn: socket.socket) -> None:
        conn.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
            time.sleep(0.05)  # each read returns well within any per-read timeout
            conn.sendall(bytes([byte]))
    yield from serve_once(answer)


def test_the_total_deadline_cuts_a_trickled_status_line(trickled_status_line: int) -> None:
    token = wire.DEADLINE.set(time.monotonic() + 0.3)
    started = time.monotonic()
    try:
        # per-read timeout 5 s, never reached; the whole 1.9 s trickle would pass, without
        # the total deadline of 0.3 s on every socket read
        with pytest.raises(httpx2.ReadTimeout):
            fetch(f"http://127.0.0.1:{trickled_status_line}/", timeout=5)
    finally:
        wire.DEADLINE.reset(token)
    assert time.monotonic() - started < 1.5


def test_without_a_deadline_the_transport_is_httpx2s(trickled_status_line: int) -> None:
    # outside the driver (no DEADLINE set) only httpx2's own timeouts apply: the answer
    # arrives whole, however slowly
    assert fetch(f"http://127.0.0.1:{trickled_status_line}/") == b""

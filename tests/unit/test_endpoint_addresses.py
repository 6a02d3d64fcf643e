"""Endpoints that point inside the network, refused by their spelling (issue 10, item 3).

Each row is an endpoint URL a provider's discovery document names, the issuer, and the
outcome the RFCs give: ``None`` (used), or a word the refusal must give as its reason.
The addresses come from the registries themselves (RFC 6890 and the RFCs it lists), the
cloud vendors' metadata documentation and the OWASP SSRF Prevention Cheat Sheet, never
from the code. What a *name* resolves to is judged at connect time
(tests/unit/test_connect_addresses.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from crafted import CraftedProvider
from unit_harness import make_config

from eidgate import Client, DiscoveryError
from eidgate._oidc.metadata import ProviderMetadata
from eidgate.web import Gate, WebRequest, WebResponse

PUBLIC = "https://op.example"  # a name: only its endpoints' spelling can be judged here
PUBLIC_IP = "https://93.184.215.14"  # a globally reachable address (RFC 6890: not special)
LOOPBACK = "http://127.0.0.1:9000"  # the sandbox
PRIVATE = "https://10.20.30.40"  # a company's own provider, by address (RFC 1918)
LOCALHOST = "http://localhost:9000"  # RFC 6761 6.3

ROWS: list[tuple[str, str, str | None]] = [
    # -- refused always: link-local and cloud metadata (OWASP SSRF cheat sheet) -----------
    ("https://169.254.169.254/latest", PUBLIC, "link-local"),  # RFC 3927; AWS, GCP, Azure
    ("https://169.254.169.254/latest", LOOPBACK, "link-local"),  # even for the sandbox
    ("https://169.254.169.254/latest", PRIVATE, "link-local"),
    ("https://169.254.170.2/v2/credentials", PUBLIC, "link-local"),  # AWS ECS tasks
    ("https://169.254.0.1/", LOOPBACK, "link-local"),  # RFC 3927 2.1: 169.254/16
    ("https://169.254.255.254/", LOOPBACK, "link-local"),
    ("https://[fe80::1]/", LOOPBACK, "link-local"),  # RFC 4291 2.5.6: fe80::/10
    ("https://[febf::1]/", LOOPBACK, "link-local"),
    ("https://[fe80::1%25eth0]/", LOOPBACK, "link-local"),  # RFC 6874 zone id
    ("https://metadata.google.internal/computeMetadata/v1", PUBLIC, "metadata"),
    ("https://metadata.google.internal./computeMetadata/v1", LOOPBACK, "metadata"),
    ("https://METADATA.Google.Internal/", PUBLIC, "metadata"),  # RFC 4343: any case
    ("https://metadata/computeMetadata/v1", PUBLIC, "metadata"),  # GCE's short name
    ("https://instance-data/latest", PUBLIC, "metadata"),  # AWS EC2's name
    ("https://metadata.tencentyun.com/latest", PUBLIC, "metadata"),  # Tencent Cloud
    ("https://100.100.100.200/latest", PRIVATE, "Alibaba"),  # inside RFC 6598 space
    ("https://[fd00:ec2::254]/latest", PRIVATE, "AWS"),  # inside RFC 4193 space
    ("https://192.0.0.192/opc", LOOPBACK, "Oracle"),
    ("https://168.63.129.16/machine", LOOPBACK, "Azure"),
    # -- the same addresses in other spellings: what inet_aton / getaddrinfo reads --------
    ("https://2852039166/latest", LOOPBACK, "non-standard"),  # 169.254.169.254 in decimal
    ("https://0xA9.0xFE.0xA9.0xFE/", LOOPBACK, "non-standard"),  # in hex
    ("https://0xa9fea9fe/", LOOPBACK, "non-standard"),
    ("https://0251.0376.0251.0376/", LOOPBACK, "non-standard"),  # in octal
    ("https://169.254.43518/", LOOPBACK, "non-standard"),  # a.b.c with c 16 bits
    ("https://169.254.169.254./", LOOPBACK, "non-standard"),  # the root label
    ("https://127.1/", LOOPBACK, "non-standard"),  # 127.0.0.1, even for the sandbox
    ("https://[::ffff:169.254.169.254]/", LOOPBACK, "link-local"),  # RFC 4291 2.5.5.2
    ("https://[::ffff:a9fe:a9fe]/", LOOPBACK, "link-local"),
    ("https://[64:ff9b::169.254.169.254]/", LOOPBACK, "link-local"),  # RFC 6052 NAT64
    ("https://[2002:a9fe:a9fe::1]/", LOOPBACK, "link-local"),  # RFC 3056 6to4
    ("https://[::169.254.169.254]/", LOOPBACK, "IPv4-compatible"),  # RFC 4291 2.5.5.1
    # -- refused always: unspecified, multicast, broadcast, reserved ----------------------
    ("https://0.0.0.0/", LOOPBACK, "unspecified"),  # RFC 6890 2.2.2: 0.0.0.0/8
    ("https://0.1.2.3/", LOOPBACK, "unspecified"),
    ("https://[::]/", LOOPBACK, "unspecified"),  # RFC 4291 2.5.2
    ("https://[::ffff:0.0.0.0]/", LOOPBACK, "unspecified"),
    ("https://224.0.0.1/", LOOPBACK, "multicast"),  # RFC 5771: 224/4
    ("https://239.255.255.250/", LOOPBACK, "multicast"),
    ("https://[ff02::1]/", LOOPBACK, "multicast"),  # RFC 4291 2.7: ff00::/8
    ("https://255.255.255.255/", LOOPBACK, "broadcast"),  # RFC 919
    ("https://240.0.0.1/", LOOPBACK, "reserved"),  # RFC 1112 4: 240/4
    # -- private and loop-back: only for an issuer that is on them itself ----------------
    ("https://10.0.0.5/token", PUBLIC, "private"),  # RFC 1918 3: 10/8
    ("https://10.255.255.255/token", PUBLIC_IP, "private"),
    ("https://172.16.0.0/token", PUBLIC, "private"),  # RFC 1918 3: 172.16/12
    ("https://172.31.255.255/token", PUBLIC, "private"),
    ("https://192.168.1.1/token", PUBLIC, "private"),  # RFC 1918 3: 192.168/16
    ("https://100.64.0.1/token", PUBLIC, "shared"),  # RFC 6598: 100.64/10
    ("https://100.127.255.254/token", PUBLIC, "shared"),
    ("https://127.0.0.1/token", PUBLIC, "loop-back"),  # RFC 1122 3.2.1.3: 127/8
    ("https://127.255.0.1/token", PUBLIC_IP, "loop-back"),
    ("https://[::1]/token", PUBLIC, "loop-back"),  # RFC 4291 2.5.3
    ("https://localhost/token", PUBLIC, "loop-back"),  # RFC 6761 6.3
    ("https://idp.localhost/token", PUBLIC, "loop-back"),
    ("https://[fd12:3456:789a::1]/token", PUBLIC, "unique local"),  # RFC 4193: fc00::/7
    ("https://[fc00::1]/token", PUBLIC, "unique local"),
    ("https://[::ffff:10.0.0.1]/token", PUBLIC, "private"),  # RFC 4291 2.5.5.2
    ("https://192.0.2.10/token", PUBLIC, "not globally reachable"),  # RFC 5737 (TEST-NET-1)
    ("https://198.18.0.1/token", PUBLIC, "not globally reachable"),  # RFC 2544
    ("https://10.0.0.5/token", LOOPBACK, None),  # the issuer is internal itself
    ("https://10.0.0.5/token", PRIVATE, None),
    ("https://192.168.1.1/token", LOCALHOST, None),
    ("https://[fd12:3456:789a::1]/token", PRIVATE, None),
    ("http://127.0.0.1:9000/token", LOOPBACK, None),  # the sandbox
    ("http://localhost:9000/token", LOOPBACK, None),
    ("https://[::1]:9000/token", LOCALHOST, None),
    ("https://100.64.0.1/token", PRIVATE, None),
    # -- public: used, whatever the issuer --------------------------------------------
    ("https://93.184.215.14/token", PUBLIC, None),
    ("https://172.15.255.255/token", PUBLIC, None),  # just outside RFC 1918's 172.16/12
    ("https://172.32.0.0/token", PUBLIC, None),
    ("https://100.63.255.255/token", PUBLIC, None),  # just outside RFC 6598's 100.64/10
    ("https://100.128.0.0/token", PUBLIC, None),
    ("https://169.253.255.255/token", PUBLIC, None),  # just outside RFC 3927's 169.254/16
    ("https://169.255.0.0/token", PUBLIC, None),
    ("https://[2001:4860:4860::8888]/token", PUBLIC, None),  # global unicast (RFC 4291)
    ("https://[::ffff:93.184.215.14]/token", PUBLIC, None),
    ("https://93.184.215.14/token", LOOPBACK, None),
    # -- names: left to the network layer (it resolves them) ---------------------------
    ("https://login.op.example/token", PUBLIC, None),
    ("https://metadata.example.com/token", PUBLIC, None),  # not a metadata service
    ("https://10.example/token", PUBLIC, None),  # its last label is no number
    ("https://idp.internal.example/token", PUBLIC, None),
]


def document(issuer: str, **endpoints: Any) -> dict[str, Any]:
    return {"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"], **endpoints}


@pytest.mark.parametrize(("endpoint", "issuer", "reason"), ROWS)
def test_the_token_endpoint_by_its_spelling(endpoint: str, issuer: str,
                                            reason: str | None) -> None:
    doc = document(issuer, token_endpoint=endpoint)
    if reason is None:
        assert ProviderMetadata.from_document(doc, issuer).token_endpoint == endpoint
        return
    with pytest.raises(DiscoveryError) as caught:
        ProviderMetadata.from_document(doc, issuer)
    message = caught.value.description
    assert "token_endpoint points inside the network" in message
    assert reason in message


FIELDS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint",
          "pushed_authorization_request_endpoint", "end_session_endpoint")


@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize(("endpoint", "issuer", "reason"), [
    ("https://169.254.169.254/x", LOOPBACK, "link-local"),
    ("https://metadata.google.internal/x", PUBLIC, "metadata"),
    ("https://10.1.2.3/x", PUBLIC, "private"),
    ("https://10.1.2.3/x", PRIVATE, None),
])
def test_every_endpoint_of_the_document_is_judged(name: str, endpoint: str, issuer: str,
                                                  reason: str | None) -> None:
    """The authorization endpoint is the browser's, but one pointing at a metadata host
    marks a provider to trust with nothing; the others carry secrets, codes and tokens."""
    doc = document(issuer, **{name: endpoint})
    if reason is None:
        assert getattr(ProviderMetadata.from_document(doc, issuer), name) == endpoint
        return
    with pytest.raises(DiscoveryError, match=f"{name} points inside the network") as caught:
        ProviderMetadata.from_document(doc, issuer)
    assert reason in caught.value.description
    host = endpoint.split("/")[2]
    assert f"{host} is " in caught.value.description  # the message names the host


def test_a_refusal_names_the_issuer_when_only_the_issuer_makes_it_wrong() -> None:
    with pytest.raises(DiscoveryError) as caught:
        ProviderMetadata.from_document(document(PUBLIC, jwks_uri="https://[::1]/jwks"), PUBLIC)
    assert caught.value.description == (
        "discovery document: jwks_uri points inside the network: ::1 is loop-back "
        "(RFC 4291 2.5.3), and the issuer op.example is not")


def test_a_login_through_a_callers_transport_still_refuses_by_spelling(tmp_path: Path
                                                                       ) -> None:
    """A caller's ``transport=`` (here httpx2's MockTransport) bypasses the drivers'
    network layer; the discovery check still holds, and the login page says the service is
    misconfigured (500: a discovery document that cannot be used is no outage, issue 12)
    rather than sending the code and secret to the metadata host."""
    op = CraftedProvider(discovery_extra={"token_endpoint": "https://169.254.169.254/token"})
    config = make_config(tmp_path)
    client = Client(config, transport=op.transport())
    gate = Gate(config, client.rp)
    web: WebResponse = client.run(gate.handle(WebRequest("GET", "/eidgate/login",
                                                         "provider=op")))
    assert web.status == 500
    assert b"<h1>Login is not available</h1>" in web.body
    assert [urlsplit(r.url).path for r in op.requests] == ["/.well-known/openid-configuration"]

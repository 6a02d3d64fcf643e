"""Where a request may go: the addresses a provider may point the relying party at.

A provider names the endpoints eidgate sends its client secret, codes and tokens to. A
hostile (or compromised) one could name the cloud metadata service or a host inside the
network instead (server-side request forgery). The rules are data, written once and used
twice: the discovery parser refuses what it can by spelling (:func:`endpoint_refusal`),
and the drivers' network layer (``eidgate._transport``) applies :func:`address_place` to
every address a name resolves to, when it connects.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

# An endpoint named by a provider (or the address its name resolves to) is one of:
#   "refused"   never: link-local, cloud metadata, unspecified, multicast, broadcast;
#   "internal"  private or loop-back: only for an issuer that is itself on them;
#   "public"    anything else.
# OWASP SSRF Prevention Cheat Sheet ("case 2": the application must reach arbitrary
# external hosts): resolve, check every address against a deny-list of internal ranges,
# connect to the checked address. The ranges are RFC 6890's special-purpose registries.
Place: TypeAlias = Literal["refused", "internal", "public"]
_Net: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def _nets(*rows: tuple[str, str]) -> tuple[tuple[_Net, str], ...]:
    return tuple((ipaddress.ip_network(net), why) for net, why in rows)


_REFUSED = _nets(
    # RFC 6890 2.2.2 / RFC 1122 3.2.1.3: "this host on this network"; Linux and macOS
    # connect 0.0.0.0 to the local host
    ("0.0.0.0/8", "the unspecified address ('this network', RFC 6890)"),
    # RFC 3927: link-local; AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack serve instance
    # metadata and credentials on 169.254.169.254 (ECS task credentials on 169.254.170.2)
    ("169.254.0.0/16", "link-local (RFC 3927), where cloud metadata services answer"),
    # cloud metadata services outside 169.254/16 (OWASP SSRF cheat sheet, vendors' docs)
    ("100.100.100.200/32", "Alibaba Cloud's metadata service"),
    ("192.0.0.192/32", "Oracle Cloud's metadata service"),
    ("168.63.129.16/32", "Azure's host platform endpoint (WireServer)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    # RFC 1112 4 reserved, and RFC 919 / RFC 8190 the limited broadcast 255.255.255.255
    ("240.0.0.0/4", "reserved or broadcast (RFC 1112, RFC 919)"),
    ("::/128", "the unspecified address (RFC 4291 2.5.2)"),
    ("fe80::/10", "link-local (RFC 4291 2.5.6)"),
    ("ff00::/8", "multicast (RFC 4291 2.7)"),
    ("fd00:ec2::254/128", "AWS's IPv6 metadata service"),
)
_INTERNAL = _nets(
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (RFC 6598)"),
    ("127.0.0.0/8", "loop-back (RFC 1122 3.2.1.3)"),
    ("::1/128", "loop-back (RFC 4291 2.5.3)"),
    ("fc00::/7", "unique local (RFC 4193)"),
    ("fec0::/10", "site-local (RFC 3879)"),
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 2.5.5.1, deprecated
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 2.1: the well-known prefix

# Host names of cloud metadata services (vendors' documentation; OWASP SSRF cheat sheet).
# Azure, DigitalOcean and Alibaba publish an address only (in the tables above).
_METADATA_NAMES = frozenset({
    "metadata.google.internal", "metadata", "metadata.goog",  # Google Cloud, GKE
    "instance-data", "instance-data.ec2.internal",  # AWS EC2
    "metadata.tencentyun.com",  # Tencent Cloud
    "metadata.packet.net", "metadata.platformequinix.com",  # Equinix Metal
})
# WHATWG URL, "ends in a number": a host whose last label is a number is an IPv4 address,
# and inet_aton (so getaddrinfo) reads 2852039166, 0xA9.0xFE.0xA9.0xFE or 0251.0376.43518
# as 169.254.169.254.
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


def address_place(address: ipaddress.IPv4Address | ipaddress.IPv6Address
                  ) -> tuple[Place, str]:
    """Where an IP address is: ``("refused" | "internal" | "public", why)``."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 spelling of an IPv4 address reaches that IPv4 address: the socket layer
        # for a mapped one (RFC 4291 2.5.5.2), a NAT64 translator (RFC 6052), a 6to4 relay
        # (RFC 3056). It is judged as that address.
        embedded = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        if embedded is not None:
            place, why = address_place(embedded)
            return place, f"{why}, spelled as IPv6 {address}"
        if address in _IPV4_COMPATIBLE and int(address) > 1:
            return "refused", "an IPv4-compatible IPv6 address (deprecated, RFC 4291 2.5.5.1)"
    for net, why in _REFUSED:
        if address in net:
            return "refused", why
    for net, why in _INTERNAL:
        if address in net:
            return "internal", why
    if not address.is_global:
        # the rest of RFC 6890's registries that are not "Globally Reachable":
        # documentation, benchmarking, protocol assignments...
        return "internal", "not globally reachable (RFC 6890)"
    return "public", "a public address"


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` (as ``urlsplit`` gives it) as an IP address, or None for a name."""
    try:
        # RFC 6874: a zone id ("%25eth0") scopes a link-local address; the address decides
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def host_place(host: str) -> tuple[Place, str] | None:
    """Where a URL's host is by its spelling alone; None for a name that must be resolved."""
    host = host.lower()
    address = ip_literal(host)
    if address is not None:
        return address_place(address)
    name = host[:-1] if host.endswith(".") else host  # RFC 1034 3.1: the root label
    if name in _METADATA_NAMES:
        return "refused", "a cloud metadata service"
    if _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        try:
            read = f" ({socket.inet_ntoa(socket.inet_aton(name))})"
        except OSError:
            read = ""
        return "refused", f"an IPv4 address in a non-standard spelling{read}"
    if name == "localhost" or name.endswith(".localhost"):
        return "internal", "loop-back (RFC 6761 6.3: localhost)"
    return None


def endpoint_refusal(url: str, issuer: str) -> str | None:
    """Why the provider-named endpoint ``url`` must not be used for ``issuer``, or None.

    By spelling only (the core does no I/O): a refused host always; a private or loop-back
    host unless the issuer's own host is one too (the sandbox, a company's own provider).
    A name is left to the drivers' network layer, which checks what it resolves to.
    """
    host = urlsplit(url).hostname or ""
    place = host_place(host)
    if place is None or place[0] == "public":
        return None
    if place[0] == "refused":
        return f"{host} is {place[1]}"
    issuer_host = urlsplit(issuer).hostname or ""
    issuer_place = host_place(issuer_host)
    if issuer_place is not None and issuer_place[0] == "internal":
        return None
    return f"{host} is {place[1]}, and the issuer {issuer_host} is not"

"""Endpoint URLs the provider names: well-formed international names pass, malformed refuse.

httpx2 sends any ASCII host name as is, so eidgate checks A-labels itself (RFC 5890
2.3.2.1); the refusals are in test_hostile_review's endpoint-URL test.
"""

from __future__ import annotations

import pytest

from eidgate import _transport as wire


@pytest.mark.parametrize(("url", "host"), [
    ("https://xn--bcher-kva.example/token", "xn--bcher-kva.example"),  # bücher
    ("https://XN--BCHER-KVA.example/token", "xn--bcher-kva.example"),
    ("https://bücher.example/token", "xn--bcher-kva.example"),
    ("https://op_1.example/token", "op_1.example"),  # not an A-label: not IDNA-checked
    ("https://axn--.example/token", "axn--.example"),
])
def test_well_formed_hosts_are_sent(url: str, host: str) -> None:
    assert wire.url(url).raw_host.decode() == host


@pytest.mark.parametrize("url", ["https://xn--/t", "https://op.xn--zz-/t", "https://xn--a/t"])
def test_malformed_a_labels_refuse_before_any_request(url: str) -> None:
    with pytest.raises(ValueError, match=r"label|Codepoint"):
        wire.url(url)

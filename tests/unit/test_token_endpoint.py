"""The token endpoint's answer (RFC 6749 5.1 and 5.2, OIDC Core 3.1.3.3).

Malformed or ambiguous token responses (an error beside tokens, a member named twice, a status
other than 200) are provider errors, an error page's description is bounded; the token type is
compared without regard to case. The peer is the crafted provider (tests/crafted.py), driven
sans-IO, its answers tampered with by hand (tests/tampering.py); each expectation comes from
the clause cited beside it. A traceback of any exception other than the one expected is a bug.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tampering import EVIL, replace_token_response
from unit_harness import Build, rejected

import eidgate
from eidgate import HttpRequest, HttpResponse, ProviderError


@pytest.mark.parametrize("token_type", ["Bearer", "bearer", "BEARER", "BeArEr"])
def test_token_type_is_compared_case_insensitively(harness: Build, token_type: str) -> None:
    """RFC 6749 5.1 / 7.1: token_type is case insensitive."""
    h = harness()
    h.op.token_extra = {"token_type": token_type}
    assert h.login().accepted


@pytest.mark.parametrize("change", [
    pytest.param(lambda b: [b], id="json-array"),
    pytest.param(lambda b: "text", id="json-string"),
    pytest.param(lambda b: {**b, "access_token": 12345}, id="access-token-number"),
    pytest.param(lambda b: {**b, "access_token": ["a"]}, id="access-token-list"),
    pytest.param(lambda b: {**b, "access_token": "abc\r\nX-Injected: 1"}, id="crlf"),
    pytest.param(lambda b: {**b, "access_token": "abc\ndef"}, id="lf"),
    pytest.param(lambda b: {**b, "access_token": "ab\u00e9"}, id="non-ascii"),
    pytest.param(lambda b: {**b, "access_token": ""}, id="empty"),
    pytest.param(lambda b: {**b, "id_token": None}, id="id-token-null"),
    pytest.param(lambda b: {**b, "id_token": {"a": 1}}, id="id-token-object"),
    pytest.param(lambda b: {k: v for k, v in b.items() if k != "token_type"},
                 id="no-token-type"),
    pytest.param(lambda b: {"error": "invalid_grant"}, id="200-with-error-only"),
    pytest.param(lambda b: {**b, "token_type": "Bearer\r\n"}, id="token-type-crlf"),
    pytest.param(lambda b: {**b, "token_type": "DPoP"}, id="token-type-dpop"),
])
def test_malformed_token_responses_are_provider_errors(harness: Build,
                                                       change: Callable[[Any], Any]) -> None:
    h = harness()
    replace_token_response(h.op, change)
    rejected(h, ProviderError)
    # RFC 6750 2.1: nothing malformed may reach the userinfo request's Authorization header
    assert not [r for r in h.op.requests if r.url.endswith("/userinfo")]


def test_200_with_error_and_tokens_is_refused(harness: Build) -> None:
    """RFC 6749 5.2: an ``error`` member means the request failed, whatever else is there."""
    h = harness()
    replace_token_response(h.op, lambda b: {**b, "error": "invalid_grant"})
    rejected(h, ProviderError, match="invalid_grant|error")


def test_duplicate_keys_in_token_response_are_refused(harness: Build) -> None:
    """RFC 8259 4 / RFC 7519 4: no duplicate names; a last-wins parser and a first-wins
    parser would see different ID tokens."""
    h = harness()

    def token(request: HttpRequest) -> HttpResponse:
        body = op_token = h.op.token(request).body
        del op_token
        return HttpResponse(200, {"content-type": "application/json"},
                            body[:-1] + b', "id_token": "e30.e30.e30"}')
    h.op.overrides["/token"] = token
    rejected(h, ProviderError)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 201, 204, 206])
def test_token_endpoint_non_200_is_refused(harness: Build, status: int) -> None:
    """RFC 6749 5.1: success is HTTP 200 (a redirect is never followed with our code)."""
    h = harness()

    def token(request: HttpRequest) -> HttpResponse:
        answer = h.op.token(request)
        return HttpResponse(status, {"content-type": "application/json",
                                     "location": EVIL}, answer.body)
    h.op.overrides["/token"] = token
    rejected(h, ProviderError, match=str(status))


def test_token_error_with_html_and_huge_description(harness: Build) -> None:
    h = harness()
    body = json.dumps({"error": "<script>alert(1)</script>",
                       "error_description": "x" * 100_000 + "\r\n"}).encode()
    h.op.overrides["/token"] = lambda r: HttpResponse(400, {"content-type": "text/html"}, body)
    error = rejected(h, eidgate.TokenEndpointError)
    # RFC 6749 5.2: the error code's charset allows "<" and ">"; escaping is the page's job.
    # The description is never copied, and nothing unbounded or multi-line gets through.
    assert "xxx" not in str(error) and len(str(error)) < 300 and "\n" not in str(error)

"""Pushed authorization requests (RFC 9126): the provider's answer.

Success is 201 with a JSON object holding a short string `request_uri` (2.2); `expires_in` is
informative for the client, so its absence or an odd value changes nothing. The peer is the
crafted provider (tests/crafted.py), driven sans-IO, its answers tampered with by hand
(tests/tampering.py); each expectation comes from the clause cited beside it. A traceback of
any exception other than the one expected is a bug.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from crafted import CLIENT_ID, json_response
from unit_harness import Build

from eidgate import HttpRequest, HttpResponse, ProviderError


@pytest.mark.parametrize("value", [["https://par"], 7, "", None, "x" * 100_000])
def test_par_request_uri_must_be_a_reasonable_string(harness: Build, value: Any) -> None:
    """RFC 9126 2.2: request_uri is a string (a URN or URL), short enough for a URL."""
    h = harness(use_par=True)
    h.op.overrides["/par"] = lambda r: json_response({"request_uri": value,
                                                      "expires_in": 60}, 201)
    with pytest.raises(ProviderError, match="request_uri"):
        h.begin()


# RFC 9126 2.2: a successful answer is a JSON object whose request_uri (REQUIRED) is a string;
# anything else is no PAR answer at all. expires_in only tells the client how long it may use
# the request_uri, which eidgate uses at once: its type changes nothing (see below).
@pytest.mark.parametrize(("body", "outcome"), [
    ([], ProviderError),  # a JSON array, not an object
    (["urn:x", 60], ProviderError),
    ("urn:x", ProviderError),  # the bare value, not an object holding it
    (None, ProviderError),  # JSON null
    ({}, ProviderError),  # request_uri missing
    ({"expires_in": 60}, ProviderError),
    ({"request_uri": "urn:x", "expires_in": "60"}, "urn:x"),  # expires_in as a string
    ({"request_uri": "urn:x", "expires_in": 60, "unknown": {"a": [1]}}, "urn:x"),
], ids=["array", "array-of-values", "string", "null", "empty-object", "no-request_uri",
        "string-expires_in", "extra-member"])
def test_par_response_of_other_shapes(harness: Build, body: Any,
                                      outcome: type[ProviderError] | str) -> None:
    h = harness(use_par=True)
    h.op.overrides["/par"] = lambda r: json_response(body, 201)
    if not isinstance(outcome, str):
        with pytest.raises(outcome, match="pushed authorization request"):
            h.begin()
        return
    redirect = h.begin()
    # RFC 9126 4: the authorization request then carries client_id and request_uri only.
    query = parse_qs(urlsplit(redirect.url).query)
    assert query == {"client_id": [CLIENT_ID], "request_uri": [outcome]}


@pytest.mark.parametrize("expires_in", [-1, 0, 1e308, "60", None, [60], 10**40])
def test_par_expires_in_of_any_shape_does_not_break_the_login(harness: Build,
                                                              expires_in: Any) -> None:
    """RFC 9126 2.2: expires_in is informative for the client; eidgate does not rely on it,
    so an absurd value neither crashes nor changes anything."""
    h = harness(use_par=True)
    par = h.op.par

    def answer(request: HttpRequest) -> HttpResponse:
        body = json.loads(par(request).body)
        return json_response({**body, "expires_in": expires_in}, 201)
    h.op.overrides["/par"] = answer
    assert h.login().accepted


def test_par_success_is_201_not_200(harness: Build) -> None:
    h = harness(use_par=True)

    def answer_200(request: HttpRequest) -> HttpResponse:
        answer = h.op.par(request)
        return HttpResponse(200, answer.headers, answer.body)
    h.op.overrides["/par"] = answer_200
    with pytest.raises(ProviderError, match="HTTP 200"):
        h.begin()


def test_par_201_without_expires_in_still_works(harness: Build) -> None:
    h = harness(use_par=True)

    def without_expiry(request: HttpRequest) -> HttpResponse:
        body = json.loads(h.op.par(request).body)
        return json_response({"request_uri": body["request_uri"]}, 201)
    h.op.overrides["/par"] = without_expiry
    assert h.login().accepted

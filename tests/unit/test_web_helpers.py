"""The framework-agnostic helpers of eidgate._web that the adapters share."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest
from conftest import make_config

from eidgate import RelyingParty
from eidgate._web import Gate, WebRequest, parse_cookies, wrap_view


@pytest.mark.parametrize(("header", "expected"), [
    ("", {}),
    ("a=1", {"a": "1"}),
    ("a=1; b=2;c=3", {"a": "1", "b": "2", "c": "3"}),
    # http.cookies.SimpleCookie loses every cookie of these headers
    ('prefs={"theme": "dark"}; eidgate_session=abc', {"prefs": '{"theme": "dark"}',
                                                       "eidgate_session": "abc"}),
    ("a=b c; eidgate_session=abc", {"a": "b c", "eidgate_session": "abc"}),
    ("bad name=1; eidgate_session=abc", {"bad name": "1", "eidgate_session": "abc"}),
    ("a=é; eidgate_session=abc", {"a": "é", "eidgate_session": "abc"}),
    # the first of two with one name (the longer path, RFC 6265 5.4 (2))
    ("eidgate_session=inner; eidgate_session=outer", {"eidgate_session": "inner"}),
    ('q="quoted"; e=; =nameless; flag; ;;', {"q": "quoted", "e": ""}),
    ('eidgate_session="\\x', {"eidgate_session": '"\\x'}),
])
def test_parse_cookies(header: str, expected: dict[str, str]) -> None:
    assert parse_cookies(header) == expected


def test_request_from_header_pairs_joins_repeats_and_reads_cookies() -> None:
    request = WebRequest.from_headers("GET", "/x", "a=1", [
        ("Accept", "text/html"), ("Cookie", "a=1"), ("X-Tag", "one"), ("cookie", "b=2"),
        ("x-tag", "two")])
    assert request.headers == {"accept": "text/html", "cookie": "a=1; b=2",
                               "x-tag": "one, two"}
    assert request.cookies == {"a": "1", "b": "2"}
    assert request.params == {"a": "1"}


def test_redirect_locations_are_ascii(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    gate = Gate(config, RelyingParty(config))
    web = gate.guard(WebRequest("GET", "/päge", "q=ö"), None)
    assert web is not None
    location = dict(web.headers)["Location"]
    assert location.isascii()
    assert "next=%2Fp%C3%A4ge%3Fq%3D%C3%B6" in location
    # an already escaped or reserved character is left alone; the rest is UTF-8 escaped
    sent = gate._redirect("/p%C3%A4ge/日本?a=1&b=[x]#f")
    assert dict(sent.headers)["Location"] == "/p%C3%A4ge/%E6%97%A5%E6%9C%AC?a=1&b=[x]#f"


def test_wrap_view_keeps_sync_and_async_and_answers_the_refusal() -> None:
    seen: list[tuple[Any, ...]] = []

    def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        seen.append((args, kwargs))
        return "refused" if kwargs.get("who") == "anonymous" else None

    def sync_view(who: str) -> str:
        return f"hello {who}"

    async def async_view(who: str) -> str:
        await asyncio.sleep(0)
        return f"hello {who}"

    wrapped_sync, wrapped_async = wrap_view(sync_view, refuse), wrap_view(async_view, refuse)
    assert not inspect.iscoroutinefunction(wrapped_sync)
    assert inspect.iscoroutinefunction(wrapped_async)
    assert wrapped_sync.__name__ == "sync_view"
    assert wrapped_sync(who="ann") == "hello ann"
    assert wrapped_sync(who="anonymous") == "refused"
    assert asyncio.run(wrapped_async(who="ann")) == "hello ann"
    assert asyncio.run(wrapped_async(who="anonymous")) == "refused"
    assert seen[0] == ((), {"who": "ann"})

"""Checked by mypy --strict in tests/unit/test_public_types.py, never run: the public API
keeps the types users' code relies on."""

from __future__ import annotations

from typing import assert_type

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from eidgate import AsyncClient, Client, Identity, Level, LoginRedirect
from eidgate.web import Gate, Rule
from eidgate_adapters import asgi, flask


@flask.login_required
def plain() -> str:
    return "plain"


@flask.login_required(loa="high", providers=["ftn"])
def stepped(account: int) -> str:
    return str(account)


@asgi.login_required(loa="substantial")
async def endpoint(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def check(client: Client, identity: Identity) -> None:
    assert_type(plain(), str)
    assert_type(stepped(1), str)
    redirect = client.run(client.rp.begin("ftn"))
    assert_type(redirect, LoginRedirect)
    gate, driver = Gate.open("eidgate.toml", AsyncClient)
    assert_type(driver, AsyncClient)
    assert_type(gate, Gate)
    level: Level | None = identity.loa
    assert_type(Rule.of(loa=level).loa, Level | None)


async def check_async(request: Request) -> None:
    assert_type(await endpoint(request), PlainTextResponse)

"""The evidence archive: identity + the provider's raw answers, written through a sink."""

from __future__ import annotations

import asyncio
import json
import stat
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from crafted import CraftedProvider
from unit_harness import Clock, make_config

import eidgate
from eidgate import AsyncClient, Client, DirectorySink, PendingLogins

FTN_USER = {"sub": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf", "name": "Väinö Tunnistus",
            "given_name": "Väinö", "family_name": "Tunnistus", "birthdate": "1970-07-07",
            "signicat.national_id": "070770-905D", "ftn.idpId": "fi-op", "locale": "FI"}


class ListSink:
    def __init__(self) -> None:
        self.stored: list[tuple[str, bytes]] = []

    def store(self, name: str, archive: bytes) -> None:
        self.stored.append((name, archive))


def login(kind: str, config: eidgate.Config, op: CraftedProvider, sink: Any) -> eidgate.LoginResult:
    if kind == "sync":
        with Client(config, transport=op.transport(), now=op.now, evidence=sink) as client:
            redirect = client.begin_login()
            return client.complete_login(op.authorize(redirect.url),
                                         PendingLogins([redirect.pending]))

    async def run() -> eidgate.LoginResult:
        import httpx2

        handler = op.transport().handler  # type: ignore[attr-defined]
        transport = httpx2.MockTransport(handler)
        async with AsyncClient(config, transport=transport, now=op.now,
                               evidence=sink) as client:
            redirect = await client.begin_login()
            return await client.complete_login(op.authorize(redirect.url),
                                               PendingLogins([redirect.pending]))
    return asyncio.run(run())


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("userinfo", ["json", "jwt"])
def test_archive_holds_identity_and_raw_answers(tmp_path: Path, kind: str,
                                                userinfo: str) -> None:
    clock = Clock(1_700_000_000)
    op = CraftedProvider(user=dict(FTN_USER), userinfo_mode=userinfo, now=clock)
    sink = ListSink()
    result = login(kind, make_config(tmp_path, profile="ftn"), op, sink)
    assert result.accepted
    assert result.identity is not None
    assert result.identity.method == "ftn"
    assert result.identity.national_id is not None
    assert result.identity.national_id.to_dict() == {"value": "070770-905D", "country": "FI",
                                                     "type": "hetu"}
    (name, data), = sink.stored
    # the file name says when and which provider, never who
    assert name.endswith(".zip")
    assert "op" in name
    for personal in ("6uuw8", "Väinö", "070770", "Tunnistus"):
        assert personal not in name
    with zipfile.ZipFile(BytesIO(data)) as archive:
        user_file = "user_info.json" if userinfo == "json" else "user_info.txt"
        assert sorted(archive.namelist()) == ["identity.json", "token_response.json",
                                              user_file]
        identity = json.loads(archive.read("identity.json"))
        assert identity["first_name"] == "Väinö"
        assert identity["national_id"]["value"] == "070770-905D"
        tokens = json.loads(archive.read("token_response.json"))
        assert tokens == dict(result.token_response)  # verbatim
        raw = archive.read(user_file).decode()
        assert raw == result.raw_userinfo
        if userinfo == "jwt":
            assert raw.count(".") == 2  # the signed JWT as received


def test_no_sink_no_archive_and_failed_logins_leave_none(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000)
    op = CraftedProvider(user=dict(FTN_USER), now=clock)
    assert login("sync", make_config(tmp_path), op, None).accepted  # off by default
    sink = ListSink()
    with Client(make_config(tmp_path), transport=op.transport(), now=clock,
                evidence=sink) as client:
        redirect = client.begin_login()
        result = client.complete_login({"state": redirect.pending.state, "iss": op.issuer,
                                        "error": "access_denied"},
                                       PendingLogins([redirect.pending]))
    assert result.status == "rejected"
    assert result.identity is None
    assert sink.stored == []


def test_directory_sink_from_config_writes_owner_only_files(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000)
    op = CraftedProvider(user=dict(FTN_USER), now=clock)
    config = eidgate.parse_config({
        "eidgate": {"base_url": "https://app.example.test", "secret_key": "x" * 32,
                    "evidence_dir": "evidence"},
        "providers": {"op": {"issuer": op.issuer, "client_id": op.client_id,
                             "client_secret": op.client_secret}}}, base_dir=tmp_path)
    assert config.evidence_dir == tmp_path / "evidence"
    assert login("sync", config, op, None).accepted
    files = list((tmp_path / "evidence").iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "evidence").stat().st_mode) == 0o700
    assert zipfile.is_zipfile(files[0])


def test_directory_sink_refuses_path_names(tmp_path: Path) -> None:
    sink = DirectorySink(tmp_path)
    for bad in ("../x.zip", "a/b.zip", ".hidden.zip"):
        with pytest.raises(ValueError, match="plain file name"):
            sink.store(bad, b"PK")

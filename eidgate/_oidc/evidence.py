"""The evidence archive: what the provider said, kept as the broker's "full result" keeps it.

One zip per accepted login: ``identity.json`` (the normalised identity), the raw
``token_response.json`` and ``user_info.json`` (or ``user_info.txt`` when the userinfo was
a JWT), as received. It holds personal data and tokens: it is off by default, written only
through a sink the application configures, with owner-only file permissions.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .flow import LoginResult


class EvidenceSink(Protocol):
    """Where evidence archives go (a directory, an object store, a records system)."""

    def store(self, name: str, archive: bytes) -> None:
        """Keep ``archive`` (zip bytes) under ``name`` (no personal data in the name)."""


def evidence_archive(result: LoginResult) -> bytes:
    """The zip archive for an accepted login."""
    if result.identity is None:
        raise ValueError("evidence exists only for accepted logins")
    import zipfile  # with its bz2/lzma probes: only when evidence is kept

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("identity.json", json.dumps(result.identity.to_dict(), indent=2,
                                                     ensure_ascii=False, default=str))
        archive.writestr("token_response.json", json.dumps(dict(result.token_response),
                                                           indent=2, ensure_ascii=False))
        if result.raw_userinfo is not None:
            jwt = result.raw_userinfo.lstrip()[:1] != "{"
            archive.writestr("user_info.txt" if jwt else "user_info.json", result.raw_userinfo)
    return buffer.getvalue()


def archive_name(result: LoginResult, now: float | None = None) -> str:
    """A unique file name that says when and which provider, never who."""
    import secrets

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{result.provider}-{secrets.token_hex(6)}.zip"


def keep_evidence(sink: EvidenceSink | None, result: LoginResult) -> None:
    """Store the archive of an accepted login in ``sink`` (nothing without a sink)."""
    if sink is not None and result.accepted:
        sink.store(archive_name(result), evidence_archive(result))


class DirectorySink:
    """Writes each archive as a file in ``directory``, readable by the owner only."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def store(self, name: str, archive: bytes) -> None:
        """Write atomically: a reader never sees half an archive."""
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError("archive name must be a plain file name")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.directory / name
        partial = target.with_name(f".{name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(archive)
        os.replace(partial, target)

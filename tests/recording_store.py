"""A session store for tests of what the gate asks of its store: sessions in cookies
underneath, every ``save`` and ``end`` recorded (``end`` may be made to fail)."""

from __future__ import annotations

from typing import Any

from eidgate import Identity
from eidgate.web import CookieSessions


class RecordingStore:
    """A :class:`~eidgate.web.SessionStore` that records ``save()`` fields and ``end()``
    calls; with ``fail``, ``end`` raises it instead (a store that cannot end sessions)."""

    def __init__(self, secret: str = "recording-store-secret-0123456789",  # noqa: S107
                 fail: Exception | None = None) -> None:
        self.inner = CookieSessions([secret], 3600)
        self.saved: list[dict[str, Any]] = []
        self.ended: list[tuple[str, str | None, str | None]] = []
        self.fail = fail

    def save(self, identity: Identity, **fields: Any) -> str:
        self.saved.append(fields)
        return self.inner.save(identity, **fields)

    def load(self, value: str | None) -> tuple[Identity, dict[str, Any]] | None:
        return self.inner.load(value)

    def delete(self, value: str | None) -> None:
        self.inner.delete(value)

    def end(self, issuer: str, *, sid: str | None = None, sub: str | None = None) -> int:
        if self.fail is not None:
            raise self.fail
        self.ended.append((issuer, sid, sub))
        return 1

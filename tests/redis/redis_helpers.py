"""Helpers of tests/redis: identities with personal data that must never be readable in
Redis, and an injected clock."""

from __future__ import annotations

from datetime import date

from eidgate import Identity
from eidgate._identity.national_id import NationalId

ISSUER = "https://op.example.test"
SECRET = "redis-store-test-secret-0123456789"
NATIONAL_ID = "010170-999R"


def person(subject: str = "subject-7f3a9c", *, issuer: str = ISSUER,
           first: str = "Väinö", last: str = "Tunnistus") -> Identity:
    return Identity(subject=subject, issuer=issuer, provider="op", method="ftn",
                    first_name=first, last_name=last, full_name=f"{first} {last}",
                    date_of_birth=date(1970, 1, 1),
                    national_id=NationalId(NATIONAL_ID, "FI", "hetu"), loa="substantial",
                    claims={"sub": subject, "iss": issuer, "given_name": first,
                            "family_name": last, "hetu": NATIONAL_ID, "nested": {"a": [1, 2]}},
                    warnings=("a warning",))


class Clock:
    """An injected clock (``now=``): time moves only when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

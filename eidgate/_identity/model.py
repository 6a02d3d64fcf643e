"""The normalised identity: the same fields whatever eID the person used (docs/identity.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from .national_id import NationalId

Gender = Literal["male", "female"]
Level = Literal["low", "substantial", "high"]


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; any part may be unknown."""

    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    formatted: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The six parts, JSON-ready."""
        return {"street": self.street, "postal_code": self.postal_code, "city": self.city,
                "region": self.region, "country": self.country, "formatted": self.formatted}


@dataclass(frozen=True, slots=True, repr=False)
class Identity:
    """Who logged in, verified and normalised; ``claims`` keeps every raw claim untouched.

    ``repr()`` shows no personal data (only method, provider and level), so an identity that
    ends up in a log line leaks nothing; use :meth:`to_dict` to see the fields.
    """

    subject: str
    issuer: str | None
    provider: str | None
    method: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    initials: str | None = None
    date_of_birth: date | None = None
    gender: Gender | None = None
    national_id: NationalId | None = None
    email: str | None = None
    email_verified: bool = False
    phone: str | None = None
    phone_verified: bool = False
    address: Address | None = None
    nationality: str | None = None
    loa: Level | None = None
    age_over_18: bool | None = None
    pseudonym: str | None = None
    verified_at: datetime | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: when the person last authenticated at the provider: the ``auth_time`` claim only
    #: (OIDC Core 2), never ``iat``; None when the provider did not say. A route's
    #: ``max_age`` is judged by it (OIDC Core 3.1.2.1)
    auth_time: datetime | None = None

    def __repr__(self) -> str:
        return (f"Identity(method={self.method!r}, provider={self.provider!r}, "
                f"loa={self.loa!r}, warnings={len(self.warnings)})")

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (dates ISO 8601, nested values as dicts)."""
        return {
            "subject": self.subject, "issuer": self.issuer, "provider": self.provider,
            "method": self.method, "first_name": self.first_name,
            "last_name": self.last_name, "full_name": self.full_name,
            "initials": self.initials,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "gender": self.gender,
            "national_id": self.national_id.to_dict() if self.national_id else None,
            "email": self.email, "email_verified": self.email_verified, "phone": self.phone,
            "phone_verified": self.phone_verified,
            "address": self.address.to_dict() if self.address else None,
            "nationality": self.nationality, "loa": self.loa,
            "age_over_18": self.age_over_18, "pseudonym": self.pseudonym,
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "claims": dict(self.claims), "warnings": list(self.warnings),
            "auth_time": self.auth_time.isoformat() if self.auth_time else None,
        }

    def to_session_dict(self) -> dict[str, Any]:
        """The normalised fields only, for a session: no raw claims, no warnings."""
        data = self.to_dict()
        del data["claims"], data["warnings"]
        return {k: v for k, v in data.items() if v is not None and v is not False}

    @classmethod
    def from_session_dict(cls, data: Mapping[str, Any]) -> Identity:
        """Rebuild from :meth:`to_session_dict` output (``claims`` stays empty)."""
        fields = dict(data)
        if fields.get("date_of_birth"):
            fields["date_of_birth"] = date.fromisoformat(fields["date_of_birth"])
        for when in ("verified_at", "auth_time"):
            if fields.get(when):
                fields[when] = datetime.fromisoformat(fields[when])
        if isinstance(fields.get("address"), dict):
            fields["address"] = Address(**fields["address"])
        if isinstance(fields.get("national_id"), dict):
            nid = fields["national_id"]
            fields["national_id"] = NationalId(nid["value"], nid["country"], nid["type"])
        fields.setdefault("issuer", None)
        fields.setdefault("provider", None)
        return cls(**fields)

    def to_store_dict(self) -> dict[str, Any]:
        """For a server-side session store: :meth:`to_session_dict` plus every raw claim
        and the warnings (a cookie has no room for them; an encrypted store has)."""
        data = self.to_session_dict()
        data["claims"] = dict(self.claims)
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_store_dict(cls, data: Mapping[str, Any]) -> Identity:
        """Rebuild from :meth:`to_store_dict` output, claims and warnings included."""
        fields = dict(data)
        claims = fields.pop("claims", {})
        warnings = tuple(fields.pop("warnings", ()))
        identity = cls.from_session_dict(fields)
        return replace(identity, claims=dict(claims), warnings=warnings)

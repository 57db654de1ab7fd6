"""Whose patients a user may see: the data scope that goes with a role.

A scope is applied inside every census query (never afterwards in a template), so a ward
user's query cannot return another ward's patient, and asking for one gives "not found".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ScopeKind(StrEnum):
    """The dimension a scope restricts on."""

    WARDS = "wards"
    """Patients currently on one of the given wards (ward teams)."""
    PROVIDER = "provider"
    """Patients in the given trust's beds (flow managers)."""
    ICB = "icb"
    """Residents of the given ICB, wherever they are treated (ICB case managers, analysts)."""
    NOTHING = "nothing"
    """No patients at all (administrators, users without assignments)."""
    ALL = "all"
    """Every inpatient: internal only (the census cache, demo seeding), never a user's scope."""


@dataclass(frozen=True)
class Scope:
    """A kind and the codes it allows; hashable, so it can key a cache."""

    kind: ScopeKind
    codes: tuple[str, ...] = ()

    @classmethod
    def nothing(cls) -> Scope:
        """The empty scope."""
        return cls(ScopeKind.NOTHING)

    @classmethod
    def of(cls, kind: ScopeKind, codes: tuple[str, ...] | list[str]) -> Scope:
        """A scope over ``codes``; with no codes it is the empty scope."""
        cleaned = tuple(sorted({c for c in codes if c}))
        if not cleaned:
            return cls.nothing()
        return cls(kind, cleaned)

    @classmethod
    def everyone(cls) -> Scope:
        """Every inpatient (internal use only; no user is ever given this scope)."""
        return cls(ScopeKind.ALL, ("*",))

    @property
    def is_empty(self) -> bool:
        """Whether the scope can match no patient."""
        return self.kind is ScopeKind.NOTHING or not self.codes

    @property
    def column(self) -> str | None:
        """The census column the scope restricts (``None`` for everyone or no one)."""
        return SCOPE_COLUMNS.get(self.kind)

    def admits(self, record: Mapping[str, object]) -> bool:
        """Whether a census record is inside the scope (the same rule as the census query)."""
        if self.kind is ScopeKind.ALL:
            return True
        if self.is_empty or self.column is None:
            return False
        return record.get(self.column) in self.codes

    def describe(self) -> str:
        """Plain words for headings and the audit trail, e.g. ``wards W1, W2``."""
        if self.kind is ScopeKind.ALL:
            return "all patients"
        if self.is_empty:
            return "no patients"
        label = {
            ScopeKind.WARDS: "ward" if len(self.codes) == 1 else "wards",
            ScopeKind.PROVIDER: "trust",
            ScopeKind.ICB: "residents of ICB",
        }[self.kind]
        return f"{label} {', '.join(self.codes)}"


SCOPE_COLUMNS = {
    ScopeKind.WARDS: "ward_code",
    ScopeKind.PROVIDER: "provider_code",
    ScopeKind.ICB: "person_icb_code",
}
"""The census column each kind of scope restricts."""

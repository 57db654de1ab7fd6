"""Whose patients a user may see: the data scope that goes with a role.

A scope is applied inside every census query (never afterwards in a template), so a ward
user's query cannot return another ward's patient, and asking for one gives "not found".
"""

from __future__ import annotations

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

    @property
    def is_empty(self) -> bool:
        """Whether the scope can match no patient."""
        return self.kind is ScopeKind.NOTHING or not self.codes

    def describe(self) -> str:
        """Plain words for headings and the audit trail, e.g. ``wards W1, W2``."""
        if self.is_empty:
            return "no patients"
        label = {
            ScopeKind.WARDS: "ward" if len(self.codes) == 1 else "wards",
            ScopeKind.PROVIDER: "trust",
            ScopeKind.ICB: "residents of ICB",
        }[self.kind]
        return f"{label} {', '.join(self.codes)}"

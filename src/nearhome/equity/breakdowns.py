"""The groupings compared, each with its reference group.

Ratios compare every group with one reference group, chosen as the national tools do:
White for ethnic group and White British for ethnic category (the Patient and Carer
Race Equality Framework's comparison), the least deprived fifth or tenth for IMD (so a
ratio above 1 reads "more than in the least deprived areas"), and people without a
learning disability or autism diagnosis for those flags. Age and sex have no natural
reference, so the recorded group with the largest denominator is used: the most
precise rate, which keeps every ratio's interval as narrow as the data allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from nearhome.errors import InvalidConfig

UNRECORDED: Final = frozenset(
    {"Not stated", "Not known", "Unknown", "unknown", "UNKNOWN", "U", "X", "Z", "99"}
)
"""Levels that say the item was not recorded: never a reference group."""
ETHNICITY_UNRECORDED: Final = ("Not stated", "Not known")
"""Ethnic group levels counted as not recorded for data completeness."""
AGE_BANDS: Final = "age_five_year"
"""The catalogue's breakdown whose bands are those of the ESP 2013 (for the DSR)."""


@dataclass(frozen=True, slots=True)
class EquityBreakdown:
    """One grouping.

    Attributes:
        name: The catalogue breakdown (dimension) name, e.g. ``ethnic_group``.
        label: Words for tables and charts.
        reference: The reference level, or None for "largest denominator".
        standardise: Age-standardise within its groups (not for age itself).
        gradient: Fit the slope and relative indices of inequality across levels
            (IMD, where level 1 is the most deprived).
    """

    name: str
    label: str
    reference: str | None
    standardise: bool = True
    gradient: bool = False


BREAKDOWNS: Final = {
    "ethnicity": (EquityBreakdown("ethnic_group", "Ethnic group", "White"),),
    "ethnic_category": (EquityBreakdown("ethnic_category", "Ethnic category", "A"),),
    "imd_quintile": (
        EquityBreakdown("imd_quintile", "IMD quintile", "5", gradient=True),
    ),
    "imd_decile": (EquityBreakdown("imd_decile", "IMD decile", "10", gradient=True),),
    "age": (EquityBreakdown("age_ri", "Age", None, standardise=False),),
    "sex": (EquityBreakdown("gender", "Sex", None),),
    "ld_autism": (
        EquityBreakdown("ld_status", "Learning disability", "none"),
        EquityBreakdown("autism_status", "Autism", "none"),
    ),
}
"""Command-line names and the catalogue breakdowns they stand for."""


def resolve_breakdowns(names: str | Sequence[str]) -> tuple[EquityBreakdown, ...]:
    """The groupings named (comma-separated or a list).

    Raises:
        InvalidConfig: a name is not one of :data:`BREAKDOWNS`.

    Examples:
        >>> [b.name for b in resolve_breakdowns("ethnicity,ld_autism")]
        ['ethnic_group', 'ld_status', 'autism_status']
    """
    items = names.split(",") if isinstance(names, str) else list(names)
    items = [n.strip() for n in items if n.strip()]
    unknown = [n for n in items if n not in BREAKDOWNS]
    if unknown or not items:
        raise InvalidConfig(
            f"Unknown equity breakdown(s): {', '.join(unknown) or '(none given)'}.",
            hint=f"Use some of: {', '.join(BREAKDOWNS)}.",
        )
    chosen: dict[str, EquityBreakdown] = {}
    for item in items:
        for breakdown in BREAKDOWNS[item]:
            chosen[breakdown.name] = breakdown
    return tuple(chosen.values())

"""The measures an inequalities analysis compares, and the denominator each needs.

A fair comparison between groups divides each group's events by that group's own
exposure to the risk. For admissions, detentions and out-of-area placements the
exposure is the resident population; for restrictive interventions it is the time spent
in hospital (occupied bed days), because a group that spends more days on wards meets
more chances of restraint; for long stays it is the discharged spells that could have
been long. Dividing a per-bed-day measure by population would confuse "more often
restrained" with "more often in hospital". Each measure therefore names a catalogue
composite whose numerator is the count and whose denominator is the right exposure,
plus the plain count (which every person breakdown supports, so groups without a
population still get their counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from nearhome.errors import InvalidConfig

Exposure = Literal["population", "bed_days", "spells"]


@dataclass(frozen=True, slots=True)
class EquityMeasure:
    """One measure of the analysis.

    Attributes:
        name: Its name on the command line and in outputs.
        title: Words for tables and charts.
        count_metric: Catalogue id of the plain count (events).
        rate_metric: Catalogue id of the composite: numerator the same events,
            denominator the exposure.
        exposure: What the denominator measures.
        multiplier: Rates are per this many units of exposure.
        per: The rate's unit in words.
    """

    name: str
    title: str
    count_metric: str
    rate_metric: str
    exposure: Exposure
    multiplier: float
    per: str


MEASURES: Final = {
    m.name: m
    for m in (
        EquityMeasure(
            "admissions",
            "Admissions",
            "activity.admissions",
            "activity.admissions_per_100k",
            "population",
            100_000,
            "per 100,000 residents",
        ),
        EquityMeasure(
            "detentions",
            "Detentions under the Mental Health Act",
            "detentions.detentions",
            "detentions.detentions_per_100k",
            "population",
            100_000,
            "per 100,000 residents",
        ),
        EquityMeasure(
            "oap_started",
            "Inappropriate out-of-area placements started",
            "out_of_area.inappropriate_started",
            "out_of_area.inappropriate_started_per_1m",
            "population",
            1_000_000,
            "per 1,000,000 residents",
        ),
        EquityMeasure(
            "restrictive_per_1000_bed_days",
            "Restrictive interventions",
            "restrictive.interventions",
            "restrictive.per_1000_bed_days",
            "bed_days",
            1_000,
            "per 1,000 occupied bed days",
        ),
        EquityMeasure(
            "long_stays",
            "Long stays (60+ days), adult acute, aged 18 to 64",
            "length_of_stay.adult_acute_60_plus",
            "length_of_stay.adult_acute_60_plus_pct",
            "spells",
            100,
            "per 100 discharged spells",
        ),
        EquityMeasure(
            "crfd_days",
            "Days clinically ready for discharge",
            "delayed_discharge.crfd_days",
            "delayed_discharge.crfd_bed_days_pct",
            "bed_days",
            100,
            "per 100 occupied bed days",
        ),
    )
}
"""Every measure, by name (the command line's ``--measures``)."""


def resolve_measures(names: str | Sequence[str]) -> tuple[EquityMeasure, ...]:
    """The measures named (comma-separated or a list; ``all`` for every one).

    Raises:
        InvalidConfig: a name is not one of :data:`MEASURES`.

    Examples:
        >>> [m.rate_metric for m in resolve_measures("admissions,long_stays")]
        ['activity.admissions_per_100k', 'length_of_stay.adult_acute_60_plus_pct']
    """
    items = names.split(",") if isinstance(names, str) else list(names)
    items = [n.strip() for n in items if n.strip()]
    if not items or items == ["all"]:
        return tuple(MEASURES.values())
    unknown = [n for n in items if n not in MEASURES]
    if unknown:
        raise InvalidConfig(
            f"Unknown equity measure(s): {', '.join(unknown)}.",
            hint=f"Use some of: {', '.join(MEASURES)}.",
        )
    return tuple(MEASURES[n] for n in dict.fromkeys(items))

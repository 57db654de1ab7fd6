"""Length of stay of discharges and of people still in hospital; long stays (MHS100–105,
MHS140–142).

Length of stay is discharge date minus admission date (no +1), so a same-day stay is 0
days. Ages are at the period's last day; the bed type is the last ward stay's (the one
ending on the discharge date), as the LOS publication takes it. Counts of discharged
people and of long stays count people, not spells; means and medians are over spells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ibis.expr.types import BooleanValue, Table

from nearhome.data import codes
from nearhome.metrics.activity import DISCHARGES, OPEN_SPELLS
from nearhome.metrics.define import metric
from nearhome.metrics.measures import (
    Composite,
    Count,
    Distinct,
    FactMeasure,
    GeometricMean,
    Population,
    Quantile,
    Total,
)

TOTAL_LOS = "length of stay of those discharges, summed (days)"


def _mean(where: Callable[[Table], BooleanValue] | None = None) -> FactMeasure:
    return FactMeasure(DISCHARGES, Total("los_days", where), Count(where))


metric(
    "length_of_stay.mean",
    title="Mean length of stay of discharges",
    unit="mean_days",
    definition="Mean of discharge date minus admission date over spells discharged in the period.",
    numerator=TOTAL_LOS,
    denominator="spells discharged in the period",
    computation=_mean(),
    caveats=("As NHS England's acute inpatient dashboard, for every bed type.",),
)
metric(
    "length_of_stay.median",
    title="Median length of stay of discharges",
    unit="median_days",
    definition="Median (linear interpolation) of the length of stay of spells discharged in the period.",
    numerator="not used (the value is a statistic)",
    denominator="spells discharged in the period",
    computation=FactMeasure(DISCHARGES, None, Count(), Quantile("los_days", 0.5)),
)
metric(
    "length_of_stay.p90",
    title="90th percentile of length of stay of discharges",
    unit="p90_days",
    definition="90th percentile (linear interpolation) of the length of stay of spells discharged in the period.",
    numerator="not used (the value is a statistic)",
    denominator="spells discharged in the period",
    computation=FactMeasure(DISCHARGES, None, Count(), Quantile("los_days", 0.9)),
)
metric(
    "length_of_stay.geometric_mean",
    title="Geometric mean length of stay of discharges",
    unit="geometric_mean_days",
    definition=(
        "exp(mean(ln LOS)) over spells discharged in the period with a length of stay of "
        "at least one day (ln 0 is undefined, so same-day stays are left out)."
    ),
    numerator="not used (the value is a statistic)",
    denominator="spells discharged in the period with LOS of 1 day or more",
    computation=FactMeasure(
        DISCHARGES, None, Count(lambda t: t.los_days >= 1), GeometricMean("los_days")
    ),
    caveats=("NHS England's dashboard sums ln(LOS) without excluding zero-day stays.",),
)
metric(
    "length_of_stay.mean_excluding_crfd",
    title="Mean length of stay excluding days clinically ready for discharge",
    unit="mean_days",
    definition=(
        "Mean over spells discharged in the period of length of stay minus the spell's days "
        "clinically ready for discharge, counted by the MHS26 rule over the whole spell "
        "(never below zero): how long stays would be without discharge delays."
    ),
    numerator="length of stay less CRFD days, summed (days)",
    denominator="spells discharged in the period",
    computation=FactMeasure(DISCHARGES, Total("los_less_crfd_days"), Count()),
    caveats=(
        "NHS England's dashboard subtracts closed CRFD lengths counted end - start + 1; the "
        "MHS26 rule is used here so the figure agrees with the CRFD days measure.",
    ),
)
metric(
    "length_of_stay.in_hospital_mean",
    title="Mean length of stay so far of people in hospital",
    unit="mean_days",
    definition=(
        "For spells open at the end of the period: mean of the days from admission to the "
        "period's end (midnights in hospital so far, the admission day counted)."
    ),
    numerator="days in hospital so far, summed",
    denominator="spells open at the end of the period",
    computation=FactMeasure(OPEN_SPELLS, Total("los_so_far_days"), Count()),
    is_local=True,
)
metric(
    "length_of_stay.in_hospital_median",
    title="Median length of stay so far of people in hospital",
    unit="median_days",
    definition="Median of the days in hospital so far of spells open at the end of the period.",
    numerator="not used (the value is a statistic)",
    denominator="spells open at the end of the period",
    computation=FactMeasure(
        OPEN_SPELLS, None, Count(), Quantile("los_so_far_days", 0.5)
    ),
    is_local=True,
)
metric(
    "length_of_stay.in_hospital_60_plus",
    title="People in hospital for 60 days or more at the end of the period",
    unit="people",
    definition="Distinct people whose spell open at the end of the period has lasted 60 days or more so far.",
    numerator="people in hospital 60+ days at the end of the period",
    computation=FactMeasure(
        OPEN_SPELLS, Distinct("person_id", lambda t: t.los_so_far_days >= 60)
    ),
    is_local=True,
)


@dataclass(frozen=True, slots=True)
class Cohort:
    """A publication cohort: bed type group and age range of discharged people."""

    key: str
    words: str
    los_group: str | None
    min_age: int
    max_age: int | None
    discharged_id: str
    long_ids: tuple[str, str]

    def where(self, t: Table) -> BooleanValue:
        """Rows of this cohort: the bed type on discharge and the age at period end."""
        condition = t.age >= self.min_age
        if self.max_age is not None:
            condition = condition & (t.age <= self.max_age)
        if self.los_group is not None:
            frame = codes.bed_groupings("los_publication")
            beds = [
                str(c)
                for c in frame.loc[frame["group"] == self.los_group, "bed_type_code"]
            ]
            condition = condition & t.bed_type_code.isin(beds)
        return condition  # type: ignore[no-any-return]


COHORTS = (
    Cohort(
        "adult_acute",
        "from adult acute beds aged 18 to 64",
        "adult_acute",
        18,
        64,
        "MHS140",
        ("MHS100", "MHS101"),
    ),
    Cohort(
        "older_adult_acute",
        "from older adult acute beds aged 65 or over",
        "older_adult_acute",
        65,
        None,
        "MHS141",
        ("MHS102", "MHS103"),
    ),
    Cohort(
        "under_18",
        "aged 0 to 17 (any bed type)",
        None,
        0,
        17,
        "MHS142",
        ("MHS104", "MHS105"),
    ),
)


def _register_cohort(c: Cohort) -> None:
    base = f"length_of_stay.{c.key}"
    metric(
        f"{base}_discharged",
        title=f"People discharged {c.words}",
        unit="people",
        mhsds_id=c.discharged_id,
        definition=f"Distinct people with a spell discharged in the period {c.words} (age at the period's end, bed type of the last ward stay).",
        numerator=f"people discharged {c.words}",
        computation=FactMeasure(DISCHARGES, Distinct("person_id", c.where)),
    )
    metric(
        f"{base}_mean",
        title=f"Mean length of stay, discharges {c.words}",
        unit="mean_days",
        mhsds_id=f"{c.discharged_id}a",
        definition=f"Mean length of stay of spells discharged in the period {c.words}.",
        numerator=TOTAL_LOS,
        denominator=f"spells discharged {c.words}",
        computation=_mean(c.where),
        caveats=("The publication is quarterly; computed here for any frequency.",),
    )
    metric(
        f"{base}_median",
        title=f"Median length of stay, discharges {c.words}",
        unit="median_days",
        mhsds_id=f"{c.discharged_id}b",
        definition=f"Median length of stay of spells discharged in the period {c.words}.",
        numerator="not used (the value is a statistic)",
        denominator=f"spells discharged {c.words}",
        computation=FactMeasure(
            DISCHARGES, None, Count(c.where), Quantile("los_days", 0.5, c.where)
        ),
    )
    population = Population(c.min_age, c.max_age)
    for days, official in zip((60, 90), c.long_ids, strict=True):
        long_id = f"{base}_{days}_plus"
        metric(
            long_id,
            title=f"People discharged {c.words} after {days} days or more",
            unit="people",
            mhsds_id=official,
            definition=f"Distinct people discharged in the period {c.words} whose length of stay was {days} days or more.",
            numerator=f"people discharged {c.words} with LOS of {days}+ days",
            computation=FactMeasure(
                DISCHARGES,
                Distinct("person_id", lambda t, d=days: c.where(t) & (t.los_days >= d)),
            ),
        )
        metric(
            f"{long_id}_per_100k",
            title=f"Long stays ({days}+ days) {c.words} per 100,000 population",
            unit="per_100k",
            mhsds_id=f"{official}a",
            definition=f"{official} per 100,000 residents {population.label}, the age group's population.",
            numerator=f"people discharged {c.words} with LOS of {days}+ days",
            denominator=f"resident population {population.label}",
            computation=Composite(long_id, population),
            scale=100_000,
        )
        metric(
            f"{long_id}_pct",
            title=f"Long stays ({days}+ days) as a percentage of people discharged {c.words}",
            unit="pct",
            mhsds_id=f"{official}b",
            definition=f"{official} as a percentage of {c.discharged_id} (people discharged {c.words}).",
            numerator=f"people discharged {c.words} with LOS of {days}+ days",
            denominator=f"people discharged {c.words}",
            computation=Composite(long_id, f"{base}_discharged"),
            scale=100,
        )


for _cohort in COHORTS:
    _register_cohort(_cohort)

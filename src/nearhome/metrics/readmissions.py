"""Readmission within 14 and within 30 days of discharge (local definitions).

There is no MHSDS publication measure of readmission. These follow NHS England's acute
inpatient dashboard: index discharges exclude deaths, self-discharge, discharge by a
relative and "not discharged" (method 4, 6, 7, 8) and transfers to another mental
health, learning disability or secure inpatient setting or death (destination 48, 49,
50, 53, 79, 84, 87); the readmission is the person's next admission anywhere on or
after the discharge date; "within N days" means admitted fewer than N days after the
discharge date (0 to N-1 days, as the dashboard's 14-day figure). Discharges are
counted in the period they happen, so the latest ones are incomplete until N days of
later data are loaded.
"""

from __future__ import annotations

from nearhome.metrics.activity import DISCHARGES
from nearhome.metrics.define import metric
from nearhome.metrics.measures import Count, FactMeasure

LOCAL_CAVEAT = (
    "Local definition (no national measure): NHS England's dashboard publishes the 14-day figure.",
    "Discharges near the end of the data have not had N days to be readmitted yet.",
)

for _days in (14, 30):
    metric(
        f"readmissions.within_{_days}_days",
        title=f"Readmitted within {_days} days of discharge",
        unit="pct",
        definition=(
            f"Index discharges in the period (see the caveats for exclusions) followed by an "
            f"admission of the same person, anywhere, 0 to {_days - 1} days after the "
            f"discharge date, as a percentage of index discharges."
        ),
        numerator=f"index discharges readmitted within {_days} days",
        denominator="index discharges in the period",
        computation=FactMeasure(
            DISCHARGES,
            Count(
                lambda t, d=_days: (
                    t.is_readmission_index
                    & (t.days_to_readmission >= 0)
                    & (t.days_to_readmission < d)
                )
            ),
            Count(lambda t: t.is_readmission_index),
        ),
        scale=100,
        is_local=True,
        caveats=LOCAL_CAVEAT,
    )

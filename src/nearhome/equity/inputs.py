"""The metric frames an inequalities analysis reads, over one span of months.

Everything comes from the metric catalogue through :func:`~nearhome.metrics.run_metrics`
(so the numbers are the catalogue's, on any backend). Metrics are run monthly and the
months are added up into one span: counts and exposures in bed days or spells add up
over months, while a population is a stock, so the span's population is the average of
the months' populations (a 12-month span then gives an annual rate per resident).
Running monthly works for any span, not only whole financial years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nearhome.data.warehouse import Warehouse
from nearhome.equity.breakdowns import AGE_BANDS, EquityBreakdown
from nearhome.equity.measures import EquityMeasure
from nearhome.metrics import dimensions
from nearhome.metrics.disclosure import POPULATION_UNITS
from nearhome.metrics.registry import get
from nearhome.metrics.run import COLUMNS, run_metrics
from nearhome.periods import ReportingPeriod

COMPLETENESS_BREAKDOWN = "ethnic_group"
"""Always run, so every output reports how complete ethnicity recording is."""
FUNNEL_UNITS = ("provider", "sub_icb")
"""Units a funnel plot may compare: providers where the measure has them, else
sub-ICB areas (population rates are by residence, so they have no provider)."""


def _supports(metric_id: str, breakdown: Sequence[str]) -> bool:
    spec = get(metric_id)
    return all(part == "all" or part in spec.breakdowns for part in breakdown)


def input_breakdowns(
    measure: EquityMeasure, breakdowns: Sequence[EquityBreakdown]
) -> tuple[list[str], list[str]]:
    """Breakdowns to run for one measure: ``(rate metric's, count metric's)``.

    The rate metric (count and exposure) is run for every grouping it supports, crossed
    with five-year age bands where the DSR needs them, by ethnic group for data
    completeness and by the funnel units. Groupings it lacks (the population composites
    have no learning disability or autism breakdown, as there is no population by those)
    fall back to the plain count.
    """
    rate: list[str] = ["all", COMPLETENESS_BREAKDOWN]
    count: list[str] = []
    for breakdown in breakdowns:
        if _supports(measure.rate_metric, (breakdown.name,)):
            rate.append(breakdown.name)
            crossed = (breakdown.name, AGE_BANDS)
            if breakdown.standardise and _supports(measure.rate_metric, crossed):
                rate.append(dimensions.CROSS.join(crossed))
        else:
            count.append(breakdown.name)
    rate += [u for u in FUNNEL_UNITS if _supports(measure.rate_metric, (u,))]
    return list(dict.fromkeys(rate)), count


def collect_inputs(
    warehouse: Warehouse | str,
    measures: Sequence[EquityMeasure],
    breakdowns: Sequence[EquityBreakdown],
    *,
    period: str | ReportingPeriod,
    icb: str | None = None,
) -> pd.DataFrame:
    """Run the catalogue for the analysis and total it over the span (unsuppressed).

    Returns:
        One tidy metric frame (the catalogue's columns) with one row per metric,
        breakdown and level for the whole span. Disclosure control is applied later,
        to the analysis outputs, so statistics use the recorded counts.
    """
    rate_metrics: list[str] = []
    count_metrics: list[str] = []
    rate_by: list[str] = []
    count_by: list[str] = []
    for measure in measures:
        rate, count = input_breakdowns(measure, breakdowns)
        rate_metrics.append(measure.rate_metric)
        rate_by += rate
        if count:
            count_metrics.append(measure.count_metric)
            count_by += count
    # one run per kind: the catalogue shares facts between metrics and leaves out any
    # metric x breakdown pair a metric does not support
    monthly = [
        run_metrics(
            warehouse,
            list(dict.fromkeys(metrics)),
            period=period,
            by=list(dict.fromkeys(by)),
            icb=icb,
        )
        for metrics, by in ((rate_metrics, rate_by), (count_metrics, count_by))
        if metrics
    ]
    frames = [f for f in monthly if not f.empty]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    totals = span_totals(pd.concat(frames, ignore_index=True))
    totals.attrs["nearhome"] = {"scope": icb, "national_total": icb is None}
    return totals


def span_totals(monthly: pd.DataFrame) -> pd.DataFrame:
    """Monthly tidy metric rows added up into one row per metric, breakdown and level.

    Numerators add up; denominators add up too unless they are populations (units
    ``per_100k`` and ``per_1m``), which are averaged over the months. Values are
    recomputed from the totals with each metric's scale.

    Examples:
        >>> import datetime as dt
        >>> months = pd.DataFrame({
        ...     "measure_id": ["detentions.detentions_per_100k"] * 2,
        ...     "mhsds_id": [None, None],
        ...     "period_start": [dt.date(2025, 4, 1), dt.date(2025, 5, 1)],
        ...     "period_end": [dt.date(2025, 4, 30), dt.date(2025, 5, 31)],
        ...     "breakdown": ["all"] * 2, "level": ["ALL"] * 2,
        ...     "level_description": ["Total"] * 2, "numerator": [3.0, 5.0],
        ...     "denominator": [40_000.0, 40_000.0], "value": [7.5, 12.5],
        ...     "unit": ["per_100k"] * 2})
        >>> span_totals(months)[["numerator", "denominator", "value"]]
           numerator  denominator  value
        0        8.0      40000.0   20.0
    """
    keys = ["measure_id", "breakdown", "level"]
    population = monthly["unit"].isin(POPULATION_UNITS)
    work = monthly.assign(
        _sum_den=monthly["denominator"].where(~population),
        _pop_den=monthly["denominator"].where(population),
    )
    grouped = work.groupby(keys, sort=False, dropna=False)
    totals = grouped.agg(
        mhsds_id=("mhsds_id", "first"),
        period_start=("period_start", "min"),
        period_end=("period_end", "max"),
        level_description=("level_description", "first"),
        numerator=("numerator", lambda s: s.sum(min_count=1)),
        _sum_den=("_sum_den", lambda s: s.sum(min_count=1)),
        _pop_den=("_pop_den", "mean"),
        unit=("unit", "first"),
    ).reset_index()
    is_population = totals["unit"].isin(POPULATION_UNITS)
    totals["denominator"] = totals["_pop_den"].where(is_population, totals["_sum_den"])
    scale = totals["measure_id"].map(lambda m: get(m).scale)
    kind = totals["measure_id"].map(lambda m: get(m).kind)
    has_den = totals["measure_id"].map(lambda m: get(m).denominator is not None)
    totals["denominator"] = totals["denominator"].where(has_den.astype(bool))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = totals["numerator"] / totals["denominator"].where(
            totals["denominator"] != 0
        )
    totals["value"] = np.where(kind == "count", totals["numerator"], share * scale)
    out = totals[COLUMNS].astype(
        {"numerator": "float64", "denominator": "float64", "value": "float64"}
    )
    out.attrs["nearhome"] = dict(monthly.attrs.get("nearhome", {}))
    return out

"""``run_metrics``: the one place metrics execute, returning the tidy publication shape.

Output columns (one row per measure × period × breakdown level)::

    measure_id, mhsds_id, period_start, period_end (inclusive last day), breakdown,
    level, level_description, numerator, denominator, value, unit

``value`` is the count itself for counts, numerator ÷ denominator × scale for shares
(percentages, rates, means) and the statistic for medians, percentiles and geometric
means (whose ``denominator`` is the number of records behind them). The frame's
``attrs["nearhome"]`` records the request (measures, span, frequency, breakdowns,
scope) and, once applied, the disclosure policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nearhome.data.warehouse import Warehouse, connect
from nearhome.errors import UnsupportedBreakdown
from nearhome.metrics import dimensions
from nearhome.metrics.calendar import periods_table
from nearhome.metrics.compute import (
    Breakdown,
    Progress,
    Run,
    WarehouseTables,
    execute,
    plan,
    supports,
)
from nearhome.metrics.disclosure import DisclosurePolicy, apply_policy
from nearhome.metrics.registry import MetricSpec, get, resolve
from nearhome.periods import Frequency, ReportingPeriod, parse_span, split

COLUMNS = [
    "measure_id",
    "mhsds_id",
    "period_start",
    "period_end",
    "breakdown",
    "level",
    "level_description",
    "numerator",
    "denominator",
    "value",
    "unit",
]


def _warehouse(warehouse: Warehouse | str) -> Warehouse:
    return connect(warehouse) if isinstance(warehouse, str) else warehouse


def _periods(
    period: str | ReportingPeriod, frequency: Frequency
) -> list[ReportingPeriod]:
    span = parse_span(period) if isinstance(period, str) else period
    periods = split(span, frequency)
    if not periods:
        from nearhome.errors import InvalidConfig

        raise InvalidConfig(
            f"The span {span.label()} holds no whole {frequency} period.",
            hint="Widen --period, e.g. 2025-04..2026-03 for a financial year.",
        )
    return periods


def tidy(
    long: pd.DataFrame, specs: Sequence[MetricSpec], breakdowns: Sequence[Breakdown]
) -> pd.DataFrame:
    """The long results of the requested pairs in the output contract's columns."""
    wanted = {
        (s.id, dimensions.label(b)) for s in specs for b in breakdowns if supports(s, b)
    }
    keys = pd.MultiIndex.from_arrays([long["measure_id"], long["breakdown"]])
    rows = long[keys.isin(list(wanted))].reset_index(drop=True)
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    by_id = {s.id: s for s in specs}
    meta = pd.DataFrame(
        {
            "measure_id": list(by_id),
            "mhsds_id": [s.mhsds_id for s in by_id.values()],
            "unit": [s.unit for s in by_id.values()],
            "_kind": [s.kind for s in by_id.values()],
            "_scale": [s.scale for s in by_id.values()],
            "_has_den": [s.denominator is not None for s in by_id.values()],
        }
    )
    rows = rows.merge(meta, on="measure_id", how="left")
    crossed = rows["level_1"] != ""
    level = rows["level_0"].where(
        ~crossed, rows["level_0"] + dimensions.JOIN + rows["level_1"]
    )
    description = rows["desc_0"].where(~crossed, rows["desc_0"] + "; " + rows["desc_1"])
    denominator = rows["denominator"].where(rows["_has_den"])
    share = rows["numerator"] / denominator.where(denominator != 0) * rows["_scale"]
    value = np.select(
        [rows["_kind"] == "count", rows["_kind"] == "statistic"],
        [rows["numerator"], rows["statistic"]],
        default=share,
    )
    out = pd.DataFrame(
        {
            "measure_id": rows["measure_id"],
            "mhsds_id": rows["mhsds_id"],
            "period_start": rows["period_start"],
            "period_end": rows["period_last"],
            "breakdown": rows["breakdown"],
            "level": level,
            "level_description": description,
            "numerator": rows["numerator"].where(rows["_kind"] != "statistic"),
            "denominator": denominator,
            "value": value,
            "unit": rows["unit"],
        }
    )
    return out.astype(
        {"numerator": "float64", "denominator": "float64", "value": "float64"}
    )


def run_metrics(  # noqa: PLR0913
    warehouse: Warehouse | str,
    measures: str | Sequence[str] = "all",
    *,
    period: str | ReportingPeriod,
    frequency: Frequency = "month",
    by: str | Sequence[str] = "all",
    suppress: str | DisclosurePolicy | None = None,
    icb: str | None = None,
    progress: Progress | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Compute metrics for every period of a span, by the requested breakdowns.

    Args:
        warehouse: A :class:`Warehouse` or its URL.
        measures: ``"all"``, ids or family names (a list or a comma-separated string).
        period: The span, ``"2025-04..2026-03"`` or a :class:`ReportingPeriod`.
        frequency: ``month``, ``quarter``, ``fy`` (April–March) or ``rolling12``.
        by: Breakdowns, e.g. ``"all,icb,ethnic_group,icb*ethnic_group"``.
        suppress: Disclosure policy name (``mhsds``, ``hes``, ``none``) or a policy;
            None returns unsuppressed figures (direct care and analysis only).
        icb: Restrict to this ICB's residents (and, for capacity, its sites).
        progress: Callback ``(message, fraction)`` for progress bars.
        strict: Raise :class:`UnsupportedBreakdown` when a requested measure does not
            support a requested breakdown, instead of leaving that pair out.

    Returns:
        The tidy frame (see the module docstring), sorted by measure, breakdown,
        period and level.
    """
    store = _warehouse(warehouse)
    specs = resolve(measures)
    breakdowns = dimensions.parse_many(by)
    periods = _periods(period, frequency)
    if strict:
        _check(specs, breakdowns)
    request = plan(specs, breakdowns)
    run = Run(store, WarehouseTables(store), periods_table(periods), icb, progress)
    grid = pd.DataFrame(
        {
            "period_start": [p.start for p in periods],
            "period_last": [p.last_day for p in periods],
        }
    )
    long = execute(run, request, grid)
    frame = tidy(long, specs, breakdowns)
    del long  # millions of rows in a whole-catalogue run: freed before sorting
    frame = _sorted(frame, specs, breakdowns)
    frame.attrs["nearhome"] = _metadata(
        specs, breakdowns, periods, frequency, icb, store
    )
    if suppress is not None:
        frame = apply_policy(frame, suppress)
    return frame


def run_metric(
    warehouse: Warehouse | str,
    metric_id: str,
    *,
    period: str | ReportingPeriod,
    frequency: Frequency = "month",
    by: str | Sequence[str] = "all",
    suppress: str | DisclosurePolicy | None = None,
    icb: str | None = None,
) -> pd.DataFrame:
    """One metric (raises :class:`UnsupportedBreakdown` for a breakdown it lacks)."""
    return run_metrics(
        warehouse,
        [get(metric_id).id],
        period=period,
        frequency=frequency,
        by=by,
        suppress=suppress,
        icb=icb,
        strict=True,
    )


def _check(specs: Sequence[MetricSpec], breakdowns: Sequence[Breakdown]) -> None:
    for spec in specs:
        for breakdown in breakdowns:
            if not supports(spec, breakdown):
                raise UnsupportedBreakdown(
                    f"{spec.id} has no breakdown '{dimensions.label(breakdown)}'.",
                    hint=f"Its breakdowns are: {', '.join(spec.breakdowns)}.",
                )


def _sorted(
    frame: pd.DataFrame, specs: Sequence[MetricSpec], breakdowns: Sequence[Breakdown]
) -> pd.DataFrame:
    if frame.empty:
        return frame.reset_index(drop=True)
    measure_order = {s.id: i for i, s in enumerate(specs)}
    breakdown_order = {dimensions.label(b): i for i, b in enumerate(breakdowns)}
    # One lexsort of integer codes: sorting millions of strings and date objects
    # directly is most of the cost of a whole-catalogue run's tidy step.
    keys: list[np.ndarray[Any, Any]] = [
        pd.factorize(frame[column], sort=True)[0]
        for column in ("level", "period_end", "period_start")
    ]
    keys.append(frame["breakdown"].map(breakdown_order).to_numpy())
    keys.append(frame["measure_id"].map(measure_order).to_numpy())
    order = np.lexsort(keys)
    return frame.take(order).reset_index(drop=True)


def _metadata(
    specs: Sequence[MetricSpec],
    breakdowns: Sequence[Breakdown],
    periods: Sequence[ReportingPeriod],
    frequency: str,
    icb: str | None,
    store: Warehouse,
) -> dict[str, Any]:
    return {
        "measures": [s.id for s in specs],
        "breakdowns": [dimensions.label(b) for b in breakdowns],
        "frequency": frequency,
        "span": f"{periods[0].start:%Y-%m}..{periods[-1].last_day:%Y-%m}",
        "periods": len(periods),
        "scope": icb,
        "national_total": icb is None,
        "backend": store.name,
        "disclosure": None,
    }

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
from nearhome.metrics.coded import EMPTY, PeriodGrid, Strings, paired, unpaired
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
from nearhome.metrics.prepared import usable
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
    long: pd.DataFrame,
    specs: Sequence[MetricSpec],
    breakdowns: Sequence[Breakdown],
    run: Run,
) -> pd.DataFrame:
    """The long results of the requested pairs in the output contract's columns,
    sorted by measure, breakdown (both in request order), period and level.

    Everything per metric × breakdown (ids, units, how the value is formed, the sort
    rank) is worked out once per distinct pair and spread by index; each column is
    gathered into the sorted order once.
    """
    strings = run.strings
    pair_of, pairs = pd.factorize(
        paired(long["measure_id"].to_numpy(), long["breakdown"].to_numpy())
    )
    measure_codes, breakdown_codes = unpaired(pairs)
    requested = {
        (s.id, dimensions.label(b)) for s in specs for b in breakdowns if supports(s, b)
    }
    measure_ids = [strings.text(int(m)) for m in measure_codes]
    labels = [strings.text(int(b)) for b in breakdown_codes]
    kept = np.array(
        [(m, b) in requested for m, b in zip(measure_ids, labels, strict=True)],
        dtype=bool,
    )
    selected = np.flatnonzero(kept[pair_of])
    if len(selected) == 0:
        return pd.DataFrame(columns=COLUMNS)
    levels = _joined(long, "level", dimensions.JOIN, strings)
    pair_rank = _pair_ranks(measure_ids, labels, specs, breakdowns)
    key = (pair_rank[pair_of[selected]] * len(run.grid)) + long["period"].to_numpy()[
        selected
    ]
    level_rank = _text_ranks(levels[selected], strings)
    key = key * (int(level_rank.max()) + 1) + level_rank
    order = selected[np.argsort(key)]
    pair = pair_of[order]
    periods = long["period"].to_numpy()[order]
    numerator = long["numerator"].to_numpy()[order]
    statistic = long["statistic"].to_numpy()[order]
    chosen = [get(m) for m in measure_ids]
    is_count = np.array([s.kind == "count" for s in chosen])[pair]
    is_statistic = np.array([s.kind == "statistic" for s in chosen])[pair]
    scale = np.array([s.scale for s in chosen], dtype=np.float64)[pair]
    has_den = np.array([s.denominator is not None for s in chosen])[pair]
    denominator = np.where(has_den, long["denominator"].to_numpy()[order], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = numerator / np.where(denominator != 0, denominator, np.nan) * scale
    value = np.where(is_count, numerator, np.where(is_statistic, statistic, share))
    columns = {
        "measure_id": np.array(measure_ids, dtype=object)[pair],
        "mhsds_id": np.array([s.mhsds_id for s in chosen], dtype=object)[pair],
        "period_start": run.grid.starts[periods],
        "period_end": run.grid.lasts[periods],
        "breakdown": np.array(labels, dtype=object)[pair],
        "level": strings.decode(levels[order]),
        "level_description": strings.decode(
            _joined(long, "desc", "; ", strings)[order]
        ),
        "numerator": np.where(is_statistic, np.nan, numerator),
        "denominator": denominator,
        "value": value.astype(np.float64),
        "unit": np.array([s.unit for s in chosen], dtype=object)[pair],
    }
    # copy=False keeps each column its own block: consolidating eleven columns of
    # millions of rows into shared blocks would copy them all once more.
    return pd.DataFrame(columns, copy=False)


def _pair_ranks(
    measure_ids: Sequence[str],
    labels: Sequence[str],
    specs: Sequence[MetricSpec],
    breakdowns: Sequence[Breakdown],
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Sort rank of each distinct metric × breakdown: the request's order of both."""
    measure_order = {s.id: i for i, s in enumerate(specs)}
    breakdown_order = {dimensions.label(b): i for i, b in enumerate(breakdowns)}
    width = len(breakdown_order) + 1
    return np.array(
        [
            measure_order.get(m, len(measure_order)) * width
            + breakdown_order.get(b, width - 1)
            for m, b in zip(measure_ids, labels, strict=True)
        ],
        dtype=np.int64,
    )


def _text_ranks(
    codes: np.ndarray[Any, np.dtype[np.int64]], strings: Strings
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Each code's rank in alphabetical order of the distinct texts present."""
    distinct = pd.unique(codes)
    alphabetical = distinct[np.argsort(strings.decode(distinct), kind="stable")]
    rank = np.zeros(len(strings), dtype=np.int64)
    rank[alphabetical] = np.arange(len(alphabetical))
    return rank[codes]  # type: ignore[no-any-return]


def _joined(
    rows: pd.DataFrame, prefix: str, separator: str, strings: Strings
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Codes of a crossed breakdown's two parts joined into one text (single
    breakdowns keep their first part); each distinct pair is joined once."""
    first = rows[f"{prefix}_0"].to_numpy()
    second = rows[f"{prefix}_1"].to_numpy()
    crossed = second != EMPTY
    if not crossed.any():
        return first
    pairs, inverse = np.unique(
        paired(first[crossed], second[crossed]), return_inverse=True
    )
    texts = [
        strings.text(int(a)) + separator + strings.text(int(b))
        for a, b in zip(*unpaired(pairs), strict=True)
    ]
    out = first.copy()
    out[crossed] = strings.codes(texts)[inverse.reshape(-1)]
    return out


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
    prepared: bool = True,
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
        prepared: Read prepared facts (:mod:`~nearhome.metrics.prepared`) when they
            serve the request; False always builds the facts from the canonical
            tables (the figures are the same either way).

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
    grid = PeriodGrid([p.start for p in periods], [p.last_day for p in periods])
    stored = usable(store, periods, frequency) if prepared else None
    run = Run(
        store,
        WarehouseTables(store),
        periods_table(periods),
        grid,
        icb,
        progress,
        stored,
    )
    frame = tidy(execute(run, request), specs, breakdowns, run)
    frame.attrs["nearhome"] = _metadata(
        specs, breakdowns, periods, frequency, icb, store
    ) | {"prepared_facts": stored is not None}
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

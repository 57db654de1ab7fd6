"""``run_equity``: the inequalities analysis from a warehouse to a controlled table.

Two steps, so the statistics can be tested on hand-built frames: :func:`analyse` takes
span totals (a tidy metric frame) and returns the recorded-figure table;
:func:`run_equity` collects those totals from the catalogue, analyses them and applies
the disclosure policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from nearhome.data.warehouse import Warehouse
from nearhome.equity.breakdowns import EquityBreakdown, resolve_breakdowns
from nearhome.equity.completeness import completeness
from nearhome.equity.disclosure import control
from nearhome.equity.funnel import funnel
from nearhome.equity.gradient import gradient
from nearhome.equity.groups import group_figures
from nearhome.equity.inputs import collect_inputs
from nearhome.equity.measures import EquityMeasure, resolve_measures
from nearhome.equity.reference import group_ratios
from nearhome.equity.tidy import COLUMNS, empty
from nearhome.metrics.disclosure import DisclosurePolicy
from nearhome.periods import ReportingPeriod
from nearhome.stats.results import Confidence


@dataclass(frozen=True)
class EquityResult:
    """The analysis of one request.

    Attributes:
        table: the tidy equity table after disclosure control (see ``equity.tidy``).
        inputs: the span totals it was computed from, before control (for audit and
            tests; never written out).
        policy: the disclosure policy's name.
        period: the span analysed, e.g. ``2025-04..2026-03``.
        icb: the ICB analysed, or None for everyone in the warehouse.
    """

    table: pd.DataFrame
    inputs: pd.DataFrame
    policy: str
    period: str
    icb: str | None


def analyse(
    inputs: pd.DataFrame,
    measures: Sequence[EquityMeasure],
    breakdowns: Sequence[EquityBreakdown],
    *,
    confidence: Confidence = 0.95,
    seed: int = 1,
) -> pd.DataFrame:
    """The equity table of recorded figures, from span totals.

    For each measure: per grouping the counts, denominators, crude rates, DSRs and
    ratios to the reference group; the gradient for IMD groupings; ethnicity
    completeness; and the funnel of providers or sub-ICBs.
    """
    parts = []
    for measure in measures:
        for breakdown in breakdowns:
            figures = group_figures(inputs, measure, breakdown, confidence)
            if figures is None:
                continue
            parts += [
                figures.table,
                group_ratios(figures, measure, breakdown, confidence),
            ]
            if breakdown.gradient:
                parts.append(
                    gradient(
                        figures, measure, breakdown, confidence=confidence, seed=seed
                    )
                )
        parts += [completeness(inputs, measure, confidence), funnel(inputs, measure)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty()
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def run_equity(
    warehouse: Warehouse | str,
    *,
    measures: str | Sequence[str],
    by: str | Sequence[str],
    period: str | ReportingPeriod,
    icb: str | None = None,
    suppress: str | DisclosurePolicy = "mhsds",
    confidence: Confidence = 0.95,
    seed: int = 1,
) -> EquityResult:
    """Run the inequalities analysis for an area and span.

    Args:
        warehouse: a :class:`Warehouse` or its URL.
        measures: names from :data:`nearhome.equity.measures.MEASURES`.
        by: names from :data:`nearhome.equity.breakdowns.BREAKDOWNS`.
        period: the span, e.g. ``"2025-04..2026-03"``.
        icb: only this ICB's residents (and its population).
        suppress: the disclosure policy (``mhsds``, ``hes`` or ``none``).
        confidence: one level or several, e.g. ``(0.95, 0.998)``.
        seed: seed of the SII/RII simulations.
    """
    chosen_measures = resolve_measures(measures)
    chosen_breakdowns = resolve_breakdowns(by)
    inputs = collect_inputs(
        warehouse, chosen_measures, chosen_breakdowns, period=period, icb=icb
    )
    table = analyse(
        inputs, chosen_measures, chosen_breakdowns, confidence=confidence, seed=seed
    )
    controlled = control(table, inputs, suppress, national=icb is None)
    label = period if isinstance(period, str) else period.label()
    name = suppress if isinstance(suppress, str) else suppress.name
    return EquityResult(controlled, inputs, name, label, icb)

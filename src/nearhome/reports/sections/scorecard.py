"""The "what good looks like" scorecard: status per principle with the evidence behind it,
and the words of patient and carer groups beside it (co-production).

Figures come from the disclosure-controlled results. A share is shown only when its
numerator, its denominator and their difference are all outside the policy's hidden
range, so a near-100% share of a small group cannot give a small count away.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from nearhome.reports.model import Block, Paragraph, Section, Table
from nearhome.reports.plan import Plan
from nearhome.reports.results import Needs, Results
from nearhome.reports.scorecard import (
    Indicator,
    Reading,
    Scorecard,
    Scored,
    principle_status,
    score,
)
from nearhome.reports.sections.context import Context
from nearhome.reports.sections.inequalities import rate_table
from nearhome.reports.suppression import SUPPRESSED, hides, is_suppressed

STATUS_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}


def needs_for(card: Scorecard) -> Needs:
    """Every measure and breakdown the scorecard reads."""
    year: dict[str, tuple[str, ...]] = {}
    for principle in card.principles:
        for indicator in principle.indicators:
            for measure in (indicator.measure, indicator.per):
                if measure is None:
                    continue
                extra = (
                    (indicator.breakdown,)
                    if indicator.breakdown and measure == indicator.measure
                    else ()
                )
                year[measure] = tuple(dict.fromkeys((*year.get(measure, ()), *extra)))
    return Needs(year=year)


def needs(plan: Plan | None) -> Needs:
    """Placeholder so every section has ``needs``; the builder calls :func:`needs_for`."""
    del plan
    return Needs()


@dataclass(frozen=True)
class ReportEvidence:
    """Indicator figures read from the report's results and the board counts."""

    context: Context

    def figure(self, indicator: Indicator) -> Reading:
        """The indicator's figure, or why there is none."""
        if indicator.source == "board":
            return self._board(indicator)
        results = self.context.results
        measure = str(indicator.measure)
        if not results.has(measure):
            return Reading(None, reason=f"{measure} is not in the metric catalogue")
        if indicator.source == "metric":
            return self._metric(indicator, results)
        if indicator.source == "share":
            return self._share(indicator, results)
        return self._ratio(indicator, results)

    def _metric(self, indicator: Indicator, results: Results) -> Reading:
        rows = results.rows(str(indicator.measure), indicator.breakdown or "all")
        if indicator.level is not None:
            rows = rows[rows["level"].astype(str) == indicator.level]
        if rows.empty:
            return Reading(None, reason="no data for this ICB and period")
        value = rows["value"].iloc[-1]
        if indicator.per is not None:
            base = results.total(indicator.per)
            count = rows["numerator"].iloc[-1]
            if base is None or is_suppressed(base["value"]) or is_suppressed(count):
                return Reading(
                    SUPPRESSED if base is not None else None,
                    reason="suppressed or missing",
                )
            denominator = float(base["value"])
            value = (
                float(count) / denominator * indicator.scale
                if denominator
                else math.nan
            )
        if is_suppressed(value):
            return Reading(SUPPRESSED, reason="suppressed under the disclosure policy")
        return Reading(float(value) * (1 if indicator.per else indicator.scale))

    def _share(self, indicator: Indicator, results: Results) -> Reading:
        rows = results.rows(
            str(indicator.measure), str(indicator.breakdown), shown=False
        )
        if rows.empty:
            return Reading(None, reason="no data for this ICB and period")
        chosen = rows["level"].astype(str).isin(indicator.levels)
        if indicator.exclude:
            chosen = ~chosen
        part, total = (
            float(rows.loc[chosen, "numerator"].sum()),
            float(rows["numerator"].sum()),
        )
        return self._safe_share(part, total)

    def _safe_share(self, part: float, total: float) -> Reading:
        if total == 0:
            return Reading(None, reason="nothing to count in the period")
        policy = self.context.policy
        if any(hides(policy, n) for n in (part, total, total - part)):
            return Reading(SUPPRESSED, reason="suppressed under the disclosure policy")
        return Reading(part / total * 100)

    def _ratio(self, indicator: Indicator, results: Results) -> Reading:
        frame = rate_table(
            results,
            str(indicator.measure),
            str(indicator.breakdown),
            reference=indicator.reference,
        )
        if frame.empty or "ratio_value" not in frame.columns:
            return Reading(
                None, reason=f"no rate for the reference group {indicator.reference}"
            )
        row = frame[frame["level"].astype(str) == indicator.group]
        if row.empty:
            return Reading(None, reason=f"no rate for {indicator.group}")
        value = row["ratio_value"].iloc[0]
        if is_suppressed(value):
            return Reading(SUPPRESSED, reason="suppressed under the disclosure policy")
        return Reading(
            float(value),
            float(row["ratio_lower"].iloc[0]),
            float(row["ratio_upper"].iloc[0]),
        )

    def _board(self, indicator: Indicator) -> Reading:
        carers = self.context.carers
        if carers is None:
            return Reading(None, reason="no board database was given (--board)")
        if indicator.answer == "recorded":
            return self._safe_share(carers.recorded, carers.entries)
        return self._safe_share(carers.involved, carers.eligible)


def _threshold(indicator: Indicator) -> str:
    sign = "≥" if indicator.better == "higher" else "≤"
    return f"green {sign} {indicator.green:g}; amber {sign} {indicator.amber:g}"


def _evidence_table(scored: Sequence[Scored]) -> Table:
    rows = []
    for item in scored:
        figure, indicator = item.figure, item.indicator
        interval = (
            f"{figure.lower:.2f} to {figure.upper:.2f}"
            if figure.lower is not None and figure.upper is not None
            else ""
        )
        rows.append(
            {
                "Principle": item.principle.title,
                "Indicator": indicator.label,
                "Value": figure.value if figure.value is not None else math.nan,
                "Unit": indicator.unit,
                "95% interval": interval,
                "Thresholds": _threshold(indicator),
                "Status": item.status,
                "Note": figure.reason,
            }
        )
    return Table(
        key="scorecard_evidence",
        title="The evidence behind each principle",
        frame=pd.DataFrame(rows),
        kinds={"Value": "number", "Status": "status"},
        decimals={"Value": 1},
        note='Thresholds are local choices set in the scorecard file; "no data" says why.',
    )


def _summary_table(card: Scorecard, scored: Sequence[Scored]) -> Table:
    rows = []
    for principle in card.principles:
        mine = [s for s in scored if s.principle.key == principle.key]
        with_data = [s for s in mine if s.status != "no_data"]
        rows.append(
            {
                "Principle": principle.title,
                "Status": principle_status([s.status for s in mine]),
                "Indicators with data": f"{len(with_data)} of {len(mine)}",
                "What it means": principle.description,
            }
        )
    return Table(
        key="scorecard_summary",
        title=f"{card.title}: status by principle",
        frame=pd.DataFrame(rows),
        kinds={"Status": "status"},
        note="A principle takes the worst status of its indicators that have data, and is "
        "'no data' when none has any.",
    )


def _voices(plan: Plan | None, card: Scorecard) -> list[Block]:
    if plan is None or not plan.coproduction:
        return [
            Paragraph(
                "Space for patient and carer groups: add their words to the plan file's "
                "[[coproduction]] entries and they will appear here, beside the principle they speak to.",
                tone="note",
            )
        ]
    titles = {p.key: p.title for p in card.principles}
    rows = [
        {
            "Principle": titles.get(v.principle or "", v.principle or "All"),
            "Group": v.group,
            "In their words": v.text,
        }
        for v in plan.coproduction
    ]
    return [
        Table(
            key="coproduction",
            title="What patient and carer groups say (co-production)",
            frame=pd.DataFrame(rows),
            note="As written by the groups, unedited.",
        )
    ]


def build(context: Context) -> Section:
    """The scorecard section."""
    card = context.scorecard
    scored = score(card, ReportEvidence(context))
    blocks: list[Block] = [
        _summary_table(card, scored),
        _evidence_table(scored),
        *_voices(context.plan, card),
    ]
    measures = tuple(
        dict.fromkeys(
            m
            for s in scored
            for m in (s.indicator.measure, s.indicator.per)
            if m is not None
        )
    )
    return Section("scorecard", card.title, tuple(blocks), measures)

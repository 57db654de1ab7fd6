"""The metric results one report reads, fetched in as few catalogue runs as possible.

Sections declare what they need (:class:`Needs`: measures by month; measures by
breakdown over the reporting year; measures by quarter for the plan), the builder merges
the needs and runs the catalogue once per frequency, because each run builds its facts
tables once for every measure and breakdown asked of it. Each result is kept twice: as
computed (for statistics that are not counts, such as SPC limits or rate-ratio intervals)
and with the disclosure policy applied (for everything a reader sees). Sections never
see the warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from nearhome.data.warehouse import Warehouse
from nearhome.metrics.disclosure import DisclosurePolicy, apply_policy
from nearhome.metrics.registry import MetricSpec, catalogue
from nearhome.metrics.run import COLUMNS, run_metrics
from nearhome.periods import ReportingPeriod

__all__ = ["Needs", "Results", "fetch_results", "merge_needs"]


@dataclass(frozen=True)
class Needs:
    """What a section reads.

    Attributes:
        monthly: Measures needed month by month (breakdown ``all``), for SPC.
        year: Measure → breakdowns needed over the reporting year.
        quarterly: Measures needed quarter by quarter (the plan).
    """

    monthly: tuple[str, ...] = ()
    year: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    quarterly: tuple[str, ...] = ()


def merge_needs(needs: Iterable[Needs]) -> Needs:
    """One set of needs covering all of them."""
    monthly: dict[str, None] = {}
    quarterly: dict[str, None] = {}
    year: dict[str, dict[str, None]] = {}
    for need in needs:
        monthly |= dict.fromkeys(need.monthly)
        quarterly |= dict.fromkeys(need.quarterly)
        for measure, breakdowns in need.year.items():
            year.setdefault(measure, {}).update(dict.fromkeys(("all", *breakdowns)))
    return Needs(
        tuple(monthly), {m: tuple(b) for m, b in year.items()}, tuple(quarterly)
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


@dataclass(frozen=True)
class Results:
    """Computed and disclosure-controlled results for one ICB and period.

    Attributes:
        policy: The disclosure policy applied to the ``shown`` frames.
        specs: The catalogue, by metric id.
        monthly: Raw monthly results (breakdown ``all``).
        monthly_shown: The same with the policy applied.
        year: Raw results over the reporting year, by breakdown.
        year_shown: The same with the policy applied.
        quarterly: Raw quarterly results (breakdown ``all``).
        quarterly_shown: The same with the policy applied.
    """

    policy: DisclosurePolicy
    specs: Mapping[str, MetricSpec]
    monthly: pd.DataFrame = field(default_factory=_empty)
    monthly_shown: pd.DataFrame = field(default_factory=_empty)
    year: pd.DataFrame = field(default_factory=_empty)
    year_shown: pd.DataFrame = field(default_factory=_empty)
    quarterly: pd.DataFrame = field(default_factory=_empty)
    quarterly_shown: pd.DataFrame = field(default_factory=_empty)

    def has(self, measure: str) -> bool:
        """True when the catalogue has this measure."""
        return measure in self.specs

    def title(self, measure: str) -> str:
        """The measure's title (its id when it is not in the catalogue)."""
        spec = self.specs.get(measure)
        return spec.title if spec is not None else measure

    def series(self, measure: str, *, shown: bool = True) -> pd.DataFrame:
        """Monthly rows of one measure, oldest first, with a ``date`` column."""
        frame = self.monthly_shown if shown else self.monthly
        return _select(frame, measure, "all")

    def quarters(self, measure: str, *, shown: bool = True) -> pd.DataFrame:
        """Quarterly rows of one measure, oldest first, with a ``date`` column."""
        frame = self.quarterly_shown if shown else self.quarterly
        return _select(frame, measure, "all")

    def rows(
        self, measure: str, breakdown: str = "all", *, shown: bool = True
    ) -> pd.DataFrame:
        """Rows of one measure by one breakdown over the reporting year."""
        frame = self.year_shown if shown else self.year
        return _select(frame, measure, breakdown)

    def total(self, measure: str, *, shown: bool = True) -> pd.Series | None:
        """The reporting year's ``all`` row of a measure, or None when absent."""
        rows = self.rows(measure, "all", shown=shown)
        return None if rows.empty else rows.iloc[-1]


def label(breakdown: str) -> str:
    """The ``breakdown`` column value of a request (``a*b`` is stored as ``a;b``)."""
    return breakdown.replace("*", ";")


def _select(frame: pd.DataFrame, measure: str, breakdown: str) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(date=pd.Series(dtype=object))
    chosen = frame[
        (frame["measure_id"] == measure) & (frame["breakdown"] == label(breakdown))
    ]
    chosen = chosen.assign(date=chosen["period_start"]).sort_values(["date", "level"])
    return chosen.reset_index(drop=True)


FREQUENCY_OF_MONTHS = {1: "month", 3: "quarter", 12: "rolling12"}
"""How the reporting period is asked of the catalogue (a year ends with its last month)."""


def _months(period: ReportingPeriod) -> int:
    return (
        (period.end.year - period.start.year) * 12
        + period.end.month
        - period.start.month
    )


def _known(measures: Iterable[str], specs: Mapping[str, MetricSpec]) -> list[str]:
    return [m for m in dict.fromkeys(measures) if m in specs]


def _run(
    warehouse: Warehouse,
    measures: Sequence[str],
    *,
    period: str | ReportingPeriod,
    frequency: str,
    by: Sequence[str],
    icb: str,
    policy: DisclosurePolicy,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not measures:
        return _empty(), _empty()
    raw = run_metrics(
        warehouse,
        list(measures),
        period=period,
        frequency=frequency,  # type: ignore[arg-type]
        by=list(by),
        icb=icb,
    )
    return raw, apply_policy(raw, policy)


def fetch_results(
    warehouse: Warehouse,
    needs: Needs,
    *,
    icb: str,
    period: ReportingPeriod,
    monthly_span: ReportingPeriod,
    quarterly_span: ReportingPeriod | None,
    policy: DisclosurePolicy,
) -> Results:
    """Run the catalogue for everything the sections need.

    Args:
        warehouse: Where the data is.
        needs: The merged needs of every section.
        icb: The ICB whose residents the report is about.
        period: The reporting year (its last month ends the monthly span too).
        monthly_span: The months shown in SPC charts.
        quarterly_span: The plan's quarters (None without a plan).
        policy: The disclosure policy for the ``shown`` frames.
    """
    specs = {m.id: m for m in catalogue()}
    monthly, monthly_shown = _run(
        warehouse,
        _known(needs.monthly, specs),
        period=monthly_span,
        frequency="month",
        by=["all"],
        icb=icb,
        policy=policy,
    )
    breakdowns = list(dict.fromkeys(b for bs in needs.year.values() for b in bs))
    year, year_shown = _run(
        warehouse,
        _known(needs.year, specs),
        period=period if _months(period) != 12 else f"{period.last_day:%Y-%m}",
        frequency=FREQUENCY_OF_MONTHS[_months(period)],
        by=breakdowns or ["all"],
        icb=icb,
        policy=policy,
    )
    year, year_shown = _wanted(year, needs), _wanted(year_shown, needs)
    quarterly, quarterly_shown = (_empty(), _empty())
    if quarterly_span is not None:
        quarterly, quarterly_shown = _run(
            warehouse,
            _known(needs.quarterly, specs),
            period=quarterly_span,
            frequency="quarter",
            by=["all"],
            icb=icb,
            policy=policy,
        )
    return Results(
        policy,
        specs,
        monthly,
        monthly_shown,
        year,
        year_shown,
        quarterly,
        quarterly_shown,
    )


def _wanted(frame: pd.DataFrame, needs: Needs) -> pd.DataFrame:
    """Only the measure × breakdown pairs asked for (the run computes every pair)."""
    if frame.empty:
        return frame
    pairs = {(m, label(b)) for m, bs in needs.year.items() for b in bs}
    keep = [
        (m, b) in pairs
        for m, b in zip(frame["measure_id"], frame["breakdown"], strict=True)
    ]
    out = frame[keep].reset_index(drop=True)
    out.attrs = frame.attrs
    return out


def month_dates(frame: pd.DataFrame) -> list[dt.date]:
    """The ``date`` column as dates."""
    return [
        d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in frame["date"]
    ]

"""Build the board report: a :class:`ReportSpec` in, a :class:`Report` (and files) out.

The order is fixed and each step is a call into a lower layer: find the months the data
covers, merge what the sections need, run the metric catalogue once per frequency with
the disclosure policy, run the capacity scenario (with the plan's bed changes), read the
board's carer-involvement counts, then build the sections from those results and write
the formats asked for. The time printed on the report is injected, never read from the
clock, so the same inputs give the same files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nearhome.capacity.scenario import Scenario
from nearhome.data.coverage import Coverage, data_coverage
from nearhome.data.warehouse import Warehouse, connect
from nearhome.errors import InvalidConfig
from nearhome.periods import ReportingPeriod, add_months
from nearhome.reports import sections
from nearhome.reports.board_evidence import carer_involvement
from nearhome.reports.calendar import latest_year, period_words, quarter_of
from nearhome.reports.capacity_runs import run_capacity
from nearhome.reports.model import Report, Section
from nearhome.reports.plan import Plan
from nearhome.reports.results import Results, fetch_results, merge_needs
from nearhome.reports.scorecard import Scorecard, default_scorecard
from nearhome.reports.sections.context import Context
from nearhome.reports.suppression import resolve_policy

__all__ = ["FORMATS", "ReportSpec", "assemble", "build_report"]

FORMATS = ("html", "pdf", "xlsx")
PERIOD_MONTHS = (1, 3, 12)
SECTIONS = (
    sections.headline,
    sections.out_of_area,
    sections.flow,
    sections.mental_health_act,
    sections.inequalities,
    sections.capacity,
    sections.plan_targets,
    sections.scorecard,
)


@dataclass(frozen=True)
class ReportSpec:
    """What to report on.

    Attributes:
        icb: ICB code (its residents, wherever treated).
        generated_at: Printed on the report (injected for reproducibility).
        period: The reporting period (1, 3 or 12 whole months); by default the latest
            12 complete months in the data.
        plan: The 3-year plan, if any.
        scenario: A capacity scenario, if any.
        policy: Disclosure policy name (``mhsds``, ``hes`` or ``none``).
        board_url: The board database, for carer involvement (optional).
        scorecard: The scorecard mapping (the default one if None).
        spc_months: Months shown in SPC charts (ending with the period's last month).
        capacity_reps: Replications of the capacity simulation.
    """

    icb: str
    generated_at: dt.datetime
    period: ReportingPeriod | None = None
    plan: Plan | None = None
    scenario: Scenario | None = None
    policy: str = "mhsds"
    board_url: str | None = None
    scorecard: Scorecard | None = None
    spc_months: int = 24
    capacity_reps: int = 200
    title: str | None = field(default=None)


def _months(period: ReportingPeriod) -> int:
    return (
        (period.end.year - period.start.year) * 12
        + period.end.month
        - period.start.month
    )


def resolve_period(spec: ReportSpec, coverage: Coverage) -> ReportingPeriod:
    """The reporting period: the one asked for, checked against the data, or the latest year.

    Raises:
        InvalidConfig: the period is not 1, 3 or 12 whole months, or lies outside the data.
    """
    period = spec.period or latest_year(coverage.last_month)
    if (
        period.start.day != 1
        or period.end.day != 1
        or _months(period) not in PERIOD_MONTHS
    ):
        raise InvalidConfig(
            f"The report period {period.label()} must be 1, 3 or 12 whole months.",
            hint="For example --period 2025-04..2026-03.",
        )
    if _months(period) == 3 and quarter_of(period.start).start != period.start:
        raise InvalidConfig(
            f"The report period {period.label()} is three months but not a quarter.",
            hint="Quarters run Apr-Jun, Jul-Sep, Oct-Dec and Jan-Mar.",
        )
    if period.end > coverage.span.end or period.end <= coverage.first_month:
        raise InvalidConfig(
            f"The report period {period.label()} is outside the data, which covers "
            f"{coverage.span.label()}.",
            hint="Leave --period out to report on the latest 12 complete months.",
        )
    return period


def _spans(
    spec: ReportSpec, period: ReportingPeriod, coverage: Coverage
) -> tuple[ReportingPeriod, ReportingPeriod | None]:
    start = max(add_months(period.end, -spec.spc_months), coverage.first_month)
    monthly = ReportingPeriod(start, period.end)
    quarterly = sections.plan_targets.quarterly_span(spec.plan, period)
    if quarterly is not None:
        first_quarter = sections.plan_targets.first_quarter_from(coverage.first_month)
        begin = max(quarterly.start, first_quarter)
        quarterly = (
            ReportingPeriod(begin, quarterly.end) if begin < quarterly.end else None
        )
    return monthly, quarterly


def fetch(warehouse: Warehouse, spec: ReportSpec) -> tuple[ReportingPeriod, Results]:
    """Run the catalogue for every section of the report."""
    coverage = data_coverage(warehouse)
    period = resolve_period(spec, coverage)
    card = spec.scorecard or default_scorecard()
    needs = merge_needs(
        [*(s.needs(spec.plan) for s in SECTIONS), sections.scorecard.needs_for(card)]
    )
    monthly, quarterly = _spans(spec, period, coverage)
    results = fetch_results(
        warehouse,
        needs,
        icb=spec.icb,
        period=period,
        monthly_span=monthly,
        quarterly_span=quarterly,
        policy=resolve_policy(spec.policy),
    )
    return period, results


def _check_plan(spec: ReportSpec) -> None:
    if spec.plan is not None and spec.plan.icb not in (None, spec.icb):
        raise InvalidConfig(
            f"The plan is for ICB {spec.plan.icb}, but the report is for {spec.icb}.",
            hint="Use the plan written for this ICB, or leave icb out of the plan file.",
        )


def assemble(warehouse: Warehouse, spec: ReportSpec) -> Report:
    """Build every section of the report from the warehouse (no files written)."""
    _check_plan(spec)
    period, results = fetch(warehouse, spec)
    capacity = (
        run_capacity(spec.scenario, spec.plan, reps=spec.capacity_reps)
        if spec.scenario is not None
        else None
    )
    context = Context(
        icb=spec.icb,
        period=period,
        results=results,
        policy=results.policy,
        plan=spec.plan,
        scorecard=spec.scorecard or default_scorecard(),
        carers=carer_involvement(spec.board_url) if spec.board_url else None,
        capacity=capacity,
    )
    built: list[Section] = [module.build(context) for module in SECTIONS]
    used = [m for s in built for m in s.measures]
    built.append(sections.methods.build(results, used))
    return Report(
        title=spec.title or f"Mental health inpatient care for residents of {spec.icb}",
        icb=spec.icb,
        period_label=period_words(period),
        generated_at=spec.generated_at,
        policy=results.policy.name,
        policy_description=results.policy.description,
        sections=tuple(built),
        metadata={
            "icb": spec.icb,
            "period": period.label(),
            "disclosure_policy": results.policy.name,
            "plan": spec.plan.title if spec.plan else None,
            "scenario": spec.scenario.name if spec.scenario else None,
            "board": "given" if spec.board_url else "not given",
            "metrics_backend": results.year.attrs.get("nearhome", {}).get("backend"),
        },
    )


def build_report(  # noqa: PLR0913 (keyword-only options)
    warehouse: Warehouse | str,
    *,
    icb: str,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    generated_at: dt.datetime,
    period: ReportingPeriod | None = None,
    plan: Plan | None = None,
    scenario: Scenario | None = None,
    policy: str = "mhsds",
    board_url: str | None = None,
    scorecard: Scorecard | None = None,
    capacity_reps: int = 200,
) -> dict[str, Path]:
    """Build the report and write it in each format; returns the path of each file.

    Raises:
        InvalidConfig: an unknown format, policy or period, or a plan for another ICB.
    """
    from nearhome.reports.render import write_report

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InvalidConfig(
            f"Unknown report format(s): {', '.join(unknown) or '(none given)'}.",
            hint=f"Use any of {', '.join(FORMATS)}, comma-separated.",
        )
    store = connect(warehouse) if isinstance(warehouse, str) else warehouse
    spec = ReportSpec(
        icb=icb,
        generated_at=generated_at,
        period=period,
        plan=plan,
        scenario=scenario,
        policy=policy,
        board_url=board_url,
        scorecard=scorecard,
        capacity_reps=capacity_reps,
    )
    report = assemble(store, spec)
    return write_report(report, Path(out_dir), formats)

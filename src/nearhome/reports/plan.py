"""The 3-year localisation plan: a TOML file of baseline, targets, bed changes and voices.

A programme board writes its plan once and the report holds the data to it every month:
the baseline period fixes where each measure started; each target is a few milestones
(``2025/26 Q4``: zero inappropriate out-of-area bed days; ``2027/28 Q4``: adult acute
length of stay down 10%), and the quarterly trajectory runs in straight lines from the
baseline through the milestones, then holds. Beds opened or closed by date feed the
capacity model. Statements from patient and carer groups sit beside the scorecard
(co-production), in their own words.

Targets are per quarter in the measure's own unit. For counts (bed days, placements) a
quarter's target is the quarter's total, so the monthly SPC target is a third of it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from nearhome.errors import InvalidConfig
from nearhome.periods import ReportingPeriod, add_months, parse_span
from nearhome.reports.calendar import quarter_label, quarter_start

__all__ = [
    "BedPlan",
    "Milestone",
    "Plan",
    "Target",
    "Voice",
    "load_plan",
    "parse_plan",
    "trajectory",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Milestone(_Model):
    """Where a measure should be by the end of a quarter: a value, or a % change."""

    quarter: str = Field(description="Financial-year quarter, e.g. '2025/26 Q4'.")
    value: float | None = Field(
        None, description="The target value in the measure's unit."
    )
    change_pct: float | None = Field(
        None, ge=-100.0, description="The target as a % change from the baseline."
    )

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        try:
            quarter_start(value)
        except InvalidConfig as exc:
            raise ValueError(exc.message) from None
        return value

    @model_validator(mode="after")
    def _one_of(self) -> Milestone:
        if (self.value is None) == (self.change_pct is None):
            raise ValueError("give exactly one of value and change_pct")
        return self

    @property
    def start(self) -> dt.date:
        """First day of the milestone's quarter."""
        return quarter_start(self.quarter)

    def target(self, baseline: float) -> float:
        """The milestone's value given the baseline value."""
        if self.value is not None:
            return self.value
        return baseline * (1 + (self.change_pct or 0.0) / 100)


class Target(_Model):
    """A measure's trajectory."""

    measure: str = Field(
        description="Metric id from the catalogue (nearhome metrics list)."
    )
    label: str = Field(
        "", description="Words for the report (the metric title if empty)."
    )
    improvement: Literal["increase", "decrease"] = "decrease"
    milestones: list[Milestone] = Field(min_length=1)

    @model_validator(mode="after")
    def _in_order(self) -> Target:
        starts = [m.start for m in self.milestones]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("milestones must be in quarter order, one per quarter")
        return self


class BedPlan(_Model):
    """Beds opened (positive) or closed (negative) in a capacity pool on a date."""

    pool: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    date: dt.date
    change: int
    note: str = ""

    @model_validator(mode="after")
    def _nonzero(self) -> BedPlan:
        if self.change == 0:
            raise ValueError("change must not be 0")
        return self


class Voice(_Model):
    """A statement from a patient or carer group, shown as they wrote it."""

    group: str = Field(
        min_length=1, description="Who said it, e.g. 'Service user network'."
    )
    principle: str | None = Field(None, description="Scorecard principle it speaks to.")
    text: str = Field(min_length=1)


class Plan(_Model):
    """A 3-year localisation plan."""

    title: str = Field(min_length=1)
    icb: str | None = Field(
        None, description="ICB code; checked against the report's ICB."
    )
    baseline: str = Field(description="Baseline months, e.g. '2024-04..2025-03'.")
    years: int = Field(3, ge=1, le=10)
    oap_cost_per_day: float | None = Field(
        None,
        ge=0.0,
        description="Cost of one out-of-area bed day, £ (for the cost figures).",
    )
    narrative: str = ""
    targets: list[Target] = Field(default_factory=list)
    beds: list[BedPlan] = Field(default_factory=list)
    coproduction: list[Voice] = Field(default_factory=list)

    @field_validator("baseline")
    @classmethod
    def _span(cls, value: str) -> str:
        try:
            parse_span(value)
        except InvalidConfig as exc:
            raise ValueError(exc.message) from None
        return value

    @model_validator(mode="after")
    def _baseline(self) -> Plan:
        measures = [t.measure for t in self.targets]
        if len(set(measures)) != len(measures):
            raise ValueError("each measure may have only one target")
        return self

    @property
    def baseline_period(self) -> ReportingPeriod:
        """The baseline months as a period."""
        return parse_span(self.baseline)

    @property
    def period(self) -> ReportingPeriod:
        """The plan's span: from the end of the baseline for ``years`` years."""
        start = self.baseline_period.end
        return ReportingPeriod(start, add_months(start, 12 * self.years))

    def quarters(self) -> list[dt.date]:
        """First day of each quarter of the plan."""
        first = quarter_start(quarter_label(self.period.start))
        return [add_months(first, 3 * i) for i in range(4 * self.years)]


def trajectory(target: Target, baseline: float, quarters: list[dt.date]) -> list[float]:
    """The target for each quarter: straight lines from the baseline through the milestones.

    The baseline sits one quarter before the first plan quarter; after the last milestone
    the target holds.

    Examples:
        >>> t = Target(measure="m", milestones=[Milestone(quarter="2025/26 Q4", value=0)])
        >>> q = [dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1),
        ...      dt.date(2026, 1, 1), dt.date(2026, 4, 1)]
        >>> trajectory(t, 100.0, q)
        [75.0, 50.0, 25.0, 0.0, 0.0]
    """
    if not quarters:
        return []
    points = [(add_months(quarters[0], -3), baseline)]
    points += [(m.start, m.target(baseline)) for m in target.milestones]
    return [_interpolate(points, quarter) for quarter in quarters]


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month


def _interpolate(points: list[tuple[dt.date, float]], day: dt.date) -> float:
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if d0 <= day <= d1:
            share = (_month(day) - _month(d0)) / max(_month(d1) - _month(d0), 1)
            return v0 + share * (v1 - v0)
    return points[-1][1]


def parse_plan(data: dict[str, object], *, source: str = "plan") -> Plan:
    """A plan from parsed TOML.

    Raises:
        InvalidConfig: every problem, each with where it is in the file.
    """
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise InvalidConfig(
            f"{source} is not a valid plan:\n  " + "\n  ".join(problems),
            hint="See docs/how-to/report.md and examples/plan.toml.",
        ) from None


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan TOML file.

    Raises:
        InvalidConfig: the file is missing, not TOML, or not a valid plan.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidConfig(f"Plan file {file} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidConfig(f"Plan file {file} is not valid TOML: {exc}") from None
    return parse_plan(data, source=str(file))

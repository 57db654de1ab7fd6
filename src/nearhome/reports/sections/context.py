"""Everything a section may read: results, the plan, the scorecard, capacity runs.

Sections are pure functions of a :class:`Context`, so each can be tested on a small
hand-made context without a warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass

from nearhome.metrics.disclosure import DisclosurePolicy
from nearhome.periods import ReportingPeriod
from nearhome.reports.board_evidence import CarerInvolvement
from nearhome.reports.capacity_runs import CapacityRuns
from nearhome.reports.plan import Plan
from nearhome.reports.results import Results
from nearhome.reports.scorecard import Scorecard


@dataclass(frozen=True)
class Context:
    """The inputs of every section.

    Attributes:
        icb: The ICB the report is about.
        period: The reporting year (or month or quarter).
        results: Metric results, computed and disclosure-controlled.
        policy: The disclosure policy.
        plan: The 3-year plan, if one was given.
        scorecard: The scorecard mapping.
        carers: Carer-involvement counts from the board, if a board database was given.
        capacity: Demand and capacity runs, if a scenario was given.
    """

    icb: str
    period: ReportingPeriod
    results: Results
    policy: DisclosurePolicy
    plan: Plan | None
    scorecard: Scorecard
    carers: CarerInvolvement | None = None
    capacity: CapacityRuns | None = None

    @property
    def oap_cost_per_day(self) -> float | None:
        """Cost of an out-of-area bed day: the plan's, else the scenario's, else None."""
        if self.plan is not None and self.plan.oap_cost_per_day is not None:
            return self.plan.oap_cost_per_day
        if self.capacity is not None and self.capacity.scenario.oap_cost_per_day > 0:
            return self.capacity.scenario.oap_cost_per_day
        return None

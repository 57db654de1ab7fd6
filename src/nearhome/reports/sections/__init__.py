"""The report's sections, one module each, in reading order."""

from nearhome.reports.sections import (
    capacity,
    flow,
    headline,
    inequalities,
    mental_health_act,
    methods,
    out_of_area,
    plan_targets,
    scorecard,
)

__all__ = [
    "capacity",
    "flow",
    "headline",
    "inequalities",
    "mental_health_act",
    "methods",
    "out_of_area",
    "plan_targets",
    "scorecard",
]

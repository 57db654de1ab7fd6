"""Data completeness: the share of events whose ethnicity was not recorded.

A gap in recording is itself an inequality: people whose ethnicity is not stated or
not known belong to no group, so every group's rate is understated by an unknown
amount and differences between groups can be hidden or invented. The share comes with
Wilson score limits, so a small service's 0% is not read as certainty.
"""

from __future__ import annotations

import pandas as pd

from nearhome import stats
from nearhome.equity.breakdowns import ETHNICITY_UNRECORDED
from nearhome.equity.groups import breakdown_rows, source_metric
from nearhome.equity.inputs import COMPLETENESS_BREAKDOWN
from nearhome.equity.measures import EquityMeasure
from nearhome.equity.tidy import statistic_rows
from nearhome.stats.results import Confidence

LEVEL = "not recorded"


def unrecorded_counts(
    inputs: pd.DataFrame, measure: EquityMeasure
) -> tuple[str, float, float] | None:
    """``(metric id, events with ethnicity not recorded, all events)`` or None."""
    metric_id = source_metric(inputs, measure, COMPLETENESS_BREAKDOWN)
    if metric_id is None:
        return None
    rows = breakdown_rows(inputs, metric_id, COMPLETENESS_BREAKDOWN)
    counts = rows["numerator"].fillna(0.0)
    missing = float(counts[rows["level"].isin(ETHNICITY_UNRECORDED)].sum())
    return metric_id, missing, float(counts.sum())


def completeness(
    inputs: pd.DataFrame, measure: EquityMeasure, confidence: Confidence = 0.95
) -> pd.DataFrame:
    """The percentage of the measure's events with ethnicity not stated or not known.

    Examples:
        >>> from nearhome.equity.measures import MEASURES
        >>> inputs = pd.DataFrame({
        ...     "measure_id": ["detentions.detentions_per_100k"] * 3,
        ...     "breakdown": ["ethnic_group"] * 3,
        ...     "level": ["White", "Black", "Not stated"],
        ...     "level_description": ["White", "Black", "Not stated"],
        ...     "numerator": [30.0, 15.0, 5.0], "denominator": [1e5, 2e4, None]})
        >>> completeness(inputs, MEASURES["detentions"])["value"].tolist()
        [10.0]
    """
    found = unrecorded_counts(inputs, measure)
    if found is None:
        return pd.DataFrame()
    metric_id, missing, total = found
    result = stats.proportion(missing, total, multiplier=100, confidence=confidence)
    keys = pd.DataFrame(
        {
            "level": [LEVEL] * len(result),
            "level_description": ["Ethnicity not stated or not known"] * len(result),
        }
    )
    return statistic_rows(
        keys,
        result,
        measure=measure,
        metric_id=metric_id,
        breakdown=COMPLETENESS_BREAKDOWN,
        statistic="not_recorded_pct",
    ).assign(per="% of events")

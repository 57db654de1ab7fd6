"""Funnel plots: each provider's (or sub-ICB's) rate against the overall rate.

Units differ in size, so a league table of rates mostly ranks noise. A funnel plot
puts each unit's rate against its denominator with control limits around the rate of
the whole area (:func:`nearhome.stats.funnel.funnel_limits`, 95% and 99.8%): a unit
outside the 99.8% limits is unlikely to differ by chance alone. Providers are compared
where the measure has them (bed-day and spell measures); population rates are by
residence, so they are compared across sub-ICB areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nearhome.equity.groups import breakdown_rows
from nearhome.equity.inputs import FUNNEL_UNITS
from nearhome.equity.measures import EquityMeasure
from nearhome.equity.tidy import RowContext, statistic_rows
from nearhome.stats.funnel import funnel_limits, funnel_position
from nearhome.stats.results import Confidence

FUNNEL_LEVELS: tuple[float, ...] = (0.95, 0.998)
"""The two funnel limits drawn: warning (95%) and control (99.8%)."""


def funnel_unit(inputs: pd.DataFrame, measure: EquityMeasure) -> str | None:
    """The first of :data:`FUNNEL_UNITS` the inputs hold with denominators."""
    for unit in FUNNEL_UNITS:
        rows = breakdown_rows(inputs, measure.rate_metric, unit)
        if not rows.empty and rows["denominator"].notna().any():
            return unit
    return None


def funnel(
    inputs: pd.DataFrame,
    measure: EquityMeasure,
    confidence: Confidence = FUNNEL_LEVELS,
) -> pd.DataFrame:
    """One row per unit and level: the unit's rate with the funnel limits at its size.

    ``significance`` says where the rate falls: ``above``, ``below`` or ``within``.
    The target is the rate of the whole area (the ``all`` row).
    """
    unit = funnel_unit(inputs, measure)
    total = breakdown_rows(inputs, measure.rate_metric, "all")
    if unit is None or total.empty:
        return pd.DataFrame()
    numerator = float(total["numerator"].fillna(0.0).sum())
    denominator = float(total["denominator"].fillna(0.0).sum())
    if denominator <= 0:
        return pd.DataFrame()
    target = numerator / denominator * measure.multiplier
    rows = breakdown_rows(inputs, measure.rate_metric, unit)
    rows = rows[rows["denominator"].notna() & (rows["denominator"] > 0)]
    rows = rows.reset_index(drop=True)
    limits = funnel_limits(
        rows["denominator"], target, measure.multiplier, confidence=confidence
    )
    k = len(limits) // max(len(rows), 1)
    rate = np.repeat(
        rows["numerator"].fillna(0.0).to_numpy()
        / rows["denominator"].to_numpy()
        * measure.multiplier,
        k,
    )
    limits = limits.assign(value=rate)
    counts = np.repeat(rows["numerator"].fillna(0.0).to_numpy(), k)
    position = np.full(len(limits), None, dtype=object)
    for level in limits["confidence"].unique():
        at = (limits["confidence"] == level).to_numpy()
        position[at] = funnel_position(
            counts[at],
            limits.loc[at, "denominator"],
            target,
            measure.multiplier,
            confidence=float(level),
        )
    limits["significance"] = position
    keys = rows[["level", "level_description"]]
    keys = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    common: RowContext = {
        "measure": measure,
        "metric_id": measure.rate_metric,
        "breakdown": unit,
    }
    sizes = rows[["level", "level_description"]]
    out = [
        statistic_rows(
            sizes,
            pd.DataFrame({"value": rows["numerator"], "method": "recorded count"}),
            statistic="count",
            **common,
        ),
        statistic_rows(
            sizes,
            pd.DataFrame(
                {
                    "value": rows["denominator"],
                    "method": f"exposure: {measure.exposure}",
                }
            ),
            statistic="denominator",
            **common,
        ),
        statistic_rows(
            keys,
            limits.assign(suppressed_reason=None),
            statistic="funnel_rate",
            **(common | {"reference": f"overall rate {target:.6g}"}),
        ),
    ]
    return pd.concat(out, ignore_index=True)

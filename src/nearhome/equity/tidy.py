"""The one long shape every equity output has, and how statistic rows are made.

Long and tidy, like every ``stats`` result: one row per measure, grouping, group,
statistic and confidence level, so one CSV holds counts, rates, standardised rates,
ratios, gradients, completeness and funnel positions, and a reader filters by
``statistic``. Every row carries ``value, lower, upper, confidence, method`` and, when
no value is given, the ``suppressed_reason``.
"""

from __future__ import annotations

from typing import Final, NotRequired, TypedDict

import numpy as np
import pandas as pd

from nearhome.equity.measures import EquityMeasure

COLUMNS: Final = [
    "measure",
    "metric_id",
    "breakdown",
    "level",
    "level_description",
    "statistic",
    "value",
    "lower",
    "upper",
    "confidence",
    "method",
    "significance",
    "reference",
    "per",
    "suppressed_reason",
]
"""Columns of the equity table, in order."""

STATISTICS: Final = {
    "count": "events in the group",
    "denominator": "the group's exposure: residents, occupied bed days or spells",
    "crude_rate": "events per exposure, with exact (under 10) or Byar's limits",
    "dsr": "age-standardised rate (ESP 2013) with Dobson limits",
    "crude_ratio": "crude rate / reference group's, exact conditional limits",
    "dsr_ratio": "DSR / reference group's DSR, log-scale Taylor limits",
    "sii": "slope index of inequality across IMD levels (simulated limits)",
    "rii": "relative index of inequality across IMD levels (simulated limits)",
    "not_recorded_pct": "% of events whose ethnicity is not stated or not known",
    "funnel_rate": "a unit's rate, with funnel limits around the overall rate",
}
"""Each statistic and what it is (for docs and CSV readers)."""


class RowContext(TypedDict):
    """What a block of rows is about (passed on to :func:`statistic_rows`)."""

    measure: EquityMeasure
    metric_id: str
    breakdown: str
    reference: NotRequired[str | None]


def empty() -> pd.DataFrame:
    """A table with the columns and no rows."""
    return pd.DataFrame(columns=COLUMNS)


def statistic_rows(
    keys: pd.DataFrame,
    result: pd.DataFrame,
    *,
    measure: EquityMeasure,
    metric_id: str,
    breakdown: str,
    statistic: str,
    reference: str | None = None,
) -> pd.DataFrame:
    """Rows of the table from a ``stats`` result aligned with its keys.

    Args:
        keys: ``level`` and ``level_description`` per result row (same length and
            order as ``result``).
        result: a ``stats`` frame with ``value, lower, upper, confidence, method,
            suppressed_reason`` (``significance`` too, if known).
        measure: the measure the rows belong to.
        metric_id: the catalogue metric the figures come from.
        breakdown: the catalogue breakdown.
        statistic: one of :data:`STATISTICS`.
        reference: the reference level, for ratios.
    """
    if len(keys) != len(result):
        msg = "statistic_rows(): keys and result differ in length"
        raise ValueError(msg)
    return pd.DataFrame(
        {
            "measure": measure.name,
            "metric_id": metric_id,
            "breakdown": breakdown,
            "level": keys["level"].astype(str).to_numpy(),
            "level_description": keys["level_description"].astype(str).to_numpy(),
            "statistic": statistic,
            "value": result["value"].to_numpy(dtype=np.float64),
            "lower": _column(result, "lower"),
            "upper": _column(result, "upper"),
            "confidence": _column(result, "confidence"),
            "method": _text(result, "method"),
            "significance": _text(result, "significance"),
            "reference": reference,
            "per": measure.per,
            "suppressed_reason": _text(result, "suppressed_reason"),
        },
        columns=COLUMNS,
    )


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name in frame.columns:
        return frame[name].to_numpy(dtype=np.float64)
    return np.full(len(frame), np.nan)


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), None).to_numpy()
    return np.full(len(frame), None, dtype=object)

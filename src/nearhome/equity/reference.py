"""Ratios of each group's rate to the reference group's, with a significance flag.

Two ratios, each with the method that suits its inputs (see ``stats.rate_ratio``):

* the crude ratio uses the exact conditional method: given both groups' events, the
  group's share of them is binomial, so Clopper-Pearson limits give exact limits for
  the ratio, valid with few events and finite when the group has none;
* the DSR ratio uses the log-scale Taylor (delta) method on the DSRs' variances.

A ratio is flagged ``higher`` or ``lower`` when its whole interval lies above or below
1, and ``similar`` otherwise; this is the same as a two-sided test at the interval's
level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nearhome import stats
from nearhome.equity.breakdowns import UNRECORDED, EquityBreakdown
from nearhome.equity.groups import GroupFigures
from nearhome.equity.measures import EquityMeasure
from nearhome.equity.tidy import RowContext, statistic_rows
from nearhome.stats.results import Confidence

NO_REFERENCE = "the reference group has no denominator or is not in the data"


def reference_level(rows: pd.DataFrame, breakdown: EquityBreakdown) -> str | None:
    """The reference level: the grouping's own, else the recorded level with the largest
    denominator (ties: the first level). None when nothing can serve.

    Examples:
        >>> from nearhome.equity.breakdowns import EquityBreakdown
        >>> rows = pd.DataFrame({"level": ["1", "2", "U"],
        ...                      "denominator": [900.0, 1100.0, 5000.0]})
        >>> reference_level(rows, EquityBreakdown("gender", "Sex", None))
        '2'
    """
    if breakdown.reference is not None:
        return breakdown.reference
    usable = rows[
        ~rows["level"].isin(UNRECORDED)
        & rows["denominator"].notna()
        & (rows["denominator"] > 0)
    ]
    if usable.empty:
        return None
    return str(usable["level"].to_numpy()[int(np.argmax(usable["denominator"]))])


def significance(lower: pd.Series, upper: pd.Series) -> pd.Series:
    """``higher`` / ``lower`` / ``similar`` from a ratio's limits (None without them).

    Examples:
        >>> significance(pd.Series([1.2, 0.5, 0.8, np.nan]),
        ...              pd.Series([2.0, 0.9, 1.3, np.nan])).tolist()
        ['higher', 'lower', 'similar', None]
    """
    flag = np.select(
        [lower > 1, upper < 1, lower.notna() & upper.notna()],
        ["higher", "lower", "similar"],
        default="",
    )
    return pd.Series(flag, index=lower.index, dtype=object).replace("", None)


def group_ratios(
    figures: GroupFigures,
    measure: EquityMeasure,
    breakdown: EquityBreakdown,
    confidence: Confidence = 0.95,
) -> pd.DataFrame:
    """Crude and DSR ratios of every non-reference level to the reference level."""
    rows = figures.rows
    reference = reference_level(rows, breakdown)
    common: RowContext = {
        "measure": measure,
        "metric_id": figures.metric_id,
        "breakdown": breakdown.name,
        "reference": reference,
    }
    labels = rows.set_index("level")["level_description"]
    parts = []
    crude = _crude_ratios(rows, reference, measure.multiplier, confidence)
    if not crude.empty:
        keys = pd.DataFrame(
            {"level": crude["group"], "level_description": crude["group"].map(labels)}
        )
        parts.append(statistic_rows(keys, crude, statistic="crude_ratio", **common))
    dsr = _dsr_ratios(figures.dsr, reference, confidence)
    if not dsr.empty:
        keys = pd.DataFrame(
            {"level": dsr["group"], "level_description": dsr["group"].map(labels)}
        )
        parts.append(statistic_rows(keys, dsr, statistic="dsr_ratio", **common))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _crude_ratios(
    rows: pd.DataFrame,
    reference: str | None,
    multiplier: float,
    confidence: Confidence,
) -> pd.DataFrame:
    usable = rows[rows["denominator"].notna() & (rows["denominator"] > 0)]
    if reference is None or reference not in set(usable["level"]) or len(usable) < 2:
        return pd.DataFrame()
    frame = usable.assign(numerator=usable["numerator"].fillna(0.0))
    ratios = stats.rate_ratio(
        frame,
        group="level",
        reference=reference,
        count="numerator",
        population="denominator",
        multiplier=multiplier,
        confidence=confidence,
    )
    ratios = ratios[ratios["measure"] == "ratio"].reset_index(drop=True)
    return ratios.assign(significance=significance(ratios["lower"], ratios["upper"]))


def _dsr_ratios(
    dsr: pd.DataFrame, reference: str | None, confidence: Confidence
) -> pd.DataFrame:
    if dsr.empty or reference is None or reference not in set(dsr["level"]):
        return pd.DataFrame()
    one = dsr[dsr["confidence"] == dsr["confidence"].iloc[0]]
    if len(one) < 2:
        return pd.DataFrame()
    ratios = stats.rate_ratio(
        one[["level", "value", "variance"]],
        group="level",
        reference=reference,
        value="value",
        variance="variance",
        confidence=confidence,
    )
    ratios = ratios[ratios["measure"] == "ratio"].reset_index(drop=True)
    return ratios.assign(significance=significance(ratios["lower"], ratios["upper"]))

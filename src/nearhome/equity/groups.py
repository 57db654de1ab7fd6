"""Per-group counts, denominators, crude rates and age-standardised rates.

The crude rate answers "how often, in this group"; the directly standardised rate
(DSR) answers "how often, if this group had the age structure of the 2013 European
Standard Population", which is what makes groups with very different ages comparable
(the White British population is older than most minority ethnic groups, and
admissions and detentions depend strongly on age). Events whose age band matches no
standard band (age not known) cannot be standardised and are left out of the DSR only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nearhome import stats
from nearhome.equity.breakdowns import AGE_BANDS, EquityBreakdown
from nearhome.equity.measures import EquityMeasure
from nearhome.equity.tidy import RowContext, statistic_rows
from nearhome.metrics import dimensions
from nearhome.stats.populations import lower_age
from nearhome.stats.results import Confidence

NO_DENOMINATOR = "no denominator for this group (e.g. no population by this grouping)"
NO_AGE_STANDARDISATION = "not age-standardised: grouping by age, or no age bands"


@dataclass(frozen=True)
class GroupFigures:
    """What one measure x grouping gives, for the table and for ratios.

    Attributes:
        metric_id: the catalogue metric the rows come from.
        rows: one row per level: ``level, level_description, numerator,
            denominator`` (the recorded figures, before disclosure control).
        dsr: :func:`nearhome.stats.dsr` output by ``level`` (empty when not
            standardised).
        table: the equity table rows (count, denominator, crude rate, DSR).
    """

    metric_id: str
    rows: pd.DataFrame
    dsr: pd.DataFrame
    table: pd.DataFrame


def breakdown_rows(
    inputs: pd.DataFrame, metric_id: str, breakdown: str
) -> pd.DataFrame:
    """One metric's rows for one breakdown, sorted by level."""
    chosen = inputs[
        (inputs["measure_id"] == metric_id) & (inputs["breakdown"] == breakdown)
    ]
    columns = ["level", "level_description", "numerator", "denominator"]
    return chosen[columns].sort_values("level", kind="stable").reset_index(drop=True)


def source_metric(
    inputs: pd.DataFrame, measure: EquityMeasure, breakdown: str
) -> str | None:
    """The metric holding a grouping: the rate composite, else the plain count."""
    for metric_id in (measure.rate_metric, measure.count_metric):
        if not breakdown_rows(inputs, metric_id, breakdown).empty:
            return metric_id
    return None


def group_figures(
    inputs: pd.DataFrame,
    measure: EquityMeasure,
    breakdown: EquityBreakdown,
    confidence: Confidence = 0.95,
) -> GroupFigures | None:
    """Counts, denominators, crude rates and DSRs of one measure by one grouping.

    Args:
        inputs: span totals from :func:`nearhome.equity.inputs.collect_inputs`.
        measure: the measure.
        breakdown: the grouping.
        confidence: one level or several.

    Returns:
        The figures, or None when the inputs hold no rows for this pair.
    """
    metric_id = source_metric(inputs, measure, breakdown.name)
    if metric_id is None:
        return None
    rows = breakdown_rows(inputs, metric_id, breakdown.name)
    keys = rows[["level", "level_description"]]
    common: RowContext = {
        "measure": measure,
        "metric_id": metric_id,
        "breakdown": breakdown.name,
    }
    count = pd.DataFrame({"value": rows["numerator"], "method": "recorded count"})
    denominator = pd.DataFrame(
        {"value": rows["denominator"], "method": f"exposure: {measure.exposure}"}
    )
    crude = crude_rates(rows, measure.multiplier, confidence)
    dsr = standardised_rates(inputs, metric_id, measure, breakdown, confidence)
    parts = [
        statistic_rows(keys, count, statistic="count", **common),
        statistic_rows(keys, denominator, statistic="denominator", **common),
        statistic_rows(
            keys.loc[keys.index.repeat(_levels(confidence))].reset_index(drop=True),
            crude,
            statistic="crude_rate",
            **common,
        ),
    ]
    parts.append(_dsr_rows(rows, dsr, confidence, common))
    table = pd.concat(parts, ignore_index=True)
    return GroupFigures(metric_id, rows, dsr, table)


def _levels(confidence: Confidence) -> int:
    return len(stats.rate(0, 1, confidence=confidence))


def crude_rates(
    rows: pd.DataFrame, multiplier: float, confidence: Confidence
) -> pd.DataFrame:
    """:func:`nearhome.stats.rate` per level; a level without a denominator says so."""
    denominator = rows["denominator"].to_numpy(dtype=np.float64)
    result = stats.rate(
        rows["numerator"].fillna(0.0).to_numpy(dtype=np.float64),
        np.nan_to_num(denominator, nan=0.0),
        multiplier=multiplier,
        confidence=confidence,
    )
    missing = np.repeat(np.isnan(denominator), _levels(confidence))
    result.loc[missing, "suppressed_reason"] = NO_DENOMINATOR
    return result


def standardised_rates(
    inputs: pd.DataFrame,
    metric_id: str,
    measure: EquityMeasure,
    breakdown: EquityBreakdown,
    confidence: Confidence,
) -> pd.DataFrame:
    """DSRs per level from the grouping crossed with five-year age bands.

    A band with events but no population (or exposure) makes the DSR undefined; the
    :func:`~nearhome.stats.dsr` reason says so.
    """
    if not breakdown.standardise:
        return pd.DataFrame()
    crossed = dimensions.JOIN.join((breakdown.name, AGE_BANDS))
    cells = breakdown_rows(inputs, metric_id, crossed)
    if cells.empty:
        return pd.DataFrame()
    parts = cells["level"].str.split(dimensions.JOIN, n=1, expand=True)
    cells = cells.assign(group=parts[0], band=parts[1])
    cells = cells[cells["band"].map(lower_age).notna()]
    if cells.empty:
        return pd.DataFrame()
    return stats.dsr(
        cells.assign(
            numerator=cells["numerator"].fillna(0.0),
            denominator=cells["denominator"].fillna(0.0),
        ),
        count="numerator",
        population="denominator",
        age_band="band",
        by="group",
        multiplier=measure.multiplier,
        confidence=confidence,
    ).rename(columns={"group": "level"})


def _dsr_rows(
    rows: pd.DataFrame,
    dsr: pd.DataFrame,
    confidence: Confidence,
    common: RowContext,
) -> pd.DataFrame:
    """DSR rows for every level (levels without one say why)."""
    k = _levels(confidence)
    keys = rows[["level", "level_description"]]
    keys = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    levels = stats.rate(np.zeros(len(rows)), 1, confidence=confidence)["confidence"]
    frame = keys.assign(confidence=levels.to_numpy())
    if dsr.empty:
        result = frame.assign(
            value=np.nan,
            lower=np.nan,
            upper=np.nan,
            method=None,
            suppressed_reason=NO_AGE_STANDARDISATION,
        )
    else:
        result = frame.merge(
            dsr[["level", "confidence", "value", "lower", "upper", "method"]].assign(
                suppressed_reason=dsr["suppressed_reason"]
            ),
            on=["level", "confidence"],
            how="left",
        )
        result["suppressed_reason"] = result["suppressed_reason"].where(
            result["method"].notna(), NO_AGE_STANDARDISATION
        )
    return statistic_rows(
        result[["level", "level_description"]],
        result,
        statistic="dsr",
        **common,
    )

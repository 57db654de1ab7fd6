"""The deprivation gradient: slope and relative indices of inequality (SII, RII).

Ratios compare one quintile with another; the SII summarises the whole gradient in one
number: the modelled gap in rate between the most and the least deprived ends of the
population, from a population-weighted regression on each quintile's mid-point rank.
The RII is the same gap as a ratio. Limits come from simulation (seeded, so a rerun
gives the same figures), as in PHEindicatormethods' ``phe_sii``. IMD level 1 is the
most deprived, so a negative SII means higher rates in more deprived areas.
"""

from __future__ import annotations

import pandas as pd

from nearhome import stats
from nearhome.equity.breakdowns import EquityBreakdown
from nearhome.equity.groups import GroupFigures
from nearhome.equity.measures import EquityMeasure
from nearhome.equity.tidy import statistic_rows
from nearhome.stats.results import Confidence

REPETITIONS = 10_000
"""Simulations per index: enough for limits stable to about two significant figures."""


def gradient(
    figures: GroupFigures,
    measure: EquityMeasure,
    breakdown: EquityBreakdown,
    *,
    confidence: Confidence = 0.95,
    seed: int = 1,
) -> pd.DataFrame:
    """SII and RII of the crude rates across the grouping's numbered levels.

    Levels that are not numbers (not known) are left out. ``stats.sii`` gives the
    reason when it cannot fit (too few levels, a zero rate on the log scale).
    """
    rows = figures.rows
    numbered = rows[rows["level"].astype(str).str.fullmatch(r"\d+")]
    numbered = numbered[numbered["denominator"].notna() & (numbered["denominator"] > 0)]
    if numbered.empty:
        return pd.DataFrame()
    rates = stats.rate(
        numbered["numerator"].fillna(0.0),
        numbered["denominator"],
        multiplier=measure.multiplier,
    )
    frame = pd.DataFrame(
        {
            "quantile": numbered["level"].astype(int).to_numpy(),
            "population": numbered["denominator"].to_numpy(),
            "rate": rates["value"].to_numpy(),
            "lower": rates["lower"].to_numpy(),
            "upper": rates["upper"].to_numpy(),
        }
    )
    result = stats.sii(
        frame,
        quantile="quantile",
        population="population",
        value="rate",
        lower="lower",
        upper="upper",
        value_type="rate",
        repetitions=REPETITIONS,
        confidence=confidence,
        seed=seed,
    )
    keys = pd.DataFrame(
        {
            "level": "all levels",
            "level_description": result["measure"].map(
                {
                    "sii": "Slope index of inequality",
                    "rii": "Relative index of inequality",
                }
            ),
        }
    )
    parts = [
        statistic_rows(
            keys[result["measure"] == name].reset_index(drop=True),
            result[result["measure"] == name].reset_index(drop=True),
            measure=measure,
            metric_id=figures.metric_id,
            breakdown=breakdown.name,
            statistic=name,
        )
        for name in ("sii", "rii")
    ]
    return pd.concat(parts, ignore_index=True)

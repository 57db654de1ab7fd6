"""Backtest: fit on the years before year t, predict year t, compare with what happened.

For each pool the model is built exactly as a plan would be (demand fitted on the earlier
years, stays from completed visits, the census on the first day of year t) and simulated
for one year. Three things are compared with the observed year:

* admissions in the year (total);
* the midnight census of residents in local beds, day by day;
* bed days of residents placed out of area.

Each gets a mean absolute error and the share of observations inside the simulation's 80%
interval (p10–p90). Good calibration puts about 80% of days inside; far fewer means the model
is overconfident, far more that it is vague.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from nearhome.capacity.baseline import (
    BaselineFrames,
    build_scenario,
    daily_admissions,
    daily_census,
    overlap_days,
    read_baseline,
)
from nearhome.capacity.run import run_scenario
from nearhome.data.warehouse import Warehouse

__all__ = ["backtest", "backtest_warehouse", "frames_before"]


def frames_before(frames: BaselineFrames, cut: pd.Timestamp) -> BaselineFrames:
    """The baseline as it was known on ``cut``: later visits gone, later ends unknown."""
    v = frames.visits[frames.visits["start"] < cut].copy()
    still_open = v["end"].isna() | (v["end"] > cut)
    v.loc[still_open, "end"] = pd.NaT
    v.loc[still_open, "next_pool"] = None
    v["days"] = (v["end"] - v["start"]).dt.days.astype("Float64")
    return replace(frames, census_date=cut, visits=v.reset_index(drop=True))


def _away_bed_days(
    frames: BaselineFrames, pool: str, lo: pd.Timestamp, hi: pd.Timestamp
) -> float:
    v = frames.visits
    v = v[(v["pool"] == pool) & ~v["local_last"]]
    return overlap_days(v["start"], v["end"], lo, hi)


def _row(
    pool: str, measure: str, observed: np.ndarray, simulated: np.ndarray
) -> dict[str, Any]:  # type: ignore[type-arg]
    """Compare observations (shape [n]) with simulations (shape [reps, n])."""
    lo, hi = np.quantile(simulated, [0.1, 0.9], axis=0)
    mean = simulated.mean(axis=0)
    return {
        "pool": pool,
        "measure": measure,
        "points": int(observed.size),
        "observed": float(observed.mean()),
        "predicted": float(mean.mean()),
        "lower_80": float(lo.mean()),
        "upper_80": float(hi.mean()),
        "mae": float(np.abs(observed - mean).mean()),
        "coverage_80": float(((observed >= lo) & (observed <= hi)).mean()),
    }


def backtest(
    frames: BaselineFrames,
    test_start: pd.Timestamp | str,
    *,
    reps: int = 200,
    seed: int = 1,
    **build: Any,
) -> pd.DataFrame:
    """Fit on everything before ``test_start``, simulate the following year, score it.

    Returns one row per pool and measure (``admissions``, ``daily_census``,
    ``oap_bed_days``) with observed and predicted means, the 80% interval, the mean
    absolute error and the 80% interval's coverage.
    """
    start = pd.Timestamp(test_start)
    end = start + pd.DateOffset(years=1)
    scenario, _ = build_scenario(
        frames_before(frames, start), years=1, seed=seed, **build
    )
    result = run_scenario(scenario, reps=reps)
    m = result.measures
    days = min(int((end - start).days), m.census.shape[2])
    rows = []
    for p, pool in enumerate(scenario.pool_ids()):
        observed_adm = float(daily_admissions(frames, pool, start, end).sum())
        rows.append(
            _row(
                pool,
                "admissions",
                np.array([observed_adm]),
                m.arrivals[:, p : p + 1].astype(float),
            )
        )
        census = daily_census(frames, pool, start, end).to_numpy(dtype=float)[:days]
        rows.append(
            _row(pool, "daily_census", census, m.census[:, p, :days].astype(float))
        )
        oap = _away_bed_days(frames, pool, start, end)
        rows.append(
            _row(
                pool,
                "oap_bed_days",
                np.array([oap]),
                m.oap_bed_days[:, p].sum(axis=1, keepdims=True),
            )
        )
    return pd.DataFrame(rows)


def backtest_warehouse(
    wh: Warehouse,
    icb_code: str,
    *,
    test_start: str | None = None,
    reps: int = 200,
    **options: Any,
) -> pd.DataFrame:
    """Backtest on the warehouse: by default the last whole year before the latest data."""
    frames = read_baseline(wh, icb_code)
    start = (
        pd.Timestamp(test_start)
        if test_start
        else frames.census_date - pd.DateOffset(years=1)
    )
    return backtest(frames, start, reps=reps, **options)

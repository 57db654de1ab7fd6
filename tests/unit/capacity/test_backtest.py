"""Backtest on frames built here: a ward simulated by hand, then fitted and predicted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nearhome.capacity.backtest import backtest, frames_before
from nearhome.capacity.baseline import BaselineFrames
from nearhome.capacity.scenario import CRFD_GROUPS

START, CENSUS = pd.Timestamp("2021-04-01"), pd.Timestamp("2024-04-01")


def _frames(seed: int = 8, beds: int = 12) -> BaselineFrames:
    """A loss ward (0.3 admissions a day, 30-day stays) written out as baseline visits."""
    rng = np.random.default_rng(seed)
    days = (CENSUS - START).days
    arrivals = np.sort(rng.uniform(0, days, rng.poisson(0.3 * days)))
    stays = rng.exponential(30.0, arrivals.size)
    ends = np.full(beds, -1.0)
    local = np.zeros(arrivals.size, dtype=bool)
    for i, (t, los) in enumerate(zip(arrivals, stays, strict=True)):
        free = np.flatnonzero(ends <= t)
        if free.size:
            ends[free[0]] = t + los
            local[i] = True
    start = START + pd.to_timedelta(np.floor(arrivals), unit="D")
    end = start + pd.to_timedelta(np.ceil(stays), unit="D")
    visits = pd.DataFrame(
        {
            "spell_id": [f"s{i}" for i in range(arrivals.size)],
            "person_id": [f"p{i}" for i in range(arrivals.size)],
            "pool": "acute",
            "start": start,
            "end": end.where(end <= CENSUS, pd.NaT),
            "local_first": local,
            "local_last": local,
            "gender_code": "1",
            "is_arrival": True,
            "next_pool": None,
            "age_band": "30-34",
            **{f"crfd_{g}": 0.0 for g in CRFD_GROUPS},
        }
    )
    visits["days"] = (visits["end"] - visits["start"]).dt.days.astype("Float64")
    return BaselineFrames(
        icb_code="QXX",
        census_date=CENSUS,
        visits=visits,
        beds=pd.Series({"acute": beds}),
        population=pd.DataFrame(columns=["year", "age_band", "sex", "count"]),
        non_resident_census=pd.Series({"acute": 0.0}),
        inappropriate_oaps_open=0,
    )


def test_frames_before_hides_the_future() -> None:
    f = _frames()
    cut = frames_before(f, pd.Timestamp("2023-04-01"))
    assert cut.visits["start"].max() < pd.Timestamp("2023-04-01")
    assert (cut.visits["end"].dropna() <= pd.Timestamp("2023-04-01")).all()


def test_backtest_reports_error_and_coverage() -> None:
    table = backtest(_frames(), "2023-04-01", reps=40, seed=3)
    assert set(table["measure"]) == {"admissions", "daily_census", "oap_bed_days"}
    assert table["coverage_80"].between(0, 1).all()
    census = table.set_index("measure").loc["daily_census"]
    assert census["points"] == 366
    assert census["mae"] < 3.0
    assert census["coverage_80"] > 0.5
    admissions = table.set_index("measure").loc["admissions"]
    assert admissions["predicted"] == pytest.approx(0.3 * 365, rel=0.25)

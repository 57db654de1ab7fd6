"""The two engine cores agree exactly; conservation; common random numbers; neutral levers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nearhome.capacity import engine_loop
from nearhome.capacity.batch import BatchRecords, empty_records
from nearhome.capacity.draws import build_batch
from nearhome.capacity.engine import run_batch
from nearhome.capacity.engine_loop import run_batch_loop
from nearhome.capacity.interp import interp_grid
from nearhome.capacity.measures import measure_batch
from nearhome.capacity.plan import plan_model
from nearhome.capacity.scenario import Scenario

from .conftest import small_scenario


def _run(
    s: Scenario, reps: int, loop: bool = False
) -> tuple[BatchRecords, object, object]:
    model = plan_model(s)
    batch = build_batch(model, range(reps))
    records = empty_records(batch.reps, batch.pools, batch.capacities())
    (run_batch_loop if loop else run_batch)(batch, records)
    return records, batch, model


def _same(a: BatchRecords, b: BatchRecords) -> None:
    """Identical records (only the written part of each row is compared)."""
    for field in dataclasses.fields(BatchRecords):
        x, y = getattr(a, field.name), getattr(b, field.name)
        prefix = field.name.split("_")[0]
        if x.ndim == 2 and prefix in ("seg", "aw", "q"):
            counts = getattr(a, f"{prefix}_n")
            assert np.array_equal(counts, getattr(b, f"{prefix}_n"))
            keep = np.arange(x.shape[1])[None, :] < counts[:, None]
            x, y = x[keep], y[keep]
        assert np.array_equal(x, y), field.name


@pytest.mark.parametrize(
    "scenario",
    [
        small_scenario(),
        small_scenario(repatriation={"rule": "longest_remaining_first"}),
        small_scenario(repatriation={"rule": "none"}, transfers=[]),
        small_scenario(
            pools=[
                {
                    **small_scenario().pools[0].model_dump(),
                    "admissions": {"per_day": 0.4, "when_full": "wait"},
                    "bed_changes": [
                        {"date": "2025-08-01", "change": 2},
                        {"date": "2025-12-01", "change": -4},
                    ],
                },
                small_scenario().pools[1].model_dump(),
            ]
        ),
    ],
    ids=[
        "transfers+repatriation",
        "longest-remaining",
        "loss-only",
        "queue+bed-changes",
    ],
)
def test_numpy_and_loop_cores_agree_exactly(scenario: Scenario) -> None:
    a, *_ = _run(scenario, 6)
    b, *_ = _run(scenario, 6, loop=True)
    _same(a, b)


@pytest.mark.skipif(not engine_loop.HAVE_NUMBA, reason="numba is optional")
def test_numba_core_is_the_loop_core() -> None:
    a, *_ = _run(small_scenario(), 4)
    b, *_ = _run(small_scenario(), 4, loop=True)
    _same(a, b)


def test_conservation_and_bed_days() -> None:
    records, batch, model = _run(small_scenario(), 8)
    m = measure_batch(batch, records, model.month_edges, int(model.horizon))  # type: ignore[attr-defined]
    assert np.array_equal(
        m.people_start + m.people_arrived, m.people_discharged + m.people_in_system
    )
    # the midnight census and bed days agree to within a bed day per stay edge
    census_days = m.census.sum(axis=2)
    assert (
        np.abs(census_days - m.local_bed_days.sum(axis=2)).max()
        < 0.02 * census_days.max() + 20
    )
    assert (m.local_bed_days >= 0).all() and (m.oap_bed_days >= 0).all()


def test_repatriation_moves_bed_days_without_creating_any() -> None:
    on = small_scenario(
        transfers=[],
        repatriation={"rule": "longest_away_first", "min_remaining_days": 0.0},
    )
    off = small_scenario(transfers=[], repatriation={"rule": "none"})
    totals = []
    for s in (on, off):
        records, batch, model = _run(s, 10)
        m = measure_batch(batch, records, model.month_edges, int(model.horizon))  # type: ignore[attr-defined]
        totals.append(
            m.local_bed_days.sum(axis=(1, 2)) + m.oap_bed_days.sum(axis=(1, 2))
        )
        if s is on:
            assert m.repatriations.sum() > 0
            valid_aw = np.arange(records.aw_out.shape[1]) < records.aw_n[:, None]
            valid_seg = np.arange(records.seg_kind.shape[1]) < records.seg_n[:, None]
            returned = (records.aw_out == 2) & valid_aw
            assert ((records.seg_kind == 3) & valid_seg).sum() == returned.sum()
    assert totals[0] == pytest.approx(totals[1], rel=1e-12)


def test_unlimited_beds_send_nobody_away() -> None:
    data = small_scenario().model_dump(mode="json")
    for pool in data["pools"]:
        pool["beds"] = 400
        pool["census"]["out_of_area_elapsed_days"] = []
    records, *_ = _run(small_scenario(**{k: data[k] for k in ("pools",)}), 6)
    assert (
        records.sent_away.sum() == 0
        and records.aw_n.sum() == 0
        and records.q_n.sum() == 0
    )


def test_neutral_lever_changes_nothing_and_levers_use_common_numbers() -> None:
    base, *_ = _run(small_scenario(), 5)
    neutral, *_ = _run(
        small_scenario(levers={"los_reduction_pct": 0.0, "admission_avoidance": []}), 5
    )
    _same(base, neutral)
    shorter, *_ = _run(small_scenario(levers={"los_reduction_pct": 20.0}), 5)
    # same admissions (common random numbers): only the lever differs
    assert np.array_equal(base.arrivals, shorter.arrivals)
    assert shorter.sent_away.sum() <= base.sent_away.sum()


def test_replications_do_not_depend_on_the_batch() -> None:
    model = plan_model(small_scenario())
    whole = build_batch(model, range(6))
    part = build_batch(model, range(3, 6))
    assert np.array_equal(
        whole.arr_t[3:, : part.arr_t.shape[1]], part.arr_t[:, : whole.arr_t.shape[1]]
    )
    assert np.array_equal(whole.vis_clin[3:], part.vis_clin)


def test_arrival_interpolation_is_numpys_bit_for_bit() -> None:
    """The compiled interpolation of arrival epochs equals numpy.interp exactly."""
    rng = np.random.default_rng(12)
    for trial in range(40):
        days = int(rng.integers(2, 2500))
        rates = rng.gamma(2.0, 0.3, days)
        rates[rng.random(days) < 0.1] = 0.0  # days without admissions: flat steps
        if trial % 2:
            rates[:] = rng.random()  # a constant rate, the straight-line case
        grid = np.concatenate(([0.0], np.cumsum(rates)))
        x = np.cumsum(rng.standard_exponential((7, int(grid[-1] * 1.1) + 5)), axis=1)
        x[:, -1] = np.inf  # beyond the grid, as padding is
        x[0, :3] = [0.0, grid[-1], np.nan]  # the ends and nan
        day = np.arange(days + 1, dtype=np.float64)
        assert np.array_equal(
            interp_grid(x, grid, day), np.interp(x, grid, day), equal_nan=True
        )

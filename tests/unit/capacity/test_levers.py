"""Levers as daily tables: neutral means exactly 1, ramps, bed schedules, Midlands factors."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from nearhome.capacity import levers
from nearhome.capacity.levers import (
    LEVER_NAMES,
    active_levers,
    bed_slots,
    midlands_multipliers,
    month_starts,
    neutralise,
    plan_tables,
)
from nearhome.capacity.scenario import MidlandsSpec, sample_scenario

from .conftest import small_scenario


def test_neutral_levers_give_identical_tables() -> None:
    s = small_scenario()
    explicit = small_scenario(
        levers={
            "los_reduction_pct": 0.0,
            "crfd_removal_pct": {},
            "incidence_change_pct_per_year": 0.0,
        }
    )
    a, b = plan_tables(s), plan_tables(explicit)
    for name in (
        "rates",
        "clinical_multiplier",
        "crfd_multiplier",
        "removal_ramp",
        "long_stay_cut",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert np.all(a.clinical_multiplier == 1.0)


def test_levers_ramp_between_start_and_full_effect() -> None:
    s = small_scenario(
        levers={
            "start": "2025-05-01",
            "full_effect": "2025-07-01",
            "los_reduction_pct": 10.0,
            "long_stay_reduction_pct": 50.0,
            "crfd_removal_pct": {"housing": 100.0},
        }
    )
    t = plan_tables(s)
    clin = t.clinical_multiplier[0]
    assert clin[0] == 1.0 and clin[29] == 1.0
    assert clin[200] == pytest.approx(0.9)
    assert 0.9 < clin[60] < 1.0
    assert t.removal_ramp[0, 200] == 1.0 and t.long_stay_cut[0, 200] == 0.5
    assert t.long_stay_threshold.tolist()[0] == 60.0


def test_demand_levers_change_rates() -> None:
    base = plan_tables(small_scenario()).rates
    avoid = plan_tables(
        small_scenario(
            levers={
                "admission_avoidance": [
                    {
                        "name": "crisis house",
                        "pct_of_admissions": 10,
                        "pools": ["acute"],
                    }
                ]
            }
        )
    ).rates
    assert avoid[0] == pytest.approx(base[0] * 0.9)
    assert np.array_equal(avoid[1], base[1])
    grow = plan_tables(
        small_scenario(levers={"incidence_change_pct_per_year": 10.0})
    ).rates
    assert grow[0, -1] / base[0, -1] == pytest.approx(1.1 ** (364 / 365.25), rel=1e-6)


def test_demographic_growth_follows_the_age_mix() -> None:
    s = sample_scenario()
    off = neutralise(s, {"demographic_growth"})
    ratio = plan_tables(s).rates / plan_tables(off).rates
    older = s.pool_ids().index("older_adult")
    acute = s.pool_ids().index("adult_acute_male")
    assert ratio[older, -1] > ratio[acute, -1] > 1.0  # the 65+ population grows fastest
    assert ratio[:, 0] == pytest.approx(np.ones(len(s.pools)), abs=1e-3)


def test_bed_schedule_and_months() -> None:
    s = sample_scenario()
    opens, _closes = bed_slots(s, s.pools[0])
    assert (opens == -np.inf).sum() == 48 and (opens > 0).sum() == 4
    closing = small_scenario(
        pools=[
            {
                **small_scenario().pools[0].model_dump(),
                "bed_changes": [{"date": "2025-10-01", "change": -3}],
            }
        ],
        transfers=[],
    )
    _o, c = bed_slots(closing, closing.pools[0])
    assert (c < np.inf).sum() == 3
    edges, labels = month_starts(s)
    assert labels[0] == "2025-04" and len(labels) == 36 and edges[-1] == 1096


def test_neutralise_and_active_levers() -> None:
    s = sample_scenario()
    on = active_levers(s)
    assert {
        "demographic_growth",
        "los_reduction",
        "crfd_removal",
        "bed_changes",
        "repatriation",
    } <= set(on)
    flat = neutralise(s, set(LEVER_NAMES))
    assert active_levers(flat) == []
    with pytest.raises(ValueError, match="unknown levers"):
        neutralise(s, {"magic"})


def test_midlands_multipliers_match_spells_and_bed_days() -> None:
    spec = MidlandsSpec(demographic_growth=2.0, delayed_share_of_bed_days=0.1)
    arrivals, los = midlands_multipliers(spec)
    assert arrivals == pytest.approx(1 + (-15.1 + 6.6) / 100)
    assert arrivals * los == pytest.approx(0.849 + 0.1 * 0.066)
    s = sample_scenario(midlands={"apply_to_simulation": True})
    assert plan_tables(s).rates[0, -1] < plan_tables(sample_scenario()).rates[0, -1]


def test_doctests() -> None:
    assert doctest.testmod(levers).failed == 0

"""The pool summary's analytic columns against the simulation, for both repatriation rules.

Erlang B holds when people sent out of area stay there; when everyone away is brought back
the moment a bed frees, every resident keeps the stay they would have had, so residents
(local plus away) are Poisson with mean the offered load and an admission is sent away when
they fill the beds: the Poisson tail. A one-pool scenario with stationary demand checks the
simulation lands on the right one (within 3 standard errors).
"""

from __future__ import annotations

from typing import Any

import pytest

from nearhome.capacity.erlang import erlang_b, out_of_area_repatriating
from nearhome.capacity.run import run_scenario
from nearhome.capacity.scenario import Scenario, parse_scenario

LOAD, BEDS = 5.0, 6  # 1 admission a day, mean stay 5 days


def _one_pool(rule: str) -> Scenario:
    data: dict[str, Any] = {
        "name": "one pool",
        "icb_code": "QXX",
        "start_date": "2025-04-01",
        "years": 3,
        "seed": 17,
        "replications": 40,
        "pools": [
            {
                "id": "acute",
                "beds": BEDS,
                "admissions": {"per_day": 1.0},
                "los": {"kind": "exponential", "mean_days": 5.0},
            }
        ],
        "repatriation": {"rule": rule, "min_remaining_days": 0.0},
    }
    return parse_scenario(data)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("none", 0.191847),  # Erlang B(5, 6)
        ("longest_away_first", 0.384039),  # P(Poisson(5) >= 6)
    ],
)
def test_simulated_share_matches_the_analytic_column_for_the_rule(
    rule: str, expected: float
) -> None:
    row = run_scenario(_one_pool(rule), reps=40).pool_summary().iloc[0]
    assert row["repatriation_rule"] == rule
    assert row["offered_load"] == pytest.approx(LOAD, rel=0.03)
    assert erlang_b(LOAD, BEDS) == pytest.approx(0.191847, abs=1e-6)
    assert out_of_area_repatriating(LOAD, BEDS) == pytest.approx(0.384039, abs=1e-6)
    assert abs(row["p_out_of_area"] - expected) < 3 * row["p_out_of_area_se"]
    analytic = (
        row["erlang_b_at_beds_end"]
        if rule == "none"
        else row["p_out_of_area_repatriating"]
    )
    assert analytic == pytest.approx(expected, abs=0.01)

"""Small scenarios for the capacity tests (synthetic, fast to simulate)."""

from __future__ import annotations

from typing import Any

import pytest

from nearhome.capacity.scenario import Scenario, parse_scenario


def small_scenario(**overrides: Any) -> Scenario:
    """Two pools (acute and PICU) with transfers, a census, OAPs now and repatriation, one year."""
    data: dict[str, Any] = {
        "name": "small test scenario",
        "icb_code": "QXX",
        "start_date": "2025-04-01",
        "years": 1,
        "seed": 11,
        "replications": 20,
        "oap_cost_per_day": 600.0,
        "pools": [
            {
                "id": "acute",
                "beds": 10,
                "admissions": {
                    "per_day": 0.3,
                    "annual_cos": [0.1],
                    "annual_sin": [0.0],
                },
                "los": {
                    "kind": "lognormal",
                    "mean_days": 30.0,
                    "sd_days": 30.0,
                    "crfd_share": {"housing": 0.1},
                },
                "census": {
                    "local_elapsed_days": [1, 5, 20, 40, 90, 3, 8],
                    "out_of_area_elapsed_days": [4, 12],
                },
                "long_stay_days": 60.0,
            },
            {
                "id": "picu",
                "beds": 2,
                "admissions": {"per_day": 0.05},
                "los": {"kind": "exponential", "mean_days": 15.0},
                "census": {"local_elapsed_days": [2]},
            },
        ],
        "transfers": [
            {
                "from_pool": "acute",
                "to_pool": "picu",
                "probability": 0.1,
                "when_full": "out_of_area",
            },
            {
                "from_pool": "picu",
                "to_pool": "acute",
                "probability": 0.6,
                "when_full": "wait",
            },
        ],
        "repatriation": {"rule": "longest_away_first", "min_remaining_days": 3.0},
    }
    data.update(overrides)
    return parse_scenario(data)


@pytest.fixture
def small() -> Scenario:
    """The small two-pool scenario."""
    return small_scenario()

"""Drawing a batch: visits drawn only as far as they can be used, with the same results."""

from __future__ import annotations

import numpy as np
import pytest

from nearhome.capacity import draws
from nearhome.capacity.batch import empty_records
from nearhome.capacity.draws import build_batch
from nearhome.capacity.engine import run_batch
from nearhome.capacity.measures import measure_batch
from nearhome.capacity.plan import PlanModel, plan_model

from .conftest import small_scenario


def _measures(model: PlanModel, reps: int) -> tuple[object, np.ndarray]:  # type: ignore[type-arg]
    batch = build_batch(model, range(reps))
    records = empty_records(batch.reps, batch.pools, batch.capacities())
    run_batch(batch, records)
    m = measure_batch(batch, records, model.month_edges, int(model.horizon))
    return m, np.diff(batch.vis_offset)


ONE_WAY = [
    {"from_pool": "acute", "to_pool": "picu", "probability": 0.2, "when_full": "wait"}
]


def test_visits_stop_at_the_most_admissions_where_nobody_transfers_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Acute takes no transfers in: its visits end at its most admissions; PICU's do not."""
    model = plan_model(small_scenario(transfers=ONE_WAY))
    trimmed, widths = _measures(model, 6)
    inflow = model.routing.any(axis=0)
    plan = model.visit_capacity()
    assert inflow.tolist() == [False, True]
    assert widths[1] == plan[1]
    assert widths[0] < plan[0]
    monkeypatch.setattr(
        draws, "_visits_needed", lambda model, times: model.visit_capacity()
    )
    full, widths_full = _measures(model, 6)
    assert (widths_full == plan).all()
    for name in (
        "arrivals",
        "sent_away",
        "waited",
        "repatriations",
        "transfers_in",
        "census",
        "oap_bed_days",
    ):
        assert np.array_equal(getattr(trimmed, name), getattr(full, name)), name

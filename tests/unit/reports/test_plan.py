"""The plan file: validation, quarters and trajectories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nearhome.errors import InvalidConfig
from nearhome.reports.plan import Milestone, Target, load_plan, parse_plan, trajectory

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "plan.toml"
QUARTERS = [
    dt.date(2025, 4, 1),
    dt.date(2025, 7, 1),
    dt.date(2025, 10, 1),
    dt.date(2026, 1, 1),
    dt.date(2026, 4, 1),
]


def minimal(**extra: object) -> dict[str, object]:
    return {"title": "Plan", "baseline": "2024-04..2025-03", **extra}


def test_the_example_plan_is_valid() -> None:
    plan = load_plan(EXAMPLE)
    assert plan.icb == "QAA"
    assert plan.period.start == dt.date(2025, 4, 1)
    assert len(plan.quarters()) == 12
    assert plan.quarters()[-1] == dt.date(2028, 1, 1)
    assert {t.measure for t in plan.targets} >= {"out_of_area.inappropriate_bed_days"}
    assert plan.beds and plan.coproduction


def test_trajectory_to_zero_then_holds() -> None:
    target = Target(measure="m", milestones=[Milestone(quarter="2025/26 Q4", value=0)])
    assert trajectory(target, 100.0, QUARTERS) == [75.0, 50.0, 25.0, 0.0, 0.0]


def test_trajectory_through_percentage_milestones() -> None:
    target = Target(
        measure="m",
        milestones=[
            Milestone(quarter="2025/26 Q2", change_pct=-10),
            Milestone(quarter="2026/27 Q1", change_pct=-25),
        ],
    )
    values = trajectory(target, 200.0, QUARTERS)
    assert values[0] == pytest.approx(190.0)
    assert values[1] == pytest.approx(180.0)
    assert values[-1] == pytest.approx(150.0)


def test_every_problem_is_reported_with_where_it_is() -> None:
    data = minimal(
        targets=[
            {"measure": "m", "milestones": [{"quarter": "2025/26 Q9", "value": 1}]}
        ],
        beds=[{"pool": "Adult Acute", "date": "2026-01-01", "change": 0}],
    )
    with pytest.raises(InvalidConfig) as error:
        parse_plan(data)
    message = error.value.message
    assert "targets.0.milestones.0" in message
    assert "beds.0.pool" in message


def test_a_milestone_needs_exactly_one_goal() -> None:
    with pytest.raises(InvalidConfig, match="exactly one"):
        parse_plan(
            minimal(
                targets=[{"measure": "m", "milestones": [{"quarter": "2025/26 Q4"}]}]
            )
        )


def test_milestones_in_order_and_one_target_per_measure() -> None:
    backwards = [
        {"quarter": "2026/27 Q4", "value": 1},
        {"quarter": "2025/26 Q4", "value": 2},
    ]
    with pytest.raises(InvalidConfig, match="quarter order"):
        parse_plan(minimal(targets=[{"measure": "m", "milestones": backwards}]))
    twice = [
        {"measure": "m", "milestones": [{"quarter": "2025/26 Q4", "value": 1}]}
    ] * 2
    with pytest.raises(InvalidConfig, match="only one target"):
        parse_plan(minimal(targets=twice))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig, match="does not exist"):
        load_plan(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("title = ", encoding="utf-8")
    with pytest.raises(InvalidConfig, match="not valid TOML"):
        load_plan(broken)

"""Sections built from hand-made results: what they show, and what they refuse to show."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd
import pytest
from tests.unit.reports.conftest import context_of, monthly, results_of, tidy

from nearhome.capacity.scenario import sample_scenario
from nearhome.errors import InvalidConfig
from nearhome.reports.board_evidence import CarerInvolvement
from nearhome.reports.capacity_runs import with_plan_beds
from nearhome.reports.model import Figure, Paragraph, Table
from nearhome.reports.plan import parse_plan
from nearhome.reports.scorecard import Indicator
from nearhome.reports.sections import capacity, headline, methods, out_of_area
from nearhome.reports.sections.display import by_level, words
from nearhome.reports.sections.inequalities import rate_table
from nearhome.reports.sections.plan_targets import monthly_target, target_view
from nearhome.reports.sections.scorecard import ReportEvidence
from nearhome.reports.sections.spc import spc_view

CRFD = "delayed_discharge.crfd_days"


def test_by_level_orders_by_what_is_shown(specs: Mapping[str, object]) -> None:
    year = tidy(
        [
            (CRFD, "crfd_reason_group", "housing", 120.0, math.nan, 120.0),
            (CRFD, "crfd_reason_group", "hospital", "*", math.nan, "*"),
            (CRFD, "crfd_reason_group", "community", 300.0, math.nan, 300.0),
            (CRFD, "crfd_reason_group", "not_known", 0.0, math.nan, 0.0),
        ]
    )
    table = by_level(
        results_of(specs, year=year),
        [(CRFD, "Days")],
        "crfd_reason_group",
        key="k",
        title="t",
        label="Group",
        highlight=("housing",),
    )
    assert table is not None
    assert table.frame["Group"].tolist() == [
        "Community",
        "Housing",
        "Hospital",
        "Not known",
    ]
    assert table.frame["Days"].tolist() == [300.0, 120.0, "*", 0.0]
    assert table.highlight == (1,)
    assert table.kind("Days") == "count"


def test_words() -> None:
    assert words("social_care") == "Social care"
    assert words("01 Most deprived") == "01 Most deprived"


def test_spc_view_draws_only_complete_series(specs: Mapping[str, object]) -> None:
    measure = "bed_days.occupied"
    values: list[object] = [2000.0 + 10 * (i % 5) for i in range(18)]
    view = spc_view(
        results_of(specs, months=monthly(measure, values)),
        measure,
        improvement="neither",
        key="h1",
    )
    assert isinstance(view.block, Figure)
    assert 'id="h1-title"' in view.block.svg and "spc-title" not in view.block.svg
    assert view.card.variation == "common_cause"
    assert view.card.value == "2,020"
    values[4] = "*"
    hidden = spc_view(
        results_of(specs, months=monthly(measure, values)),
        measure,
        improvement="neither",
        key="h2",
    )
    assert isinstance(hidden.block, Paragraph)
    assert "suppressed" in hidden.block.text
    assert hidden.summary is None


def test_spc_view_gives_assurance_against_a_target(specs: Mapping[str, object]) -> None:
    measure = "out_of_area.inappropriate_bed_days"
    values: list[object] = [300.0 + 5 * (i % 3) for i in range(15)]
    view = spc_view(
        results_of(specs, months=monthly(measure, values)),
        measure,
        improvement="decrease",
        key="h",
        target=100.0,
    )
    assert view.card.assurance == "consistently_fail"


RATE = "detentions.detentions_per_100k"


def rate_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = tidy(
        [
            (RATE, "ethnic_group", "White", 120.0, 200_000.0, 60.0),
            (RATE, "ethnic_group", "Black", 30.0, 12_000.0, 250.0),
            (RATE, "ethnic_group", "Mixed", 2.0, 4_500.0, 44.4),
            (RATE, "ethnic_group", "Not known", 5.0, math.nan, math.nan),
        ]
    )
    shown = raw.copy().astype({"numerator": object, "value": object})
    shown.loc[2, ["numerator", "value"]] = "*"
    return raw, shown


def test_rate_table_suppresses_everything_derived_from_a_hidden_count(
    specs: Mapping[str, object],
) -> None:
    raw, shown = rate_frames()
    frame = rate_table(
        results_of(specs, year=shown, year_raw=raw),
        RATE,
        "ethnic_group",
        reference="White",
    )
    frame = frame.set_index("level")
    assert "Not known" not in frame.index  # no population, no rate
    assert frame.loc["White", "ratio_value"] == 1.0
    assert frame.loc["Black", "ratio_value"] == pytest.approx(250 / 60, rel=1e-3)
    assert (
        frame.loc["Black", "ratio_lower"]
        < frame.loc["Black", "ratio_value"]
        < frame.loc["Black", "ratio_upper"]
    )
    assert (
        frame.loc[
            "Mixed", ["count", "rate", "lower", "upper", "ratio_value", "ratio_upper"]
        ]
        == "*"
    ).all()


def test_scorecard_evidence(specs: Mapping[str, object]) -> None:
    raw, shown = rate_frames()
    share = "bed_days.occupied"
    rows = tidy(
        [
            (share, "distance_50km", "under_50km", 9_000.0, math.nan, 9_000.0),
            (share, "distance_50km", "50km_plus", 1_000.0, math.nan, 1_000.0),
            (
                "bed_days.people_in_hospital_during",
                "ethnic_group",
                "White",
                500.0,
                math.nan,
                500.0,
            ),
            (
                "bed_days.people_in_hospital_during",
                "ethnic_group",
                "Not known",
                3.0,
                math.nan,
                3.0,
            ),
        ]
    )
    results = results_of(
        specs, year=pd.concat([shown, rows]), year_raw=pd.concat([raw, rows])
    )
    evidence = ReportEvidence(context_of(results))
    near = Indicator(
        label="near",
        source="share",
        measure=share,
        breakdown="distance_50km",
        levels=["under_50km"],
        better="higher",
        green=95,
        amber=85,
    )
    assert evidence.figure(near).value == pytest.approx(90.0)
    recorded = Indicator(
        label="eth",
        source="share",
        measure="bed_days.people_in_hospital_during",
        breakdown="ethnic_group",
        levels=["Not known"],
        exclude=True,
        better="higher",
        green=95,
        amber=85,
    )
    assert (
        evidence.figure(recorded).value == "*"
    )  # 3 unrecorded people would show through the share
    ratio = Indicator(
        label="r",
        source="rate_ratio",
        measure=RATE,
        breakdown="ethnic_group",
        group="Black",
        reference="White",
        better="lower",
        green=1.5,
        amber=2.5,
    )
    figure = evidence.figure(ratio)
    assert (
        figure.value == pytest.approx(250 / 60, rel=1e-3) and figure.lower is not None
    )
    board = Indicator(
        label="b",
        source="board",
        field="carer_involved",
        better="higher",
        green=90,
        amber=70,
    )
    assert evidence.figure(board).value is None
    assert "no board database" in evidence.figure(board).reason
    with_board = ReportEvidence(
        context_of(results, carers=CarerInvolvement(40, 30, 20, 25))
    )
    assert with_board.figure(board).value == pytest.approx(75.0)
    absent = Indicator(
        label="x",
        source="metric",
        measure="activity.nothing",
        better="lower",
        green=1,
        amber=2,
    )
    assert "not in the metric catalogue" in evidence.figure(absent).reason


def test_plan_targets_and_monthly_assurance_target(specs: Mapping[str, object]) -> None:
    plan = parse_plan(
        {
            "title": "P",
            "baseline": "2024-10..2025-03",
            "targets": [
                {
                    "measure": "out_of_area.inappropriate_bed_days",
                    "milestones": [{"quarter": "2025/26 Q4", "value": 0}],
                }
            ],
        }
    )
    quarters = pd.concat(
        [
            tidy(
                [("out_of_area.inappropriate_bed_days", "all", "ALL", v, math.nan, v)],
                start=start,
                last=start,
            )
            for start, v in (
                (dt.date(2024, 10, 1), 900.0),
                (dt.date(2025, 1, 1), 1100.0),
                (dt.date(2025, 4, 1), 700.0),
            )
        ],
        ignore_index=True,
    )
    results = results_of(specs)
    results = type(results)(
        results.policy, results.specs, quarterly=quarters, quarterly_shown=quarters
    )
    context = context_of(results)
    context = type(context)(**{**context.__dict__, "plan": plan})
    view = target_view(context, plan.targets[0])
    assert view is not None
    assert view.baseline == 1000.0
    assert view.frame["target"].tolist()[:4] == [750.0, 500.0, 250.0, 0.0]
    assert view.frame["actual"].iloc[0] == 700.0
    assert (
        monthly_target(context, "out_of_area.inappropriate_bed_days") == 0.0
    )  # Sep 2026: after the milestone


def test_capacity_views_from_the_years_bed_days(specs: Mapping[str, object]) -> None:
    year = tidy(
        [
            (
                "bed_days.occupied",
                "bed_capacity_pool",
                "adult_acute",
                36_500.0,
                math.nan,
                36_500.0,
            ),
            ("bed_days.occupied", "bed_capacity_pool", "picu", "*", math.nan, "*"),
        ]
    )
    section = capacity.build(context_of(results_of(specs, year=year)))
    table = next(b for b in section.blocks if isinstance(b, Table))
    row = table.frame.iloc[0]
    assert row["Pool"] == "Adult acute"
    assert row["Beds in use on average"] == pytest.approx(100.0)
    assert row["Beds at 85% occupancy"] == 118
    assert row["Beds for at most 5% sent away"] < row["Beds at 85% occupancy"]
    assert len(table.frame) == 1  # the suppressed pool is left out
    assert any(
        isinstance(b, Paragraph) and "--scenario" in b.text for b in section.blocks
    )


def test_oap_reasons_control_the_derived_count(specs: Mapping[str, object]) -> None:
    raw = tidy(
        [
            ("out_of_area.inappropriate_started", "all", "ALL", 45.0, math.nan, 45.0),
            ("out_of_area.all_started", "all", "ALL", 48.0, math.nan, 48.0),
        ]
    )
    section = out_of_area.build(context_of(results_of(specs, year=raw)))
    reasons = next(
        b for b in section.blocks if isinstance(b, Table) and b.key == "oap_reasons"
    )
    assert reasons.frame.iloc[0].tolist()[1:] == [45.0, "*", 50.0]


def test_headline_notes_measures_missing_from_the_catalogue(
    specs: Mapping[str, object],
) -> None:
    trimmed = {k: v for k, v in specs.items() if k != "readmissions.within_30_days"}
    section = headline.build(context_of(results_of(trimmed)))
    assert any(
        isinstance(b, Paragraph) and "readmissions.within_30_days" in b.text
        for b in section.blocks
    )


def test_methods_state_the_policy_and_define_measures(
    specs: Mapping[str, object],
) -> None:
    section = methods.build(
        results_of(specs, policy="hes"), ["bed_days.occupied", "activity.nothing"]
    )
    assert "counts of 1 to 7" in section.blocks[0].text  # type: ignore[union-attr]
    definitions = section.tables()[0]
    assert definitions.frame["Measure"].tolist() == [
        "Occupied bed days (bed_days.occupied; MHS24)"
    ]
    none = methods.build(results_of(specs, policy="none"), [])
    assert "No figure is suppressed" in none.blocks[0].text  # type: ignore[union-attr]


def test_plan_beds_join_the_scenario() -> None:
    scenario = sample_scenario()
    plan = parse_plan(
        {
            "title": "P",
            "baseline": "2024-04..2025-03",
            "beds": [
                {"pool": "picu", "date": "2026-01-01", "change": 2, "note": "new"}
            ],
        }
    )
    updated, applied = with_plan_beds(scenario, plan)
    assert applied == 1
    picu = next(p for p in updated.pools if p.id == "picu")
    assert [(c.date, c.change) for c in picu.bed_changes][-1] == (
        dt.date(2026, 1, 1),
        2,
    )
    assert with_plan_beds(scenario, None) == (scenario, 0)
    wrong = parse_plan(
        {
            "title": "P",
            "baseline": "2024-04..2025-03",
            "beds": [{"pool": "nowhere", "date": "2026-01-01", "change": 2}],
        }
    )
    with pytest.raises(InvalidConfig, match="nowhere"):
        with_plan_beds(scenario, wrong)

"""Baseline from a tiny hand-built warehouse: pools, visits, beds, census, CRFD, OAPs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from nearhome.capacity.baseline import (
    BaselineFrames,
    _repatriation_spec,
    baseline_scenario,
    brought_home,
    daily_admissions,
    daily_census,
    read_baseline,
)
from nearhome.capacity.scenario import load_scenario
from nearhome.capacity.toml_writer import dumps
from nearhome.data.warehouse import Warehouse, from_frames
from nearhome.errors import DataError

D = dt.date
CENSUS = D(2024, 12, 31)


def _stay(
    i: int,
    spell: str,
    person: str,
    provider: str,
    start: dt.date,
    end: dt.date | None,
    bed: str,
    icb: str,
) -> dict[str, object]:
    return {
        "ward_stay_id": f"W{i}",
        "spell_id": spell,
        "person_id": person,
        "provider_code": provider,
        "start_date": start,
        "end_date": end,
        "bed_type_code": bed,
        "site_icb_code": icb,
    }


@pytest.fixture(scope="module")
def warehouse() -> Warehouse:
    people = pd.DataFrame(
        {
            "person_id": ["p1", "p2", "p3", "p4", "p5", "p6", "q1"],
            "gender_code": ["1", "2", "1", "2", "1", "2", "1"],
            "birth_date": [
                D(2000, 1, 1),
                D(1990, 1, 1),
                D(1985, 6, 1),
                D(1955, 1, 1),
                D(1999, 1, 1),
                D(2001, 1, 1),
                D(1980, 1, 1),
            ],
            "icb_code": ["QAA"] * 6 + ["QBB"],
        }
    )
    stays = pd.DataFrame(
        [
            _stay(1, "A", "p1", "RAA", D(2024, 1, 1), D(2024, 2, 10), "200", "QAA"),
            _stay(2, "A", "p1", "RAA", D(2024, 2, 10), D(2024, 2, 20), "202", "QAA"),
            _stay(3, "A", "p1", "RAA", D(2024, 2, 20), D(2024, 3, 1), "200", "QAA"),
            _stay(4, "B", "p2", "RAA", D(2024, 6, 1), None, "200", "QAA"),
            _stay(5, "C", "p3", "RBB", D(2024, 11, 1), None, "200", "QBB"),
            _stay(6, "D", "p4", "RAA", D(2023, 5, 1), D(2023, 9, 1), "201", "QAA"),
            _stay(7, "E", "p5", "RAA", D(2024, 3, 1), None, "212", "QAA"),
            _stay(8, "F", "p6", "NZZ", D(2024, 12, 1), None, "200", "QAA"),
            _stay(9, "G", "q1", "RAA", D(2024, 1, 1), D(2024, 12, 31), "200", "QAA"),
        ]
    )
    spells = pd.DataFrame(
        {
            "spell_id": list("ABCDEFG"),
            "person_id": ["p1", "p2", "p3", "p4", "p5", "p6", "q1"],
            "is_oap": [False, False, True, False, False, True, False],
            "is_inappropriate_oap": [False, False, True, False, False, True, False],
            "admission_date": [
                D(2024, 1, 1),
                D(2024, 6, 1),
                D(2024, 11, 1),
                D(2023, 5, 1),
                D(2024, 3, 1),
                D(2024, 12, 1),
                D(2024, 1, 1),
            ],
            "discharge_date": [
                D(2024, 3, 1),
                None,
                D(2024, 12, 15),
                D(2023, 9, 1),
                None,
                None,
                D(2024, 12, 31),
            ],
        }
    )
    crfd = pd.DataFrame(
        {
            "spell_id": ["D"],
            "start_date": [D(2023, 8, 1)],
            "end_date": [D(2023, 9, 1)],
            "reason_group": ["housing"],
        }
    )
    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3", "W4", "W5", "W6"],
            "site_code": ["S1", "S1", "S1", "S1", "S2", "S3"],
            "provider_code": ["RAA", "RAA", "RAA", "RAA", "NZZ", "RBB"],
            "bed_type_code": ["200", "202", "201", "212", "200", "200"],
            "beds": [20, 4, 10, 8, 10, 15],
            "valid_from": [D(2010, 1, 1)] * 6,
            "valid_to": pd.Series([None] * 5 + [D(2030, 1, 1)], dtype="datetime64[s]"),
        }
    )
    sites = pd.DataFrame(
        {"site_code": ["S1", "S2", "S3"], "icb_code": ["QAA", "QAA", "QBB"]}
    )
    providers = pd.DataFrame(
        {
            "provider_code": ["RAA", "NZZ", "RBB"],
            "provider_type": ["NHS", "Independent", "NHS"],
        }
    )
    population = pd.DataFrame(
        [
            {
                "area_code": "QAA",
                "year": y,
                "sex": s,
                "age_band": b,
                "ethnic_group": "White",
                "count": 1000.0 * (1 + 0.01 * (y - 2024)),
                "source": "synthetic",
            }
            for y in range(2023, 2028)
            for s in ("1", "2")
            for b in ("20-24", "65-69")
        ]
    )
    return from_frames(
        {
            "person": people,
            "ward_stay": stays,
            "spell": spells,
            "crfd_period": crfd,
            "ward": wards,
            "site": sites,
            "provider": providers,
            "population": population,
        }
    )


def test_visits_beds_census(warehouse: Warehouse) -> None:
    f = read_baseline(warehouse, "QAA", census_date=CENSUS)
    assert f.pools == [
        "adult_acute_male",
        "adult_acute_female",
        "older_adult",
        "picu",
        "rehabilitation",
    ]
    assert f.beds.to_dict() == {
        "adult_acute_male": 4,
        "adult_acute_female": 16,
        "older_adult": 10,
        "picu": 4,
        "rehabilitation": 8,
    }
    chain = f.visits[f.visits["spell_id"] == "A"]
    assert chain["pool"].tolist() == ["adult_acute_male", "picu", "adult_acute_male"]
    assert chain["is_arrival"].tolist() == [True, False, False]
    assert chain["next_pool"].tolist()[:2] == ["picu", "adult_acute_male"]
    older = f.visits[f.visits["spell_id"] == "D"].iloc[0]
    assert older["crfd_housing"] == 31 and older["days"] == 123
    assert not f.visits.set_index("spell_id").loc[
        "F", "local_last"
    ]  # independent provider, recorded OAP
    assert f.non_resident_census["adult_acute_male"] == pytest.approx(1.0)
    assert f.inappropriate_oaps_open == 1


def test_series(warehouse: Warehouse) -> None:
    f = read_baseline(warehouse, "QAA", census_date=CENSUS)
    adm = daily_admissions(
        f, "adult_acute_male", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    )
    assert adm.sum() == 2 and adm[pd.Timestamp("2024-01-01")] == 1
    census = daily_census(
        f, "adult_acute_female", pd.Timestamp("2024-05-30"), pd.Timestamp("2024-06-03")
    )
    assert census.tolist() == [0, 0, 1, 1]


def test_scenario_from_the_warehouse(warehouse: Warehouse) -> None:
    built = baseline_scenario(warehouse, "QAA", census_date=CENSUS, seed=5)
    s = built.scenario
    pools = {p.id: p for p in s.pools}
    assert pools["adult_acute_female"].census.local_elapsed_days == [213.0]
    assert pools["adult_acute_female"].census.out_of_area_elapsed_days == [30.0]
    assert pools["adult_acute_male"].census.out_of_area_elapsed_days == [60.0]
    assert (
        pools["adult_acute_male"].long_stay_days == 60.0
        and pools["older_adult"].long_stay_days == 90.0
    )
    assert pools["older_adult"].age_sex_mix == {"65-69|2": 1.0}
    assert s.levers.demographic_growth and s.midlands is not None
    assert s.midlands.demographic_growth == pytest.approx(3.0, abs=0.01)
    assert s.transfers == []  # too few moves to estimate
    # the two placements (C, F) never came home: the baseline must not bring people back
    assert s.repatriation.rule == "none"
    assert set(built.summary()["pool"]) == set(pools)
    assert load_scenario(dumps(s.model_dump(exclude_none=True))) == s


def test_unknown_icb(warehouse: Warehouse) -> None:
    with pytest.raises(DataError, match="No residents"):
        read_baseline(warehouse, "ZZZ")


def test_demo_chain(warehouse: Warehouse, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from nearhome.capacity.demo import run_demo_scenario

    result = run_demo_scenario(warehouse, "QAA", tmp_path, reps=4)
    assert (tmp_path / "baseline.toml").exists() and (tmp_path / "pools.csv").exists()
    assert result.measures.reps == 4
    assert load_scenario(tmp_path / "baseline.toml").icb_code == "QAA"


def _visit(
    person: str, start: str, end: str | None, local_first: bool, local_last: bool
) -> dict[str, object]:
    return {
        "person_id": person,
        "pool": "adult_acute_male",
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end) if end else pd.NaT,
        "local_first": local_first,
        "local_last": local_last,
    }


def _placements() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # a: placement ends 1 Feb, local visit to the same pool opens 1 Feb -> came home
            _visit("a", "2024-01-10", "2024-02-01", False, False),
            _visit("a", "2024-02-01", "2024-03-01", True, True),
            # b: moved to a local ward inside the visit -> came home
            _visit("b", "2024-01-05", "2024-02-20", False, True),
            # c: placement simply ended -> did not
            _visit("c", "2024-01-07", "2024-02-07", False, False),
            # d: next local visit two months later is a readmission, not a move home
            _visit("d", "2024-01-01", "2024-03-01", False, False),
            _visit("d", "2024-05-01", "2024-05-20", True, True),
            # e: still away (not completed); f: before the window
            _visit("e", "2024-06-01", None, False, False),
            _visit("f", "2023-06-01", "2023-07-01", False, False),
        ]
    )


def test_brought_home_counts_moves_home_only() -> None:
    assert brought_home(_placements(), pd.Timestamp("2024-01-01")) == (4, 2)


def _frames(visits: pd.DataFrame) -> BaselineFrames:
    return BaselineFrames(
        icb_code="QAA",
        census_date=pd.Timestamp("2024-12-31"),
        visits=visits,
        beds=pd.Series({"adult_acute_male": 5}),
        population=pd.DataFrame(columns=["year", "age_band", "sex", "count"]),
        non_resident_census=pd.Series({"adult_acute_male": 0.0}),
        inappropriate_oaps_open=0,
    )


def test_repatriation_rule_follows_the_history() -> None:
    since = pd.Timestamp("2024-01-01")
    # 12 placements, 7 moved home within their visit: most came home -> bring people back
    home = [
        _visit(f"h{i}", "2024-02-01", "2024-03-01", False, i < 7) for i in range(12)
    ]
    assert _repatriation_spec(_frames(pd.DataFrame(home)), since).rule == (
        "longest_away_first"
    )
    # 6 of 12 is not most
    half = [
        _visit(f"h{i}", "2024-02-01", "2024-03-01", False, i < 6) for i in range(12)
    ]
    assert _repatriation_spec(_frames(pd.DataFrame(half)), since).rule == "none"
    # too few placements to tell (2 of 4 above) -> none
    assert _repatriation_spec(_frames(_placements()), since).rule == "none"

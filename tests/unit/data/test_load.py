"""Loading: canonical tables from the tiny extract, idempotent reloads, resubmissions."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from nearhome.data.load import load_extract
from nearhome.data.warehouse import Warehouse, connect


@pytest.fixture(scope="module")
def loaded(tiny_extract: Path) -> Warehouse:
    warehouse = connect("duckdb://")
    load_extract(warehouse, tiny_extract)
    return warehouse


def _frame(warehouse: Warehouse, name: str, key: str):  # type: ignore[no-untyped-def]
    return warehouse.execute(warehouse.table(name)).set_index(key).sort_index()


def test_snapshots_collapse_to_one_row_per_record(loaded: Warehouse) -> None:
    # 12 spells are submitted across 23 monthly rows; each appears once.
    spells = _frame(loaded, "spell", "spell_id")
    assert len(spells) == 12
    assert len(_frame(loaded, "ward_stay", "ward_stay_id")) == 13
    # P12 has no activity at all, so 11 people have MPI rows.
    assert len(_frame(loaded, "person", "person_id")) == 11


def test_latest_record_wins(loaded: Warehouse) -> None:
    spells = _frame(loaded, "spell", "spell_id")
    # S01 was open in the March submission and discharged in April's: April wins.
    assert spells.loc["S01", "discharge_date"].date() == dt.date(2024, 4, 20)
    assert spells.loc["S01", "los_days"] == 41
    assert spells.loc["S02", "los_days"] == 0
    assert spells.loc["S05", "los_days"] == 60


def test_v5_bed_types_map_to_v6(loaded: Warehouse) -> None:
    stays = _frame(loaded, "ward_stay", "ward_stay_id")
    # WS03A was last submitted in March 2024 (v5 code 10) and becomes v6 200.
    assert stays.loc["WS03A", "bed_type_source_code"] == "10"
    assert stays.loc["WS03A", "bed_type_code"] == "200"
    assert stays.loc["WS03B", "bed_type_code"] == "202"
    spells = _frame(loaded, "spell", "spell_id")
    assert spells.loc["S03", "first_bed_type_code"] == "200"
    assert spells.loc["S03", "last_bed_type_code"] == "202"


def test_crfd_v5_resubmitted_as_v6_counts_once(loaded: Warehouse) -> None:
    crfd = _frame(loaded, "crfd_period", "crfd_id")
    assert sorted(crfd.index) == ["C05", "C06"]
    assert crfd.loc["C06", "reason_group"] == "housing"


def test_oap_flags_and_distance(loaded: Warehouse) -> None:
    spells = _frame(loaded, "spell", "spell_id")
    assert bool(spells.loc["S04", "is_inappropriate_oap"])
    assert spells.loc["S04", "sending_provider_code"] == "RAA"
    assert bool(spells.loc["S11", "is_oap"]) and not bool(
        spells.loc["S11", "is_inappropriate_oap"]
    )
    stays = _frame(loaded, "ward_stay", "ward_stay_id")
    assert stays.loc["WS04", "distance_home_km"] == 180.0
    assert not bool(stays.loc["WS04", "is_distance_derived"])
    # WS01: home LSOA E01000001 (52.00, -1.00) to site RAA01 (52.01, -1.01): 1.31 km great circle.
    assert stays.loc["WS01", "distance_home_km"] == pytest.approx(1.3058, abs=1e-3)
    assert stays.loc["WS04", "site_icb_code"] == "QBB"


def test_person_attribution_gp_else_residence(loaded: Warehouse) -> None:
    people = _frame(loaded, "person", "person_id")
    # P02 has no GP registration, so the residence sub-ICB (01A, from LSOA E01000001) is used.
    assert people.loc["P02", "sub_icb_code"] == "01A"
    assert people.loc["P11", "icb_code"] == "QBB"
    assert people.loc["P02", "ethnic_group"] == "Black"
    assert (
        people.loc["P01", "imd_decile"] == 1 and people.loc["P01", "imd_quintile"] == 1
    )


def test_restrictive_intervention_durations(loaded: Warehouse) -> None:
    ri = _frame(loaded, "restrictive_intervention", "ri_id")
    assert ri.loc["T03A", "type_group"] == "prone"
    assert ri.loc["T03A", "duration_minutes"] == 20
    assert ri.loc["T03B", "duration_minutes"] == 24 * 60


def test_reload_never_double_counts(tiny_extract: Path) -> None:
    warehouse = connect("duckdb://")
    first = load_extract(warehouse, tiny_extract)
    raw_rows = warehouse.execute(
        warehouse.table("raw_MHS501HospProvSpell").count()
    ).iloc[0, 0]
    load_extract(warehouse, tiny_extract)
    assert (
        warehouse.execute(warehouse.table("raw_MHS501HospProvSpell").count()).iloc[0, 0]
        == raw_rows
    )
    assert warehouse.execute(warehouse.table("spell").count()).iloc[0, 0] == 12
    log = warehouse.execute(warehouse.table("load_log"))
    assert len(log) == 2 and first.provider_months == 6


def test_resubmission_replaces_its_provider_month(tiny_copy: Path) -> None:
    warehouse = connect("duckdb://")
    load_extract(warehouse, tiny_copy)
    # Resubmit May 2024 for RAA with S05 (and its ward stay) ending a day earlier: only that
    # provider-month is replaced, so the spell count and raw row count stay the same.
    path = tiny_copy / "MHS501HospProvSpell.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    may = [r for r in rows if r["UniqMonthID"] == "1490" and r["OrgIDProv"] == "RAA"]
    for row in may:
        if row["UniqHospProvSpellID"] == "S05":
            row["DischDateHospProvSpell"] = "2024-05-30"
    resubmission = tiny_copy.parent / "resubmission"
    resubmission.mkdir()
    with (resubmission / "MHS501HospProvSpell.csv").open(
        "w", newline="", encoding="utf-8"
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(may)
    for name in ("MHS001MPI", "MHS502WardStay"):
        source = list(
            csv.DictReader((tiny_copy / f"{name}.csv").open(encoding="utf-8"))
        )
        keep = [
            r for r in source if r["UniqMonthID"] == "1490" and r["OrgIDProv"] == "RAA"
        ]
        for row in keep:
            if row.get("UniqWardStayID") == "WS05":
                row["EndDateWardStay"] = "2024-05-30"
        with (resubmission / f"{name}.csv").open(
            "w", newline="", encoding="utf-8"
        ) as handle:
            writer = csv.DictWriter(handle, fieldnames=list(source[0]))
            writer.writeheader()
            writer.writerows(keep)
    before = warehouse.execute(warehouse.table("raw_MHS501HospProvSpell").count()).iloc[
        0, 0
    ]
    load_extract(warehouse, resubmission, tiny_copy / "reference")
    after = warehouse.execute(warehouse.table("raw_MHS501HospProvSpell").count()).iloc[
        0, 0
    ]
    assert after == before
    spells = _frame(warehouse, "spell", "spell_id")
    assert spells.loc["S05", "los_days"] == 59
    assert len(spells) == 12

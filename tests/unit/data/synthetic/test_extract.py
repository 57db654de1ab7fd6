"""The public API: columns as in the input contract, files, determinism, arguments."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nearhome.data.schema import REFERENCE_FILES, TABLE_BY_NAME, TABLES
from nearhome.data.synthetic import summarise, synthetic_tables, write_synthetic_extract
from nearhome.errors import InvalidConfig
from nearhome.periods import uniq_month_id

from .conftest import Tables

ARGS = {"icbs": 1, "years": 1, "scale": 0.05, "seed": 3}


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_table_has_exactly_the_contract_columns(small: Tables) -> None:
    for name, frame in small.items():
        if name in REFERENCE_FILES:
            assert tuple(frame.columns) == tuple(c for c, _ in REFERENCE_FILES[name])
        else:
            assert tuple(frame.columns) == TABLE_BY_NAME[name].field_names, name


def test_required_fields_are_never_empty(small: Tables) -> None:
    for name, frame in small.items():
        if name in TABLE_BY_NAME:
            for column in TABLE_BY_NAME[name].required:
                assert frame[column].notna().all(), (name, column)


def test_a_v6_only_extract_has_every_table_but_the_v5_delays(small: Tables) -> None:
    expected = {t.name for t in TABLES} - {"MHS504DelayedDischarge"}
    assert set(small) - set(REFERENCE_FILES) == expected


def test_months_count_back_from_the_end_month() -> None:
    tables = synthetic_tables(
        icbs=1, years=2, scale=0.03, end_month=dt.date(2025, 6, 17)
    )
    months = sorted(tables["MHS001MPI"]["UniqMonthID"].unique())
    june = uniq_month_id(dt.date(2025, 6, 1))
    assert months == list(range(june - 23, june + 1))


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    for fmt in ("csv", "parquet"):
        first = write_synthetic_extract(tmp_path / f"a-{fmt}", fmt=fmt, **ARGS)
        second = write_synthetic_extract(tmp_path / f"b-{fmt}", fmt=fmt, **ARGS)
        assert first == second
        assert _digests(tmp_path / f"a-{fmt}") == _digests(tmp_path / f"b-{fmt}")


def test_another_seed_gives_another_extract(tmp_path: Path) -> None:
    write_synthetic_extract(tmp_path / "a", **ARGS)
    write_synthetic_extract(tmp_path / "b", **{**ARGS, "seed": 4})
    assert _digests(tmp_path / "a") != _digests(tmp_path / "b")


def test_csv_files_have_a_header_and_iso_dates(tmp_path: Path) -> None:
    summary = write_synthetic_extract(tmp_path, **ARGS)
    lines = (
        (tmp_path / "MHS501HospProvSpell.csv").read_text(encoding="utf-8").splitlines()
    )
    assert lines[0].split(",") == list(TABLE_BY_NAME["MHS501HospProvSpell"].field_names)
    assert len(lines) - 1 == summary.rows["MHS501HospProvSpell"]
    start = lines[1].split(",")[lines[0].split(",").index("StartDateHospProvSpell")]
    assert dt.date.fromisoformat(start)
    assert (tmp_path / "reference" / "population.csv").exists()


def test_parquet_files_keep_codes_as_strings_and_dates_as_dates(tmp_path: Path) -> None:
    write_synthetic_extract(tmp_path, fmt="parquet", **ARGS)
    schema = pq.read_schema(tmp_path / "MHS502WardStay.parquet")
    assert schema.field("MHAdmittedPatientClass").type == pa.string()
    assert schema.field("StartDateWardStay").type == pa.date32()
    assert schema.field("UniqMonthID").type == pa.int64()
    assert schema.field("WardLocDistanceHome").type == pa.float64()
    wards = pq.read_table(tmp_path / "reference" / "wards.parquet")
    assert wards.schema.field("beds").type == pa.int64()


def test_a_second_build_in_the_same_folder_leaves_no_stale_tables(
    tmp_path: Path,
) -> None:
    write_synthetic_extract(
        tmp_path, years=3, end_month=dt.date(2025, 3, 1), icbs=1, scale=0.03
    )
    assert (tmp_path / "MHS504DelayedDischarge.csv").exists()
    write_synthetic_extract(tmp_path, **ARGS)
    assert not (tmp_path / "MHS504DelayedDischarge.csv").exists()


def test_summary_counts_match_the_tables(small: Tables) -> None:
    summary = summarise(small)
    assert summary.people == small["MHS001MPI"]["Person_ID"].nunique()
    assert (
        summary.spells == small["MHS501HospProvSpell"]["UniqHospProvSpellID"].nunique()
    )
    assert summary.ward_stays == small["MHS502WardStay"]["UniqWardStayID"].nunique()
    referrals = small["MHS101Referral"]
    inappropriate = referrals.loc[
        referrals["ReasonOAT"] == "10", "UniqServReqID"
    ].nunique()
    assert summary.inappropriate_oap_referrals == inappropriate > 0
    assert summary.oap_referrals >= summary.inappropriate_oap_referrals
    assert (
        summary.crfd_periods
        == small["MHS518ClinReadyforDischarge"]["MHS518UniqID"].nunique()
    )
    assert summary.rows["reference/geography"] == len(small["geography"])
    assert summary.icb_codes == ("QAA",)
    assert summary.provider_codes[0] == "TZA"


def test_progress_is_reported_from_start_to_finish() -> None:
    seen: list[tuple[str, float]] = []
    synthetic_tables(progress=lambda stage, done: seen.append((stage, done)), **ARGS)
    fractions = [done for _, done in seen]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0
    assert seen[-1] == ("done", 1.0)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("icbs", 0),
        ("icbs", 43),
        ("years", 0),
        ("years", 11),
        ("scale", 0.0),
        ("scale", 3.0),
    ],
)
def test_arguments_out_of_range_are_refused(argument: str, value: float) -> None:
    with pytest.raises(InvalidConfig, match=argument):
        synthetic_tables(**{**ARGS, argument: value})


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig, match="format"):
        write_synthetic_extract(tmp_path, fmt="xlsx", **ARGS)  # type: ignore[arg-type]

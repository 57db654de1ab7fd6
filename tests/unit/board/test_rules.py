"""Board rules on plain data: form parsing, rows, filters, huddle, placements, aggregates."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from nearhome.board.aggregates import (
    provider_counts,
    reason_group_counts,
    suppress_count,
)
from nearhome.board.barriers import parse_barrier
from nearhome.board.codes import board_codes
from nearhome.board.entries import parse_entry
from nearhome.board.export import board_csv
from nearhome.board.huddle import huddle_summary
from nearhome.board.notes import BoardState
from nearhome.board.placements import (
    add_months,
    long_stays,
    parse_placement,
    placement_lines,
)
from nearhome.board.rows import FILTERS, SORTS, build_rows, select_rows
from nearhome.board.validation import parse_date
from nearhome.errors import ValidationFailed

TODAY = date(2026, 11, 23)
CODES = board_codes()


def record(spell: str, **values):
    base = {
        "spell_id": spell,
        "person_id": "P" + spell,
        "local_patient_id": "LP" + spell,
        "person_icb_code": "QNH",
        "provider_code": "RNH",
        "provider_name": "Trust",
        "ward_code": "W01",
        "site_code": "X",
        "site_name": "Site",
        "bed_type_code": "200",
        "distance_home_km": 5.0,
        "admission_date": TODAY - timedelta(days=30),
        "estimated_discharge_date": None,
        "is_oap": False,
        "is_inappropriate_oap": False,
        "oap_reason_code": None,
        "sending_provider_code": None,
        "legal_status_code": "03",
        "legal_status_group": "detention",
        "mhsds_crfd_start_date": None,
        "mhsds_crfd_reason_code": None,
        "mhsds_crfd_attributable_to_code": None,
    }
    base.update(values)
    return base


def test_codes_are_read_from_the_reference_lists():
    assert CODES.reasons["18"].group == "housing"
    assert set(CODES.attributable_to) == {"04", "05", "06"}
    assert CODES.pool_of("201") == "older_adult" and CODES.long_stay_days("201") == 90
    assert CODES.long_stay_days("200") == 60 and CODES.pool_of(None) == "unknown"
    assert next(g for g, _ in CODES.reasons_by_group()) == "Housing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", TODAY),
        ("23/11/2026", TODAY),
        ("31/02/2026", None),
        ("tomorrow", None),
        ("2026-1-1", None),
    ],
)
def test_dates_parse(text, expected):
    assert parse_date(text) == expected


def test_parse_entry_accepts_a_full_form():
    changes, version = parse_entry(
        {
            "version": "3",
            "expected_discharge_date": "2026-12-01",
            "is_crfd": "yes",
            "crfd_start_date": "20/11/2026",
            "crfd_reason_code": "18",
            "attributable_to_code": "05",
            "day_status": "green",
            "housing_need": "supported",
            "carer_involved": "yes",
            "wishes": "Home\r\nwith cat",
        },
        codes=CODES,
        today=TODAY,
        admitted=TODAY - timedelta(days=30),
    )
    assert (
        version == 3
        and changes.crfd_reason_code == "18"
        and changes.wishes == "Home\nwith cat"
    )


def test_parse_entry_collects_every_problem():
    with pytest.raises(ValidationFailed) as caught:
        parse_entry(
            {
                "version": "x",
                "expected_discharge_date": "2031-01-01",
                "is_crfd": "yes",
                "crfd_start_date": "2026-10-01",
                "crfd_reason_code": "",
                "day_status": "blue",
                "wishes": "a\x00b",
            },
            codes=CODES,
            today=TODAY,
            admitted=TODAY - timedelta(days=10),
        )
    fields = {e.field for e in caught.value.report}
    assert fields == {
        "version",
        "expected_discharge_date",
        "crfd_start_date",
        "crfd_reason_code",
        "day_status",
        "wishes",
    }
    with pytest.raises(ValidationFailed) as caught:
        parse_entry(
            {"is_crfd": "no", "crfd_reason_code": "18"},
            codes=CODES,
            today=TODAY,
            admitted=TODAY,
        )
    assert "needs 'Clinically ready for discharge'" in caught.value.report[0].message


def test_parse_barrier_and_placement():
    barrier = parse_barrier(
        {"description": "Panel", "action": "Chase", "owner": "SW"}, today=TODAY
    )
    assert barrier.due_date is None
    changes, version = parse_placement(
        {"version": "2", "advocacy_offered": "declined"}, today=TODAY, admitted=TODAY
    )
    assert version == 2 and changes.advocacy_offered == "declined"


def rows():
    crfd_board = BoardState(None, "red", 2, 1)
    census = [
        record(
            "1",
            mhsds_crfd_start_date=TODAY - timedelta(days=10),
            mhsds_crfd_reason_code="14",
        ),
        record("2", estimated_discharge_date=TODAY),
        record(
            "3",
            is_oap=True,
            is_inappropriate_oap=True,
            oap_reason_code="10",
            ward_code="FA1",
            admission_date=TODAY - timedelta(days=100),
        ),
        record("4", bed_type_code="201", admission_date=TODAY - timedelta(days=70)),
    ]
    return build_rows(census, {"1": crfd_board}, codes=CODES, today=TODAY)


def test_rows_prefer_board_values_and_derive_days():
    built = {r.spell_id: r for r in rows()}
    assert (
        built["1"].crfd_source == "mhsds"
        and built["1"].crfd_days == 10
        and built["1"].is_delayed
    )
    assert built["1"].reason_group == "housing" and built["1"].day_status == "red"
    assert (
        built["2"].expected_discharge_date == TODAY and built["2"].edd_source == "mhsds"
    )
    assert built["1"].patient_label == "LP1"
    assert (
        built["3"].as_record()["admission_date"]
        == (TODAY - timedelta(days=100)).isoformat()
    )


def test_filters_and_sorts():
    built = rows()
    assert [
        r.spell_id for r in select_rows(built, filter_key="crfd", sort_key="ward")
    ] == ["1"]
    assert [
        r.spell_id for r in select_rows(built, filter_key="oap", sort_key="ward")
    ] == ["3"]
    assert len(select_rows(built, filter_key="no_edd", sort_key="edd")) == 3
    assert select_rows(built, filter_key="all", sort_key="days")[0].spell_id == "3"
    assert len(select_rows(built, filter_key="nope", sort_key="nope", ward="W01")) == 3
    assert set(FILTERS) >= {"crfd", "delayed", "no_edd", "oap"} and "crfd" in SORTS


def test_huddle_summary():
    beds = pd.DataFrame({"bed_type_code": ["200", "201"], "beds": [3, 1]})
    summary = huddle_summary(rows(), beds, codes=CODES, today=TODAY)
    housing = next(line for line in summary.by_group if line.group == "housing")
    assert (summary.crfd_patients, housing.patients, housing.crfd_days) == (1, 1, 10)
    assert [r.spell_id for r in summary.edds_today] == [
        "2"
    ] and summary.new_delays == []
    pools = {p.pool: p for p in summary.pools}
    assert pools["adult_acute"].occupied == 3 and pools["adult_acute"].free == 0
    assert pools["older_adult"].free == 0 and summary.red_days == 1


def test_placements_and_long_stays():
    lines = placement_lines(rows(), {}, codes=CODES, today=TODAY)
    assert len(lines) == 1 and lines[0].is_inappropriate and lines[0].review_overdue
    assert lines[0].next_review_due == add_months(TODAY - timedelta(days=100), 3)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert [r.spell_id for r in long_stays(rows(), codes=CODES)] == ["3"]


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "*"), (4, "*"), (5, "5"), (7, "5"), (8, "10"), (123, "125")],
)
def test_suppression(count, shown):
    assert suppress_count(count) == shown


def test_aggregates_have_no_identifiers():
    tables = [provider_counts(rows(), codes=CODES), reason_group_counts(rows())]
    text = repr(tables)
    assert "LP1" not in text and "P1" not in text
    assert tables[0].rows[-1][0] == "All providers"


def test_csv_defuses_formulas():
    built = rows()
    object.__setattr__(built[0], "local_patient_id", "=HYPERLINK(1)")
    text = board_csv(built)
    assert "'=HYPERLINK(1)" in text and text.startswith("Patient,Ward")

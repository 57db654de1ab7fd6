"""The fault suite: every kind of bad input gets a clear error and the warehouse is unchanged.

Each case breaks one thing in a copy of the tiny extract, then loads it into a warehouse
that already holds the good extract. The load must fail with the named rule, file, field
and row, without printing any value from the file, and every table must be exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nearhome.data.load import load_extract
from nearhome.data.validate import validate_extract
from nearhome.data.warehouse import connect
from nearhome.errors import ValidationFailed
from nearhome.testing.snapshot import fingerprint


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _set_field(path: Path, row: int, field: str, value: str) -> None:
    """Set one field of data row ``row`` (1 = first row after the header)."""
    lines = _lines(path)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[row].rstrip("\n").split(",")
    cells[header.index(field)] = value
    lines[row] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _row_of(path: Path, field: str, value: str) -> int:
    header = _lines(path)[0].rstrip("\n").split(",")
    for number, line in enumerate(_lines(path)[1:], start=1):
        if line.rstrip("\n").split(",")[header.index(field)] == value:
            return number
    raise AssertionError(value)


def drop_header(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    path.write_text("".join(_lines(path)[1:]), encoding="utf-8")


def drop_column(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    lines = [line.rstrip("\n").split(",") for line in _lines(path)]
    index = lines[0].index("StartDateWardStay")
    path.write_text(
        "".join(",".join(c[:index] + c[index + 1 :]) + "\n" for c in lines),
        encoding="utf-8",
    )


def bad_date(folder: Path) -> None:
    _set_field(
        folder / "MHS501HospProvSpell.csv", 3, "StartDateHospProvSpell", "2024-13-01"
    )


def bad_number(folder: Path) -> None:
    _set_field(folder / "MHS501HospProvSpell.csv", 2, "UniqMonthID", "14x8")


def unknown_bed_type(folder: Path) -> None:
    _set_field(folder / "MHS502WardStay.csv", 4, "MHAdmittedPatientClass", "999")


def end_before_start(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    _set_field(
        path,
        _row_of(path, "EndDateWardStay", "2024-03-31"),
        "EndDateWardStay",
        "2024-03-30",
    )


def outside_spell(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    for number, line in enumerate(_lines(path)[1:], start=1):
        if ",WS07A," in line:
            _set_field(path, number, "EndDateWardStay", "2024-03-25")


def overlapping_stays(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    for number, line in enumerate(_lines(path)[1:], start=1):
        if ",WS03A," in line:
            _set_field(path, number, "EndDateWardStay", "2024-03-20")


def duplicate_key(folder: Path) -> None:
    path = folder / "MHS501HospProvSpell.csv"
    lines = _lines(path)
    path.write_text("".join([*lines, lines[1]]), encoding="utf-8")


def orphan_ward_stay(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    _set_field(
        path, _row_of(path, "UniqWardStayID", "WS02"), "UniqHospProvSpellID", "S99"
    )


def non_utf8(folder: Path) -> None:
    path = folder / "MHS001MPI.csv"
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b"E06000001", b"E06\xff\xfe0001")
    path.write_bytes(b"\n".join(data))


def truncated(folder: Path) -> None:
    path = folder / "MHS502WardStay.csv"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text[: text.rfind(",", 0, text.rfind(",") - 5)], encoding="utf-8")


def empty_file(folder: Path) -> None:
    (folder / "MHS509HomeLeave.csv").write_bytes(b"")


FAULTS: list[tuple[str, Callable[[Path], None], str, str, str | None, int | None]] = [
    # id, how to break, rule, file, field, a row the issue must name
    (
        "missing header",
        drop_header,
        "file.missing_column",
        "MHS502WardStay.csv",
        "UniqWardStayID",
        None,
    ),
    (
        "missing column",
        drop_column,
        "file.missing_column",
        "MHS502WardStay.csv",
        "StartDateWardStay",
        None,
    ),
    (
        "bad date",
        bad_date,
        "field.unparseable",
        "MHS501HospProvSpell.csv",
        "StartDateHospProvSpell",
        3,
    ),
    (
        "bad number",
        bad_number,
        "field.unparseable",
        "MHS501HospProvSpell.csv",
        "UniqMonthID",
        2,
    ),
    (
        "unknown code",
        unknown_bed_type,
        "code.unknown",
        "MHS502WardStay.csv",
        "MHAdmittedPatientClass",
        4,
    ),
    (
        "end before start",
        end_before_start,
        "interval.end_before_start",
        "MHS502WardStay.csv",
        "EndDateWardStay",
        None,
    ),
    (
        "outside spell",
        outside_spell,
        "ward_stay.outside_spell",
        "MHS502WardStay.csv",
        None,
        None,
    ),
    (
        "overlap",
        overlapping_stays,
        "ward_stay.overlap",
        "MHS502WardStay.csv",
        None,
        None,
    ),
    (
        "duplicate key",
        duplicate_key,
        "key.duplicate_in_month",
        "MHS501HospProvSpell.csv",
        None,
        1,
    ),
    (
        "orphan",
        orphan_ward_stay,
        "orphan.ward_stay_without_spell",
        "MHS502WardStay.csv",
        None,
        None,
    ),
    ("non-UTF-8", non_utf8, "file.not_utf8", "MHS001MPI.csv", None, 2),
    (
        "truncated",
        truncated,
        "file.truncated_last_line",
        "MHS502WardStay.csv",
        None,
        None,
    ),
    ("empty file", empty_file, "file.empty", "MHS509HomeLeave.csv", None, None),
]


@pytest.fixture(scope="module")
def good_warehouse(
    tmp_path_factory: pytest.TempPathFactory, tiny_extract: Path
) -> Path:
    path = tmp_path_factory.mktemp("wh") / "good.duckdb"
    warehouse = connect(f"duckdb:///{path}")
    load_extract(warehouse, tiny_extract)
    warehouse.close()
    return path


@pytest.mark.parametrize(
    ("name", "breaker", "rule", "file", "field", "row"),
    FAULTS,
    ids=[f[0] for f in FAULTS],
)
def test_fault_is_reported_and_nothing_is_written(
    name: str,
    breaker: Callable[[Path], None],
    rule: str,
    file: str,
    field: str | None,
    row: int | None,
    tiny_copy: Path,
    good_warehouse: Path,
    tmp_path: Path,
) -> None:
    breaker(tiny_copy)
    target = tmp_path / "warehouse.duckdb"
    target.write_bytes(good_warehouse.read_bytes())
    warehouse = connect(f"duckdb:///{target}")
    before = fingerprint(warehouse)
    with pytest.raises(ValidationFailed) as failure:
        load_extract(warehouse, tiny_copy)
    issues = failure.value.report.find(rule)
    assert issues, (
        f"{name}: expected rule {rule}, got {failure.value.report.rule_ids()}"
    )
    if field is not None:
        issues = [i for i in issues if field in (i.field or "")]
        assert issues, f"{name}: no {rule} issue names the field {field}"
    issue = issues[0]
    assert issue.severity == "error"
    assert issue.file == file
    if row is not None:
        assert row in issue.rows, issue.rows
    message = issue.message()
    assert rule in message and file in message
    assert fingerprint(warehouse) == before
    assert "staged" not in " ".join(warehouse.list_tables())


def test_messages_never_show_values(tiny_copy: Path) -> None:
    _set_field(tiny_copy / "MHS001MPI.csv", 1, "PersonBirthDate", "1980-02-31")
    report, _ = validate_extract(tiny_copy)
    text = "\n".join(report.lines())
    assert "field.unparseable" in text
    assert "1980-02-31" not in text and "P01" not in text


def test_unknown_demographic_code_is_a_warning_and_loads(tiny_copy: Path) -> None:
    _set_field(tiny_copy / "MHS001MPI.csv", 1, "EthnicCategory", "Q")
    warehouse = connect("duckdb://")
    result = load_extract(warehouse, tiny_copy)
    warnings = result.report.find("code.unknown", "MHS001MPI")
    assert warnings and warnings[0].severity == "warning" and warnings[0].rows == (1,)


def test_validation_collects_every_problem(tiny_copy: Path) -> None:
    bad_date(tiny_copy)
    unknown_bed_type(tiny_copy)
    empty_file(tiny_copy)
    report, _ = validate_extract(tiny_copy)
    assert {"field.unparseable", "code.unknown", "file.empty"} <= report.rule_ids()

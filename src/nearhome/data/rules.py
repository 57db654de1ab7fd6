"""Validation rules, as Ibis predicates over staged tables.

Rules come in three kinds: file rules (from what reading found), row rules (a predicate per
row, counted for every table in one pass) and cross-table rules (on the latest record of
each id, because a ward stay is only inside its spell once both are at their latest).
Messages carry row numbers and record ids, never values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import ibis
from ibis.expr.types import BooleanValue, Table

from nearhome.data import codes
from nearhome.data.derive.core import FIRST_V6_MONTH, latest
from nearhome.data.parse import missing, unparseable_flag
from nearhome.data.read import SourceFile
from nearhome.data.report import Issue, Severity
from nearhome.data.schema import REFERENCE_FILES, REQUIRED_TABLES, TableSpec

WARNING_CODE_LISTS = frozenset(
    {
        "ethnic_category",
        "gender",
        "ld_autism_status",
        "attend_status",
        "consultation_mechanism",
        "admission_method",
        "admission_source",
        "discharge_method",
        "discharge_destination",
        "ward_security_level",
        "ri_reason",
        "attributable_to",
        "oap_reason",
    }
)
"""Lists whose unknown codes the publications bucket as 'unknown': warnings, not errors."""

INTERVALS: dict[str, tuple[tuple[str, str], ...]] = {
    "MHS002GP": (("StartDateGMPRegistration", "EndDateGMPRegistration"),),
    "MHS101Referral": (("ReferralRequestReceivedDate", "ServDischDate"),),
    "MHS401MHActPeriod": (
        ("StartDateMHActLegalStatusClass", "EndDateMHActLegalStatusClass"),
    ),
    "MHS501HospProvSpell": (("StartDateHospProvSpell", "DischDateHospProvSpell"),),
    "MHS502WardStay": (("StartDateWardStay", "EndDateWardStay"),),
    "MHS504DelayedDischarge": (("StartDateDelayDisch", "EndDateDelayDisch"),),
    "MHS518ClinReadyforDischarge": (
        ("StartDateClinReadyforDisch", "EndDateClinReadyforDisch"),
    ),
    "MHS505RestrictiveInterventInc": (
        ("StartDateRestrictiveIntInc", "EndDateRestrictiveIntInc"),
    ),
    "MHS515RestrictiveInterventType": (
        ("StartDateRestrictiveIntType", "EndDateRestrictiveIntType"),
    ),
    "MHS509HomeLeave": (("StartDateHomeLeave", "EndDateHomeLeave"),),
    "MHS510LeaveOfAbsence": (("StartDateMHLeaveAbs", "EndDateMHLeaveAbs"),),
    "MHS511AbsenceWithoutLeave": (("StartDateMHAbsWOLeave", "EndDateMHAbsWOLeave"),),
}

REJECT_RULES = {
    "INVALID ENCODING": (
        "file.not_utf8",
        "contain bytes that are not UTF-8",
        "Save the file as UTF-8.",
    ),
    "INVALID UNICODE": (
        "file.not_utf8",
        "contain bytes that are not UTF-8",
        "Save the file as UTF-8.",
    ),
    "MISSING COLUMNS": (
        "row.too_few_fields",
        "have fewer fields than the header",
        "Check for a lost delimiter.",
    ),
    "TOO MANY COLUMNS": (
        "row.too_many_fields",
        "have more fields than the header",
        "Quote values that contain commas.",
    ),
    "UNQUOTED VALUE": (
        "row.unterminated_quote",
        "have a quote that is never closed",
        "Close or escape the quote.",
    ),
}


@dataclass(frozen=True)
class RowRule:
    """A row-level rule: a predicate that is True on rows that break it."""

    rule_id: str
    severity: Severity
    field: str | None
    description: str
    hint: str
    broken: BooleanValue


def file_issues(
    table: str, source: SourceFile, required: tuple[str, ...]
) -> Iterator[Issue]:
    """Issues found while reading a file: empty, unreadable header, columns, bad lines."""
    file = source.path.name

    def issue(
        rule: str,
        severity: Severity,
        field: str | None,
        count: int,
        text: str,
        hint: str,
        rows: tuple[int, ...] = (),
    ) -> Issue:
        return Issue(rule, severity, table, file, field, count, text, hint, rows)

    if source.size == 0:
        yield issue(
            "file.empty",
            "error",
            None,
            0,
            "— the file is empty (0 bytes)",
            "Export the table again with its header.",
        )
        return
    if source.header_error is not None:
        yield issue(
            "file.header_unreadable",
            "error",
            None,
            1,
            f"— the {source.header_error}",
            "Save the file as UTF-8 with a header row.",
        )
        return
    for name in required:
        if name not in source.columns:
            yield issue(
                "file.missing_column",
                "error",
                name,
                source.rows,
                "lack a required column",
                f"Add the column {name} (or its older MHSDS spelling) to the header.",
            )
    if source.unknown_columns:
        yield issue(
            "file.unknown_column",
            "warning",
            ", ".join(source.unknown_columns),
            0,
            "— columns not in the input contract are ignored",
            "See docs/reference/input-contract.md.",
        )
    if source.fmt == "csv" and source.rows == 0 and not source.rejected:
        yield issue(
            "file.no_rows",
            "warning",
            None,
            0,
            "— the file has a header but no rows",
            "",
        )
    yield from _reject_issues(table, source)


def _reject_issues(table: str, source: SourceFile) -> Iterator[Issue]:
    last_row = max((r.line for r in source.rejected), default=0)
    grouped: dict[tuple[str, str | None], list[int]] = {}
    for rejected in source.rejected:
        rule = REJECT_RULES.get(
            rejected.error_type, ("row.malformed", "could not be read", "")
        )[0]
        if (
            rule == "row.too_few_fields"
            and rejected.line == last_row
            and not source.ends_with_newline
        ):
            rule = "file.truncated_last_line"
        grouped.setdefault(
            (rule, rejected.column if rule != "file.not_utf8" else None), []
        ).append(rejected.line)
    for (rule, column), rows in sorted(grouped.items(), key=lambda item: item[0][0]):
        description, hint = next(
            ((d, h) for r, d, h in REJECT_RULES.values() if r == rule),
            (
                "end part-way through (the last line is cut short)",
                "The file looks truncated: export it again.",
            ),
        )
        yield Issue(
            rule,
            "error",
            table,
            source.path.name,
            column,
            len(rows),
            description,
            hint,
            tuple(sorted(set(rows)))[:5],
        )


def missing_tables(present: set[str], reference: set[str]) -> Iterator[Issue]:
    """Required MHSDS tables and reference files that are absent."""
    for name in REQUIRED_TABLES:
        if name not in present:
            yield Issue(
                "extract.missing_table",
                "error",
                name,
                f"{name}.csv",
                None,
                0,
                "— the required table is missing",
                "An extract must hold MHS001MPI, MHS501HospProvSpell and MHS502WardStay.",
            )
    for name in REFERENCE_FILES:
        if name not in reference:
            yield Issue(
                "reference.missing_file",
                "error",
                f"ref_{name}",
                f"reference/{name}.csv",
                None,
                0,
                "— the reference file is missing",
                "Pass --reference DIR or put the file in the extract's reference/ folder.",
            )


def row_rules(spec: TableSpec, typed: Table, source: SourceFile) -> list[RowRule]:
    """Every row-level rule that applies to one MHSDS table."""
    rules: list[RowRule] = []
    for f in spec.fields:
        if f.name not in source.columns:
            continue
        if f.required:
            rules.append(
                RowRule(
                    "field.required",
                    "error",
                    f.name,
                    "have no value in a required field",
                    "Every row needs this field.",
                    missing(typed, f.name, f.kind),
                )
            )
        if f.kind != "str":
            hint = {
                "date": "Write dates as YYYY-MM-DD.",
                "time": "Write times as HH:MM:SS.",
            }.get(f.kind, f"Write a plain {f.kind} number.")
            rules.append(
                RowRule(
                    "field.unparseable",
                    "error",
                    f.name,
                    f"have a value that is not a valid {f.kind}",
                    hint,
                    typed[unparseable_flag(f.name)],
                )
            )
        if f.code_list is not None:
            rules.append(_code_rule(f.name, f.code_list, typed))
    for start, end in INTERVALS.get(spec.name, ()):
        if start in source.columns and end in source.columns:
            rules.append(
                RowRule(
                    "interval.end_before_start",
                    "error",
                    end,
                    f"end ({end}) before they start ({start})",
                    "Check the dates: an end cannot precede its start.",
                    typed[end] < typed[start],
                )
            )
    return rules


def _code_rule(field: str, list_name: str, typed: Table) -> RowRule:
    value = typed[field]
    severity: Severity = "warning" if list_name in WARNING_CODE_LISTS else "error"
    hint = f"Use a code from the '{list_name}' list (docs/reference/code-lists.md)."
    if list_name == "bed_type":
        listed = codes.code_list("bed_type")
        v5 = list(listed.loc[listed["version"] == "v5", "code"])
        v6 = list(listed.loc[listed["version"] == "v6", "code"])
        wrong = ibis.ifelse(
            typed.UniqMonthID < FIRST_V6_MONTH, ~value.isin(v5), ~value.isin(v6)
        )
        return RowRule(
            "code.unknown",
            severity,
            field,
            "have a bed type code not valid for their month's MHSDS version (v5 before April 2024, v6 from it)",
            hint,
            value.notnull() & wrong,
        )
    return RowRule(
        "code.unknown",
        severity,
        field,
        "have a code that is not in its code list",
        hint,
        value.notnull() & ~value.isin(sorted(codes.code_values(list_name))),
    )


def duplicate_key_rows(spec: TableSpec, typed: Table) -> Table:
    """Rows whose key occurs more than once in the same month."""
    key = ["UniqMonthID", *spec.key]
    counted = typed.mutate(
        _n=typed.count().over(ibis.window(group_by=[typed[k] for k in key]))
    )
    return counted.filter(counted._n > 1)


def duplicate_key_count(spec: TableSpec, typed: Table) -> Table:
    """One value, ``n``: how many rows :func:`duplicate_key_rows` returns.

    Counted from a grouping of the keys (NULL keys group together, as in the window),
    which costs a hash table where the window sorts every row: a clean table, the usual
    case, never pays for the window.
    """
    key = ["UniqMonthID", *spec.key]
    groups = typed.group_by(key).aggregate(_n=typed.count())
    shared = groups.filter(groups._n > 1)
    return shared.aggregate(n=ibis.coalesce(shared._n.sum(), 0))


def cross_table_checks(
    typed: dict[str, Table],
    keep: Callable[[Table], Table] = lambda table: table,
) -> Iterator[tuple[str, str, str, str, Table]]:
    """(rule id, table, description, hint, offending rows) for relations between tables.

    ``keep`` may store the latest spells and ward stays (``Warehouse.cache``): a dozen
    checks read them, and each would otherwise rank every snapshot row again.
    """
    spells = (
        keep(latest(typed["MHS501HospProvSpell"], ["UniqHospProvSpellID"]))
        if "MHS501HospProvSpell" in typed
        else None
    )
    stays = (
        keep(latest(typed["MHS502WardStay"], ["UniqWardStayID"]))
        if "MHS502WardStay" in typed
        else None
    )
    if spells is not None and stays is not None:
        sp = spells.select(
            s_id="UniqHospProvSpellID",
            s_start="StartDateHospProvSpell",
            s_end="DischDateHospProvSpell",
        )
        joined = stays.left_join(sp, stays.UniqHospProvSpellID == sp.s_id)
        yield (
            "orphan.ward_stay_without_spell",
            "MHS502WardStay",
            "are ward stays whose spell is not in MHS501HospProvSpell",
            "Submit the spell, or correct UniqHospProvSpellID.",
            joined.filter(joined.s_id.isnull()),
        )
        outside = joined.s_id.notnull() & (
            (joined.StartDateWardStay < joined.s_start)
            | (
                joined.s_end.notnull()
                & (
                    ibis.coalesce(joined.EndDateWardStay, ibis.date(9999, 12, 31))
                    > joined.s_end
                )
            )
        )
        yield (
            "ward_stay.outside_spell",
            "MHS502WardStay",
            "are ward stays that start before or end after their spell",
            "A ward stay must lie within its hospital spell.",
            joined.filter(outside),
        )
        yield (
            "ward_stay.overlap",
            "MHS502WardStay",
            "are ward stays that overlap another ward stay of the same spell",
            "Close one ward stay before the next starts.",
            _overlaps(stays),
        )
    if spells is not None:
        known = spells.select(k_id="UniqHospProvSpellID")
        for table in (
            "MHS504DelayedDischarge",
            "MHS518ClinReadyforDischarge",
            "MHS505RestrictiveInterventInc",
            "MHS515RestrictiveInterventType",
        ):
            if table in typed:
                rows = typed[table]
                orphan = rows.left_join(known, rows.UniqHospProvSpellID == known.k_id)
                yield (
                    f"orphan.{table}",
                    table,
                    "refer to a spell that is not in MHS501HospProvSpell",
                    "Submit the spell, or correct UniqHospProvSpellID.",
                    orphan.filter(orphan.k_id.isnull()),
                )
    if stays is not None:
        known_stays = stays.select(w_id="UniqWardStayID")
        for table in (
            "MHS509HomeLeave",
            "MHS510LeaveOfAbsence",
            "MHS511AbsenceWithoutLeave",
        ):
            if table in typed:
                rows = typed[table]
                orphan = rows.left_join(
                    known_stays, rows.UniqWardStayID == known_stays.w_id
                )
                yield (
                    f"orphan.{table}",
                    table,
                    "refer to a ward stay that is not in MHS502WardStay",
                    "Submit the ward stay, or correct UniqWardStayID.",
                    orphan.filter(orphan.w_id.isnull()),
                )


def _overlaps(stays: Table) -> Table:
    """Ward stays that begin before the previous stay of the same spell ended."""
    window = ibis.window(
        group_by=stays.UniqHospProvSpellID,
        order_by=[stays.StartDateWardStay, stays.UniqWardStayID],
    )
    previous_end = (
        ibis.coalesce(stays.EndDateWardStay, ibis.date(9999, 12, 31)).lag().over(window)
    )
    marked = stays.mutate(_previous_end=previous_end)
    return marked.filter(
        marked._previous_end.notnull()
        & (marked.StartDateWardStay < marked._previous_end)
    )


def reference_rules(name: str, typed: Table, source: SourceFile) -> list[RowRule]:
    """Required values and types in a reference file."""
    rules: list[RowRule] = []
    for column, kind in REFERENCE_FILES[name]:
        if column not in source.columns:
            continue
        optional = column == "valid_to"
        if not optional:
            rules.append(
                RowRule(
                    "field.required",
                    "error",
                    column,
                    "have no value in a required field",
                    "Every row needs this field.",
                    missing(typed, column, kind),
                )
            )
        if kind != "str":
            rules.append(
                RowRule(
                    "field.unparseable",
                    "error",
                    column,
                    f"have a value that is not a valid {kind}",
                    "Check the number or date format (YYYY-MM-DD).",
                    typed[unparseable_flag(column)],
                )
            )
    if name == "wards" and "bed_type_code" in source.columns:
        v6 = sorted(codes.code_list("bed_type").query("version == 'v6'")["code"])
        rules.append(
            RowRule(
                "code.unknown",
                "error",
                "bed_type_code",
                "have a bed type that is not a v6 code",
                "Use MHSDS v6 bed types (200-311) in wards.csv.",
                typed.bed_type_code.notnull() & ~typed.bed_type_code.isin(v6),
            )
        )
    return rules

"""Validate an extract: every problem in every file, never stopping at the first.

``validate_extract`` stages the folder and runs the rules in ``rules``. Row rules of one
table are counted in a single aggregate pass; sample row numbers are fetched only for the
rules that fail, so a clean extract costs one scan per table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import ibis
from ibis.expr.types import Table

from nearhome.data import rules
from nearhome.data.read import ROW
from nearhome.data.report import SAMPLE_SIZE, Issue, ValidationReport
from nearhome.data.schema import TABLE_BY_NAME
from nearhome.data.stage import Progress, StagedExtract, stage_extract
from nearhome.data.warehouse import Warehouse


def validate_extract(
    folder: Path,
    reference: Path | None = None,
    *,
    staging: Warehouse | None = None,
    progress: Progress | None = None,
    keep: Collection[str] = (),
    before_keep: Callable[[], None] | None = None,
) -> tuple[ValidationReport, StagedExtract]:
    """Stage and validate an extract folder; returns the report and the staged tables.

    Each file's own rules run as soon as it is staged, while its rows are still in
    memory: run after every file was staged, they read the first files back from
    DuckDB's spill files at England scale. ``keep`` and ``before_keep`` are passed to
    :func:`~nearhome.data.stage.stage_extract`.
    """
    per_file: dict[str, list[Issue]] = {}

    def check(staged: StagedExtract, name: str) -> None:
        per_file[name] = file_rules(staged, name)

    staged = stage_extract(
        folder,
        reference,
        staging=staging,
        progress=progress,
        keep=keep,
        before_keep=before_keep,
        after_each=check,
    )
    return validate_staged(staged, per_file), staged


def validate_staged(
    staged: StagedExtract, checked: Mapping[str, list[Issue]] | None = None
) -> ValidationReport:
    """Run every rule over already staged tables (``checked``: files whose own rules ran)."""
    report = ValidationReport()
    extract = staged.extract
    for name in extract.unknown_files:
        report.add(
            [
                Issue(
                    "file.unknown_file",
                    "warning",
                    name,
                    name,
                    None,
                    0,
                    "— the file is not an MHSDS table nearhome reads and is ignored",
                    "Name files after MHSDS tables, e.g. MHS501HospProvSpell.csv.",
                )
            ]
        )
    report.add(rules.missing_tables(set(extract.tables), set(extract.reference)))
    for name in staged.files:
        issues = (checked or {}).get(name)
        report.add(issues if issues is not None else file_rules(staged, name))
    report.add(_cross_table_issues(staged))
    return report


def file_rules(staged: StagedExtract, name: str) -> list[Issue]:
    """The issues of one staged file on its own: its shape, its rows and its keys."""
    source = staged.files[name]
    spec = TABLE_BY_NAME.get(name)
    required = (
        spec.required
        if spec is not None
        else tuple(c for c, _ in _reference_columns(name) if c != "valid_to")
    )
    issues = list(rules.file_issues(name, source, required))
    if name not in staged.typed:
        return issues
    typed = staged.typed[name]
    if spec is not None:
        row_rules = rules.row_rules(spec, typed, source)
    else:
        row_rules = rules.reference_rules(name.removeprefix("ref_"), typed, source)
    issues.extend(_run_row_rules(staged, name, row_rules))
    if spec is not None and all(k in source.columns for k in spec.key):
        duplicates = rules.duplicate_key_rows(spec, typed)
        issues.extend(
            _issue_from_rows(
                staged,
                "key.duplicate_in_month",
                name,
                None,
                f"share their key ({', '.join(spec.key)}) with another row of the same month",
                "Each record may appear once per month's submission.",
                duplicates,
                counted=rules.duplicate_key_count(spec, typed),
            )
        )
    return issues


def _cross_table_issues(staged: StagedExtract) -> list[Issue]:
    """Issues between tables, on the latest spells and ward stays stored once for all."""
    typed_ok = {
        n: t
        for n, t in staged.typed.items()
        if n in TABLE_BY_NAME and _has_key_columns(staged, n)
    }
    kept: list[Table] = []

    def keep(table: Table) -> Table:
        kept.append(staged.staging.cache(table))
        return kept[-1]

    issues: list[Issue] = []
    try:
        for rule_id, table, description, hint, rows in rules.cross_table_checks(
            typed_ok, keep
        ):
            issues.extend(
                _issue_from_rows(staged, rule_id, table, None, description, hint, rows)
            )
    finally:
        for table in kept:
            table.release()
    return issues


def _reference_columns(name: str) -> tuple[tuple[str, str], ...]:
    from nearhome.data.schema import REFERENCE_FILES

    return REFERENCE_FILES[name.removeprefix("ref_")]


def _has_key_columns(staged: StagedExtract, name: str) -> bool:
    spec = TABLE_BY_NAME[name]
    columns = staged.files[name].columns
    needed = (*spec.key, *spec.required)
    return all(c in columns for c in needed)


def _run_row_rules(
    staged: StagedExtract, name: str, row_rules: list[rules.RowRule]
) -> list[Issue]:
    if not row_rules:
        return []
    typed = staged.typed[name]
    counts_expr = typed.aggregate(
        **{
            f"r{i}": ibis.coalesce(rule.broken, False).cast("int64").sum()
            for i, rule in enumerate(row_rules)
        }
    )
    counts = staged.staging.execute(counts_expr).iloc[0]
    source = staged.files[name]
    issues = []
    for i, rule in enumerate(row_rules):
        count = int(counts[f"r{i}"] or 0)
        if count == 0:
            continue
        sample = staged.staging.execute(
            typed.filter(rule.broken).select(ROW).order_by(ROW).limit(SAMPLE_SIZE)
        )
        issues.append(
            Issue(
                rule.rule_id,
                rule.severity,
                name,
                source.path.name,
                rule.field,
                count,
                rule.description,
                rule.hint,
                tuple(int(r) for r in sample[ROW]),
            )
        )
    return issues


def _issue_from_rows(
    staged: StagedExtract,
    rule_id: str,
    table: str,
    field: str | None,
    description: str,
    hint: str,
    rows: Table,
    counted: Table | None = None,
) -> list[Issue]:
    """The issue of a rule broken by ``rows``; ``counted`` (one value, ``n``) counts them faster."""
    stats = staged.staging.execute(
        counted if counted is not None else rows.aggregate(n=rows.count())
    )
    count = int(stats["n"].iloc[0])
    if count == 0:
        return []
    sample = staged.staging.execute(rows.select(ROW).order_by(ROW).limit(SAMPLE_SIZE))
    source = staged.files[table]
    return [
        Issue(
            rule_id,
            "error",
            table,
            source.path.name,
            field,
            count,
            description,
            hint,
            tuple(int(r) for r in sample[ROW]),
        )
    ]

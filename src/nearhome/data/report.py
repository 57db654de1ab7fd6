"""The validation report: every problem found, with where it is, never what it held."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Issue:
    """One broken rule in one file (and field), with a count and sample row numbers.

    ``rows`` are data-row numbers (1 = the first row after the header); ``keys`` are record
    ids such as ``UniqWardStayID`` values, which are pseudonymous keys, never patient values.
    """

    rule_id: str
    severity: Severity
    table: str
    file: str
    field: str | None
    count: int
    description: str
    hint: str = ""
    rows: tuple[int, ...] = ()
    keys: tuple[str, ...] = ()

    def message(self) -> str:
        """One line a person can act on."""
        where = f"{self.file}" + (f", field {self.field}" if self.field else "")
        sample = ""
        if self.rows:
            more = "…" if self.count > len(self.rows) else ""
            sample = f" Rows {', '.join(str(r) for r in self.rows)}{more}."
        elif self.keys:
            more = "…" if self.count > len(self.keys) else ""
            sample = f" Records {', '.join(self.keys)}{more}."
        plural = "row" if self.count == 1 else "rows"
        return (
            f"[{self.severity}] {where}: {self.count} {plural} {self.description} "
            f"(rule {self.rule_id}).{sample}"
        )


@dataclass
class ValidationReport:
    """All issues of one extract; ``ok`` when none is an error."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issues: Iterable[Issue]) -> None:
        """Append issues."""
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        """Issues that stop a load."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues reported but loaded anyway."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing stops a load."""
        return not self.errors

    def rule_ids(self) -> set[str]:
        """The ids of every rule broken."""
        return {i.rule_id for i in self.issues}

    def find(self, rule_id: str, table: str | None = None) -> list[Issue]:
        """Issues of one rule (optionally in one table)."""
        return [
            i for i in self.issues if i.rule_id == rule_id and table in (None, i.table)
        ]

    def summary(self) -> str:
        """A short headline: counts of errors and warnings."""
        return f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def lines(self) -> list[str]:
        """Every issue as one line, errors first."""
        ordered = sorted(
            self.issues, key=lambda i: (i.severity != "error", i.file, i.rule_id)
        )
        return [i.message() for i in ordered]

    def to_frame(self) -> pd.DataFrame:
        """The issues as a table (for CSV export and tests)."""
        return pd.DataFrame(
            [
                {
                    "rule_id": i.rule_id,
                    "severity": i.severity,
                    "table": i.table,
                    "file": i.file,
                    "field": i.field,
                    "count": i.count,
                    "rows": " ".join(map(str, i.rows)),
                    "keys": " ".join(i.keys),
                    "description": i.description,
                    "hint": i.hint,
                }
                for i in self.issues
            ],
            columns=[
                "rule_id",
                "severity",
                "table",
                "file",
                "field",
                "count",
                "rows",
                "keys",
                "description",
                "hint",
            ],
        )

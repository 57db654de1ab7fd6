"""The input contract as a document, generated from ``schema`` so the two never drift."""

from __future__ import annotations

from nearhome.data.schema import REFERENCE_FILES, REQUIRED_TABLES, TABLES

INTRO = """# Input contract: MHSDS extract folders

> Generated from `src/nearhome/data/schema.py` by `nearhome.data.contract.render()`; a test
> fails if this page and the code disagree. This contract is stable: other parts build on it.

An **MHSDS extract folder** holds one file per MHSDS table, named by the table
(`MHS501HospProvSpell.csv` or `MHS501HospProvSpell.parquet`). Files are **monthly snapshots**:
every record active in a month is resubmitted in that month's submission with that month's
`UniqMonthID` (April 1900 = 1) and a `RecordNumber`. A folder may hold any number of months and
providers; a table a provider did not submit may be absent, except MHS001MPI,
MHS501HospProvSpell and MHS502WardStay, which every extract needs.

* CSV files are UTF-8 with a header row, comma separated, `"` quoted. Dates are `YYYY-MM-DD`,
  times `HH:MM:SS`; an empty field is a missing value.
* Field names may use the v6 spelling or an older one (listed as *also*); they are renamed on
  read. Codes follow the version of the month: v5 codes (e.g. bed types 10–40, delay reasons
  A2–T2) before April 2024 (`UniqMonthID` < 1489), v6 codes from it. Delays are in
  MHS504DelayedDischarge up to March 2024 and MHS518ClinReadyforDischarge from April 2024.
* Loading keeps the latest record per unique id (latest `UniqMonthID`, then `RecordNumber`), and a
  load replaces every provider-month (`OrgIDProv`, `UniqMonthID`) it contains, so re-loading or
  resubmitting a month never double counts.

A **reference folder** (default: `reference/` inside the extract folder; `--reference DIR`
overrides) holds the files listed at the end.
"""


def render() -> str:
    """The input contract page in Markdown."""
    lines = [INTRO]
    for spec in TABLES:
        required_table = " (required)" if spec.name in REQUIRED_TABLES else ""
        versions = "/".join(spec.versions)
        lines.append(f"## {spec.name}{required_table}\n")
        lines.append(
            f"{spec.description} MHSDS {versions}. Unique within a month by `{', '.join(spec.key)}`.\n"
        )
        lines.append("| field | type | required | code list | also | notes |")
        lines.append("|---|---|---|---|---|---|")
        for f in spec.fields:
            also = ", ".join(f"`{a}`" for a in f.aliases)
            lines.append(
                f"| `{f.name}` | {f.kind} | {'yes' if f.required else ''} | {f.code_list or ''} | {also} | {f.description} |"
            )
        lines.append("")
    lines.append("## Reference folder\n")
    lines.append("| file | columns |")
    lines.append("|---|---|")
    for name, columns in REFERENCE_FILES.items():
        described = ", ".join(f"`{c}` ({k})" for c, k in columns)
        lines.append(f"| `{name}.csv` | {described} |")
    lines.append("")
    lines.append(
        "`population.csv`: `area_code` is an LSOA or sub-ICB code, `sex` 1 male / 2 female, "
        "`age_band` five-year bands `0-4` … `85-89`, `90+`, `ethnic_group` White, Mixed, Asian, "
        "Black or Other, and `source` names the estimate. `wards.csv`: `bed_type_code` is a v6 "
        "bed type; `valid_to` may be empty.\n"
    )
    return "\n".join(lines)

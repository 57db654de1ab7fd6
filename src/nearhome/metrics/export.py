"""Writing results: CSV, Parquet and Excel, always with the disclosure policy recorded.

Every export passes through a disclosure policy (``mhsds`` by default; ``none`` only
when asked for, for direct care) and carries metadata saying which: a JSON file beside
a CSV, the Parquet schema metadata (plus ``*_suppressed`` columns, since a Parquet
number column cannot hold ``*``), and a ``metadata`` sheet in Excel. Excel has one sheet
per measure family and a ``definitions`` sheet generated from the registry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nearhome.data.warehouse import Warehouse
from nearhome.errors import InvalidConfig
from nearhome.metrics.compute import Progress
from nearhome.metrics.disclosure import SUPPRESSED, DisclosurePolicy, apply_policy
from nearhome.metrics.registry import FAMILIES, catalogue, get
from nearhome.periods import Frequency, ReportingPeriod

FORMATS = ("csv", "parquet", "xlsx")
CATALOGUE_BREAKDOWNS = (
    "all",
    "sub_icb",
    "provider",
    "provider_type",
    "bed_nhse_dashboard",
    "gender",
    "ethnic_group",
    "imd_quintile",
    "age_mha_broad",
    "legal_status_group",
    "area",
)
"""Breakdowns of the catalogue workbook written for an ICB (``write_catalogue``)."""
VALUE_COLUMNS = ("numerator", "denominator", "value")


def disclosed(frame: pd.DataFrame, suppress: str | DisclosurePolicy) -> pd.DataFrame:
    """The frame under ``suppress`` (unchanged if a policy was already applied)."""
    meta = frame.attrs.get("nearhome", {})
    if meta.get("disclosure") is not None:
        return frame
    return apply_policy(frame, suppress)


def metadata(
    frame: pd.DataFrame, generated_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The frame's metadata as plain data, with the nearhome version and time written."""
    from nearhome import __version__

    meta = dict(frame.attrs.get("nearhome", {}))
    meta["nearhome_version"] = __version__
    meta["generated_at"] = (generated_at or dt.datetime.now(dt.UTC)).isoformat(
        timespec="seconds"
    )
    meta["columns"] = list(frame.columns)
    return meta


def write_results(
    frame: pd.DataFrame,
    path: Path,
    *,
    suppress: str | DisclosurePolicy = "mhsds",
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write results to ``path`` as CSV, Parquet or Excel (by its suffix).

    Args:
        frame: A result of :func:`nearhome.metrics.run.run_metrics`.
        path: Output file ending ``.csv``, ``.parquet`` or ``.xlsx``.
        suppress: Disclosure policy applied unless the frame already has one.
        generated_at: Time recorded in the metadata (now when None).

    Raises:
        InvalidConfig: the suffix is not one of the supported formats.
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InvalidConfig(
            f"Cannot write '{path.name}': use a .csv, .parquet or .xlsx file name."
        )
    out = disclosed(frame, suppress)
    meta = metadata(out, generated_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    {"csv": _csv, "parquet": _parquet, "xlsx": _excel}[kind](out, path, meta)
    return path


def _csv(frame: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    frame.to_csv(path, index=False)
    sidecar = path.with_name(path.name + ".metadata.json")
    sidecar.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in VALUE_COLUMNS:
        marked = out[column].astype(object) == SUPPRESSED
        out[f"{column}_suppressed"] = marked.to_numpy()
        out[column] = pd.to_numeric(out[column].where(~marked), errors="coerce").astype(
            "float64"
        )
    return out


def _parquet(frame: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(_numeric(frame), preserve_index=False)
    existing = table.schema.metadata or {}
    table = table.replace_schema_metadata(
        existing | {b"nearhome": json.dumps(meta, default=str).encode("utf-8")}
    )
    pq.write_table(table, path)


def definitions(ids: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per metric: what it means (the Excel ``definitions`` sheet)."""
    specs = [get(i) for i in ids] if ids is not None else list(catalogue())
    return pd.DataFrame(
        {
            "measure_id": [s.id for s in specs],
            "mhsds_id": [s.mhsds_id or "" for s in specs],
            "title": [s.title for s in specs],
            "unit": [s.unit for s in specs],
            "definition": [s.definition for s in specs],
            "numerator": [s.numerator for s in specs],
            "denominator": [s.denominator or "" for s in specs],
            "local_definition": [s.is_local for s in specs],
            "caveats": [" ".join(s.caveats) for s in specs],
        }
    )


def _excel(frame: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    family = frame["measure_id"].str.partition(".")[0]
    ids = list(dict.fromkeys(frame["measure_id"])) if not frame.empty else []
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name in FAMILIES:
            part = frame[family == name]
            if not part.empty:
                part.to_excel(writer, sheet_name=name[:31], index=False)
        definitions(ids).to_excel(writer, sheet_name="definitions", index=False)
        rows = [
            (k, json.dumps(v, default=str) if isinstance(v, dict | list) else v)
            for k, v in meta.items()
        ]
        pd.DataFrame(rows, columns=["key", "value"]).to_excel(
            writer, sheet_name="metadata", index=False
        )


def write_catalogue(  # noqa: PLR0913
    warehouse: Warehouse | str,
    out_dir: Path,
    *,
    period: str | ReportingPeriod,
    icb: str | None = None,
    frequency: Frequency = "month",
    by: Sequence[str] = CATALOGUE_BREAKDOWNS,
    suppress: str | DisclosurePolicy = "mhsds",
    formats: Sequence[str] = FORMATS,
    generated_at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Compute the whole catalogue and write it in each format (for ``make demo``).

    Args:
        warehouse: A :class:`Warehouse` or its URL.
        out_dir: Folder for ``metrics.csv``, ``metrics.parquet``, ``metrics.xlsx``.
        period: Span such as ``"2025-04..2026-03"``.
        icb: Restrict to this ICB's residents (and sites, for capacity).
        frequency: ``month``, ``quarter``, ``fy`` or ``rolling12``.
        by: Breakdowns (single or crossed).
        suppress: Disclosure policy (``mhsds`` by default).
        formats: Any of ``csv``, ``parquet``, ``xlsx``.
        generated_at: Time recorded in the metadata.
        progress: ``(message, fraction)`` callback.

    Returns:
        Format → path written.
    """
    from nearhome.metrics.run import run_metrics

    frame = run_metrics(
        warehouse,
        "all",
        period=period,
        frequency=frequency,
        by=list(by),
        icb=icb,
        progress=progress,
    )
    frame = apply_policy(frame, suppress)
    out_dir = Path(out_dir)
    return {
        kind: write_results(
            frame,
            out_dir / f"metrics.{kind}",
            suppress=suppress,
            generated_at=generated_at,
        )
        for kind in formats
    }

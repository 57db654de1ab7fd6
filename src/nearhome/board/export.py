"""Getting board data out: the flow manager's CSV, and the write-back to the warehouse.

``export_board`` writes two warehouse tables inside one ``Warehouse.transaction()``, each
replacing the previous export whole, so a failure part-way leaves the last good export:

* ``board_crfd_period``: every CRFD period recorded on the board, with exactly the canonical
  ``crfd_period`` columns and ``source_table = 'board'``;
* ``board_estimated_discharge``: each spell's current board EDD (``spell_id``,
  ``estimated_discharge_date``, ``recorded_at``), one row per spell.

The loader unions them into the canonical tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nearhome.appdb import BoardDatabase, CrfdRecord, EddRecord
from nearhome.board.codes import BoardCodes
from nearhome.board.queries import fetch_spell_keys
from nearhome.board.rows import BoardRow
from nearhome.data.warehouse import Warehouse

CRFD_TABLE = "board_crfd_period"
EDD_TABLE = "board_estimated_discharge"
CRFD_SCHEMA = ibis.schema(
    {
        "crfd_id": "string",
        "spell_id": "string",
        "person_id": "string",
        "provider_code": "string",
        "start_date": "date",
        "end_date": "date",
        "reason_code": "string",
        "reason_source_code": "string",
        "reason_group": "string",
        "attributable_to_code": "string",
        "responsible_la_code": "string",
        "source_table": "string",
    }
)
"""Exactly the canonical ``crfd_period`` columns."""
EDD_SCHEMA = ibis.schema(
    {
        "spell_id": "string",
        "estimated_discharge_date": "date",
        "recorded_at": "timestamp('UTC')",
    }
)


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    crfd_periods: int
    estimated_discharges: int


def board_crfd_frame(
    session: Session, warehouse: Warehouse, *, codes: BoardCodes
) -> pd.DataFrame:
    """Board CRFD periods in the canonical ``crfd_period`` shape."""
    records = list(session.scalars(select(CrfdRecord).order_by(CrfdRecord.id)))
    keys = fetch_spell_keys(warehouse, sorted({r.spell_id for r in records}))
    person = dict(zip(keys["spell_id"], keys["person_id"], strict=True))
    provider = dict(zip(keys["spell_id"], keys["provider_code"], strict=True))
    rows = [
        {
            "crfd_id": f"board-{r.id}",
            "spell_id": r.spell_id,
            "person_id": person.get(r.spell_id),
            "provider_code": provider.get(r.spell_id),
            "start_date": r.start_date,
            "end_date": r.end_date,
            "reason_code": r.reason_code,
            "reason_source_code": r.reason_code,
            "reason_group": codes.reasons[r.reason_code].group
            if r.reason_code in codes.reasons
            else None,
            "attributable_to_code": r.attributable_to_code,
            "responsible_la_code": None,
            "source_table": "board",
        }
        for r in records
    ]
    return pd.DataFrame(rows, columns=list(CRFD_SCHEMA.names))


def board_edd_frame(session: Session) -> pd.DataFrame:
    """The latest board EDD of each spell."""
    latest = (
        select(EddRecord.spell_id, func.max(EddRecord.id).label("last_id"))
        .group_by(EddRecord.spell_id)
        .subquery()
    )
    query = (
        select(
            EddRecord.spell_id,
            EddRecord.estimated_discharge_date,
            EddRecord.recorded_at,
        )
        .join(latest, EddRecord.id == latest.c.last_id)
        .order_by(EddRecord.spell_id)
    )
    rows = [tuple(r) for r in session.execute(query)]
    return pd.DataFrame(rows, columns=list(EDD_SCHEMA.names))


def export_board(
    warehouse: Warehouse, database: BoardDatabase, *, codes: BoardCodes
) -> ExportSummary:
    """Replace the board tables in the warehouse with the board database's current contents."""
    with database.sessions() as session:
        crfd = board_crfd_frame(session, warehouse, codes=codes)
        edd = board_edd_frame(session)
    with warehouse.transaction():
        warehouse.write_table(CRFD_TABLE, ibis.memtable(crfd, schema=CRFD_SCHEMA))
        warehouse.write_table(EDD_TABLE, ibis.memtable(edd, schema=EDD_SCHEMA))
    return ExportSummary(crfd_periods=len(crfd), estimated_discharges=len(edd))


CSV_COLUMNS = (
    ("Patient", lambda r: r.patient_label),
    ("Ward", lambda r: r.ward_code),
    ("Bed type", lambda r: r.bed_type),
    ("Admitted", lambda r: r.admission_date),
    ("Days in hospital", lambda r: r.days_in_hospital),
    ("Legal status", lambda r: r.legal_status),
    ("Expected discharge date", lambda r: r.expected_discharge_date),
    ("EDD slipped (times)", lambda r: r.edd_slip_count),
    ("Clinically ready since", lambda r: r.crfd_start_date),
    ("Days clinically ready", lambda r: r.crfd_days),
    ("Delay reason group", lambda r: r.reason_group_label),
    ("Delay reason", lambda r: r.reason),
    ("Attributable to", lambda r: r.attributable_to),
    ("Today", lambda r: r.day_status),
    ("Open barriers", lambda r: r.barriers_open),
    ("Housing need", lambda r: r.housing_need),
    ("Carer involved", lambda r: r.carer_involved),
    ("Out of area", lambda r: "yes" if r.is_oap else "no"),
)


def board_csv(rows: Sequence[BoardRow]) -> str:
    """The board as CSV text for spreadsheets (cells that could run as formulas are defused)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(value(row)) for _, value in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text

"""Board rows: the census joined with what the ward team has recorded, ready to show.

A row prefers the board's own values (EDD, CRFD) and falls back to what MHSDS holds for the
spell, saying which it used. Filters and sorts are plain functions over rows, so the page,
the JSON API and the CSV export all agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nearhome.board.codes import CARER_INVOLVED, HOUSING_NEED, BoardCodes
from nearhome.board.notes import BoardState

DELAY_THRESHOLD_DAYS = 7


@dataclass(frozen=True)
class BoardRow:
    """One current inpatient as the board shows them."""

    spell_id: str
    person_id: str
    local_patient_id: str | None
    person_icb_code: str | None
    provider_code: str | None
    provider_name: str | None
    ward_code: str | None
    site_name: str | None
    bed_type_code: str | None
    bed_type: str
    admission_date: date
    days_in_hospital: int
    legal_status: str
    legal_status_group: str | None
    expected_discharge_date: date | None
    edd_source: str | None
    edd_slip_count: int
    crfd_start_date: date | None
    crfd_source: str | None
    crfd_days: int | None
    reason_code: str | None
    reason: str | None
    reason_group: str | None
    reason_group_label: str | None
    attributable_to_code: str | None
    attributable_to: str | None
    day_status: str | None
    barriers_open: int
    barriers_overdue: int
    housing_need_code: str | None
    housing_need: str | None
    carer_involved_code: str | None
    carer_involved: str | None
    wishes: str | None
    is_oap: bool
    is_inappropriate_oap: bool
    oap_reason_code: str | None
    distance_home_km: float | None
    version: int

    @property
    def patient_label(self) -> str:
        """What direct-care users see in place of a name (synthetic people have none)."""
        return self.local_patient_id or self.person_id

    @property
    def is_crfd(self) -> bool:
        """Clinically ready for discharge today."""
        return self.crfd_start_date is not None

    @property
    def is_delayed(self) -> bool:
        """CRFD for more than seven days."""
        return self.crfd_days is not None and self.crfd_days > DELAY_THRESHOLD_DAYS

    def as_record(self) -> dict[str, Any]:
        """The row as JSON-ready values (dates as ISO text)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, date) else value
        out["patient_label"] = self.patient_label
        out["is_crfd"] = self.is_crfd
        out["is_delayed"] = self.is_delayed
        return out


def build_rows(
    census: Iterable[Mapping[str, Any]],
    states: Mapping[str, BoardState],
    *,
    codes: BoardCodes,
    today: date,
) -> list[BoardRow]:
    """Join census records with board state into rows."""
    empty = BoardState(None, None, 0, 0)
    return [
        _row(rec, states.get(str(rec["spell_id"]), empty), codes, today)
        for rec in census
    ]


def _row(
    rec: Mapping[str, Any], state: BoardState, codes: BoardCodes, today: date
) -> BoardRow:
    entry = state.entry
    edd, edd_source = _prefer(
        entry.expected_discharge_date if entry else None,
        rec["estimated_discharge_date"],
    )
    crfd_start, crfd_source = _prefer(
        entry.crfd_start_date if entry else None, rec["mhsds_crfd_start_date"]
    )
    if entry is not None and entry.version > 0 and entry.crfd_start_date is None:
        crfd_start, crfd_source = None, None  # the board has ruled on CRFD; it wins
    if crfd_source == "board" and entry is not None:
        reason_code, attributable = entry.crfd_reason_code, entry.attributable_to_code
    elif crfd_source == "mhsds":
        reason_code, attributable = (
            rec["mhsds_crfd_reason_code"],
            rec["mhsds_crfd_attributable_to_code"],
        )
    else:
        reason_code, attributable = None, None
    reason = codes.reasons.get(reason_code) if reason_code else None
    bed = rec["bed_type_code"]
    legal = rec["legal_status_code"]
    return BoardRow(
        spell_id=str(rec["spell_id"]),
        person_id=str(rec["person_id"]),
        local_patient_id=rec["local_patient_id"],
        person_icb_code=rec["person_icb_code"],
        provider_code=rec["provider_code"],
        provider_name=rec["provider_name"],
        ward_code=rec["ward_code"],
        site_name=rec["site_name"],
        bed_type_code=bed,
        bed_type=codes.bed_types.get(bed, bed or "Not known") if bed else "Not known",
        admission_date=rec["admission_date"],
        days_in_hospital=(today - rec["admission_date"]).days,
        legal_status=codes.legal_status.get(legal, legal) if legal else "Not known",
        legal_status_group=rec["legal_status_group"],
        expected_discharge_date=edd,
        edd_source=edd_source,
        edd_slip_count=entry.edd_slip_count if entry else 0,
        crfd_start_date=crfd_start,
        crfd_source=crfd_source,
        crfd_days=None if crfd_start is None else (today - crfd_start).days,
        reason_code=reason_code,
        reason=reason.description if reason else reason_code,
        reason_group=reason.group if reason else None,
        reason_group_label=reason.group_label if reason else None,
        attributable_to_code=attributable,
        attributable_to=codes.attributable_to.get(attributable)
        if attributable
        else None,
        day_status=state.day_status,
        barriers_open=state.barriers_open,
        barriers_overdue=state.barriers_overdue,
        housing_need_code=entry.housing_need if entry else None,
        housing_need=HOUSING_NEED.get(entry.housing_need)
        if entry and entry.housing_need
        else None,
        carer_involved_code=entry.carer_involved if entry else None,
        carer_involved=CARER_INVOLVED.get(entry.carer_involved)
        if entry and entry.carer_involved
        else None,
        wishes=entry.wishes if entry else None,
        is_oap=bool(rec["is_oap"]),
        is_inappropriate_oap=bool(rec["is_inappropriate_oap"]),
        oap_reason_code=rec["oap_reason_code"],
        distance_home_km=rec["distance_home_km"],
        version=state.version,
    )


def _prefer(board: date | None, mhsds: date | None) -> tuple[date | None, str | None]:
    if board is not None:
        return board, "board"
    if mhsds is not None:
        return mhsds, "mhsds"
    return None, None


FILTERS: dict[str, tuple[str, Callable[[BoardRow], bool]]] = {
    "all": ("Everyone", lambda _r: True),
    "crfd": ("Clinically ready for discharge", lambda r: r.is_crfd),
    "delayed": (
        f"Delayed more than {DELAY_THRESHOLD_DAYS} days",
        lambda r: r.is_delayed,
    ),
    "no_edd": (
        "No expected discharge date",
        lambda r: r.expected_discharge_date is None,
    ),
    "oap": ("Out of area placement", lambda r: r.is_oap),
}
"""Board filters: key → (label, test), in the order the page offers them."""

_FAR_FUTURE = date.max
SORTS: dict[str, tuple[str, Callable[[BoardRow], Any]]] = {
    "ward": ("Ward and bed order", lambda r: (r.ward_code or "", r.spell_id)),
    "days": ("Longest in hospital", lambda r: (-r.days_in_hospital, r.spell_id)),
    "crfd": (
        "Longest clinically ready",
        lambda r: (-(r.crfd_days if r.crfd_days is not None else -1), r.spell_id),
    ),
    "edd": (
        "Expected discharge date",
        lambda r: (r.expected_discharge_date or _FAR_FUTURE, r.spell_id),
    ),
    "patient": ("Patient identifier", lambda r: (r.patient_label, r.spell_id)),
}
"""Board sort orders: key → (label, key function)."""


def select_rows(
    rows: Sequence[BoardRow], *, filter_key: str, sort_key: str, ward: str | None = None
) -> list[BoardRow]:
    """Rows passing a filter (and ward), in a sort order; unknown keys fall back to defaults."""
    test = FILTERS.get(filter_key, FILTERS["all"])[1]
    order = SORTS.get(sort_key, SORTS["ward"])[1]
    kept = [r for r in rows if test(r) and (ward is None or r.ward_code == ward)]
    return sorted(kept, key=order)

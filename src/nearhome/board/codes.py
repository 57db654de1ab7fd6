"""The code lists the board shows and checks, read once from ``nearhome.data.codes``.

The national lists (CRFD delay reasons and their groups, attributable-to, bed types, legal
status, OAP reasons, capacity pools) come from the package's reference CSV files. The two
board-only choices (housing need, carer involvement) are local answer sets, not national
codes, and are defined here once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nearhome.data import codes

REASON_GROUP_LABELS = {
    "housing": "Housing",
    "social_care": "Social care",
    "community": "Community",
    "hospital": "Hospital",
    "not_known": "Not known",
}
"""Display order and labels of the CRFD delay reason groups."""

HOUSING_NEED = {
    "none": "No housing need",
    "support": "Needs support to keep current home",
    "new_home": "Needs a new home",
    "supported": "Needs supported accommodation",
    "homeless": "Homeless or no fixed abode",
    "not_known": "Not yet assessed",
}
CARER_INVOLVED = {
    "yes": "Yes, involved",
    "no": "No, not yet involved",
    "declined": "Person declined carer involvement",
    "no_carer": "No carer",
}
ADVOCACY_OFFERED = {
    "yes": "Offered and taken up",
    "declined": "Offered and declined",
    "no": "Not yet offered",
}
POOL_LABELS = {
    "adult_acute": "Adult acute",
    "older_adult": "Older adult",
    "picu": "PICU",
    "eating_disorders": "Eating disorders",
    "mother_and_baby": "Mother and baby",
    "ld_autism": "Learning disability and autism",
    "secure": "Secure",
    "specialist_other": "Other specialist",
    "rehabilitation": "Rehabilitation",
    "cyp": "Children and young people",
}
"""Display labels of the capacity pools (the ``capacity_pool`` bed grouping)."""
LONG_STAY_DAYS = {"older_adult": 90}
"""Long-stay thresholds by capacity pool; every other pool uses ``DEFAULT_LONG_STAY_DAYS``."""
DEFAULT_LONG_STAY_DAYS = 60


@dataclass(frozen=True)
class Reason:
    """One CRFD delay reason."""

    code: str
    description: str
    group: str

    @property
    def group_label(self) -> str:
        """The group's display label."""
        return REASON_GROUP_LABELS.get(self.group, self.group)


@dataclass(frozen=True)
class BoardCodes:
    """Every code list the board needs, as plain dictionaries for fast lookups."""

    reasons: dict[str, Reason]
    attributable_to: dict[str, str]
    bed_types: dict[str, str]
    legal_status: dict[str, str]
    oap_reasons: dict[str, str]
    inappropriate_oap_reasons: frozenset[str]
    bed_pools: dict[str, str]

    def reasons_by_group(self) -> list[tuple[str, list[Reason]]]:
        """Reasons grouped for a select box's option groups, housing first."""
        grouped: dict[str, list[Reason]] = {g: [] for g in REASON_GROUP_LABELS}
        for reason in self.reasons.values():
            grouped.setdefault(reason.group, []).append(reason)
        return [(REASON_GROUP_LABELS.get(g, g), rs) for g, rs in grouped.items() if rs]

    def pool_of(self, bed_type_code: str | None) -> str:
        """The capacity pool of a bed type (``unknown`` when it has none)."""
        if bed_type_code is None:
            return "unknown"
        return self.bed_pools.get(bed_type_code, "unknown")

    def long_stay_days(self, bed_type_code: str | None) -> int:
        """Length of stay from which a current stay counts as long for this bed type."""
        return LONG_STAY_DAYS.get(self.pool_of(bed_type_code), DEFAULT_LONG_STAY_DAYS)


def board_codes() -> BoardCodes:
    """Read the board's code lists (call once per app, then pass the result around)."""
    reasons = codes.code_list("crfd_reason")
    attributable = codes.code_list("attributable_to")
    bed_types = codes.code_list("bed_type")
    if "version" in bed_types.columns:
        bed_types = bed_types[bed_types["version"] == "v6"]
    oap = codes.code_list("oap_reason")
    pools = codes.bed_groupings("capacity_pool")
    return BoardCodes(
        reasons={
            str(c): Reason(str(c), str(d), str(g))
            for c, d, g in zip(
                reasons["code"], reasons["description"], reasons["group"], strict=True
            )
        },
        attributable_to={
            str(c): str(d)
            for c, d, note in zip(
                attributable["code"],
                attributable["description"],
                attributable["note"],
                strict=True,
            )
            if not note or "not valid in v6" not in str(note)
        },
        bed_types=_labels(bed_types),
        legal_status=_labels(codes.code_list("legal_status")),
        oap_reasons=_labels(oap),
        inappropriate_oap_reasons=frozenset(
            str(c)
            for c, bad in zip(oap["code"], oap["is_inappropriate"], strict=True)
            if bad
        ),
        bed_pools={
            str(b): str(g)
            for b, g in zip(pools["bed_type_code"], pools["group"], strict=True)
        },
    )


def _labels(frame: pd.DataFrame) -> dict[str, str]:
    return {
        str(c): str(d) for c, d in zip(frame["code"], frame["description"], strict=True)
    }

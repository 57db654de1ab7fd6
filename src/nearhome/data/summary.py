"""A short summary of what a warehouse holds: what ``nearhome data load`` prints."""

from __future__ import annotations

import ibis

from nearhome.data.derive import month_start
from nearhome.data.warehouse import Warehouse


def loaded_summary(warehouse: Warehouse) -> dict[str, int]:
    """Counts of people, spells, ward stays, open spells, OAPs and CRFD periods.

    "Open at the end" means open at the end of the latest month submitted (discharge date
    empty or after its last day), the MHSDS rule, so the summary does not depend on today.
    """
    spells = warehouse.table("spell")
    last_month = warehouse.execute(
        warehouse.table("raw_MHS501HospProvSpell").UniqMonthID.max()
    ).iloc[0, 0]
    last_day = month_start(
        ibis.literal(int(str(last_month)) if last_month is not None else 1) + 1
    ) - ibis.interval(days=1)
    referrals = warehouse.table("referral")
    counts = {
        "people": warehouse.table("person").count(),
        "hospital spells": spells.count(),
        "ward stays": warehouse.table("ward_stay").count(),
        "spells open at the end of the data": spells.filter(
            spells.discharge_date.isnull() | (spells.discharge_date > last_day)
        ).count(),
        "out-of-area placements (all reasons)": referrals.filter(
            referrals.is_oap
        ).count(),
        "inappropriate out-of-area placements": referrals.filter(
            referrals.is_inappropriate_oap
        ).count(),
        "CRFD / delayed discharge periods": warehouse.table("crfd_period").count(),
    }
    return {
        label: int(str(warehouse.execute(expr).iloc[0, 0]))
        for label, expr in counts.items()
    }

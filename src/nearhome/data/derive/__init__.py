"""Canonical tables from raw MHSDS snapshots, as portable Ibis expressions.

``DERIVED`` lists every canonical table in build order with the function that defines it;
the loader materialises them in that order, and the backend suite checks each is identical
on every backend.
"""

from __future__ import annotations

from collections.abc import Callable

from ibis.expr.types import Table

from nearhome.data.derive.core import Tables, latest, month_start
from nearhome.data.derive.events import (
    care_contact,
    crfd_period,
    leave,
    mha_period,
    restrictive_intervention,
    ward,
    ward_month,
)
from nearhome.data.derive.people import geography, person
from nearhome.data.derive.stays import referral, site, spell, ward_stay


def _reference(name: str) -> Callable[[Tables], Table]:
    def table(tables: Tables) -> Table:
        return tables[f"ref_{name}"]

    table.__doc__ = f"The {name} reference file as loaded."
    return table


DERIVED: dict[str, Callable[[Tables], Table]] = {
    "geography": geography,
    "population": _reference("population"),
    "provider": _reference("providers"),
    "site": site,
    "ward": ward,
    "ward_month": ward_month,
    "person": person,
    "referral": referral,
    "ward_stay": ward_stay,
    "spell": spell,
    "leave": leave,
    "mha_period": mha_period,
    "crfd_period": crfd_period,
    "restrictive_intervention": restrictive_intervention,
    "care_contact": care_contact,
}

__all__ = ["DERIVED", "Tables", "latest", "month_start"]

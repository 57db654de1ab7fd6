"""Spell-level outcomes shared by the discharge facts: readmission and CRFD days.

* Readmission (local definition, after NHS England's acute inpatient dashboard): a
  discharge is an *index* unless the person died, discharged themselves or was taken
  out by a relative, was not discharged (method 4, 6, 7, 8), or went to another mental
  health, learning disability or secure inpatient setting or died (destinations flagged
  in the ``discharge_destination`` code list). The readmission is the person's next
  admission (any provider) on or after the discharge date; ``days_to_readmission`` is
  its admission date minus the discharge date.
* ``crfd_days``: the spell's days clinically ready for discharge by the MHS26 rule,
  so length of stay excluding CRFD days is ``los_days - crfd_days``.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from nearhome.data import codes
from nearhome.metrics.crfd_days import crfd_days, ranked_crfd
from nearhome.metrics.measures import Tables


def _excluded(name: str) -> list[str]:
    frame = codes.code_list(name)
    return [str(c) for c in frame.loc[frame["excluded_from_readmission"], "code"]]


def _readmissions(tables: Tables) -> Table:
    spell = tables["spell"]
    index = spell.filter(spell.discharge_date.notnull()).select(
        _i_spell="spell_id", _i_person="person_id", _i_discharge="discharge_date"
    )
    later = spell.select(
        _n_spell="spell_id", _n_person="person_id", _n_admission="admission_date"
    )
    pairs = index.join(
        later,
        (index._i_person == later._n_person)
        & (later._n_admission >= index._i_discharge)
        & (later._n_spell != index._i_spell),
    )
    return pairs.group_by(_r_spell=pairs._i_spell).aggregate(
        _r_next=pairs._n_admission.min()
    )


def _crfd(tables: Tables) -> Table:
    spell = tables["spell"].select(
        _c_spell="spell_id",
        _c_admission="admission_date",
        _c_discharge="discharge_date",
    )
    ranked = ranked_crfd(tables)
    joined = ranked.join(spell, ranked.spell_id == spell._c_spell)
    end = ibis.coalesce(joined._c_discharge, ibis.date(9999, 12, 31))
    days = crfd_days(joined, joined._c_admission, end)
    return joined.group_by(_d_spell=joined.spell_id).aggregate(_d_days=days.sum())


def spell_outcomes(
    tables: Tables, *, readmissions: bool = True, crfd: bool = True
) -> Table:
    """The spell table with ``is_readmission_index``, ``days_to_readmission`` and
    ``crfd_days`` (zero when none).

    ``readmissions=False`` or ``crfd=False`` skip a lookup nobody will read (its
    column is then empty or zero): each is a join over every spell.
    """
    spell = tables["spell"]
    methods = _excluded("discharge_method")
    destinations = _excluded("discharge_destination")
    joined = spell
    if readmissions:
        found = _readmissions(tables)
        joined = joined.left_join(found, joined.spell_id == found._r_spell)
    if crfd:
        days = _crfd(tables)
        joined = joined.left_join(days, joined.spell_id == days._d_spell)
    is_index = (
        joined.discharge_date.notnull()
        & (
            joined.discharge_method_code.isnull()
            | ~joined.discharge_method_code.isin(methods)
        )
        & (
            joined.discharge_destination_code.isnull()
            | ~joined.discharge_destination_code.isin(destinations)
        )
    )
    to_readmission = (
        joined._r_next.delta(joined.discharge_date, unit="day")
        if readmissions
        else ibis.null("int64")
    )
    return joined.select(
        *spell.columns,
        is_readmission_index=is_index,
        days_to_readmission=to_readmission,
        crfd_days=ibis.coalesce(joined._d_days, 0) if crfd else ibis.literal(0),
    )

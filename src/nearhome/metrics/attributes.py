"""Attributes every breakdown needs, attached to facts once per request.

Facts carry keys (``person_id``, ``provider_code``, ``spell_id``, an ``anchor_date``);
this module joins what hangs off them: the person's geography and demographics (age at
the period's last day, the publication's ``AgeRepPeriodEnd``), the provider's type, the
ward stay current at the anchor date (ward, site, bed type, distance from home, the
site's ICB), the legal status on the anchor date and whether the ward is inside the
person's own ICB. Doing it once per facts table, before any breakdown, is what lets one
materialised table serve every breakdown.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis.expr.types import Table

from nearhome.metrics.calendar import age_on, days_between
from nearhome.metrics.measures import Tables, Wanted, wants

PERSON_COLUMNS = (
    "region_code",
    "icb_code",
    "sub_icb_code",
    "gender_code",
    "ethnic_group",
    "ethnic_category_code",
    "imd_decile",
    "imd_quintile",
    "ld_status_code",
    "autism_status_code",
)
WARD_COLUMNS = (
    "ward_code",
    "site_code",
    "bed_type_code",
    "distance_home_km",
    "site_icb_code",
)
LEGAL_PRIORITY = {
    "detention": 1,
    "short_term": 2,
    "cto": 3,
    "guardianship": 4,
    "other": 5,
    "informal": 6,
}
"""When several legal status periods cover a day, the most restrictive group wins."""


def ward_stay_at(
    rows: Table, tables: Tables, key: Sequence[str], wanted: Wanted = None
) -> Table:
    """Add the ward stay current on ``anchor_date`` to each row identified by ``key``.

    ``rows`` has ``spell_id`` and ``anchor_date``, one row per key and spell (several
    spells per key are allowed: the best ward stay across them wins, and only that
    spell's row is kept). The ward stay chosen is the latest one that
    started on or before the anchor date; if none had, the earliest one after it.
    Ties go to the stay that ends later (a same-day transfer's second ward).

    When ``wanted`` reads no ward column the rows are returned as they are, so pass it
    only for rows that already have one row per ``key``.
    """
    if not wants(wanted, *WARD_COLUMNS):
        return rows
    stays = tables["ward_stay"].select(
        _ws_spell="spell_id",
        _ws_id="ward_stay_id",
        _ws_start="start_date",
        _ws_end="end_date",
        **{f"_ws_{c}": c for c in WARD_COLUMNS},
    )
    # The ranking sorts only the keys, the spell and the date, not every column of the
    # rows: the window holds what it sorts (England's restrictive interventions: the
    # wide window took 1.9 s of a 3 s build).
    keys = rows.select(
        *[rows[k].name(f"_k_{i}") for i, k in enumerate(key)],
        _k_spell=rows.spell_id,
        _k_anchor=rows.anchor_date,
    )
    joined = keys.left_join(stays, keys._k_spell == stays._ws_spell)
    gap = days_between(joined._k_anchor, joined._ws_start)
    window = ibis.window(
        group_by=[joined[f"_k_{i}"] for i in range(len(key))],
        order_by=[
            ibis.ifelse(gap < 0, 1, 0),
            gap.abs(),
            ibis.desc(ibis.coalesce(joined._ws_end, ibis.date(9999, 12, 31))),
            joined._ws_id,
        ],
    )
    ranked = joined.mutate(_ws_rank=ibis.row_number().over(window))
    best = ranked.filter(ranked._ws_rank == 0)
    best = best.select(
        *[f"_k_{i}" for i in range(len(key))],
        "_k_spell",
        *[f"_ws_{c}" for c in WARD_COLUMNS],
    )
    # Each key keeps the row of the spell whose stay won (a key may span spells).
    matched = rows.join(
        best,
        [rows[k] == best[f"_k_{i}"] for i, k in enumerate(key)]
        + [rows.spell_id.identical_to(best._k_spell)],
    )
    keep = [c for c in rows.columns if c not in WARD_COLUMNS]
    return matched.select(*keep, **{c: matched[f"_ws_{c}"] for c in WARD_COLUMNS})


BIRTH = "_birth_date"
"""The person's birth date, carried by rows given their person before their periods
(:func:`person_first`) until ``age`` at each period's end is worked out from it."""


def person_first(rows: Table, tables: Tables, wanted: Wanted = None) -> Table:
    """Add the person's attributes (those ``wanted``) and, when age is read, the birth
    date (:data:`BIRTH`): :func:`with_attributes` works out ``age`` at each period's end.

    Builders whose rows repeat for every period they touch (a ward stay in each month of
    a long stay) call it before their period join and keep :func:`person_columns`
    through it, so each person is looked up once per source row, not once per period:
    England's ward stays by month are 1.75 million rows from 0.67 million stays, and the
    look-up was the dearest step of their query. Other facts get it from
    :func:`with_attributes`.
    """
    chosen = [c for c in PERSON_COLUMNS if wants(wanted, c)]
    birth = wants(wanted, "age")
    if not chosen and not birth:
        return rows
    people = tables["person"].select(
        _p_id="person_id",
        **{f"_p_{c}": c for c in chosen},
        **({"_p_birth": "birth_date"} if birth else {}),
    )
    joined = rows.left_join(people, rows.person_id == people._p_id)
    return joined.select(
        *rows.columns,
        **{c: joined[f"_p_{c}"] for c in chosen},
        **({BIRTH: joined._p_birth} if birth else {}),
    )


def person_columns(rows: Table) -> list[str]:
    """The columns :func:`person_first` added to ``rows`` (for a builder's select)."""
    return [c for c in (*PERSON_COLUMNS, BIRTH) if c in rows.columns]


def with_provider(rows: Table, tables: Tables) -> Table:
    """Add ``provider_name`` and ``provider_type`` (NHS or Independent)."""
    providers = tables["provider"].select(
        _pr_code="provider_code", _pr_name="provider_name", _pr_type="provider_type"
    )
    joined = rows.left_join(providers, rows.provider_code == providers._pr_code)
    return joined.select(
        *rows.columns, provider_name=joined._pr_name, provider_type=joined._pr_type
    )


def with_site(rows: Table, tables: Tables) -> Table:
    """Add ``site_name`` (and the site's ICB when the rows do not have it yet)."""
    sites = tables["site"].select(
        _s_code="site_code", _s_name="site_name", _s_icb="icb_code"
    )
    joined = rows.left_join(sites, rows.site_code == sites._s_code)
    extra = {"site_name": joined._s_name}
    if "site_icb_code" not in rows.columns:
        extra["site_icb_code"] = joined._s_icb
    return joined.select(*rows.columns, **extra)


def with_legal_status(rows: Table, tables: Tables) -> Table:
    """Add ``legal_status_group`` on ``anchor_date``: the most restrictive Mental Health
    Act group in force that day, else ``informal`` (no record means informal)."""
    keys = rows.select("person_id", "anchor_date").distinct()
    mha = tables["mha_period"].select(
        _m_person="person_id",
        _m_start="start_date",
        _m_end="end_date",
        _m_group="legal_status_group",
    )
    priority = mha._m_group.substitute(LEGAL_PRIORITY, else_=5)
    mha = mha.mutate(_m_priority=priority)
    covered = keys.join(
        mha,
        (keys.person_id == mha._m_person)
        & (mha._m_start <= keys.anchor_date)
        & (mha._m_end.isnull() | (mha._m_end > keys.anchor_date)),
    )
    best = covered.group_by(
        _l_person=covered.person_id, _l_anchor=covered.anchor_date
    ).aggregate(_l_priority=covered._m_priority.min())
    joined = rows.left_join(
        best,
        (rows.person_id == best._l_person) & (rows.anchor_date == best._l_anchor),
    )
    names = {rank: group for group, rank in LEGAL_PRIORITY.items()}
    group = joined._l_priority.substitute(names, else_="informal")
    return joined.select(*rows.columns, legal_status_group=group)


def needs_legal_status(columns: Sequence[str]) -> bool:
    """Whether :func:`with_attributes` adds the legal status (from ``anchor_date``):
    that lookup reads the facts twice, its keys and then the join back."""
    return {"person_id", "anchor_date"} <= set(columns) and (
        "legal_status_group" not in columns
    )


SOURCES = {"is_in_area": ("icb_code", "site_icb_code"), "site_name": ("site_code",)}
"""Attributes made from other facts columns: reading one reads these too."""


def with_sources(wanted: frozenset[str]) -> frozenset[str]:
    """``wanted`` with the columns its derived attributes are made from (:data:`SOURCES`),
    so a builder told what is read keeps them (the site of a placement's ward, for
    whether it lies in the person's own ICB)."""
    return wanted.union(*(SOURCES.get(name, ()) for name in wanted))


def with_attributes(rows: Table, tables: Tables, wanted: Wanted = None) -> Table:
    """Every attribute the rows' keys allow (person, provider, site, legal status, area),
    or of those only the ones ``wanted`` reads."""
    if wanted is not None:
        wanted = with_sources(wanted)
    # A view is a fresh relation: facts built from nested joins otherwise confuse Ibis's
    # join-chain flattening when the first lookup is joined on.
    rows = rows.view()
    columns = set(rows.columns)
    if "person_id" in columns and columns.isdisjoint((*PERSON_COLUMNS, BIRTH)):
        rows = person_first(rows, tables, wanted)
    if BIRTH in rows.columns:  # age at each period's end, from the person's birth date
        rows = rows.mutate(age=age_on(rows[BIRTH], rows.period_last)).drop(BIRTH)
    if "provider_code" in columns and wants(wanted, "provider_name", "provider_type"):
        rows = with_provider(rows, tables)
    if "site_code" in columns and wants(wanted, "site_name", "site_icb_code"):
        rows = with_site(rows, tables)
    if needs_legal_status(list(columns)) and wants(wanted, "legal_status_group"):
        rows = with_legal_status(rows, tables)
    if {"icb_code", "site_icb_code"} <= set(rows.columns):
        rows = rows.mutate(is_in_area=rows.site_icb_code == rows.icb_code)
    return rows

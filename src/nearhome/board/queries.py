"""The board's census: who is in a bed today, described as Ibis expressions.

Current inpatients are open spells (null ``discharge_date``) with their current ward stay,
the person, their current Mental Health Act legal status, any open CRFD period already
submitted through MHSDS, and the OAP flags carried on the spell. The caller's scope is part
of the expression, so rows outside it are never read into the web app at all.

Expressions are nouns (``current_inpatients``); the ``fetch_*`` functions are the board's
execution point (``Warehouse.execute``), returning small pandas frames with plain Python
dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pandas as pd

from nearhome.board.scope import Scope, ScopeKind
from nearhome.data.warehouse import Warehouse

CENSUS_COLUMNS = (
    "spell_id",
    "person_id",
    "local_patient_id",
    "person_icb_code",
    "provider_code",
    "provider_name",
    "ward_code",
    "site_code",
    "site_name",
    "bed_type_code",
    "distance_home_km",
    "admission_date",
    "estimated_discharge_date",
    "is_oap",
    "is_inappropriate_oap",
    "oap_reason_code",
    "sending_provider_code",
    "legal_status_code",
    "legal_status_group",
    "mhsds_crfd_start_date",
    "mhsds_crfd_reason_code",
    "mhsds_crfd_attributable_to_code",
)
"""The columns of a census frame, in order."""

_DATE_COLUMNS = ("admission_date", "estimated_discharge_date", "mhsds_crfd_start_date")


@dataclass(frozen=True)
class CensusTables:
    """The canonical tables the census reads; the optional ones may be absent."""

    spell: ir.Table
    ward_stay: ir.Table
    person: ir.Table
    mha_period: ir.Table | None = None
    crfd_period: ir.Table | None = None
    site: ir.Table | None = None
    provider: ir.Table | None = None
    ward: ir.Table | None = None


def census_tables(warehouse: Warehouse) -> CensusTables:
    """The census tables of a warehouse (spell, ward_stay and person are required).

    Raises:
        NotFound: a required table is missing (the warehouse has not been loaded).
    """

    def optional(name: str) -> ir.Table | None:
        return warehouse.table(name) if warehouse.has_table(name) else None

    return CensusTables(
        spell=warehouse.table("spell"),
        ward_stay=warehouse.table("ward_stay"),
        person=warehouse.table("person"),
        mha_period=optional("mha_period"),
        crfd_period=optional("crfd_period"),
        site=optional("site"),
        provider=optional("provider"),
        ward=optional("ward"),
    )


def _latest(table: ir.Table, key: str, order: str) -> ir.Table:
    """One row per ``key``: the one with the latest ``order`` value."""
    window = ibis.window(group_by=table[key], order_by=ibis.desc(table[order]))
    ranked = table.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def _open_on(table: ir.Table, today: date, end: str = "end_date") -> ir.Table:
    """Rows whose half-open [start_date, end) interval contains ``today``."""
    start = table.start_date.cast("date")
    finish = table[end].cast("date")
    return table.filter(start <= today, finish.isnull() | (finish > today))


def current_ward_stays(ward_stay: ir.Table, today: date) -> ir.Table:
    """Each open spell's current ward stay (the latest one that contains ``today``)."""
    stays = _latest(_open_on(ward_stay, today), "spell_id", "start_date")
    return stays.select(
        "spell_id",
        "ward_code",
        "site_code",
        stay_provider_code=stays.provider_code,
        bed_type_code=stays.bed_type_code.cast("string"),
        distance_home_km=stays.distance_home_km.cast("float64"),
    )


def current_legal_status(mha_period: ir.Table, today: date) -> ir.Table:
    """Each person's legal status today (the latest period that contains ``today``)."""
    periods = _latest(_open_on(mha_period, today), "person_id", "start_date")
    return periods.select(
        mha_person_id=periods.person_id,
        legal_status_code=periods.legal_status_code.cast("string"),
        legal_status_group=periods.legal_status_group.cast("string"),
    )


def open_mhsds_crfd(crfd_period: ir.Table, today: date) -> ir.Table:
    """Each spell's CRFD period open today as submitted through MHSDS."""
    periods = _latest(_open_on(crfd_period, today), "spell_id", "start_date")
    return periods.select(
        crfd_spell_id=periods.spell_id,
        mhsds_crfd_start_date=periods.start_date.cast("date"),
        mhsds_crfd_reason_code=periods.reason_code.cast("string"),
        mhsds_crfd_attributable_to_code=periods.attributable_to_code.cast("string"),
    )


def _scope_filter(census: ir.Table, scope: Scope) -> ir.Table:
    """The scope as a filter; ``Scope.admits`` is the same rule for one record."""
    if scope.kind is ScopeKind.ALL:
        return census
    if scope.is_empty or scope.column is None:
        return census.filter(ibis.literal(False))
    return census.filter(census[scope.column].isin(list(scope.codes)))


def current_inpatients(tables: CensusTables, *, today: date, scope: Scope) -> ir.Table:
    """One row per current inpatient in ``scope``, with the columns of ``CENSUS_COLUMNS``."""
    spell = tables.spell
    spells = spell.filter(
        spell.discharge_date.isnull(), spell.admission_date.cast("date") <= today
    )
    census = spells.select(
        "spell_id",
        "person_id",
        "provider_code",
        admission_date=spells.admission_date.cast("date"),
        estimated_discharge_date=spells.estimated_discharge_date.cast("date"),
        is_oap=spells.is_oap.cast("boolean"),
        is_inappropriate_oap=spells.is_inappropriate_oap.cast("boolean"),
        oap_reason_code=spells.oap_reason_code.cast("string"),
        sending_provider_code=spells.sending_provider_code.cast("string"),
    )
    census = census.left_join(
        current_ward_stays(tables.ward_stay, today), "spell_id"
    ).drop("spell_id_right", "stay_provider_code")
    person = tables.person.select(
        p_person_id=tables.person.person_id,
        local_patient_id=tables.person.local_patient_id.cast("string"),
        person_icb_code=tables.person.icb_code.cast("string"),
    )
    census = census.left_join(person, census.person_id == person.p_person_id).drop(
        "p_person_id"
    )
    census = _with_optional(census, tables, today)
    return (
        _scope_filter(census, scope)
        .select(*CENSUS_COLUMNS)
        .order_by("ward_code", "spell_id")
    )


def _with_optional(census: ir.Table, tables: CensusTables, today: date) -> ir.Table:
    """Join the tables a minimal warehouse may lack, or add their columns as nulls."""
    if tables.mha_period is not None:
        legal = current_legal_status(tables.mha_period, today)
        census = census.left_join(legal, census.person_id == legal.mha_person_id).drop(
            "mha_person_id"
        )
    else:
        census = census.mutate(
            legal_status_code=ibis.null("string"),
            legal_status_group=ibis.null("string"),
        )
    if tables.crfd_period is not None:
        crfd = open_mhsds_crfd(tables.crfd_period, today)
        census = census.left_join(crfd, census.spell_id == crfd.crfd_spell_id).drop(
            "crfd_spell_id"
        )
    else:
        census = census.mutate(
            mhsds_crfd_start_date=ibis.null("date"),
            mhsds_crfd_reason_code=ibis.null("string"),
            mhsds_crfd_attributable_to_code=ibis.null("string"),
        )
    return _with_names(census, tables)


def _with_names(census: ir.Table, tables: CensusTables) -> ir.Table:
    if tables.site is not None:
        site = tables.site.select(
            s_site_code=tables.site.site_code, site_name=tables.site.site_name
        )
        census = census.left_join(site, census.site_code == site.s_site_code).drop(
            "s_site_code"
        )
    else:
        census = census.mutate(site_name=ibis.null("string"))
    if tables.provider is not None:
        provider = tables.provider.select(
            pr_code=tables.provider.provider_code,
            provider_name=tables.provider.provider_name,
        )
        census = census.left_join(
            provider, census.provider_code == provider.pr_code
        ).drop("pr_code")
    else:
        census = census.mutate(provider_name=ibis.null("string"))
    return census


def ward_beds(ward: ir.Table, *, today: date, scope: Scope) -> ir.Table:
    """Beds on each ward valid today (``valid_to`` is exclusive), within a ward or trust scope."""
    valid = ward.filter(
        ward.valid_from.cast("date") <= today,
        ward.valid_to.isnull() | (ward.valid_to.cast("date") > today),
    )
    beds = valid.select(
        "ward_code",
        "provider_code",
        bed_type_code=valid.bed_type_code.cast("string"),
        beds=valid.beds.cast("int64"),
    )
    if scope.kind is ScopeKind.WARDS and not scope.is_empty:
        return beds.filter(beds.ward_code.isin(list(scope.codes)))
    if scope.kind is ScopeKind.PROVIDER and not scope.is_empty:
        return beds.filter(beds.provider_code.isin(list(scope.codes)))
    return beds.filter(ibis.literal(False))


def spell_keys(spell: ir.Table, spell_ids: Sequence[str]) -> ir.Table:
    """``spell_id``, ``person_id`` and ``provider_code`` of the given spells (for exports)."""
    return spell.filter(spell.spell_id.isin(list(spell_ids))).select(
        "spell_id", "person_id", "provider_code"
    )


def census_overview(tables: CensusTables, *, today: date) -> ir.Table:
    """Current inpatients counted by ward, trust and home ICB (for seeding demo accounts)."""
    everyone = current_inpatients(tables, today=today, scope=Scope.everyone())
    return everyone.group_by("ward_code", "provider_code", "person_icb_code").aggregate(
        patients=everyone.spell_id.count()
    )


# --- execution: the board's one place that runs warehouse expressions ----------------------


def fetch_census(warehouse: Warehouse, *, today: date, scope: Scope) -> pd.DataFrame:
    """Run the census for ``scope`` on ``today`` and return it with Python ``date`` values."""
    frame = warehouse.execute(
        current_inpatients(census_tables(warehouse), today=today, scope=scope)
    )
    return _plain(frame)


def fetch_ward_beds(warehouse: Warehouse, *, today: date, scope: Scope) -> pd.DataFrame:
    """Beds per ward today within ``scope`` (empty when the warehouse has no ward table)."""
    if not warehouse.has_table("ward"):
        return pd.DataFrame(
            columns=["ward_code", "provider_code", "bed_type_code", "beds"]
        )
    return warehouse.execute(
        ward_beds(warehouse.table("ward"), today=today, scope=scope)
    )


def fetch_spell_keys(warehouse: Warehouse, spell_ids: Sequence[str]) -> pd.DataFrame:
    """Person and provider of each given spell."""
    if not spell_ids:
        return pd.DataFrame(columns=["spell_id", "person_id", "provider_code"])
    return warehouse.execute(spell_keys(warehouse.table("spell"), spell_ids))


def fetch_census_overview(warehouse: Warehouse, *, today: date) -> pd.DataFrame:
    """Inpatients by ward, trust and home ICB, largest first."""
    expr = census_overview(census_tables(warehouse), today=today)
    return warehouse.execute(expr.order_by(ibis.desc("patients"), "ward_code"))


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``datetime.date`` or ``None``, and missing values as ``None`` throughout."""
    out = frame.astype(object).where(frame.notna(), None)
    for column in _DATE_COLUMNS:
        out[column] = [
            None if v is None else pd.Timestamp(v).date() for v in out[column]
        ]
    return out

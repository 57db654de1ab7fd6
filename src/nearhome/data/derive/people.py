"""People: demographics and the publication's GP-practice-else-residence attribution."""

from __future__ import annotations

import ibis
from ibis.expr.types import DateValue, Table, Value

from nearhome.data.derive.core import (
    PSEUDO_PRACTICES,
    Tables,
    code_table,
    in_list,
    latest,
    month_start,
    raw,
)

# --- geography and people -----------------------------------------------------------------


def geography(tables: Tables) -> Table:
    """LSOA → sub-ICB, ICB, region, IMD decile, centroid (from ``geography.csv``)."""
    return tables["ref_geography"]


def sub_icb_lookup(tables: Tables) -> Table:
    """Sub-ICB → ICB and region, from the geography file."""
    geo = tables["ref_geography"]
    return geo.select("sub_icb_code", "icb_code", "region_code").distinct(
        on="sub_icb_code", keep="first"
    )


def person(tables: Tables) -> Table:
    """One row per person: demographics and the publication's GP-else-residence sub-ICB."""
    mpi = latest(raw(tables, "MHS001MPI"), ["Person_ID"])
    gp_all = raw(tables, "MHS002GP")
    gp = latest(
        gp_all.filter(
            gp_all.EndDateGMPRegistration.isnull()
            & ~in_list(gp_all.GMPReg, PSEUDO_PRACTICES)
            & gp_all.OrgIDSubICBLocGP.notnull()
        ),
        ["Person_ID"],
    ).select(gp_person="Person_ID", gp_sub_icb="OrgIDSubICBLocGP")
    flags = latest(raw(tables, "MHS005PatInd"), ["Person_ID"]).select(
        pi_person="Person_ID",
        ld_status_code="LDStatus",
        autism_status_code="AutismStatus",
    )
    ethnic = code_table("ethnic_category", ["code", "group"]).rename(
        eth_code="code", ethnic_group="group"
    )
    joined = (
        mpi.left_join(gp, mpi.Person_ID == gp.gp_person)
        .left_join(flags, mpi.Person_ID == flags.pi_person)
        .left_join(ethnic, mpi.EthnicCategory == ethnic.eth_code)
    )
    sub_icb = ibis.coalesce(joined.gp_sub_icb, joined.OrgIDSubICBLocResidence)
    people = joined.mutate(sub_icb_code=sub_icb)
    lookup = sub_icb_lookup(tables).rename(
        lk_sub="sub_icb_code", lk_icb="icb_code", lk_region="region_code"
    )
    geo = tables["ref_geography"].select(geo_lsoa="lsoa_code", imd_decile="imd_decile")
    people = people.left_join(lookup, people.sub_icb_code == lookup.lk_sub).left_join(
        geo, geo.geo_lsoa == people.LSOA2011
    )
    return people.select(
        person_id=people.Person_ID,
        local_patient_id=people.LocalPatientId,
        birth_date=ibis.coalesce(people.PersonBirthDate, _estimated_birth_date(people)),
        gender_code=_gender(people.GenderIDCode, people.Gender),
        ethnic_category_code=ibis.coalesce(people.EthnicCategory, ibis.literal("99")),
        ethnic_group=ibis.coalesce(people.ethnic_group, ibis.literal("Not known")),
        lsoa_code=people.LSOA2011,
        sub_icb_code=ibis.coalesce(people.sub_icb_code, ibis.literal("UNKNOWN")),
        icb_code=ibis.coalesce(
            people.lk_icb, people.OrgIDICBRes, ibis.literal("UNKNOWN")
        ),
        region_code=ibis.coalesce(people.lk_region, ibis.literal("UNKNOWN")),
        imd_decile=people.imd_decile.cast("int64"),
        imd_quintile=((people.imd_decile.cast("int64") + 1) // 2).cast("int64"),
        ld_status_code=people.ld_status_code,
        autism_status_code=people.autism_status_code,
        death_date=people.PersDeathDate,
        la_code=people.LADistrictAuth,
    )


def _gender(identity: Value, stated: Value) -> Value:
    """Gender identity if valid (1-4), else stated gender if valid (1, 2, 9), else unknown."""
    return ibis.cases(  # type: ignore[no-any-return]
        (in_list(identity, ["1", "2", "3", "4"]), identity),
        (in_list(stated, ["1", "2", "9"]), stated),
        else_=ibis.literal("U"),
    )


def _estimated_birth_date(mpi: Table) -> DateValue:
    """Mid-year estimate from ``AgeRepPeriodEnd`` when no birth date was submitted."""
    period_end = month_start(mpi.UniqMonthID + 1)
    days = (mpi.AgeRepPeriodEnd.cast("float64") * 365.25 + 182).round().cast("int32")
    return period_end - days.as_interval("D")  # type: ignore[no-any-return]

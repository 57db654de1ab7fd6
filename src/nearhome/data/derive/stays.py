"""Referrals, hospital spells and ward stays: v5 bed types mapped to v6, sites, distance."""

from __future__ import annotations

import ibis
from ibis import _
from ibis.expr.types import Table, Value

from nearhome.data.derive.core import (
    FIRST_V6_MONTH,
    Tables,
    built,
    code_table,
    great_circle_km,
    latest,
    raw,
)
from nearhome.data.derive.people import person

# --- referrals, spells, ward stays -------------------------------------------------------


def referral(tables: Tables) -> Table:
    """One row per referral, with its out-of-area placement flags."""
    ref = latest(raw(tables, "MHS101Referral"), ["UniqServReqID"])
    reasons = code_table("oap_reason", ["code", "is_oap", "is_inappropriate"])
    joined = ref.left_join(reasons, ref.ReasonOAT == reasons.code)
    return joined.select(
        referral_id=joined.UniqServReqID,
        person_id=joined.Person_ID,
        provider_code=joined.OrgIDProv,
        referring_org_code=joined.OrgIDReferringOrg,
        received_date=joined.ReferralRequestReceivedDate,
        closed_date=joined.ServDischDate,
        oap_reason_code=joined.ReasonOAT,
        is_oap=ibis.coalesce(joined.is_oap, ibis.literal(False)),
        is_inappropriate_oap=ibis.coalesce(
            joined.is_inappropriate, ibis.literal(False)
        ),
    )


def _ward_details(tables: Tables) -> Table:
    details = latest(raw(tables, "MHS903WardDetails"), ["UniqWardCode"])
    return details.select(wd_uniq="UniqWardCode", wd_site="SiteIDOfWard")


def _bed_type_v6(stays: Table) -> Value:
    """v6 bed type: v5 codes (months before April 2024) go through the crosswalk."""
    return ibis.ifelse(
        stays.UniqMonthID < FIRST_V6_MONTH, stays.cw_v6, stays.MHAdmittedPatientClass
    )


def site(tables: Tables) -> Table:
    """Sites with the LSOA and ICB of their nearest LSOA centroid.

    The nearest centroid (the lowest LSOA code among equally near ones) is found by two
    grouped minimums, not by ranking every site-LSOA pair: ranking sorts each site's
    tens of thousands of pairs, where a minimum keeps one value per site.
    """
    sites = tables["ref_sites"]
    geo = tables["ref_geography"].select(
        g_lsoa="lsoa_code", g_icb="icb_code", g_lat="latitude", g_lon="longitude"
    )
    pairs = sites.select("site_code", "latitude", "longitude").cross_join(geo)
    pairs = pairs.select(
        "site_code",
        "g_lsoa",
        _km=great_circle_km(pairs.latitude, pairs.longitude, pairs.g_lat, pairs.g_lon),
    )
    least = pairs.group_by(_least_site="site_code").aggregate(_least_km=pairs._km.min())
    candidates = pairs.view()
    nearest = candidates.join(
        least,
        [
            candidates.site_code == least._least_site,
            candidates._km == least._least_km,
        ],
    )
    chosen = nearest.group_by("site_code").aggregate(lsoa_code=nearest.g_lsoa.min())
    icbs = geo.select("g_lsoa", "g_icb")
    located = sites.left_join(chosen, "site_code").left_join(
        icbs, chosen.lsoa_code == icbs.g_lsoa
    )
    return located.select(
        "site_code",
        "provider_code",
        "site_name",
        "latitude",
        "longitude",
        "lsoa_code",
        icb_code=located.g_icb,
    )


def ward_stay(tables: Tables) -> Table:
    """One row per ward stay: v6 bed type, site, distance from home and the site's ICB."""
    stays = latest(raw(tables, "MHS502WardStay"), ["UniqWardStayID"])
    crosswalk = code_table("bed_type_crosswalk", ["v5_code", "v6_code"]).rename(
        cw_v5="v5_code", cw_v6="v6_code"
    )
    wards = (
        tables["ref_wards"]
        .select(rw_ward="ward_code", rw_site="site_code")
        .distinct(on="rw_ward", keep="first")
    )
    details = _ward_details(tables)
    spells = latest(raw(tables, "MHS501HospProvSpell"), ["UniqHospProvSpellID"]).select(
        sp_id="UniqHospProvSpellID", sp_person="Person_ID"
    )
    joined = (
        stays.left_join(crosswalk, stays.MHAdmittedPatientClass == crosswalk.cw_v5)
        .left_join(details, stays.UniqWardCode == details.wd_uniq)
        .left_join(wards, stays.WardCode == wards.rw_ward)
        .left_join(spells, stays.UniqHospProvSpellID == spells.sp_id)
    )
    joined = joined.mutate(
        site_code=ibis.coalesce(joined.wd_site, joined.SiteIDOfTreat, joined.rw_site),
        # Not ``person_id``: DuckDB matches names regardless of case, so a column of
        # that name beside ``Person_ID`` would be read as the submitted one.
        stay_person=ibis.coalesce(joined.sp_person, joined.Person_ID),
    )
    people = built(tables, "person", person).select(
        p_id="person_id", p_lsoa="lsoa_code"
    )
    geo = tables["ref_geography"].select(
        h_lsoa="lsoa_code", h_lat="latitude", h_lon="longitude"
    )
    sites = built(tables, "site", site).select(
        s_code="site_code", s_lat="latitude", s_lon="longitude", s_icb="icb_code"
    )
    located = (
        joined.left_join(people, joined.stay_person == people.p_id)
        .left_join(geo, _.p_lsoa == geo.h_lsoa)
        .left_join(sites, joined.site_code == sites.s_code)
    )
    derived_km = great_circle_km(
        located.h_lat, located.h_lon, located.s_lat, located.s_lon
    )
    return located.select(
        ward_stay_id=located.UniqWardStayID,
        spell_id=located.UniqHospProvSpellID,
        person_id=located.stay_person,
        provider_code=located.OrgIDProv,
        ward_code=located.WardCode,
        site_code=located.site_code,
        start_date=located.StartDateWardStay,
        end_date=located.EndDateWardStay,
        bed_type_code=_bed_type_v6(located),
        bed_type_source_code=located.MHAdmittedPatientClass,
        security_level_code=located.WardSecLevel,
        distance_home_km=ibis.coalesce(located.WardLocDistanceHome, derived_km),
        is_distance_derived=located.WardLocDistanceHome.isnull() & derived_km.notnull(),
        site_icb_code=located.s_icb,
    )


def spell(tables: Tables) -> Table:
    """One row per hospital spell with LOS, transfer-in, first/last bed type and OAP flags."""
    spells = latest(raw(tables, "MHS501HospProvSpell"), ["UniqHospProvSpellID"])
    sources = code_table("admission_source", ["code", "is_transfer_in"]).rename(
        src_code="code"
    )
    refs = built(tables, "referral", referral).select(
        r_id="referral_id",
        r_oap="is_oap",
        r_inapp="is_inappropriate_oap",
        r_reason="oap_reason_code",
        r_sender="referring_org_code",
    )
    stays = built(tables, "ward_stay", ward_stay)
    ends = (
        stays.group_by("spell_id")
        .aggregate(
            first_bed=stays.bed_type_code.argmin(stays.start_date),
            last_bed=stays.bed_type_code.argmax(stays.start_date),
        )
        .rename(e_spell="spell_id")
    )
    joined = (
        spells.left_join(sources, spells.SourceAdmMHHospProvSpell == sources.src_code)
        .left_join(refs, spells.UniqServReqID == refs.r_id)
        .left_join(ends, spells.UniqHospProvSpellID == ends.e_spell)
    )
    is_oap = ibis.coalesce(joined.r_oap, ibis.literal(False))
    return joined.select(
        spell_id=joined.UniqHospProvSpellID,
        person_id=joined.Person_ID,
        referral_id=joined.UniqServReqID,
        provider_code=joined.OrgIDProv,
        admission_date=joined.StartDateHospProvSpell,
        discharge_date=joined.DischDateHospProvSpell,
        admission_method_code=joined.MethAdmMHHospProvSpell,
        admission_source_code=joined.SourceAdmMHHospProvSpell,
        discharge_method_code=joined.MethOfDischMHHospProvSpell,
        discharge_destination_code=joined.DestOfDischHospProvSpell,
        estimated_discharge_date=joined.EstimatedDischDateHospProvSpell,
        los_days=joined.DischDateHospProvSpell.delta(
            joined.StartDateHospProvSpell, unit="day"
        ),
        is_transfer_in=ibis.coalesce(joined.is_transfer_in, ibis.literal(False)),
        first_bed_type_code=joined.first_bed,
        last_bed_type_code=joined.last_bed,
        is_oap=is_oap,
        is_inappropriate_oap=ibis.coalesce(joined.r_inapp, ibis.literal(False)),
        oap_reason_code=joined.r_reason,
        sending_provider_code=ibis.ifelse(is_oap, joined.r_sender, ibis.null("string")),
    )

"""Events within stays: leave, Mental Health Act periods, CRFD periods, restrictive
interventions, care contacts; and ward capacity from the reference files and MHS903."""

from __future__ import annotations

import ibis
from ibis.expr.types import Table, Value

from nearhome.data.derive.core import Tables, code_table, latest, month_start, raw

CRFD_COLUMNS = (
    "crfd_id",
    "spell_id",
    "person_id",
    "provider_code",
    "start_date",
    "end_date",
    "reason_code",
    "reason_source_code",
    "reason_group",
    "attributable_to_code",
    "responsible_la_code",
    "source_table",
)


def leave(tables: Tables) -> Table:
    """Home leave, leave of absence and AWOL periods, one table with a ``kind``."""
    parts = []
    for name, kind, start, end in (
        ("MHS509HomeLeave", "home_leave", "StartDateHomeLeave", "EndDateHomeLeave"),
        (
            "MHS510LeaveOfAbsence",
            "leave_of_absence",
            "StartDateMHLeaveAbs",
            "EndDateMHLeaveAbs",
        ),
        (
            "MHS511AbsenceWithoutLeave",
            "awol",
            "StartDateMHAbsWOLeave",
            "EndDateMHAbsWOLeave",
        ),
    ):
        rows = latest(raw(tables, name), ["UniqWardStayID", start])
        parts.append(
            rows.select(
                ward_stay_id=rows.UniqWardStayID,
                person_id=rows.Person_ID,
                kind=ibis.literal(kind),
                start_date=rows[start],
                end_date=rows[end],
            )
        )
    stays = latest(raw(tables, "MHS502WardStay"), ["UniqWardStayID"]).select(
        ws_id="UniqWardStayID", spell_id="UniqHospProvSpellID"
    )
    union = ibis.union(*parts)
    joined = union.left_join(stays, union.ward_stay_id == stays.ws_id)
    return joined.select(
        "ward_stay_id", "spell_id", "person_id", "kind", "start_date", "end_date"
    )


def mha_period(tables: Tables) -> Table:
    """Mental Health Act legal status periods with their detention class."""
    periods = latest(raw(tables, "MHS401MHActPeriod"), ["UniqMHActEpisodeID"])
    groups = code_table("legal_status", ["code", "group"]).rename(
        ls_code="code", ls_group="group"
    )
    joined = periods.left_join(groups, periods.LegalStatusCode == groups.ls_code)
    return joined.select(
        mha_id=joined.UniqMHActEpisodeID,
        person_id=joined.Person_ID,
        provider_code=joined.OrgIDProv,
        legal_status_code=joined.LegalStatusCode,
        legal_status_group=ibis.coalesce(joined.ls_group, ibis.literal("other")),
        start_date=joined.StartDateMHActLegalStatusClass,
        expiry_date=joined.ExpiryDateMHActLegalStatusClass,
        end_date=joined.EndDateMHActLegalStatusClass,
    )


def crfd_period(tables: Tables) -> Table:
    """CRFD periods: v5 delayed discharges ∪ v6 CRFD ∪ board entries, on v6 reason codes."""
    v5 = latest(raw(tables, "MHS504DelayedDischarge"), ["MHS504UniqID"])
    v5_codes = code_table("delay_reason_v5", ["code", "group", "v6_code"]).rename(
        r_code="code", r_group="group", r_v6="v6_code"
    )
    v5j = v5.left_join(v5_codes, v5.DelayDischReason == v5_codes.r_code)
    v5_rows = v5j.select(
        crfd_id=v5j.MHS504UniqID,
        spell_id=v5j.UniqHospProvSpellID,
        person_id=v5j.Person_ID,
        provider_code=v5j.OrgIDProv,
        start_date=v5j.StartDateDelayDisch,
        end_date=v5j.EndDateDelayDisch,
        reason_code=_blank_to_null(v5j.r_v6),
        reason_source_code=v5j.DelayDischReason,
        reason_group=ibis.coalesce(v5j.r_group, ibis.literal("not_known")),
        attributable_to_code=v5j.AttribToIndic,
        responsible_la_code=v5j.OrgIDRespLADelayDisch,
        source_table=ibis.literal("MHS504"),
    )
    v6 = latest(raw(tables, "MHS518ClinReadyforDischarge"), ["MHS518UniqID"])
    v6_codes = code_table("crfd_reason", ["code", "group"]).rename(
        r_code="code", r_group="group"
    )
    v6j = v6.left_join(v6_codes, v6.ClinReadyforDischDelayReason == v6_codes.r_code)
    v6_rows = v6j.select(
        crfd_id=v6j.MHS518UniqID,
        spell_id=v6j.UniqHospProvSpellID,
        person_id=v6j.Person_ID,
        provider_code=v6j.OrgIDProv,
        start_date=v6j.StartDateClinReadyforDisch,
        end_date=v6j.EndDateClinReadyforDisch,
        reason_code=v6j.ClinReadyforDischDelayReason,
        reason_source_code=v6j.ClinReadyforDischDelayReason,
        reason_group=ibis.coalesce(v6j.r_group, ibis.literal("not_known")),
        attributable_to_code=v6j.AttribToIndic,
        responsible_la_code=v6j.OrgIDRespLAClinReadyforDisch,
        source_table=ibis.literal("MHS518"),
    )
    # A delay open at the v5→v6 switch is resubmitted in MHS518 under a new id: keep the
    # v6 record and drop the v5 one with the same spell and start date.
    resubmitted = v6_rows.select(dup_spell="spell_id", dup_start="start_date")
    v5_rows = v5_rows.anti_join(
        resubmitted,
        [
            v5_rows.spell_id == resubmitted.dup_spell,
            v5_rows.start_date == resubmitted.dup_start,
        ],
    )
    parts = [v5_rows, v6_rows]
    if "board_crfd_period" in tables:
        parts.append(tables["board_crfd_period"].select(*CRFD_COLUMNS))
    return ibis.union(*[p.cast(parts[0].schema()) for p in parts])


def _blank_to_null(column: Value) -> Value:
    return column.nullif("")  # type: ignore[attr-defined,no-any-return]


def restrictive_intervention(tables: Tables) -> Table:
    """One row per intervention type within an incident, with timestamps and duration.

    ``intervention_records`` is the number of type records sharing the row's incident
    and type (one intervention, MHS77): nearly always 1. A metric counting
    interventions counts those rows as they are and counts distinct only the few
    others, instead of hashing every intervention's key in every query.
    """
    types = latest(
        raw(tables, "MHS515RestrictiveInterventType"), ["UniqRestrictiveIntTypeID"]
    )
    incidents = latest(
        raw(tables, "MHS505RestrictiveInterventInc"), ["UniqRestrictiveIntIncID"]
    ).select(i_id="UniqRestrictiveIntIncID", i_reason="RestrictiveIntReason")
    groups = code_table("ri_type", ["code", "group"]).rename(
        t_code="code", t_group="group"
    )
    joined = types.left_join(
        incidents, types.UniqRestrictiveIntIncID == incidents.i_id
    ).left_join(groups, types.RestrictiveIntType == groups.t_code)
    start_at = _timestamp(
        joined.StartDateRestrictiveIntType, joined.StartTimeRestrictiveIntType
    )
    end_at = _timestamp(
        joined.EndDateRestrictiveIntType, joined.EndTimeRestrictiveIntType
    )
    intervention = ibis.window(
        group_by=[joined.UniqRestrictiveIntIncID, joined.RestrictiveIntType]
    )
    return joined.select(
        ri_id=joined.UniqRestrictiveIntTypeID,
        incident_id=joined.UniqRestrictiveIntIncID,
        spell_id=joined.UniqHospProvSpellID,
        person_id=joined.Person_ID,
        provider_code=joined.OrgIDProv,
        type_code=joined.RestrictiveIntType,
        type_group=joined.t_group,
        reason_code=joined.i_reason,
        start_at=start_at,
        end_at=end_at,
        start_date=joined.StartDateRestrictiveIntType,
        duration_minutes=end_at.delta(start_at, unit="minute"),
        has_injury=joined.RestraintInjuryPatient == "Y",
        intervention_records=joined.UniqRestrictiveIntTypeID.count().over(intervention),
    )


def _timestamp(date: Value, time: Value) -> Value:
    """Date plus time of day (midnight when the time is missing)."""
    return ibis.timestamp(  # type: ignore[call-overload,no-any-return]
        date.year(),  # type: ignore[attr-defined]
        date.month(),  # type: ignore[attr-defined]
        date.day(),  # type: ignore[attr-defined]
        ibis.coalesce(time.hour(), 0),  # type: ignore[attr-defined]
        ibis.coalesce(time.minute(), 0),  # type: ignore[attr-defined]
        ibis.coalesce(time.second(), 0),  # type: ignore[attr-defined]
    )


def care_contact(tables: Tables) -> Table:
    """Care contacts (for 72-hour follow-up and previous contact)."""
    contacts = latest(raw(tables, "MHS201CareContact"), ["UniqCareContID"])
    return contacts.select(
        contact_id=contacts.UniqCareContID,
        person_id=contacts.Person_ID,
        provider_code=contacts.OrgIDProv,
        referral_id=contacts.UniqServReqID,
        contact_date=contacts.CareContDate,
        attend_status_code=contacts.AttendStatus,
        consultation_mechanism_code=contacts.ConsMechanismMH,
    )


def ward(tables: Tables) -> Table:
    """Wards and their beds over time (from ``wards.csv``)."""
    wards = tables["ref_wards"]
    return wards.select(
        "ward_code",
        "site_code",
        "provider_code",
        "bed_type_code",
        "beds",
        "valid_from",
        "valid_to",
    )


def ward_month(tables: Tables) -> Table:
    """Available and closed bed days per ward and month (from MHS903, v6)."""
    details = raw(tables, "MHS903WardDetails")
    monthly = latest(details, ["UniqWardCode", "UniqMonthID"])
    return monthly.select(
        ward_code=ibis.coalesce(monthly.WardCode, monthly.UniqWardCode),
        provider_code=monthly.OrgIDProv,
        site_code=monthly.SiteIDOfWard,
        month_start=month_start(monthly.UniqMonthID),
        available_bed_days=monthly.AvailBedDays,
        closed_bed_days=monthly.ClosedBedDays,
    )

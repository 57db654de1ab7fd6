"""The simulated world as MHSDS event tables (before monthly expansion).

One function per table, each returning the table's ``Records``: which provider and
person each record belongs to, when it is active, and its fields. Version differences
live here: before April 2024 ward stays carry v5 bed types and ``SiteIDOfTreat`` and
delays go to MHS504 with v5 reasons; from April 2024 ward stays carry v6 bed types and
``UniqWardCode`` (with MHS903 describing the wards) and delays go to MHS518.
"""

from __future__ import annotations

import numpy as np

from nearhome.data.synthetic.columns import (
    NO_DAY,
    ByMonth,
    ByVersion,
    Clock,
    Coded,
    Day,
    Ident,
    Real,
    Text,
)
from nearhome.data.synthetic.draws import IntArray
from nearhome.data.synthetic.leave import Leave
from nearhome.data.synthetic.restrictive import MINUTES_PER_DAY
from nearhome.data.synthetic.simulation import World
from nearhome.data.synthetic.snapshot import Records

REFERRAL, SPELL, WARD_STAY, MHA, INCIDENT, INTERVENTION, CONTACT, DELAY = "RSWMITCD"


def event_records(world: World) -> list[Records]:
    """Records of every event table (everything but MPI, GP and patient indicators)."""
    return [
        referrals(world), onward_referrals(world), care_contacts(world), legal_periods(world),
        spells(world), ward_stays(world), *ready_periods(world), incidents(world),
        intervention_types(world),
        leave_table(world, world.leave, "MHS509HomeLeave", ("StartDateHomeLeave", "EndDateHomeLeave"), detained=False),
        leave_table(world, world.leave, "MHS510LeaveOfAbsence", ("StartDateMHLeaveAbs", "EndDateMHLeaveAbs"), detained=True),
        leave_table(world, world.awol, "MHS511AbsenceWithoutLeave", ("StartDateMHAbsWOLeave", "EndDateMHAbsWOLeave"), detained=None),
        ward_details(world),
    ]  # fmt: skip


def _numbers(n: int) -> IntArray:
    return np.arange(n, dtype=np.int64)


def referrals(world: World) -> Records:
    """MHS101: spell referrals (OAP reasons on the receiving side) and community ones."""
    r = world.referrals
    n = len(r.person)
    codes = world.estate.provider_codes
    return Records(
        table="MHS101Referral", provider=r.provider, person=r.person, start=r.received,
        end=r.closed, closing=frozenset({"ServDischDate"}),
        columns={
            "UniqServReqID": Ident(r.provider, _numbers(n), REFERRAL),
            "ReferralRequestReceivedDate": Day(r.received),
            "ServDischDate": Day(r.closed),
            "OrgIDReferringOrg": Coded(r.referrer, codes),
            "ReasonOAT": Text(r.oap_reason),
            "PrimReasonReferralMH": Text(r.primary_reason),
        },
    )  # fmt: skip


def onward_referrals(world: World) -> Records:
    """MHS105: the home trust's onward referrals to out-of-area providers."""
    o, r = world.onward, world.referrals
    return Records(
        table="MHS105OnwardReferral", provider=r.provider[o.referral], person=r.person[o.referral],
        start=o.day, end=o.day,
        columns={
            "UniqServReqID": Ident(r.provider[o.referral], o.referral, REFERRAL),
            "OnwardReferDate": Day(o.day),
            "OATReason": Text(o.reason),
            "OrgIDReceiving": Coded(o.receiving, world.estate.provider_codes),
        },
    )  # fmt: skip


def care_contacts(world: World) -> Records:
    """MHS201: community contacts before admission and after discharge."""
    c, r = world.contacts, world.referrals
    provider = r.provider[c.referral]
    return Records(
        table="MHS201CareContact", provider=provider, person=r.person[c.referral],
        start=c.day, end=c.day,
        columns={
            "UniqCareContID": Ident(provider, _numbers(len(c.day)), CONTACT),
            "UniqServReqID": Ident(provider, c.referral, REFERRAL),
            "CareContDate": Day(c.day),
            "AttendStatus": Text(c.attend),
            "ConsMechanismMH": Text(c.mechanism),
        },
    )  # fmt: skip


def legal_periods(world: World) -> Records:
    """MHS401: legal status periods as each provider records them."""
    m = world.legal
    return Records(
        table="MHS401MHActPeriod", provider=m.provider, person=m.person, start=m.start,
        end=m.end, closing=frozenset({"EndDateMHActLegalStatusClass"}),
        columns={
            "UniqMHActEpisodeID": Ident(m.provider, _numbers(len(m.start)), MHA),
            "StartDateMHActLegalStatusClass": Day(m.start),
            "ExpiryDateMHActLegalStatusClass": Day(m.expiry),
            "EndDateMHActLegalStatusClass": Day(m.end),
            "LegalStatusCode": Text(m.code),
        },
    )  # fmt: skip


def spells(world: World) -> Records:
    """MHS501: hospital provider spells."""
    s = world.stays
    n = len(s.spell_start)
    return Records(
        table="MHS501HospProvSpell", provider=s.spell_provider, person=s.spell_person,
        start=s.spell_start, end=s.spell_end,
        closing=frozenset({"DischDateHospProvSpell", "MethOfDischMHHospProvSpell", "DestOfDischHospProvSpell"}),
        columns={
            "UniqHospProvSpellID": Ident(s.spell_provider, _numbers(n), SPELL),
            "UniqServReqID": Ident(s.spell_provider, _numbers(n), REFERRAL),
            "StartDateHospProvSpell": Day(s.spell_start),
            "DischDateHospProvSpell": Day(s.spell_end),
            "SourceAdmMHHospProvSpell": Text(s.admission_source),
            "MethAdmMHHospProvSpell": Text(s.admission_method),
            "EstimatedDischDateHospProvSpell": Day(s.estimated_discharge),
            "MethOfDischMHHospProvSpell": Text(s.discharge_method),
            "DestOfDischHospProvSpell": Text(s.discharge_destination),
        },
    )  # fmt: skip


def ward_stays(world: World) -> Records:
    """MHS502: ward stays with bed type, security level, ward, site and distance."""
    s, e = world.stays, world.estate
    spell = s.stay_spell
    provider = s.spell_provider[spell]
    profiles = world.calibration.bed_types
    v5 = np.array([p.v5_code for p in profiles])
    v6 = np.array([p.code for p in profiles])
    security = np.array([p.security_level for p in profiles])
    ward = Coded(s.stay_ward, e.ward_codes)
    none = Coded(np.full(len(spell), -1), np.zeros(0, dtype=str))
    return Records(
        table="MHS502WardStay", provider=provider, person=s.spell_person[spell],
        start=s.stay_start, end=s.stay_end, closing=frozenset({"EndDateWardStay"}),
        columns={
            "UniqWardStayID": Ident(provider, _numbers(len(spell)), WARD_STAY),
            "UniqHospProvSpellID": Ident(provider, spell, SPELL),
            "StartDateWardStay": Day(s.stay_start),
            "EndDateWardStay": Day(s.stay_end),
            "MHAdmittedPatientClass": ByVersion(Coded(s.stay_type, v5), Coded(s.stay_type, v6)),
            "WardSecLevel": Coded(s.stay_type, security),
            "WardCode": ward,
            "UniqWardCode": ByVersion(none, ward),
            "SiteIDOfTreat": ByVersion(Coded(e.ward_site[s.stay_ward], e.site_codes), none),
            "WardLocDistanceHome": Real(s.stay_distance),
        },
    )  # fmt: skip


def ready_periods(world: World) -> list[Records]:
    """MHS504 (v5 months) and MHS518 (v6 months): the same periods, coded by version."""
    c, s = world.ready, world.stays
    provider = s.spell_provider[c.spell]
    person = s.spell_person[c.spell]
    ident = Ident(provider, _numbers(len(c.spell)), DELAY)
    spell = Ident(provider, c.spell, SPELL)
    la_codes = world.geo.la_codes
    la = world.geo.lsoa_la[world.people.lsoa[person]]
    v5_attributable = np.where(c.housing, "07", c.attributable)
    v5_la = np.where(v5_attributable == "04", -1, la)
    v6_la = np.where(c.attributable == "04", -1, la)
    common = {"provider": provider, "person": person, "start": c.start, "end": c.end}
    return [
        Records(
            table="MHS504DelayedDischarge", versions="v5", closing=frozenset({"EndDateDelayDisch"}),
            columns={
                "MHS504UniqID": ident, "UniqHospProvSpellID": spell,
                "StartDateDelayDisch": Day(c.start), "EndDateDelayDisch": Day(c.end),
                "DelayDischReason": Text(c.reason_v5), "AttribToIndic": Text(v5_attributable),
                "OrgIDRespLADelayDisch": Coded(v5_la, la_codes),
            },
            **common,  # type: ignore[arg-type]
        ),
        Records(
            table="MHS518ClinReadyforDischarge", versions="v6",
            closing=frozenset({"EndDateClinReadyforDisch"}),
            columns={
                "MHS518UniqID": ident, "UniqHospProvSpellID": spell,
                "StartDateClinReadyforDisch": Day(c.start), "EndDateClinReadyforDisch": Day(c.end),
                "ClinReadyforDischDelayReason": Text(c.reason), "AttribToIndic": Text(c.attributable),
                "OrgIDRespLAClinReadyforDisch": Coded(v6_la, la_codes),
            },
            **common,  # type: ignore[arg-type]
        ),
    ]  # fmt: skip


def incidents(world: World) -> Records:
    """MHS505: restrictive intervention incidents."""
    i, s = world.interventions, world.stays
    spell = s.stay_spell[i.incident_stay]
    provider = s.spell_provider[spell]
    return Records(
        table="MHS505RestrictiveInterventInc", provider=provider, person=s.spell_person[spell],
        start=i.incident_start // MINUTES_PER_DAY, end=i.incident_end // MINUTES_PER_DAY,
        closing=frozenset({"EndDateRestrictiveIntInc", "EndTimeRestrictiveIntInc"}),
        columns={
            "UniqRestrictiveIntIncID": Ident(provider, _numbers(len(spell)), INCIDENT),
            "UniqHospProvSpellID": Ident(provider, spell, SPELL),
            "StartDateRestrictiveIntInc": Day(i.incident_start // MINUTES_PER_DAY),
            "StartTimeRestrictiveIntInc": Clock(i.incident_start),
            "EndDateRestrictiveIntInc": Day(i.incident_end // MINUTES_PER_DAY),
            "EndTimeRestrictiveIntInc": Clock(i.incident_end),
            "RestrictiveIntReason": Text(i.incident_reason),
        },
    )  # fmt: skip


def intervention_types(world: World) -> Records:
    """MHS515: the interventions (types) within each incident."""
    i, s = world.interventions, world.stays
    spell = s.stay_spell[i.incident_stay[i.type_incident]]
    provider = s.spell_provider[spell]
    return Records(
        table="MHS515RestrictiveInterventType", provider=provider, person=s.spell_person[spell],
        start=i.type_start // MINUTES_PER_DAY, end=i.type_end // MINUTES_PER_DAY,
        closing=frozenset({"EndDateRestrictiveIntType", "EndTimeRestrictiveIntType", "RestraintInjuryPatient"}),
        columns={
            "UniqRestrictiveIntTypeID": Ident(provider, _numbers(len(spell)), INTERVENTION),
            "UniqRestrictiveIntIncID": Ident(provider, i.type_incident, INCIDENT),
            "UniqHospProvSpellID": Ident(provider, spell, SPELL),
            "RestrictiveIntType": Text(i.type_code),
            "StartDateRestrictiveIntType": Day(i.type_start // MINUTES_PER_DAY),
            "StartTimeRestrictiveIntType": Clock(i.type_start),
            "EndDateRestrictiveIntType": Day(i.type_end // MINUTES_PER_DAY),
            "EndTimeRestrictiveIntType": Clock(i.type_end),
            "RestraintInjuryPatient": Text(i.type_injury),
        },
    )  # fmt: skip


def leave_table(
    world: World,
    leave: Leave,
    table: str,
    dates: tuple[str, str],
    *,
    detained: bool | None,
) -> Records:
    """MHS509 / MHS510 / MHS511: leave within ward stays."""
    keep = (
        np.ones(len(leave.stay), dtype=bool)
        if detained is None
        else leave.detained == detained
    )
    stay, start, end = leave.stay[keep], leave.start[keep], leave.end[keep]
    s = world.stays
    spell = s.stay_spell[stay]
    provider = s.spell_provider[spell]
    return Records(
        table=table, provider=provider, person=s.spell_person[spell], start=start, end=end,
        closing=frozenset({dates[1]}),
        columns={
            "UniqWardStayID": Ident(provider, stay, WARD_STAY),
            dates[0]: Day(start),
            dates[1]: Day(end),
        },
    )  # fmt: skip


def ward_details(world: World) -> Records:
    """MHS903 (v6): each ward's site and its open and closed bed days per month."""
    e, t = world.estate, world.timeline
    open_days, closed_days = ward_bed_days(world)
    n = len(e.ward_codes)
    ward = Coded(np.arange(n), e.ward_codes)
    return Records(
        table="MHS903WardDetails", provider=e.ward_provider, start=np.full(n, t.start),
        end=np.full(n, NO_DAY), versions="v6",
        columns={
            "UniqWardCode": ward, "WardCode": ward,
            "SiteIDOfWard": Coded(e.ward_site, e.site_codes),
            "AvailBedDays": ByMonth(open_days), "ClosedBedDays": ByMonth(closed_days),
        },
    )  # fmt: skip


def ward_bed_days(world: World) -> tuple[IntArray, IntArray]:
    """Open and closed bed days of every ward in every month, shape (ward, month)."""
    e, t = world.estate, world.timeline
    lengths = np.diff(t.month_starts)
    nominal = e.ward_beds[:, None] * lengths[None, :]
    nhs = world.capacity.shape[0]
    offset = t.start - t.sim_start
    cumulative = np.concatenate(
        [
            np.zeros((nhs, 1), dtype=np.int64),
            np.cumsum(world.capacity[:, offset:], axis=1),
        ],
        axis=1,
    )
    bounds = t.month_starts - t.start
    open_days = nominal.copy()
    open_days[:nhs] = cumulative[:, bounds[1:]] - cumulative[:, bounds[:-1]]
    return open_days, nominal - open_days

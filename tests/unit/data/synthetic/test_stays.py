"""Invariants of spells, ward stays and the events within them."""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import Tables
from .frames import days, extract_span, latest


def _spells(tables: Tables) -> pd.DataFrame:
    spells = latest(tables["MHS501HospProvSpell"], "UniqHospProvSpellID")
    spells["start"] = days(spells["StartDateHospProvSpell"])
    spells["end"] = days(spells["DischDateHospProvSpell"])
    return spells


def _stays(tables: Tables) -> pd.DataFrame:
    stays = latest(tables["MHS502WardStay"], "UniqWardStayID")
    stays["start"] = days(stays["StartDateWardStay"])
    stays["end"] = days(stays["EndDateWardStay"])
    return stays


@pytest.fixture(params=["small", "spanning"])
def tables(request: pytest.FixtureRequest) -> Tables:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def test_ward_stays_lie_inside_their_spell(tables: Tables) -> None:
    stays = _stays(tables).merge(
        _spells(tables), on="UniqHospProvSpellID", suffixes=("", "_spell")
    )
    assert (stays["start"] >= stays["start_spell"]).all()
    closed = stays["end_spell"].notna()
    assert (stays.loc[closed, "end"] <= stays.loc[closed, "end_spell"]).all()
    assert stays.loc[closed, "end"].notna().all()
    assert (stays["OrgIDProv"] == stays["OrgIDProv_spell"]).all()
    assert (stays["Person_ID"] == stays["Person_ID_spell"]).all()


def test_ward_stays_of_a_spell_do_not_overlap(tables: Tables) -> None:
    stays = _stays(tables).sort_values(
        ["UniqHospProvSpellID", "start", "UniqWardStayID"]
    )
    following = stays.groupby("UniqHospProvSpellID")["start"].shift(-1)
    ends = stays["end"]
    has_next = following.notna()
    assert (ends[has_next] <= following[has_next]).all()
    assert ends[has_next].notna().all()


def test_stays_end_on_or_after_they_start(tables: Tables) -> None:
    for frame in (_stays(tables), _spells(tables)):
        closed = frame["end"].notna()
        assert (frame.loc[closed, "end"] >= frame.loc[closed, "start"]).all()


def test_the_warm_start_has_people_already_in_beds(small: Tables) -> None:
    first, _ = extract_span(small)
    spells = _spells(small)
    assert (spells["start"] < first).sum() > 10
    assert (spells["start"] < first - pd.Timedelta(days=365)).any()


def test_leave_lies_inside_its_ward_stay(spanning: Tables) -> None:
    stays = _stays(spanning)
    for table, start, end in (
        ("MHS509HomeLeave", "StartDateHomeLeave", "EndDateHomeLeave"),
        ("MHS510LeaveOfAbsence", "StartDateMHLeaveAbs", "EndDateMHLeaveAbs"),
        ("MHS511AbsenceWithoutLeave", "StartDateMHAbsWOLeave", "EndDateMHAbsWOLeave"),
    ):
        leave = latest(spanning[table], ["UniqWardStayID", start])
        joined = leave.merge(stays, on="UniqWardStayID", how="left")
        assert joined["start"].notna().all(), table
        assert (days(joined[start]) >= joined["start"]).all(), table
        closed = joined["end"].notna() & joined[end].notna()
        assert (days(joined.loc[closed, end]) <= joined.loc[closed, "end"]).all(), table
        assert (
            days(joined[end]).fillna(days(joined[start])) >= days(joined[start])
        ).all(), table


def test_leave_periods_of_a_stay_do_not_overlap(spanning: Tables) -> None:
    leave = latest(
        spanning["MHS509HomeLeave"], ["UniqWardStayID", "StartDateHomeLeave"]
    )
    leave = leave.assign(
        start=days(leave["StartDateHomeLeave"]), end=days(leave["EndDateHomeLeave"])
    )
    leave = leave.sort_values(["UniqWardStayID", "start"])
    following = leave.groupby("UniqWardStayID")["start"].shift(-1)
    has_next = following.notna() & leave["end"].notna()
    assert (leave.loc[has_next, "end"] < following[has_next]).all()


def test_events_lie_inside_their_spell(spanning: Tables) -> None:
    spells = _spells(spanning)[
        ["UniqHospProvSpellID", "start", "end", "OrgIDProv", "Person_ID"]
    ]
    for table, start, end in (
        (
            "MHS505RestrictiveInterventInc",
            "StartDateRestrictiveIntInc",
            "EndDateRestrictiveIntInc",
        ),
        (
            "MHS515RestrictiveInterventType",
            "StartDateRestrictiveIntType",
            "EndDateRestrictiveIntType",
        ),
        (
            "MHS518ClinReadyforDischarge",
            "StartDateClinReadyforDisch",
            "EndDateClinReadyforDisch",
        ),
        ("MHS504DelayedDischarge", "StartDateDelayDisch", "EndDateDelayDisch"),
    ):
        key = [
            c
            for c in spanning[table].columns
            if c.startswith("Uniq") or c.endswith("UniqID")
        ][0]
        events = latest(spanning[table], key).merge(
            spells, on="UniqHospProvSpellID", suffixes=("", "_spell")
        )
        assert len(events) == spanning[table][key].nunique(), table
        assert (days(events[start]) >= events["start"]).all(), table
        closed = events["end"].notna() & events[end].notna()
        assert (
            days(events.loc[closed, end])
            <= events.loc[closed, "end"] + pd.Timedelta(days=1)
        ).all(), table
        assert (events["OrgIDProv"] == events["OrgIDProv_spell"]).all(), table


def test_restrictive_types_belong_to_their_incident(spanning: Tables) -> None:
    incidents = latest(
        spanning["MHS505RestrictiveInterventInc"], "UniqRestrictiveIntIncID"
    )
    types = latest(
        spanning["MHS515RestrictiveInterventType"], "UniqRestrictiveIntTypeID"
    )
    joined = types.merge(incidents, on="UniqRestrictiveIntIncID", suffixes=("", "_inc"))
    assert len(joined) == len(types)
    assert (joined["UniqHospProvSpellID"] == joined["UniqHospProvSpellID_inc"]).all()
    assert (
        days(joined["StartDateRestrictiveIntType"])
        >= days(joined["StartDateRestrictiveIntInc"])
    ).all()
    times = joined["StartTimeRestrictiveIntType"].dropna()
    assert times.str.fullmatch(r"\d\d:\d\d:\d\d").all()


def test_every_spell_hangs_off_a_referral_at_its_provider(tables: Tables) -> None:
    referrals = latest(tables["MHS101Referral"], "UniqServReqID")
    spells = _spells(tables).merge(referrals, on="UniqServReqID", suffixes=("", "_ref"))
    assert len(spells) == tables["MHS501HospProvSpell"]["UniqHospProvSpellID"].nunique()
    assert (spells["OrgIDProv"] == spells["OrgIDProv_ref"]).all()
    assert (days(spells["ReferralRequestReceivedDate"]) <= spells["start"]).all()


def test_out_of_area_spells_name_the_home_trust_as_referrer(small: Tables) -> None:
    referrals = latest(small["MHS101Referral"], "UniqServReqID")
    oap = referrals[referrals["ReasonOAT"] == "10"]
    assert len(oap) > 0
    assert (oap["OrgIDReferringOrg"] != oap["OrgIDProv"]).all()
    assert oap["OrgIDReferringOrg"].str.startswith("T").all()
    stays = _stays(small).merge(
        _spells(small)[["UniqHospProvSpellID", "UniqServReqID"]],
        on="UniqHospProvSpellID",
    )
    away = stays["UniqServReqID"].isin(oap["UniqServReqID"])
    assert (
        stays.loc[away, "WardLocDistanceHome"].median()
        > 2 * stays.loc[~away, "WardLocDistanceHome"].median()
    )


def test_deaths_are_rare_and_final(spanning: Tables) -> None:
    spells = _spells(spanning)
    died = spells[spells["MethOfDischMHHospProvSpell"] == "4"]
    assert len(died) < 0.03 * len(spells)
    assert (died["DestOfDischHospProvSpell"] == "79").all()
    later = spells.merge(
        died[["Person_ID", "end"]], on="Person_ID", suffixes=("", "_death")
    )
    assert (later["start"] <= later["end_death"]).all()

"""Monthly snapshots: resubmission of active records, keys and record numbers."""

from __future__ import annotations

import pandas as pd

from nearhome.data.schema import TABLE_BY_NAME

from .conftest import Tables
from .frames import days, month_end, month_start


def test_keys_are_unique_within_each_month(spanning: Tables) -> None:
    for name, frame in spanning.items():
        spec = TABLE_BY_NAME.get(name)
        if spec is None:
            continue
        key = ["UniqMonthID", *spec.key]
        if name == "MHS903WardDetails":
            key = ["UniqMonthID", "OrgIDProv", *spec.key]
        assert not frame.duplicated(key).any(), name


def test_record_numbers_are_one_per_person_provider_month(spanning: Tables) -> None:
    mpi = spanning["MHS001MPI"]
    assert not mpi.duplicated(["UniqMonthID", "RecordNumber"]).any()
    assert not mpi.duplicated(["UniqMonthID", "OrgIDProv", "Person_ID"]).any()


def test_every_event_row_joins_an_mpi_row_of_the_same_month(spanning: Tables) -> None:
    mpi = spanning["MHS001MPI"][
        ["UniqMonthID", "RecordNumber", "OrgIDProv", "Person_ID"]
    ]
    for name, frame in spanning.items():
        spec = TABLE_BY_NAME.get(name)
        if spec is None or not spec.person_level or name == "MHS001MPI":
            continue
        rows = frame[
            ["UniqMonthID", "RecordNumber", "OrgIDProv", "Person_ID"]
        ].drop_duplicates()
        joined = rows.merge(mpi, how="left", indicator=True)
        assert (joined["_merge"] == "both").all(), name


def test_non_person_rows_never_share_a_person_record_number(spanning: Tables) -> None:
    wards = spanning["MHS903WardDetails"]
    clash = wards.merge(spanning["MHS001MPI"], on=["UniqMonthID", "RecordNumber"])
    assert clash.empty
    assert not wards.duplicated(["UniqMonthID", "RecordNumber"]).any()


def test_an_open_spell_is_resubmitted_every_month_until_discharge(
    spanning: Tables,
) -> None:
    spells = spanning["MHS501HospProvSpell"]
    by_spell = spells.groupby("UniqHospProvSpellID")
    months = by_spell["UniqMonthID"].agg(["min", "max", "count"])
    assert (months["count"] == months["max"] - months["min"] + 1).all()
    assert (months["count"] > 3).any()
    first_month = int(spells["UniqMonthID"].min())
    for spell_id, rows in list(by_spell)[:200]:
        rows = rows.sort_values("UniqMonthID")
        start = days(rows["StartDateHospProvSpell"]).iloc[0]
        discharged = rows["DischDateHospProvSpell"].notna()
        assert discharged.sum() <= 1, spell_id
        assert not discharged.iloc[:-1].any(), spell_id
        if discharged.iloc[-1]:
            end = days(rows["DischDateHospProvSpell"]).iloc[-1]
            assert month_start(int(rows["UniqMonthID"].iloc[-1])) <= end
            assert end <= month_end(int(rows["UniqMonthID"].iloc[-1]))
            assert rows["MethOfDischMHHospProvSpell"].iloc[-1] is not pd.NA
        else:
            assert rows["MethOfDischMHHospProvSpell"].isna().all()
        if start >= month_start(first_month):
            assert (
                month_start(int(rows["UniqMonthID"].iloc[0]))
                <= start
                <= month_end(int(rows["UniqMonthID"].iloc[0]))
            )


def test_values_that_do_not_close_stay_the_same_every_month(spanning: Tables) -> None:
    spells = spanning["MHS501HospProvSpell"]
    stable = [
        "StartDateHospProvSpell",
        "SourceAdmMHHospProvSpell",
        "MethAdmMHHospProvSpell",
        "OrgIDProv",
        "Person_ID",
    ]
    assert (
        (spells.groupby("UniqHospProvSpellID")[stable].nunique(dropna=False) == 1)
        .all()
        .all()
    )


def test_people_appear_in_the_mpi_only_in_months_with_activity(small: Tables) -> None:
    mpi = small["MHS001MPI"][["UniqMonthID", "OrgIDProv", "Person_ID"]]
    events = pd.concat(
        frame[["UniqMonthID", "OrgIDProv", "Person_ID"]]
        for name, frame in small.items()
        if name in TABLE_BY_NAME
        and TABLE_BY_NAME[name].person_level
        and name[:6] not in {"MHS001", "MHS002", "MHS005"}
    ).drop_duplicates()
    assert len(events) == len(mpi)


def test_age_is_the_age_at_the_end_of_the_month(small: Tables) -> None:
    mpi = small["MHS001MPI"]
    born = days(mpi["PersonBirthDate"])
    ends = mpi["UniqMonthID"].map(lambda m: month_end(int(m)))
    years = (ends - born).dt.days / 365.25
    assert ((years - mpi["AgeRepPeriodEnd"].astype(float)).abs() < 1).all()
    assert (mpi["AgeRepPeriodEnd"].astype(float) <= years + 0.01).all()

"""Person tables: MPI (MHS001), GP registration (MHS002) and indicators (MHS005).

A provider submits a person's MPI row in every month it submits anything else about
them, so these tables are built from the (month, provider, person) keys of all the
event rows, not from the people themselves. Age is the age at the end of the month, and
a death date appears once the person has died.
"""

from __future__ import annotations

import numpy as np

from nearhome.data.synthetic.columns import NO_DAY, Coded, Day, Ident, Whole
from nearhome.data.synthetic.draws import IntArray
from nearhome.data.synthetic.patients import NO_PRACTICE, PSEUDO_PRACTICE
from nearhome.data.synthetic.simulation import World
from nearhome.data.synthetic.snapshot import Records, split_key

LOCAL_PATIENT = "L"


def person_records(world: World, keys: IntArray) -> list[Records]:
    """MPI, GP and patient-indicator records for each (month, provider, person) key."""
    providers = len(world.estate.provider_codes)
    month, provider, person = split_key(keys, providers, len(world.people))
    day = world.timeline.month_starts[month]
    last_day = world.timeline.month_starts[month + 1] - 1
    return [
        _mpi(world, provider, person, day, last_day),
        _gp(world, provider, person, day),
        _indicators(world, provider, person, day),
    ]


def _mpi(
    world: World,
    provider: IntArray,
    person: IntArray,
    day: IntArray,
    last_day: IntArray,
) -> Records:
    p, g = world.people, world.geo
    lsoa = p.lsoa[person]
    death = world.stays.death_day[person]
    return Records(
        table="MHS001MPI", provider=provider, person=person, start=day, end=day,
        columns={
            "LocalPatientId": Ident(provider, person, LOCAL_PATIENT),
            "PersonBirthDate": Day(p.birth_day[person]),
            "AgeRepPeriodEnd": Whole(age_on(p.birth_day[person], last_day)),
            "Gender": Coded(p.sex[person] - 1, np.array(["1", "2"])),
            "GenderIDCode": Coded.of(p.gender_identity).take(person),
            "EthnicCategory": Coded.of(p.ethnic_code).take(person),
            "LSOA2011": Coded(lsoa, g.lsoa_codes),
            "OrgIDSubICBLocResidence": Coded(g.lsoa_sub_icb[lsoa], g.sub_icb_codes),
            "OrgIDICBRes": Coded(g.lsoa_icb[lsoa], g.icb_codes),
            "LADistrictAuth": Coded(g.lsoa_la[lsoa], g.la_codes),
            "PersDeathDate": Day(np.where(death <= last_day, death, NO_DAY)),
        },
    )  # fmt: skip


def _gp(world: World, provider: IntArray, person: IntArray, day: IntArray) -> Records:
    p, g = world.people, world.geo
    practice = p.practice[person]
    keep = practice != NO_PRACTICE
    practice, person, provider, day = (
        practice[keep],
        person[keep],
        provider[keep],
        day[keep],
    )
    labels = np.append(g.practice_codes, world.calibration.people.pseudo_practice)
    pseudo = practice == PSEUDO_PRACTICE
    return Records(
        table="MHS002GP", provider=provider, person=person, start=day, end=day,
        columns={
            "GMPReg": Coded(np.where(pseudo, len(labels) - 1, practice), labels),
            "StartDateGMPRegistration": Day(p.registered_day[person]),
            "OrgIDSubICBLocGP": Coded(np.where(pseudo, -1, g.practice_sub_icb[np.maximum(practice, 0)]), g.sub_icb_codes),
        },
    )  # fmt: skip


def _indicators(
    world: World, provider: IntArray, person: IntArray, day: IntArray
) -> Records:
    p = world.people
    keep = p.ld_status[person] != ""
    person, provider, day = person[keep], provider[keep], day[keep]
    return Records(
        table="MHS005PatInd", provider=provider, person=person, start=day, end=day,
        columns={
            "LDStatus": Coded.of(p.ld_status).take(person),
            "AutismStatus": Coded.of(p.autism_status).take(person),
        },
    )  # fmt: skip


def age_on(birth: IntArray, day: IntArray) -> IntArray:
    """Whole years of age on ``day`` (both day numbers)."""
    b = np.asarray(birth).astype("datetime64[D]")
    d = np.asarray(day).astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) - b.astype(
        "datetime64[Y]"
    ).astype(np.int64)
    return years - (_month_day(d) < _month_day(b)).astype(np.int64)


def _month_day(days: np.ndarray) -> IntArray:
    """Month and day within the year as ``MMDD`` (month from 0), for ordering."""
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    return (month.astype(np.int64) % 12) * 100 + day_of_month

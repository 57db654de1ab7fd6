"""A hand-built tiny extract: twelve people, three months (March–May 2024), v5 and v6.

Every record is written out literally below, with what it is for; the only thing done by
code is the MHSDS monthly-snapshot expansion (a record is resubmitted in every month it is
active). Metric tests assert hand-computed values from these records.

Months: 2024-03 is UniqMonthID 1488 (v5 codes); 2024-04 is 1489 and 2024-05 is 1490 (v6).
Provider RAA is the home NHS trust (site RAA01, ICB QAA); NAB is an independent provider
(site NAB01, far away in ICB QBB).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from nearhome.data.schema import REFERENCE_FILES, TABLE_BY_NAME
from nearhome.periods import uniq_month_id

MONTHS = (1488, 1489, 1490)
FIRST_MONTH = dt.date(2024, 3, 1)
LAST_DAY = dt.date(2024, 5, 31)

GEOGRAPHY = [
    # lsoa, sub-ICB, ICB, region, IMD decile, lat, lon
    ("E01000001", "01A", "QAA", "Y60", 1, 52.00, -1.00),
    ("E01000002", "01A", "QAA", "Y60", 5, 52.05, -1.05),
    ("E01000003", "02B", "QBB", "Y61", 9, 53.50, -2.00),
]
PROVIDERS = [
    ("RAA", "Tiny Mental Health NHS Trust", "NHS"),
    ("NAB", "Tiny Independent Hospitals", "Independent"),
]
SITES = [
    ("RAA01", "RAA", "Tiny Hospital", 52.01, -1.01),
    ("NAB01", "NAB", "Far Hospital", 53.49, -2.01),
]
WARDS = [
    # ward, site, provider, bed type, beds, valid from, valid to
    ("W1", "RAA01", "RAA", "200", 10, "2020-01-01", ""),
    ("W2", "RAA01", "RAA", "202", 6, "2020-01-01", ""),
    ("W4", "RAA01", "RAA", "201", 8, "2020-01-01", ""),
    ("W3", "NAB01", "NAB", "200", 12, "2020-01-01", ""),
]

# People: id, birth date, gender, ethnic category, LSOA, GP sub-ICB ('' = none: residence used)
PEOPLE = [
    ("P01", "1980-05-01", "2", "A", "E01000001", "01A"),
    ("P02", "1990-01-15", "1", "N", "E01000001", ""),
    ("P03", "1975-07-07", "1", "M", "E01000002", "01A"),
    ("P04", "1985-02-02", "2", "A", "E01000002", "01A"),
    ("P05", "1984-03-03", "1", "H", "E01000001", "01A"),
    ("P06", "1970-06-06", "2", "A", "E01000002", "01A"),
    ("P07", "1995-09-09", "1", "A", "E01000001", "01A"),
    ("P08", "1954-01-01", "2", "B", "E01000002", "01A"),
    ("P09", "2000-12-12", "1", "Z", "E01000001", "01A"),
    ("P10", "1988-08-08", "1", "N", "E01000001", "01A"),
    ("P11", "1979-11-11", "2", "A", "E01000003", "02B"),
    ("P12", "1999-04-04", "2", "A", "E01000002", "01A"),
]

# Referrals: id, person, receiving provider, received, closed, referring org, ReasonOAT
REFERRALS = [
    (
        "R04",
        "P04",
        "NAB",
        "2024-04-25",
        "2024-05-10",
        "RAA",
        "10",
    ),  # inappropriate OAP, ends next month
    (
        "R11",
        "P11",
        "NAB",
        "2024-03-05",
        "2024-03-25",
        "RAA",
        "14",
    ),  # appropriate OAP (patient choice)
]

# Spells: id, person, provider, referral, admitted, discharged, source, method, EDD
SPELLS = [
    (
        "S01",
        "P01",
        "RAA",
        "",
        "2024-03-10",
        "2024-04-20",
        "19",
        "21",
        "2024-04-15",
    ),  # LOS 41, home leave
    (
        "S02",
        "P02",
        "RAA",
        "",
        "2024-03-31",
        "2024-03-31",
        "19",
        "21",
        "",
    ),  # same-day admission and discharge
    (
        "S03",
        "P03",
        "RAA",
        "",
        "2024-02-01",
        "",
        "19",
        "21",
        "",
    ),  # open; W1 then PICU W2 (transfer)
    ("S04", "P04", "NAB", "R04", "2024-04-25", "2024-05-10", "19", "21", ""),  # the OAP
    (
        "S05",
        "P05",
        "RAA",
        "",
        "2024-04-01",
        "2024-05-31",
        "19",
        "21",
        "2024-05-01",
    ),  # LOS 60: long stay
    (
        "S06",
        "P06",
        "RAA",
        "",
        "2024-03-01",
        "",
        "19",
        "21",
        "",
    ),  # open; CRFD across v5 and v6
    (
        "S07A",
        "P07",
        "RAA",
        "",
        "2024-03-01",
        "2024-03-20",
        "19",
        "21",
        "",
    ),  # index discharge
    (
        "S07B",
        "P07",
        "RAA",
        "",
        "2024-03-30",
        "2024-04-15",
        "19",
        "21",
        "",
    ),  # readmitted after 10 days
    (
        "S08",
        "P08",
        "RAA",
        "",
        "2024-03-05",
        "2024-05-20",
        "19",
        "21",
        "",
    ),  # older adult, LOS 76
    (
        "S09",
        "P09",
        "RAA",
        "",
        "2024-04-10",
        "",
        "49",
        "81",
        "",
    ),  # informal, transfer in; AWOL
    (
        "S10",
        "P10",
        "RAA",
        "",
        "2024-05-02",
        "",
        "19",
        "21",
        "",
    ),  # detained on admission (s2 then s3)
    (
        "S11",
        "P11",
        "NAB",
        "R11",
        "2024-03-05",
        "2024-03-25",
        "19",
        "21",
        "",
    ),  # appropriate OAP
]

# Ward stays: id, spell, ward, start, end, bed type as submitted in the v6 months (v5 code for March)
WARD_STAYS = [
    ("WS01", "S01", "W1", "2024-03-10", "2024-04-20", "200", "10"),
    ("WS02", "S02", "W1", "2024-03-31", "2024-03-31", "200", "10"),
    ("WS03A", "S03", "W1", "2024-02-01", "2024-03-15", "200", "10"),
    ("WS03B", "S03", "W2", "2024-03-15", "", "202", "12"),
    ("WS04", "S04", "W3", "2024-04-25", "2024-05-10", "200", "10"),
    ("WS05", "S05", "W1", "2024-04-01", "2024-05-31", "200", "10"),
    ("WS06", "S06", "W1", "2024-03-01", "", "200", "10"),
    ("WS07A", "S07A", "W1", "2024-03-01", "2024-03-20", "200", "10"),
    ("WS07B", "S07B", "W1", "2024-03-30", "2024-04-15", "200", "10"),
    ("WS08", "S08", "W4", "2024-03-05", "2024-05-20", "201", "11"),
    ("WS09", "S09", "W1", "2024-04-10", "", "200", "10"),
    ("WS10", "S10", "W1", "2024-05-02", "", "200", "10"),
    ("WS11", "S11", "W3", "2024-03-05", "2024-03-25", "200", "10"),
]
DISTANCE_KM = {
    "WS04": 180.0
}  # submitted WardLocDistanceHome; others derived from LSOA centroids

# CRFD: the same delay submitted as v5 MHS504 in March and as v6 MHS518 from April
DELAYS_V5 = [("D06", "S06", "2024-03-20", "", "J2", "07")]  # open at the end of March
CRFD_V6 = [
    (
        "C06",
        "S06",
        "2024-03-20",
        "2024-04-10",
        "18",
        "05",
    ),  # same period, closed 10 April
    (
        "C05",
        "S05",
        "2024-05-01",
        "2024-05-31",
        "15",
        "05",
    ),  # housing; ends on discharge
]
# MHA: id, person, start, end, legal status
MHA = [
    ("M03", "P03", "2024-02-01", "", "03"),
    ("M09", "P09", "2024-04-10", "", "01"),
    ("M10A", "P10", "2024-05-02", "2024-05-29", "02"),
    ("M10B", "P10", "2024-05-29", "", "03"),
]
# Restrictive interventions: incident, spell, date, start, end, types (id, type, start, end, injury)
RESTRAINT = [
    ("I03", "S03", "2024-04-02", "10:00:00", "10:20:00", "11"),
]
RESTRAINT_TYPES = [
    (
        "T03A",
        "I03",
        "S03",
        "01",
        "2024-04-02",
        "10:00:00",
        "2024-04-02",
        "10:20:00",
        "N",
    ),  # prone, 20 min
    (
        "T03B",
        "I03",
        "S03",
        "05",
        "2024-04-02",
        "10:20:00",
        "2024-04-03",
        "10:20:00",
        "N",
    ),  # seclusion, 24 h
]
HOME_LEAVE = [("WS01", "2024-04-05", "2024-04-08")]  # 3 nights away from the ward
AWOL = [("WS09", "2024-04-15", "2024-04-16")]
CONTACTS = [
    ("CC01", "P01", "RAA", "2024-04-22", "5", "01")
]  # followed up 2 days after discharge


def _month_active(start: str, end: str, month: int) -> bool:
    first = dt.date(1900, 4, 1)
    index = first.year * 12 + first.month - 1 + month - 1
    month_start = dt.date(index // 12, index % 12 + 1, 1)
    next_index = index + 1
    month_end = dt.date(next_index // 12, next_index % 12 + 1, 1)
    begins = dt.date.fromisoformat(start)
    ends = dt.date.fromisoformat(end) if end else None
    return begins < month_end and (ends is None or ends >= month_start)


def _row_base(
    person: str, provider: str, month: int, records: dict[tuple[str, str, int], int]
) -> dict[str, Any]:
    key = (person, provider, month)
    if key not in records:
        records[key] = len(records) + 1
    return {
        "UniqMonthID": month,
        "RecordNumber": records[key],
        "OrgIDProv": provider,
        "Person_ID": person,
    }


def tiny_tables() -> dict[str, list[dict[str, Any]]]:  # noqa: C901, PLR0912
    """Rows of every MHSDS table, expanded into monthly snapshots."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_BY_NAME}
    records: dict[tuple[str, str, int], int] = {}
    person_of = {s[0]: s[1] for s in SPELLS}
    provider_of = {s[0]: s[2] for s in SPELLS}
    spell_of_stay = {w[0]: w[1] for w in WARD_STAYS}
    active: set[tuple[str, str, int]] = set()
    for month in MONTHS:
        for sid, pid, prov, ref, start, end, source, method, edd in SPELLS:
            if not _month_active(start, end, month):
                continue
            active.add((pid, prov, month))
            tables["MHS501HospProvSpell"].append(
                _row_base(pid, prov, month, records)
                | {
                    "UniqHospProvSpellID": sid,
                    "UniqServReqID": ref or f"REF{sid}",
                    "StartDateHospProvSpell": start,
                    "DischDateHospProvSpell": end
                    if end and uniq_month_id(dt.date.fromisoformat(end)) <= month
                    else "",
                    "SourceAdmMHHospProvSpell": source,
                    "MethAdmMHHospProvSpell": method,
                    "EstimatedDischDateHospProvSpell": edd,
                    "MethOfDischMHHospProvSpell": "1" if end else "",
                    "DestOfDischHospProvSpell": "19" if end else "",
                }
            )
        for wid, sid, ward, start, end, v6, v5 in WARD_STAYS:
            if not _month_active(start, end, month):
                continue
            pid, prov = person_of[sid], provider_of[sid]
            tables["MHS502WardStay"].append(
                _row_base(pid, prov, month, records)
                | {
                    "UniqWardStayID": wid,
                    "UniqHospProvSpellID": sid,
                    "StartDateWardStay": start,
                    "EndDateWardStay": end
                    if end and uniq_month_id(dt.date.fromisoformat(end)) <= month
                    else "",
                    "MHAdmittedPatientClass": v5 if month < 1489 else v6,
                    "WardSecLevel": "0",
                    "WardCode": ward,
                    "UniqWardCode": f"{prov}{ward}" if month >= 1489 else "",
                    "SiteIDOfTreat": ("RAA01" if prov == "RAA" else "NAB01")
                    if month < 1489
                    else "",
                    "WardLocDistanceHome": DISTANCE_KM.get(wid, ""),
                }
            )
        for rid, pid, prov, received, closed, referring, reason in REFERRALS:
            if _month_active(received, closed, month):
                active.add((pid, prov, month))
                tables["MHS101Referral"].append(
                    _row_base(pid, prov, month, records)
                    | {
                        "UniqServReqID": rid,
                        "ReferralRequestReceivedDate": received,
                        "ServDischDate": closed
                        if uniq_month_id(dt.date.fromisoformat(closed)) <= month
                        else "",
                        "OrgIDReferringOrg": referring,
                        "ReasonOAT": reason,
                    }
                )
        for did, sid, start, end, reason, attrib in DELAYS_V5:
            if month < 1489 and _month_active(start, end, month):
                tables["MHS504DelayedDischarge"].append(
                    _row_base(person_of[sid], provider_of[sid], month, records)
                    | {
                        "MHS504UniqID": did,
                        "UniqHospProvSpellID": sid,
                        "StartDateDelayDisch": start,
                        "EndDateDelayDisch": end,
                        "DelayDischReason": reason,
                        "AttribToIndic": attrib,
                    }
                )
        for cid, sid, start, end, reason, attrib in CRFD_V6:
            if month >= 1489 and _month_active(start, end, month):
                tables["MHS518ClinReadyforDischarge"].append(
                    _row_base(person_of[sid], provider_of[sid], month, records)
                    | {
                        "MHS518UniqID": cid,
                        "UniqHospProvSpellID": sid,
                        "StartDateClinReadyforDisch": start,
                        "EndDateClinReadyforDisch": end
                        if uniq_month_id(dt.date.fromisoformat(end)) <= month
                        else "",
                        "ClinReadyforDischDelayReason": reason,
                        "AttribToIndic": attrib,
                    }
                )
        for mid, pid, start, end, code in MHA:
            if _month_active(start, end, month):
                tables["MHS401MHActPeriod"].append(
                    _row_base(pid, "RAA", month, records)
                    | {
                        "UniqMHActEpisodeID": mid,
                        "StartDateMHActLegalStatusClass": start,
                        "EndDateMHActLegalStatusClass": end
                        if end and uniq_month_id(dt.date.fromisoformat(end)) <= month
                        else "",
                        "LegalStatusCode": code,
                    }
                )
        for iid, sid, day, start, end, reason in RESTRAINT:
            if uniq_month_id(dt.date.fromisoformat(day)) == month:
                tables["MHS505RestrictiveInterventInc"].append(
                    _row_base(person_of[sid], provider_of[sid], month, records)
                    | {
                        "UniqRestrictiveIntIncID": iid,
                        "UniqHospProvSpellID": sid,
                        "StartDateRestrictiveIntInc": day,
                        "StartTimeRestrictiveIntInc": start,
                        "EndDateRestrictiveIntInc": day,
                        "EndTimeRestrictiveIntInc": end,
                        "RestrictiveIntReason": reason,
                    }
                )
        for tid, iid, sid, code, sday, stime, eday, etime, injury in RESTRAINT_TYPES:
            if uniq_month_id(dt.date.fromisoformat(sday)) == month:
                tables["MHS515RestrictiveInterventType"].append(
                    _row_base(person_of[sid], provider_of[sid], month, records)
                    | {
                        "UniqRestrictiveIntTypeID": tid,
                        "UniqRestrictiveIntIncID": iid,
                        "UniqHospProvSpellID": sid,
                        "RestrictiveIntType": code,
                        "StartDateRestrictiveIntType": sday,
                        "StartTimeRestrictiveIntType": stime,
                        "EndDateRestrictiveIntType": eday,
                        "EndTimeRestrictiveIntType": etime,
                        "RestraintInjuryPatient": injury,
                    }
                )
        for table, rows, start_field, end_field in (
            ("MHS509HomeLeave", HOME_LEAVE, "StartDateHomeLeave", "EndDateHomeLeave"),
            (
                "MHS511AbsenceWithoutLeave",
                AWOL,
                "StartDateMHAbsWOLeave",
                "EndDateMHAbsWOLeave",
            ),
        ):
            for wid, start, end in rows:
                if _month_active(start, end, month):
                    sid = spell_of_stay[wid]
                    tables[table].append(
                        _row_base(person_of[sid], provider_of[sid], month, records)
                        | {"UniqWardStayID": wid, start_field: start, end_field: end}
                    )
        for cid, pid, prov, day, attend, mech in CONTACTS:
            if uniq_month_id(dt.date.fromisoformat(day)) == month:
                active.add((pid, prov, month))
                tables["MHS201CareContact"].append(
                    _row_base(pid, prov, month, records)
                    | {
                        "UniqCareContID": cid,
                        "CareContDate": day,
                        "AttendStatus": attend,
                        "ConsMechanismMH": mech,
                    }
                )
        if month >= 1489:
            for ward, site, prov, _bed, beds, _f, _t in WARDS:
                tables["MHS903WardDetails"].append(
                    {
                        "UniqMonthID": month,
                        "RecordNumber": 9000 + len(tables["MHS903WardDetails"]),
                        "OrgIDProv": prov,
                        "UniqWardCode": f"{prov}{ward}",
                        "WardCode": ward,
                        "SiteIDOfWard": site,
                        "AvailBedDays": beds * (30 if month == 1489 else 31),
                        "ClosedBedDays": 0,
                    }
                )
    people = {p[0]: p for p in PEOPLE}
    for pid, prov, month in sorted(active):
        _, dob, gender, eth, lsoa, gp = people[pid]
        base = _row_base(pid, prov, month, records)
        sub = next(g[1] for g in GEOGRAPHY if g[0] == lsoa)
        tables["MHS001MPI"].append(
            base
            | {
                "LocalPatientId": f"L{pid}",
                "PersonBirthDate": dob,
                "Gender": gender,
                "EthnicCategory": eth,
                "LSOA2011": lsoa,
                "OrgIDSubICBLocResidence": sub,
                "LADistrictAuth": "E06000001",
            }
        )
        if gp:
            tables["MHS002GP"].append(
                base | {"GMPReg": "A00001", "OrgIDSubICBLocGP": gp}
            )
    return tables


def write_tiny_extract(folder: Path) -> Path:
    """Write the tiny extract (CSV) and its reference folder; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tiny_tables().items():
        if not rows:
            continue
        spec = TABLE_BY_NAME[name]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(spec.field_names))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: row.get(k, "") for k in spec.field_names})
    reference = folder / "reference"
    reference.mkdir(exist_ok=True)
    population = [
        (lsoa, 2024, sex, band, group, 100, "tiny test population")
        for lsoa, *_ in GEOGRAPHY
        for sex in ("1", "2")
        for band in ("20-24", "40-44", "70-74")
        for group in ("White", "Black")
    ]
    tables: tuple[tuple[str, list[tuple[Any, ...]]], ...] = (
        ("geography", list(GEOGRAPHY)),
        ("providers", list(PROVIDERS)),
        ("sites", list(SITES)),
        ("wards", list(WARDS)),
        ("population", list(population)),
    )
    for name, records in tables:
        with (reference / f"{name}.csv").open(
            "w", newline="", encoding="utf-8"
        ) as handle:
            plain = csv.writer(handle)
            plain.writerow([c for c, _ in REFERENCE_FILES[name]])
            plain.writerows(records)
    return folder

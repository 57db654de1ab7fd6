"""Plain-pandas reference implementations, one per metric id.

Each is written from the metric's plain-English definition in the registry, not by
translating the Ibis code: loops over periods, row-wise rules in Python where that
reads more plainly. They compute the ``all`` breakdown (England, or everything loaded)
for each period and return ``numerator``, ``denominator`` and ``value``; the backend and
unit suites compare every metric with them.

Use: ``data = load(warehouse)`` once, then ``reference(metric_id, data, periods)``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nearhome.data import codes
from nearhome.periods import ReportingPeriod

TABLES = (
    "person",
    "referral",
    "spell",
    "ward_stay",
    "leave",
    "mha_period",
    "crfd_period",
    "restrictive_intervention",
    "care_contact",
    "ward",
    "ward_month",
    "site",
    "provider",
    "geography",
    "population",
)
NAN = float("nan")
Result = tuple[float, float, float]  # numerator, denominator, value


def _day(value: object) -> dt.date | None:
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NaT
    ):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value  # type: ignore[return-value]


def load(warehouse: object) -> dict[str, pd.DataFrame]:
    """Every canonical table as a pandas frame, dates as ``datetime.date``."""
    data = {}
    for name in TABLES:
        frame = warehouse.execute(warehouse.table(name))  # type: ignore[attr-defined]
        for column in frame.columns:
            if (
                column.endswith(("_date", "_from", "_to", "month_start"))
                and column != "period"
            ):
                frame[column] = frame[column].map(_day).astype(object)
        data[name] = frame
    return data


@dataclass(frozen=True)
class Period:
    """A reporting period: ``start`` inclusive, ``end`` exclusive, ``last`` its last day."""

    start: dt.date
    end: dt.date

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


# --- shared rules, written plainly --------------------------------------------------

FAR = dt.date(9999, 12, 31)
V5_START = dt.date(2021, 10, 1)


def nights(start: dt.date, end: dt.date | None, lo: dt.date, hi: dt.date) -> int:
    """Midnights of [start, end) inside [lo, hi)."""
    upper = min(end or FAR, hi)
    lower = max(start, lo)
    return max((upper - lower).days, 0)


def open_at(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end > day)


def age(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    return years - ((day.month, day.day) < (birth.month, birth.day))


def group_codes(grouping: str, group: str | None = None) -> set[str]:
    frame = codes.bed_groupings(grouping)
    if group is not None:
        frame = frame[frame["group"] == group]
    return {str(c) for c in frame["bed_type_code"]}


ACUTE = group_codes("oap_adult_acute")


def stay_on(
    data: dict[str, pd.DataFrame], spell_ids: Sequence[str], day: dt.date
) -> pd.Series | None:
    """The ward stay of these spells on ``day``: the latest started by then, else the
    first after; ties to the one ending later."""
    stays = data["ward_stay"]
    stays = stays[stays["spell_id"].isin(list(spell_ids))]
    if stays.empty:
        return None
    started = stays[stays["start_date"] <= day]
    if not started.empty:
        latest = started["start_date"].max()
        pool = started[started["start_date"] == latest]
    else:
        first = stays["start_date"].min()
        pool = stays[stays["start_date"] == first]
    pool = pool.assign(_end=pool["end_date"].map(lambda d: d or FAR))
    return pool.sort_values(["_end", "ward_stay_id"], ascending=[False, True]).iloc[0]


def legal_group_on(data: dict[str, pd.DataFrame], person: str, day: dt.date) -> str:
    mha = data["mha_period"]
    mine = mha[mha["person_id"] == person]
    groups = {
        row.legal_status_group
        for row in mine.itertuples()
        if open_at(row.start_date, row.end_date, day)
    }
    for group in ("detention", "short_term", "cto", "guardianship", "other"):
        if group in groups:
            return group
    return "informal"


def person_row(data: dict[str, pd.DataFrame], person: str) -> pd.Series:
    people = data["person"]
    return people[people["person_id"] == person].iloc[0]


def population(
    data: dict[str, pd.DataFrame],
    year: int,
    lo: int | None = None,
    hi: int | None = None,
) -> float:
    """Residents in the age range (five-year bands spread evenly over single years)."""
    pop = data["population"]
    years = sorted(int(y) for y in pop["year"].unique())
    earlier = [y for y in years if y <= year]
    chosen = max(earlier) if earlier else min(years)
    rows = pop[pop["year"] == chosen]
    total = 0.0
    for band, count in zip(rows["age_band"], rows["count"], strict=True):
        first, _, last = str(band).replace("+", "-").partition("-")
        a, b = int(first), int(last) if last else int(first) + 9
        for one in range(a, b + 1):
            if (lo is None or one >= lo) and (hi is None or one <= hi):
                total += float(count) / (b - a + 1)
    return total


def share(numerator: float, denominator: float, scale: float) -> Result:
    return (
        numerator,
        denominator,
        (numerator / denominator * scale) if denominator else NAN,
    )


def count(n: float) -> Result:
    return float(n), NAN, float(n)


def statistic(
    values: Sequence[float], how: Callable[[Sequence[float]], float]
) -> Result:
    return NAN, float(len(values)), how(values) if len(values) else NAN


def quantile(q: float) -> Callable[[Sequence[float]], float]:
    return lambda values: float(np.quantile(np.array(values, dtype=float), q))


# --- activity -----------------------------------------------------------------------


def _spells(data: dict[str, pd.DataFrame]) -> list:  # type: ignore[type-arg]
    return list(data["spell"].itertuples())


def admissions(data, p, which="all"):
    n = 0
    for s in _spells(data):
        if not p.start <= s.admission_date < p.end:
            continue
        stay = stay_on(data, [s.spell_id], s.admission_date)
        bed = None if stay is None else stay.bed_type_code
        if which == "new" and s.is_transfer_in:
            continue
        if which == "acute_new" and (s.is_transfer_in or bed not in ACUTE):
            continue
        if which == "acute" and bed not in ACUTE:
            continue
        if which in ("detained", "informal"):
            group = legal_group_on(data, s.person_id, s.admission_date)
            if (which == "detained") != (group == "detention") or (
                which == "informal" and group != "informal"
            ):
                continue
        n += 1
    return count(n)


def discharged(data, p):
    return [
        s
        for s in _spells(data)
        if s.discharge_date is not None and p.start <= s.discharge_date < p.end
    ]


def discharges(data, p, acute=False):
    rows = discharged(data, p)
    if acute:
        rows = [
            s
            for s in rows
            if (st := stay_on(data, [s.spell_id], s.discharge_date)) is not None
            and st.bed_type_code in ACUTE
        ]
    return count(len(rows))


def open_spells(data, p):
    return [
        s for s in _spells(data) if open_at(s.admission_date, s.discharge_date, p.last)
    ]


def open_count(data, p, acute=False, people=False, where=None):
    rows = open_spells(data, p)
    if acute:
        rows = [
            s
            for s in rows
            if (st := stay_on(data, [s.spell_id], p.last)) is not None
            and st.bed_type_code in ACUTE
        ]
    if where is not None:
        rows = [s for s in rows if where(s)]
    return count(len({s.person_id for s in rows}) if people else len(rows))


# --- bed days -----------------------------------------------------------------------


def _stays(data: dict[str, pd.DataFrame]) -> list:  # type: ignore[type-arg]
    return list(data["ward_stay"].itertuples())


def bed_days(data, p, where=None):
    total = 0
    for w in _stays(data):
        if where is None or where(w):
            total += nights(w.start_date, w.end_date, p.start, p.end)
    return count(total)


def leave_nights(data, w, p):
    leave = data["leave"]
    mine = leave[
        (leave["ward_stay_id"] == w.ward_stay_id)
        & leave["kind"].isin(["home_leave", "leave_of_absence"])
    ]
    total = 0
    for row in mine.itertuples():
        lo = max(row.start_date, w.start_date, p.start)
        hi = min(row.end_date or FAR, w.end_date or FAR, p.end)
        total += max((hi - lo).days, 0)
    return total


def bed_days_less_leave(data, p):
    total = 0
    for w in _stays(data):
        total += max(
            nights(w.start_date, w.end_date, p.start, p.end) - leave_nights(data, w, p),
            0,
        )
    return count(total)


def people_during(data, p):
    people = {
        w.person_id
        for w in _stays(data)
        if w.start_date <= p.last and (w.end_date is None or w.end_date >= p.start)
    }
    return count(len(people))


def open_ward_stays(data, p, min_km=None):
    n = 0
    for w in _stays(data):
        if open_at(w.start_date, w.end_date, p.last) and (
            min_km is None
            or (w.distance_home_km is not None and w.distance_home_km >= min_km)
        ):
            n += 1
    return count(n)


def detention_days(data, person: str) -> list[tuple[dt.date, dt.date | None]]:
    mha = data["mha_period"]
    mine = mha[
        (mha["person_id"] == person) & (mha["legal_status_group"] == "detention")
    ]
    spans = sorted((r.start_date, r.end_date) for r in mine.itertuples())
    merged: list[list] = []  # type: ignore[type-arg]
    for start, end in spans:
        if merged and start <= (merged[-1][1] or FAR):
            if merged[-1][1] is not None and (end is None or end > merged[-1][1]):
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def detained_bed_days(data, p):
    total = 0
    for w in _stays(data):
        for start, end in detention_days(data, w.person_id):
            lo = max(start, w.start_date, p.start)
            hi = min(end or FAR, w.end_date or FAR, p.end)
            total += max((hi - lo).days, 0)
    return count(total)


def outside_icb(data, w) -> bool:
    icb = person_row(data, w.person_id)["icb_code"]
    return w.site_icb_code is not None and icb is not None and w.site_icb_code != icb


# --- capacity ------------------------------------------------------------------------


def capacity(data, p):
    """available, closed, occupied bed days and beds at the end, over all wards."""
    wards = data["ward"]
    months = data["ward_month"]
    available = closed = 0
    cursor = p.start
    while cursor < p.end:
        nxt = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        for key, rows in wards.groupby(["provider_code", "ward_code"]):
            sub = months[
                (months["provider_code"] == key[0])
                & (months["ward_code"] == key[1])
                & (months["month_start"] == cursor)
            ]
            sub = sub[sub["available_bed_days"].notna()]
            if not sub.empty:
                available += float(sub["available_bed_days"].sum())
                closed += float(sub["closed_bed_days"].fillna(0).sum())
            else:
                available += sum(
                    r.beds * nights(r.valid_from, r.valid_to, cursor, nxt)
                    for r in rows.itertuples()
                )
        cursor = nxt
    beds = sum(
        r.beds for r in wards.itertuples() if open_at(r.valid_from, r.valid_to, p.last)
    )
    occupied = bed_days(data, p)[0]
    return available, closed, occupied, beds


# --- length of stay --------------------------------------------------------------------


def cohort(data, s, day, group, lo, hi) -> bool:
    stay = stay_on(data, [s.spell_id], s.discharge_date)
    years = age(person_row(data, s.person_id)["birth_date"], day)
    if years < lo or (hi is not None and years > hi):
        return False
    return group is None or (
        stay is not None and stay.bed_type_code in group_codes("los_publication", group)
    )


def crfd_spell_days(data, s) -> int:
    crfd = data["crfd_period"]
    mine = crfd[crfd["spell_id"] == s.spell_id]
    mine = mine[mine["end_date"].isna() | (mine["end_date"] != mine["start_date"])]
    return sum(
        crfd_days(row, mine, s.admission_date, s.discharge_date or FAR)
        for row in mine.itertuples()
    )


def crfd_days(row, periods_of_spell, lo: dt.date, hi: dt.date) -> int:
    """MHS26: from lo if begun earlier; else the day after it began, unless it continues
    the spell's previous period (began within a day of its end, or that is still open)."""
    ordered = periods_of_spell.sort_values(["start_date", "crfd_id"])
    ids = list(ordered["crfd_id"])
    position = ids.index(row.crfd_id)
    if row.start_date < lo:
        first = lo
    elif position == 0:
        first = row.start_date + dt.timedelta(days=1)
    else:
        previous_end = ordered.iloc[position - 1]["end_date"]
        if (
            previous_end is None
            or (isinstance(previous_end, float))
            or row.start_date <= previous_end + dt.timedelta(days=1)
        ):
            first = row.start_date
        else:
            first = row.start_date + dt.timedelta(days=1)
    last = min(row.end_date or hi, hi)
    return max((last - first).days, 0)


# --- out of area ------------------------------------------------------------------------


def placements(data) -> list[dict]:
    """Overlapping OAP referrals of a person (same appropriateness) merged."""
    ref = data["referral"]
    ref = ref[ref["is_oap"]].sort_values(
        ["person_id", "is_inappropriate_oap", "received_date", "referral_id"]
    )
    out: list[dict] = []
    for (_person, _inapp), rows in ref.groupby(
        ["person_id", "is_inappropriate_oap"], sort=False
    ):
        current: dict | None = None
        for r in rows.itertuples():
            if current is not None and r.received_date <= (current["end"] or FAR):
                current["refs"].append(r.referral_id)
                if current["end"] is not None and (
                    r.closed_date is None or r.closed_date > current["end"]
                ):
                    current["end"] = r.closed_date
                continue
            current = {
                "person": r.person_id,
                "inappropriate": r.is_inappropriate_oap,
                "start": r.received_date,
                "end": r.closed_date,
                "refs": [r.referral_id],
            }
            out.append(current)
    spells = data["spell"]
    for placement in out:
        placement["spells"] = list(
            spells[spells["referral_id"].isin(placement["refs"])]["spell_id"]
        )
    return out


def oap_flow(data, p, flow, inappropriate=True, acute=False):
    total = 0
    for pl in placements(data):
        if inappropriate and not pl["inappropriate"]:
            continue
        if flow == "bed_days":
            stays = data["ward_stay"][data["ward_stay"]["spell_id"].isin(pl["spells"])]
            for w in stays.itertuples():
                if acute and w.bed_type_code not in ACUTE:
                    continue
                lo = max(pl["start"], w.start_date, p.start)
                hi = min(pl["end"] or FAR, w.end_date or FAR, p.end)
                total += max((hi - lo).days, 0)
            continue
        if flow == "started":
            hit, day = p.start <= pl["start"] < p.end, pl["start"]
        elif flow == "ended":
            hit, day = pl["end"] is not None and p.start <= pl["end"] < p.end, pl["end"]
        else:
            hit, day = open_at(pl["start"], pl["end"], p.last), p.last
        if not hit:
            continue
        if acute:
            stay = stay_on(data, pl["spells"], day)
            if stay is None or stay.bed_type_code not in ACUTE:
                continue
        total += 1
    return count(total)


# --- CRFD ------------------------------------------------------------------------------


def crfd_rows(data) -> pd.DataFrame:
    crfd = data["crfd_period"]
    return crfd[crfd["end_date"].isna() | (crfd["end_date"] != crfd["start_date"])]


def crfd_metric(data, p, what):
    crfd = crfd_rows(data)
    spells = data["spell"].set_index("spell_id")
    if what == "days":
        total = 0
        for row in crfd.itertuples():
            if row.start_date <= p.last and (
                row.end_date is None or row.end_date >= p.start
            ):
                total += crfd_days(
                    row, crfd[crfd["spell_id"] == row.spell_id], p.start, p.end
                )
        return count(total)
    if what == "started":
        return count(sum(p.start <= r.start_date < p.end for r in crfd.itertuples()))
    if what == "ended":
        return count(
            sum(
                r.end_date is not None and p.start <= r.end_date < p.end
                for r in crfd.itertuples()
            )
        )
    people = set()
    for r in crfd.itertuples():
        discharge = (
            spells.loc[r.spell_id, "discharge_date"]
            if r.spell_id in spells.index
            else None
        )
        if open_at(r.start_date, r.end_date, p.last) and (
            discharge is None or discharge > p.last
        ):
            people.add(r.person_id)
    return count(len(people))


# --- Mental Health Act -------------------------------------------------------------------

PART_3 = {
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "31",
    "32",
    "34",
}


def mha_classes(data) -> dict[str, str | None]:
    """Each legal status period's class, following the published category list."""
    mha = data["mha_period"].sort_values(["person_id", "start_date", "mha_id"])
    spells = data["spell"].sort_values(["person_id", "admission_date", "spell_id"])
    previous_destination = {}
    for _person, rows in spells.groupby("person_id"):
        last = None
        for s in rows.itertuples():
            previous_destination[s.spell_id] = last
            last = s.discharge_destination_code
    linked = {}
    for m in mha.itertuples():
        candidates = [
            s
            for s in spells.itertuples()
            if s.person_id == m.person_id
            and s.provider_code == m.provider_code
            and s.admission_date <= (m.end_date or FAR)
            and s.admission_date <= (m.expiry_date or FAR)
            and (s.discharge_date is None or s.discharge_date >= m.start_date)
        ]
        candidates.sort(key=lambda s: (s.admission_date, s.spell_id))
        linked[m.mha_id] = candidates[0] if candidates else None
    out: dict[str, str | None] = {}
    groups: dict[tuple, list] = {}  # type: ignore[type-arg]
    for m in mha.itertuples():
        spell = linked[m.mha_id]
        groups.setdefault(
            (m.person_id, None if spell is None else spell.spell_id), []
        ).append(m)
    day = dt.timedelta(days=1)
    for rows in groups.values():
        prev = None
        for m in rows:
            s = linked[m.mha_id]
            out[m.mha_id] = _classify(
                m,
                s,
                prev,
                previous_destination.get(None if s is None else s.spell_id),
                day,
            )
            prev = m
    return out


def _classify(m, s, prev, prev_dest, day):  # noqa: PLR0911
    code, start, end = m.legal_status_code, m.start_date, m.end_date
    adm = None if s is None else s.admission_date
    method = None if s is None else s.admission_method_code
    pc = None if prev is None else prev.legal_status_code
    ps = None if prev is None else prev.start_date
    pe = None if prev is None else prev.end_date

    def lt(a, b):
        return a is not None and b is not None and a < b

    def eq(a, b):
        return a is not None and b is not None and a == b

    if code == "01":
        return None
    if (
        code in ("02", "03")
        and eq(start, adm)
        and (pc is None or pc == "01" or (pe is not None and (adm - pe).days > 1))
    ):
        return "A"
    if (
        code == "02"
        and adm is not None
        and start - 5 * day <= adm <= start
        and method == "2A"
    ):
        return "A"
    if (
        code in ("02", "03")
        and adm is not None
        and (start >= adm)
        and (
            (pc is None or lt(pe, start))
            or (pc in ("04", "05", "06") and (eq(pe, start) or eq(pe, start - day)))
        )
    ):
        return "B"
    if (
        code in ("02", "03")
        and pc in ("19", "20")
        and (eq(start, pe) or (pe is not None and start == pe + day) or eq(start, ps))
        and (
            eq(adm, start)
            or (adm is not None and ps is not None and adm >= ps)
            or eq(start, pe)
        )
    ):
        return "C"
    if code in ("19", "20") and (ps is None or pc == "01" or lt(pe, start)):
        return "E"
    if (
        (code in ("04", "05", "06") and eq(start, adm))
        or (code in ("05", "06") and adm is not None and start >= adm)
    ) and (
        (pc is None or (pe is not None and pe <= start))
        or pc == "01"
        or (pc in ("02", "03") and eq(pe, start))
    ):
        return "F"
    renewable = {"03", "07", "08", "09", "10", "12", "15", "16", "17", "18"}
    if (
        code in renewable
        and lt(adm, start)
        and code == pc
        and (pe is None or pe <= start <= pe + day)
    ):
        return "G"
    if (
        code in ({"02", "03"} | PART_3)
        and lt(start, adm)
        and (
            method in ("81", "2B", "11", "12", "13")
            or prev_dest in ("49", "51", "50", "52", "53", "87")
        )
    ):
        return "H"
    follows = pe is None or pe == start or start == pe + day
    if (
        code == "05"
        and adm is not None
        and start >= adm
        and pc == "06"
        and start >= ps
        and (pe is None or end is None or pe <= end)
    ):
        return "J"
    if code == "10" and adm is not None and start >= adm and pc == "07" and follows:
        return "K"
    if code == "03" and adm is not None and start >= adm and pc == "02" and follows:
        return "L"
    if code in ("35", "36"):
        return "M"
    if (
        code in PART_3
        and adm is not None
        and start <= adm
        and (end is None or end >= adm)
        and method in ("11", "12", "13")
        and (
            pc is None
            or (
                pc in ("01", "02", "03", "04", "05", "06")
                and (pe is None or pe <= start)
            )
        )
    ):
        return "P"
    return "N"


def mha_starts(data, p, classes, legal=None):
    found = mha_classes(data)
    rows = data["mha_period"]
    n = 0
    for m in rows.itertuples():
        if (
            p.start <= m.start_date < p.end
            and found[m.mha_id] in classes
            and (legal is None or m.legal_status_code in legal)
        ):
            n += 1
    return count(n)


def detained_at_end(data, p):
    people = {
        s.person_id
        for s in open_spells(data, p)
        if legal_group_on(data, s.person_id, p.last) == "detention"
    }
    return count(len(people))


# --- restrictive interventions -----------------------------------------------------------


def interventions(data, p) -> pd.DataFrame:
    ri = data["restrictive_intervention"]
    ends = ri["end_at"].map(lambda t: None if pd.isna(t) else pd.Timestamp(t).date())
    keep = (ri["start_date"].map(lambda d: d <= p.last)) & ends.map(
        lambda e: e is None or e >= p.start
    )
    return ri[keep.to_numpy()]


# --- readmission and follow-up ------------------------------------------------------------


def readmission(data, p, days):
    methods = {
        str(c)
        for c in codes.code_list("discharge_method").query("excluded_from_readmission")[
            "code"
        ]
    }
    dests = {
        str(c)
        for c in codes.code_list("discharge_destination").query(
            "excluded_from_readmission"
        )["code"]
    }
    spells = data["spell"]
    index = readmitted = 0
    for s in discharged(data, p):
        if s.discharge_method_code in methods or s.discharge_destination_code in dests:
            continue
        index += 1
        later = spells[
            (spells["person_id"] == s.person_id) & (spells["spell_id"] != s.spell_id)
        ]
        gaps = [
            (a - s.discharge_date).days
            for a in later["admission_date"]
            if a >= s.discharge_date
        ]
        if gaps and min(gaps) < days:
            readmitted += 1
    return share(readmitted, index, 100)


def follow_up(data, p, what):
    methods = {
        str(c)
        for c in codes.code_list("discharge_method").query("excluded_from_72h")["code"]
    }
    dests = {
        str(c)
        for c in codes.code_list("discharge_destination").query("excluded_from_72h")[
            "code"
        ]
    }
    attended = {
        str(c) for c in codes.code_list("attend_status").query("is_attended")["code"]
    }
    mech = codes.code_list("consultation_mechanism")
    bad = {str(c) for c in mech.loc[~mech["is_qualifying_72h"], "code"]}
    beds = group_codes("follow_up_72h")
    lo, hi = p.start - dt.timedelta(days=4), p.end - dt.timedelta(days=4)
    contacts, spells = data["care_contact"], data["spell"]
    eligible = followed = 0
    for s in _spells(data):
        if s.discharge_date is None or not lo <= s.discharge_date < hi:
            continue
        person = person_row(data, s.person_id)
        la = person["la_code"]
        stay = stay_on(data, [s.spell_id], s.discharge_date)
        death = person["death_date"]
        death = None if death is None or pd.isna(death) else _day(death)
        if la not in (None, "") and not str(la).startswith("E"):
            continue
        if s.discharge_method_code in methods or s.discharge_destination_code in dests:
            continue
        if stay is None or stay.bed_type_code not in beds:
            continue
        if death is not None and (death - s.discharge_date).days <= 3:
            continue
        eligible += 1
        window = [s.discharge_date + dt.timedelta(days=k) for k in (1, 2, 3)]
        seen = contacts[
            (contacts["person_id"] == s.person_id)
            & (contacts["provider_code"] == s.provider_code)
            & contacts["contact_date"].isin(window)
            & contacts["attend_status_code"].isin(attended)
        ]
        qualifies = [
            code is None or code not in bad or (code == "03" and day < V5_START)
            for code, day in zip(
                seen["consultation_mechanism_code"], seen["contact_date"], strict=True
            )
        ]
        seen = seen[qualifies]
        again = spells[
            (spells["person_id"] == s.person_id)
            & (spells["provider_code"] == s.provider_code)
            & spells["admission_date"].isin(window)
        ]
        if not seen.empty or not again.empty:
            followed += 1
    if what == "eligible":
        return count(eligible)
    if what == "followed":
        return count(followed)
    return share(followed, eligible, 100)


# --- the table of references ---------------------------------------------------------------

Reference = Callable[[dict[str, pd.DataFrame], Period], Result]


def _los(data, p, where=None):
    rows = discharged(data, p)
    return [float(s.los_days) for s in rows if where is None or where(s)]


def _inhospital(data, p):
    return [float((p.end - s.admission_date).days) for s in open_spells(data, p)]


def _geomean(values):
    return float(math.exp(sum(math.log(v) for v in values) / len(values)))


def _references() -> dict[str, Reference]:
    r: dict[str, Reference] = {
        "activity.admissions": admissions,
        "activity.new_admissions": lambda d, p: admissions(d, p, "new"),
        "activity.acute_new_admissions": lambda d, p: admissions(d, p, "acute_new"),
        "activity.admissions_adult_acute": lambda d, p: admissions(d, p, "acute"),
        "activity.discharges": discharges,
        "activity.discharges_adult_acute": lambda d, p: discharges(d, p, acute=True),
        "activity.open_spells": open_count,
        "activity.open_spells_adult_acute": lambda d, p: open_count(d, p, acute=True),
        "activity.people_in_hospital": lambda d, p: open_count(d, p, people=True),
        "activity.admissions_per_100k": lambda d, p: share(
            admissions(d, p)[0], population(d, p.last.year), 100_000
        ),
        "bed_days.occupied": bed_days,
        "bed_days.occupied_less_leave": bed_days_less_leave,
        "bed_days.occupied_adult_acute": lambda d, p: bed_days(
            d, p, lambda w: w.bed_type_code in ACUTE
        ),
        "bed_days.people_in_hospital_during": people_during,
        "bed_days.open_ward_stays": open_ward_stays,
        "occupancy.available_bed_days": lambda d, p: count(capacity(d, p)[0]),
        "occupancy.closed_bed_days": lambda d, p: count(capacity(d, p)[1]),
        "occupancy.occupied_bed_days": lambda d, p: count(capacity(d, p)[2]),
        "occupancy.available_beds": lambda d, p: count(capacity(d, p)[3]),
        "occupancy.unoccupied_bed_days": lambda d, p: count(
            capacity(d, p)[0] - capacity(d, p)[2]
        ),
        "occupancy.occupancy_pct": lambda d, p: share(
            capacity(d, p)[2], capacity(d, p)[0], 100
        ),
        "length_of_stay.mean": lambda d, p: share(sum(v := _los(d, p)), len(v), 1),
        "length_of_stay.median": lambda d, p: statistic(_los(d, p), quantile(0.5)),
        "length_of_stay.p90": lambda d, p: statistic(_los(d, p), quantile(0.9)),
        "length_of_stay.geometric_mean": lambda d, p: statistic(
            [x for x in _los(d, p) if x >= 1], _geomean
        ),
        "length_of_stay.mean_excluding_crfd": lambda d, p: share(
            sum(max(s.los_days - crfd_spell_days(d, s), 0) for s in discharged(d, p)),
            len(discharged(d, p)),
            1,
        ),
        "length_of_stay.in_hospital_mean": lambda d, p: share(
            sum(v := _inhospital(d, p)), len(v), 1
        ),
        "length_of_stay.in_hospital_median": lambda d, p: statistic(
            _inhospital(d, p), quantile(0.5)
        ),
        "length_of_stay.in_hospital_60_plus": lambda d, p: count(
            len(
                {
                    s.person_id
                    for s in open_spells(d, p)
                    if (p.end - s.admission_date).days >= 60
                }
            )
        ),
    }
    for key, group, lo, hi in (
        ("adult_acute", "adult_acute", 18, 64),
        ("older_adult_acute", "older_adult_acute", 65, None),
        ("under_18", None, 0, 17),
    ):

        def member(d, p, s, g=group, a=lo, b=hi):
            return cohort(d, s, p.last, g, a, b)

        def people(d, p, days=0, m=member):
            return len(
                {
                    s.person_id
                    for s in discharged(d, p)
                    if m(d, p, s) and s.los_days >= days
                }
            )

        base = f"length_of_stay.{key}"
        r[f"{base}_discharged"] = lambda d, p, f=people: count(f(d, p))
        r[f"{base}_mean"] = lambda d, p, m=member: share(
            sum(v := [s.los_days for s in discharged(d, p) if m(d, p, s)]), len(v), 1
        )
        r[f"{base}_median"] = lambda d, p, m=member: statistic(
            [float(s.los_days) for s in discharged(d, p) if m(d, p, s)], quantile(0.5)
        )
        for days in (60, 90):
            r[f"{base}_{days}_plus"] = lambda d, p, f=people, n=days: count(f(d, p, n))
            r[f"{base}_{days}_plus_pct"] = lambda d, p, f=people, n=days: share(
                f(d, p, n), f(d, p), 100
            )
            r[f"{base}_{days}_plus_per_100k"] = (
                lambda d, p, f=people, n=days, a=lo, b=hi: (
                    share(f(d, p, n), q, 100_000)
                    if (q := population(d, p.last.year, a, b))
                    else (float(f(d, p, n)), NAN, NAN)
                )
            )
    for flow, denominator, denominator_a, rate in (
        ("started", "activity.admissions", "activity.admissions_adult_acute", True),
        ("bed_days", "bed_days.occupied", "bed_days.occupied_adult_acute", False),
        ("active", "activity.open_spells", "activity.open_spells_adult_acute", True),
        ("ended", "activity.discharges", "activity.discharges_adult_acute", True),
    ):
        for suffix, acute in (("", False), ("_adult_acute", True)):
            base = f"out_of_area.inappropriate_{flow}{suffix}"
            r[base] = lambda d, p, f=flow, a=acute: oap_flow(d, p, f, True, a)
            den = denominator_a if acute else denominator
            r[f"{base}_pct"] = lambda d, p, f=flow, a=acute, dn=den: share(
                oap_flow(d, p, f, True, a)[0], r[dn](d, p)[0], 100
            )
            if rate:
                r[f"{base}_per_1m"] = lambda d, p, f=flow, a=acute: share(
                    oap_flow(d, p, f, True, a)[0], population(d, p.last.year), 1_000_000
                )
        r[f"out_of_area.all_{flow}"] = lambda d, p, f=flow: oap_flow(
            d, p, f, False, False
        )
    r["out_of_area.open_ward_stays_50km_plus"] = lambda d, p: open_ward_stays(d, p, 50)
    r["out_of_area.outside_own_icb_people"] = lambda d, p: count(
        len(
            {
                s.person_id
                for s in open_spells(d, p)
                if (w := stay_on(d, [s.spell_id], p.last)) is not None
                and outside_icb(d, w)
            }
        )
    )
    r["out_of_area.outside_own_icb_bed_days"] = lambda d, p: bed_days(
        d, p, lambda w: outside_icb(d, w)
    )
    r["out_of_area.outside_own_icb_bed_days_pct"] = lambda d, p: share(
        bed_days(d, p, lambda w: outside_icb(d, w))[0], bed_days(d, p)[0], 100
    )
    r["delayed_discharge.crfd_days"] = lambda d, p: crfd_metric(d, p, "days")
    r["delayed_discharge.episodes_started"] = lambda d, p: crfd_metric(d, p, "started")
    r["delayed_discharge.episodes_ended"] = lambda d, p: crfd_metric(d, p, "ended")
    r["delayed_discharge.people_at_end"] = lambda d, p: crfd_metric(d, p, "people")
    r["delayed_discharge.crfd_bed_days_pct"] = lambda d, p: share(
        crfd_metric(d, p, "days")[0], bed_days(d, p)[0], 100
    )
    detention = {"A", "B", "C", "D", "P"}
    r["detentions.detentions"] = lambda d, p: mha_starts(d, p, detention)
    r["detentions.detentions_per_100k"] = lambda d, p: share(
        mha_starts(d, p, detention)[0], population(d, p.last.year), 100_000
    )
    r["detentions.short_term_orders"] = lambda d, p: mha_starts(d, p, {"E", "F"})
    r["detentions.section_136"] = lambda d, p: mha_starts(d, p, {"E"}, {"20"})
    r["detentions.section_135"] = lambda d, p: mha_starts(d, p, {"E"}, {"19"})
    r["detentions.section_2"] = lambda d, p: mha_starts(
        d, p, {"A", "B", "C", "L"}, {"02"}
    )
    r["detentions.section_3"] = lambda d, p: mha_starts(
        d, p, {"A", "B", "C", "L"}, {"03"}
    )
    r["detentions.part_3"] = lambda d, p: mha_starts(d, p, {"P"})
    r["detentions.people_detained_at_end"] = detained_at_end
    r["detentions.admissions_detained"] = lambda d, p: admissions(d, p, "detained")
    r["detentions.admissions_informal"] = lambda d, p: admissions(d, p, "informal")
    r["detentions.detained_bed_days"] = detained_bed_days
    r["restrictive.people"] = lambda d, p: count(
        interventions(d, p)["person_id"].nunique()
    )
    r["restrictive.interventions"] = lambda d, p: count(
        len(
            set(
                zip(
                    interventions(d, p)["incident_id"],
                    interventions(d, p)["type_code"],
                    strict=True,
                )
            )
        )
    )
    r["restrictive.incidents"] = lambda d, p: count(
        interventions(d, p)["incident_id"].nunique()
    )
    r["restrictive.per_1000_bed_days"] = lambda d, p: share(
        r["restrictive.interventions"](d, p)[0], bed_days(d, p)[0], 1000
    )
    r["restrictive.people_pct"] = lambda d, p: share(
        r["restrictive.people"](d, p)[0], people_during(d, p)[0], 100
    )
    r["readmissions.within_14_days"] = lambda d, p: readmission(d, p, 14)
    r["readmissions.within_30_days"] = lambda d, p: readmission(d, p, 30)
    r["follow_up.eligible_discharges"] = lambda d, p: follow_up(d, p, "eligible")
    r["follow_up.followed_up"] = lambda d, p: follow_up(d, p, "followed")
    r["follow_up.followed_up_pct"] = lambda d, p: follow_up(d, p, "pct")
    return r


REFERENCES = _references()
"""Metric id → reference function ``(data, period) -> (numerator, denominator, value)``."""


def reference(
    metric_id: str, data: dict[str, pd.DataFrame], periods: Sequence[ReportingPeriod]
) -> pd.DataFrame:
    """The reference results of one metric for each period (``all`` breakdown)."""
    rows = []
    for period in periods:
        numerator, denominator, value = REFERENCES[metric_id](
            data, Period(period.start, period.end)
        )
        rows.append(
            {
                "period_start": period.start,
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
            }
        )
    return pd.DataFrame(rows)

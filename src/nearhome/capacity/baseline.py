"""Read an ICB's baseline from the warehouse and turn it into a scenario.

What the ICB plans for is its *residents'* demand (``person.icb_code``), wherever they were
treated. From the canonical tables this module builds, per bed pool:

* **visits**: consecutive ward stays of one spell in the same pool; a visit whose previous
  stay was not in a modelled pool is an *admission* to its pool, otherwise a *transfer*;
* **daily admissions**, fitted by :func:`~nearhome.capacity.demand.fit_demand` (trend,
  month-of-year and day-of-week, population offset);
* **lengths of stay** of completed visits, with clinically-ready-for-discharge (CRFD) days
  by reason group kept apart;
* **the census** on the census date: who is in a local bed, and who is placed out of area
  (a stay at a site outside the ICB), and for how long already;
* **beds** on local wards (``ward`` joined to ``site``) and the local beds other ICBs'
  residents use on average;
* **transfers** between pools (share of visits followed by a visit in another pool);
* **repatriation** as the history shows it: the simulation's rule brings everyone away back
  the moment a local bed frees, which keeps the local beds full and sends far more
  admissions away than a pool whose placements run their course (Erlang B). The baseline
  uses that rule only when most past placements did end with a move home; otherwise
  ``none``, and bringing people back is a lever to try.

Bed pools come from the ``capacity_pool`` grouping of bed types (``nearhome.data.codes``);
adult acute is split by sex because its wards are single-sex.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nearhome.capacity.demand import DemandFit, fit_demand
from nearhome.capacity.scenario import (
    CRFD_GROUPS,
    CensusSpec,
    LosSpec,
    MidlandsSpec,
    PoolSpec,
    PopulationRow,
    RepatriationSpec,
    Scenario,
    TransferSpec,
    parse_scenario,
)
from nearhome.data import codes
from nearhome.data.schema import POPULATION_AGE_BANDS
from nearhome.data.warehouse import Warehouse
from nearhome.errors import DataError

__all__ = [
    "DEFAULT_POOLS",
    "Baseline",
    "BaselineFrames",
    "baseline_scenario",
    "brought_home",
    "build_scenario",
    "daily_admissions",
    "daily_census",
    "read_baseline",
]

DEFAULT_POOLS = ("adult_acute", "picu", "older_adult", "rehabilitation")
SPLIT_BY_SEX = frozenset({"adult_acute"})
LONG_STAY_DAYS = {"adult_acute": 60.0, "older_adult": 90.0}
"""Long stays as the official statistics define them (adult acute 60+, older adult 90+ days)."""
LABELS = {
    "adult_acute_male": "Adult acute (male)",
    "adult_acute_female": "Adult acute (female)",
    "picu": "Psychiatric intensive care (PICU)",
    "older_adult": "Older adult",
    "rehabilitation": "Rehabilitation",
    "eating_disorders": "Adult eating disorders",
}
MAX_STAYS = 1500
MIN_PLACEMENTS_FOR_RULE = 10
"""Fewer completed placements than this say nothing about repatriation: assume none."""


@dataclass(frozen=True)
class BaselineFrames:
    """An ICB's baseline as small pandas frames (what the scenario and the backtest use)."""

    icb_code: str
    census_date: pd.Timestamp
    visits: pd.DataFrame
    beds: pd.Series
    population: pd.DataFrame
    non_resident_census: pd.Series
    inappropriate_oaps_open: int

    @property
    def pools(self) -> list[str]:
        """Pool ids in a stable order."""
        return list(self.beds.index)


@dataclass(frozen=True)
class Baseline:
    """A scenario built from the warehouse, with the frames and fits behind it."""

    scenario: Scenario
    frames: BaselineFrames
    fits: dict[str, DemandFit]

    def summary(self) -> pd.DataFrame:
        """One row per pool: beds, admissions a year, mean stay, census, OAPs now."""
        rows = []
        for pool in self.scenario.pools:
            fit = self.fits[pool.id]
            stays = self.frames.visits[
                (self.frames.visits["pool"] == pool.id)
                & self.frames.visits["end"].notna()
            ]
            rows.append(
                {
                    "pool": pool.id,
                    "beds": pool.beds,
                    "admissions_per_year": pool.admissions.per_day * 365.25,
                    "trend_pct_per_year": pool.admissions.trend_pct_per_year,
                    "model": fit.family,
                    "monthly_rate_cv": pool.admissions.monthly_rate_cv,
                    "mean_los_days": float(stays["days"].mean())
                    if len(stays)
                    else math.nan,
                    "in_local_beds_now": len(pool.census.local_elapsed_days),
                    "out_of_area_now": len(pool.census.out_of_area_elapsed_days),
                    "non_resident_census": pool.non_resident_census,
                }
            )
        return pd.DataFrame(rows)


# ---- reading ------------------------------------------------------------------------


def _pool_map(pools: tuple[str, ...]) -> dict[str, str]:
    groups = codes.bed_groupings("capacity_pool")
    return {
        str(c): str(g)
        for g, c in zip(groups["group"], groups["bed_type_code"], strict=True)
        if str(g) in pools
    }


def _to_ts(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")


def _age_band(birth: pd.Series, on: pd.Series) -> pd.Series:
    age = ((on - birth).dt.days // 365.25).astype("Float64")
    lows = [int(b.split("-")[0].rstrip("+")) for b in POPULATION_AGE_BANDS]
    index = (
        np.searchsorted(lows, age.fillna(-1).to_numpy(dtype=float), side="right") - 1
    )
    bands = np.array(POPULATION_AGE_BANDS, dtype=object)[
        np.clip(index, 0, len(lows) - 1)
    ]
    missing = (age.isna() | (index < 0)).to_numpy(dtype=bool)
    return pd.Series(bands, index=birth.index).mask(missing, None)


def _read_people(wh: Warehouse, icb: str) -> pd.DataFrame:
    person = wh.table("person")
    people = wh.execute(
        person.filter(person.icb_code == icb).select(
            "person_id", "gender_code", "birth_date"
        )
    )
    if people.empty:
        raise DataError(
            f"No residents of ICB '{icb}' in the person table.",
            hint="Check the ICB code (person.icb_code).",
        )
    people["birth_date"] = _to_ts(people["birth_date"])
    return people


def _nhs_providers(wh: Warehouse) -> set[str]:
    """Providers whose local wards count as the ICB's own beds (NHS trusts)."""
    if not wh.has_table("provider"):
        return set()
    frame = wh.execute(wh.table("provider").select("provider_code", "provider_type"))
    return {
        str(c)
        for c, kind in zip(frame["provider_code"], frame["provider_type"], strict=True)
        if str(kind) == "NHS"
    }


def _read_stays(
    wh: Warehouse, icb: str, pool_of: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Residents' ward stays, and non-residents' stays on the ICB's own wards.

    A stay is *local* when it is on an NHS ward at a site in the ICB and its spell is not an
    out-of-area placement; anything else (another ICB's site, an independent provider, a
    spell recorded as an OAP) is *out of area* for this model.
    """
    person = wh.table("person")
    residents = person.filter(person.icb_code == icb)
    stays = wh.table("ward_stay")
    cols = (
        "ward_stay_id",
        "spell_id",
        "person_id",
        "provider_code",
        "start_date",
        "end_date",
        "bed_type_code",
        "site_icb_code",
    )
    mine = wh.execute(stays.semi_join(residents, "person_id").select(*cols))
    others = wh.execute(
        stays.filter(stays.site_icb_code == icb)
        .anti_join(residents, "person_id")
        .select(*cols)
    )
    nhs = _nhs_providers(wh)
    oap_spells: set[str] = set()
    if wh.has_table("spell"):
        spell = wh.table("spell")
        flagged = wh.execute(spell.filter(spell.is_oap).select("spell_id"))
        oap_spells = set(flagged["spell_id"].astype(str))
    for frame in (mine, others):
        frame["start_date"], frame["end_date"] = (
            _to_ts(frame["start_date"]),
            _to_ts(frame["end_date"]),
        )
        frame["group"] = frame["bed_type_code"].astype(str).map(pool_of)
        frame["is_local"] = (
            (frame["site_icb_code"].astype(str) == icb)
            & frame["provider_code"].astype(str).isin(nhs)
            & ~frame["spell_id"].astype(str).isin(oap_spells)
        )
    return mine, others[others["is_local"]]


def _pool_ids(groups: pd.Series, gender: pd.Series) -> pd.Series:
    male = gender.astype(str) == "1"
    split = groups.isin(SPLIT_BY_SEX)
    return pd.Series(
        np.where(split, groups + np.where(male, "_male", "_female"), groups),
        index=groups.index,
    ).where(groups.notna())


def _visits(stays: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Merge consecutive stays of a spell in the same pool into visits."""
    frame = stays.merge(people, on="person_id", how="left").sort_values(
        ["spell_id", "start_date", "ward_stay_id"]
    )
    frame["pool"] = _pool_ids(frame["group"], frame["gender_code"])
    key = frame["pool"].fillna("~")
    new = (frame["spell_id"] != frame["spell_id"].shift()) | (key != key.shift())
    frame["visit"] = new.cumsum()
    open_end = frame["end_date"].isna()
    grouped = frame.assign(open_end=open_end).groupby("visit", sort=True)
    visits = grouped.agg(
        spell_id=("spell_id", "first"),
        person_id=("person_id", "first"),
        pool=("pool", "first"),
        start=("start_date", "min"),
        end=("end_date", "max"),
        has_open=("open_end", "any"),
        local_first=("is_local", "first"),
        local_last=("is_local", "last"),
        gender_code=("gender_code", "first"),
        birth_date=("birth_date", "first"),
    ).reset_index(drop=True)
    visits.loc[visits["has_open"], "end"] = pd.NaT
    same_spell = visits["spell_id"] == visits["spell_id"].shift()
    previous = visits["pool"].shift().where(same_spell)
    visits["is_arrival"] = visits["pool"].notna() & previous.isna()
    following = (
        visits["pool"]
        .shift(-1)
        .where(visits["spell_id"] == visits["spell_id"].shift(-1))
    )
    visits["next_pool"] = following
    visits["age_band"] = _age_band(visits["birth_date"], visits["start"])
    return (
        visits[visits["pool"].notna()]
        .drop(columns=["has_open", "birth_date"])
        .reset_index(drop=True)
    )


def _add_crfd(
    wh: Warehouse, visits: pd.DataFrame, census: pd.Timestamp
) -> pd.DataFrame:
    """CRFD days by reason group inside each visit (half-open overlap)."""
    for group in CRFD_GROUPS:
        visits[f"crfd_{group}"] = 0.0
    if not wh.has_table("crfd_period") or visits.empty:
        return visits
    table = wh.table("crfd_period")
    spells = list(visits["spell_id"].unique())
    crfd = wh.execute(
        table.filter(table.spell_id.isin(spells)).select(
            "spell_id", "start_date", "end_date", "reason_group"
        )
    )
    if crfd.empty:
        return visits
    crfd["start_date"], crfd["end_date"] = (
        _to_ts(crfd["start_date"]),
        _to_ts(crfd["end_date"]),
    )
    joined = visits.reset_index().merge(crfd, on="spell_id")
    stop = _earlier(joined["end"].fillna(census), census)
    c_stop = _earlier(joined["end_date"].fillna(census), census)
    begin = joined["start"].where(
        joined["start"] > joined["start_date"], joined["start_date"]
    )
    days = (stop.where(stop < c_stop, c_stop) - begin).dt.days.clip(lower=0)
    joined["days_in"] = days
    joined["reason_group"] = joined["reason_group"].where(
        joined["reason_group"].isin(CRFD_GROUPS), "not_known"
    )
    table_days = joined.pivot_table(
        index="index",
        columns="reason_group",
        values="days_in",
        aggfunc="sum",
        fill_value=0,
    )
    for group in table_days.columns:
        visits.loc[table_days.index, f"crfd_{group}"] = table_days[group].astype(float)
    return visits


def _beds(
    wh: Warehouse,
    icb: str,
    census: pd.Timestamp,
    pool_of: dict[str, str],
    visits: pd.DataFrame,
) -> pd.Series:
    """Local beds per pool on the census date; adult acute split by the sexes' use of it."""
    ward, site = wh.table("ward"), wh.table("site")
    local = ward.semi_join(site.filter(site.icb_code == icb), "site_code")
    frame = wh.execute(
        local.select(
            "ward_code",
            "provider_code",
            "bed_type_code",
            "beds",
            "valid_from",
            "valid_to",
        )
    )
    frame = frame[frame["provider_code"].astype(str).isin(_nhs_providers(wh))]
    frame["valid_from"], frame["valid_to"] = (
        _to_ts(frame["valid_from"]),
        _to_ts(frame["valid_to"]),
    )
    live = frame[
        (frame["valid_from"].isna() | (frame["valid_from"] <= census))
        & (frame["valid_to"].isna() | (frame["valid_to"] > census))
    ]
    by_group = (
        live.assign(group=live["bed_type_code"].astype(str).map(pool_of))
        .groupby("group")["beds"]
        .sum()
    )
    beds: dict[str, int] = {}
    for group in sorted(set(pool_of.values())):
        total = int(by_group.get(group, 0))
        if group in SPLIT_BY_SEX:
            recent = visits[visits["pool"].str.startswith(group) & visits["local_last"]]
            male_days = _days_in(
                recent[recent["pool"] == f"{group}_male"],
                census - pd.Timedelta(days=365),
                census,
            )
            all_days = _days_in(recent, census - pd.Timedelta(days=365), census)
            male = round(total * (male_days / all_days if all_days else 0.5))
            beds[f"{group}_male"], beds[f"{group}_female"] = male, total - male
        else:
            beds[group] = total
    return pd.Series(beds, dtype=int)


def _days_in(visits: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    return overlap_days(visits["start"], visits["end"], lo, hi)


def _earlier(values: pd.Series, bound: pd.Timestamp) -> pd.Series:
    return values.where(values < bound, bound)


def overlap_days(
    start: pd.Series, end: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp
) -> float:
    """Days of the stays ``[start, end)`` (open ends run on) that fall inside ``[lo, hi)``."""
    stop = _earlier(end.fillna(hi), hi)
    begin = start.where(start > lo, lo)
    return float((stop - begin).dt.days.clip(lower=0).sum())


def _population(wh: Warehouse, icb: str) -> pd.DataFrame:
    if not wh.has_table("population"):
        return pd.DataFrame(columns=["year", "age_band", "sex", "count"])
    pop = wh.table("population")
    direct = pop.filter(pop.area_code == icb)
    frame = wh.execute(direct.select("year", "age_band", "sex", "count"))
    if frame.empty and wh.has_table("geography"):
        geo = wh.table("geography")
        lsoas = geo.filter(geo.icb_code == icb).select(area_code=geo.lsoa_code)
        frame = wh.execute(
            pop.semi_join(lsoas, "area_code").select("year", "age_band", "sex", "count")
        )
    if frame.empty:
        return pd.DataFrame(columns=["year", "age_band", "sex", "count"])
    frame["sex"] = frame["sex"].astype(str)
    return pd.DataFrame(
        frame.groupby(["year", "age_band", "sex"], as_index=False)["count"].sum()
    )


def read_baseline(
    wh: Warehouse,
    icb_code: str,
    *,
    census_date: dt.date | None = None,
    pools: tuple[str, ...] = DEFAULT_POOLS,
) -> BaselineFrames:
    """Read everything the capacity model needs about one ICB's residents."""
    pool_of = _pool_map(tuple(dict.fromkeys(pools)))
    people = _read_people(wh, icb_code)
    stays, others = _read_stays(wh, icb_code, pool_of)
    if census_date is None:
        latest = pd.concat([stays["start_date"], stays["end_date"]]).max()
        census = (
            pd.Timestamp(latest)
            if pd.notna(latest)
            else pd.Timestamp.today().normalize()
        )
    else:
        census = pd.Timestamp(census_date)
    stays = stays[stays["start_date"] < census]
    visits = _add_crfd(wh, _visits(stays, people), census)
    visits["days"] = (visits["end"] - visits["start"]).dt.days.astype("Float64")
    beds = _beds(wh, icb_code, census, pool_of, visits)
    others = others.assign(
        pool=_pool_ids(others["group"], pd.Series("1", index=others.index))
    )
    year_ago = census - pd.Timedelta(days=365)
    non_res = {
        p: _days_in(
            others[others["pool"] == p].rename(
                columns={"start_date": "start", "end_date": "end"}
            ),
            year_ago,
            census,
        )
        / 365.0
        for p in beds.index
    }
    oaps = _open_inappropriate_oaps(wh, icb_code, census)
    return BaselineFrames(
        icb_code,
        census,
        visits,
        beds,
        _population(wh, icb_code),
        pd.Series(non_res),
        oaps,
    )


def _open_inappropriate_oaps(wh: Warehouse, icb: str, census: pd.Timestamp) -> int:
    if not wh.has_table("spell"):
        return 0
    spell, person = wh.table("spell"), wh.table("person")
    mine = spell.semi_join(person.filter(person.icb_code == icb), "person_id")
    frame = wh.execute(
        mine.filter(mine.is_inappropriate_oap).select(
            "admission_date", "discharge_date"
        )
    )
    start, end = _to_ts(frame["admission_date"]), _to_ts(frame["discharge_date"])
    return int(((start <= census) & (end.isna() | (end > census))).sum())


# ---- frames to series ------------------------------------------------------------------


def daily_admissions(
    frames: BaselineFrames, pool: str, start: pd.Timestamp, end: pd.Timestamp
) -> pd.Series:
    """Admissions to a pool on each day of ``[start, end)`` (zeros included)."""
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    v = frames.visits
    arrivals = v[(v["pool"] == pool) & v["is_arrival"]]["start"].dt.normalize()
    return pd.Series(arrivals.value_counts().reindex(days, fill_value=0).astype(int))


def daily_census(
    frames: BaselineFrames,
    pool: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    local: bool = True,
) -> pd.Series:
    """Midnight census of the pool's residents in local beds (or away) on each day."""
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    v = frames.visits
    v = v[(v["pool"] == pool) & (v["local_last"] == local)]
    first = v["start"].dt.normalize()
    last = v["end"].fillna(pd.Timestamp.max.normalize()).dt.normalize()
    plus = first.value_counts().reindex(days, fill_value=0)
    minus = last.value_counts().reindex(days, fill_value=0)
    before = int((first < days[0]).sum() - (last <= days[0]).sum()) if len(days) else 0
    return pd.Series((plus - minus).cumsum() + before)


# ---- frames to a scenario --------------------------------------------------------------


def _population_series(
    frames: BaselineFrames, days: pd.DatetimeIndex
) -> pd.Series | None:
    if frames.population.empty:
        return None
    totals = frames.population.groupby("year")["count"].sum()
    x = totals.index.to_numpy(dtype=float) + 0.5
    t = days.year + (days.dayofyear - 1) / 365.25
    return pd.Series(np.interp(t, x, totals.to_numpy(dtype=float)), index=days)


def _fit_start(frames: BaselineFrames, wanted: pd.Timestamp) -> pd.Timestamp:
    """The later of ``wanted`` and the first month admissions are fully observed.

    An extract holds a few old, long stays that began years before its first month, and
    its first month may be partial; fitting a trend across that edge would invent growth.
    Admissions are taken as observed from the first month of the last unbroken run of
    months with at least half the median monthly admissions (a weak first month skipped).
    """
    v = frames.visits
    months = v.loc[
        v["is_arrival"] & (v["start"] < frames.census_date), "start"
    ].dt.to_period("M")
    counts = months.value_counts().sort_index()
    if counts.empty:
        return wanted
    full = counts.reindex(
        pd.period_range(counts.index.min(), counts.index.max(), freq="M"), fill_value=0
    )
    median = float(full[full > 0].median())
    low = (full < 0.5 * median).to_numpy()
    first = int(np.flatnonzero(low)[-1] + 1) if low.any() else 0
    if first < len(full) and full.iloc[first] < 0.8 * median:
        first += 1
    observed = full.index[min(first, len(full) - 1)].to_timestamp()
    return pd.Timestamp(max(pd.Timestamp(wanted), pd.Timestamp(observed)))


def _los_spec(visits: pd.DataFrame) -> LosSpec:
    done = visits[visits["end"].notna()].sort_values("end").tail(MAX_STAYS)
    if len(done) < 10:
        mean = float(done["days"].mean()) if len(done) else 30.0
        return LosSpec(kind="exponential", mean_days=max(mean, 1.0))
    crfd = {
        g: done[f"crfd_{g}"].to_numpy(dtype=float)
        for g in CRFD_GROUPS
        if done[f"crfd_{g}"].sum() > 0
    }
    total = done["days"].to_numpy(dtype=float)
    delayed = np.sum(list(crfd.values()), axis=0) if crfd else np.zeros(len(done))
    scale = np.where(delayed > total, total / np.where(delayed > 0, delayed, 1.0), 1.0)
    return LosSpec(
        kind="empirical",
        clinical_days=[float(x) for x in np.maximum(total - delayed * scale, 0.0)],
        crfd_days={g: [float(x) for x in v * scale] for g, v in crfd.items()},
    )


def _census_spec(visits: pd.DataFrame, census: pd.Timestamp) -> CensusSpec:
    open_now = visits[
        (visits["start"] <= census) & (visits["end"].isna() | (visits["end"] > census))
    ]
    elapsed = (census - open_now["start"]).dt.days.astype(float)
    return CensusSpec(
        local_elapsed_days=sorted(elapsed[open_now["local_last"]].tolist()),
        out_of_area_elapsed_days=sorted(elapsed[~open_now["local_last"]].tolist()),
    )


def _mix(
    visits: pd.DataFrame, known: set[str], fallback: pd.DataFrame
) -> dict[str, float]:
    """Share of admissions by ``age_band|sex`` among groups the population table has.

    A pool entered only by transfer (PICU often is) takes its visits' mix, and a pool
    with no usable visits takes the mix of every visit in the baseline.
    """
    for frame in (visits[visits["is_arrival"]], visits, fallback):
        keys = frame["age_band"].astype(str) + "|" + frame["gender_code"].astype(str)
        keys = keys[keys.isin(known)]
        if len(keys):
            shares = keys.value_counts(normalize=True)
            return {str(k): round(float(v), 6) for k, v in shares.sort_index().items()}
    return {}


def _transfers(frames: BaselineFrames) -> list[TransferSpec]:
    v = frames.visits[frames.visits["end"].notna()]
    out = []
    for source in frames.pools:
        done = v[v["pool"] == source]
        for target, n in done["next_pool"].value_counts().items():
            share = n / max(len(done), 1)
            if (
                target in frames.pools
                and target != source
                and n >= 3
                and share >= 0.005
            ):
                out.append(
                    TransferSpec(
                        from_pool=source,
                        to_pool=str(target),
                        probability=round(float(share), 6),
                        when_full="out_of_area" if target == "picu" else "wait",
                    )
                )
    return out


def brought_home(visits: pd.DataFrame, since: pd.Timestamp) -> tuple[int, int]:
    """Completed out-of-area visits starting on or after ``since``, and how many came home.

    A placement came home when the rest of its visit was on a local ward (a move within the
    spell), or when the same person's next visit to the same pool began on a local ward
    within a day of the placement ending (the placement closed its spell and a new local
    one opened). A placement that simply ended did not.
    """
    v = visits.sort_values(["person_id", "pool", "start"]).reset_index(drop=True)
    local_first = v["local_first"].astype(bool)
    same = (v["person_id"] == v["person_id"].shift(-1)) & (
        v["pool"] == v["pool"].shift(-1)
    )
    gap = (v["start"].shift(-1) - v["end"]).dt.days.abs()
    next_local = local_first.shift(-1, fill_value=False).astype(bool)
    later = same & next_local & (gap <= 1)
    within = v["local_last"].astype(bool)
    away = ~local_first & v["end"].notna() & (v["start"] >= since)
    return int(away.sum()), int((away & (within | later)).sum())


def _repatriation_spec(frames: BaselineFrames, since: pd.Timestamp) -> RepatriationSpec:
    """The repatriation rule the history supports (``none`` unless most came home).

    The simulation can only bring everyone back at once; near capacity that sends a pool's
    admissions away at the Poisson tail rate (offered load 85.6, 93 beds: 22%) instead of
    Erlang B's (4%). Choosing it for a service whose placements mostly run their course
    would turn a lever on in the baseline and overstate today's out-of-area share.
    """
    away, home = brought_home(frames.visits, since)
    if away >= MIN_PLACEMENTS_FOR_RULE and home > away / 2:
        return RepatriationSpec(rule="longest_away_first")
    return RepatriationSpec(rule="none")


def build_scenario(
    frames: BaselineFrames,
    *,
    years: int = 3,
    seed: int = 20250401,
    history_years: int = 3,
    name: str | None = None,
    replications: int = 1000,
    oap_cost_per_day: float = 0.0,
) -> tuple[Scenario, dict[str, DemandFit]]:
    """The scenario the baseline implies: no levers on, current beds, fitted demand."""
    census = frames.census_date
    fit_start = _fit_start(frames, census - pd.DateOffset(years=history_years))
    days = pd.date_range(fit_start, census - pd.Timedelta(days=1), freq="D")
    pop_series = _population_series(frames, days)
    pop_now = _population_series(frames, pd.DatetimeIndex([census]))
    pools, fits = [], {}
    pop = frames.population
    known = set(pop["age_band"].astype(str) + "|" + pop["sex"].astype(str))
    for pool in frames.pools:
        mine = frames.visits[frames.visits["pool"] == pool]
        fit = fit_demand(daily_admissions(frames, pool, fit_start, census), pop_series)
        fits[pool] = fit
        admissions = fit.admissions_spec(
            census, float(pop_now.iloc[0]) if pop_now is not None else None
        )
        group = pool.removesuffix("_male").removesuffix("_female")
        pools.append(
            PoolSpec(
                id=pool,
                label=LABELS.get(pool, pool.replace("_", " ").capitalize()),
                beds=int(frames.beds[pool]),
                admissions=admissions,
                los=_los_spec(mine[mine["start"] >= fit_start]),
                census=_census_spec(mine, census),
                long_stay_days=LONG_STAY_DAYS.get(group),
                age_sex_mix=_mix(mine, known, frames.visits),
                non_resident_census=round(
                    float(frames.non_resident_census.get(pool, 0.0)), 3
                ),
            )
        )
    data: dict[str, Any] = {
        "name": name or f"Baseline for {frames.icb_code} on {census.date()}",
        "icb_code": frames.icb_code,
        "start_date": census.date(),
        "years": years,
        "seed": seed,
        "replications": replications,
        "oap_cost_per_day": oap_cost_per_day,
        "pools": [p.model_dump() for p in pools],
        "transfers": [t.model_dump() for t in _transfers(frames)],
        "repatriation": _repatriation_spec(frames, fit_start).model_dump(),
        "population": [
            PopulationRow(
                year=int(y), age_band=str(a), sex=str(x), count=float(c)
            ).model_dump()
            for y, a, x, c in frames.population[
                ["year", "age_band", "sex", "count"]
            ].itertuples(index=False)
        ],
        "midlands": _midlands_defaults(frames).model_dump(),
    }
    growth_ok = (
        bool(len(frames.population))
        and frames.population["year"].max() > census.year
        and all(p.age_sex_mix for p in pools)
    )
    data["levers"] = {"demographic_growth": growth_ok}
    return parse_scenario(data, source=f"baseline for {frames.icb_code}"), fits


def _midlands_defaults(frames: BaselineFrames) -> MidlandsSpec:
    v = frames.visits
    lo = frames.census_date - pd.Timedelta(days=365)
    recent = v[(v["end"].isna()) | (v["end"] > lo)]
    delayed = float(recent[[f"crfd_{g}" for g in CRFD_GROUPS]].sum().sum())
    total = _days_in(recent, lo, frames.census_date)
    growth = 0.0
    if not frames.population.empty:
        totals = frames.population.groupby("year")["count"].sum()
        year = frames.census_date.year
        if year in totals.index and year + 3 in totals.index:
            growth = round(100.0 * (totals[year + 3] / totals[year] - 1.0), 3)
    return MidlandsSpec(
        demographic_growth=growth,
        delayed_share_of_bed_days=min(delayed / total, 1.0) if total else 0.0,
    )


def baseline_scenario(wh: Warehouse, icb_code: str, **options: Any) -> Baseline:
    """Read the warehouse and build the baseline scenario in one step."""
    read_keys = {"census_date", "pools"}
    frames = read_baseline(
        wh, icb_code, **{k: v for k, v in options.items() if k in read_keys}
    )
    scenario, fits = build_scenario(
        frames, **{k: v for k, v in options.items() if k not in read_keys}
    )
    return Baseline(scenario=scenario, frames=frames, fits=fits)

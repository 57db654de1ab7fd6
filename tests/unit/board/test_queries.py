"""The census as Ibis: current inpatients, scope filters, and the demo data behind them."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pandas as pd
import pytest

from nearhome.board.census import CensusCache
from nearhome.board.demo import demo_frames
from nearhome.board.queries import (
    CENSUS_COLUMNS,
    fetch_census,
    fetch_spell_keys,
    fetch_ward_beds,
)
from nearhome.board.scope import Scope, ScopeKind
from nearhome.data.warehouse import from_frames

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def frames():
    return demo_frames(120, today=TODAY)


@pytest.fixture(scope="module")
def warehouse(frames):
    return from_frames(frames)


def reference_census(frames) -> set[str]:
    """An independent pandas reading of "current inpatient": open spells admitted by today."""
    spell = frames["spell"]
    admitted = pd.to_datetime(spell["admission_date"].astype(str)).dt.date
    current = spell[spell["discharge_date"].isna() & (admitted <= TODAY)]
    return set(current["spell_id"].astype(str))


def test_everyone_matches_a_pandas_reference(warehouse, frames):
    census = fetch_census(warehouse, today=TODAY, scope=Scope.everyone())
    assert list(census.columns) == list(CENSUS_COLUMNS)
    assert set(census["spell_id"]) == reference_census(frames)
    assert census["spell_id"].is_unique


def test_current_ward_is_the_open_stay(warehouse, frames):
    census = fetch_census(warehouse, today=TODAY, scope=Scope.everyone()).set_index(
        "spell_id"
    )
    stays = frames["ward_stay"]
    open_stays = stays[stays["end_date"].isna()].set_index("spell_id")
    for spell_id, row in census.iterrows():
        assert row["ward_code"] == open_stays.loc[spell_id, "ward_code"]


@pytest.mark.parametrize(
    ("scope", "column"),
    [
        (Scope.of(ScopeKind.WARDS, ["W01", "W03"]), "ward_code"),
        (Scope.of(ScopeKind.PROVIDER, ["RNH"]), "provider_code"),
        (Scope.of(ScopeKind.ICB, ["QZZ"]), "person_icb_code"),
    ],
)
def test_scope_in_query_equals_scope_on_records(warehouse, scope, column):
    scoped = fetch_census(warehouse, today=TODAY, scope=scope)
    assert len(scoped) > 0 and set(scoped[column]) <= set(scope.codes)
    everyone = fetch_census(warehouse, today=TODAY, scope=Scope.everyone()).to_dict(
        orient="records"
    )
    assert {r["spell_id"] for r in everyone if scope.admits(r)} == set(
        scoped["spell_id"]
    )


def test_empty_scope_finds_nobody(warehouse):
    assert fetch_census(warehouse, today=TODAY, scope=Scope.nothing()).empty
    assert Scope.of(ScopeKind.WARDS, []).is_empty
    assert not Scope.nothing().admits({"ward_code": "W01"})


def test_dates_are_plain_and_legal_status_is_current(warehouse):
    census = fetch_census(
        warehouse, today=TODAY, scope=Scope.of(ScopeKind.WARDS, ["W01"])
    )
    assert all(isinstance(d, date) for d in census["admission_date"])
    assert set(census["legal_status_code"]) <= {"01", "02", "03", "37"}


def test_ward_beds_and_spell_keys(warehouse):
    beds = fetch_ward_beds(
        warehouse, today=TODAY, scope=Scope.of(ScopeKind.PROVIDER, ["RNH"])
    )
    assert len(beds) >= 4 and set(beds["provider_code"]) == {"RNH"}
    assert fetch_ward_beds(
        warehouse, today=TODAY, scope=Scope.of(ScopeKind.ICB, ["QNH"])
    ).empty
    keys = fetch_spell_keys(warehouse, ["S000001"])
    assert keys.iloc[0]["person_id"] == "P000001"
    assert fetch_spell_keys(warehouse, []).empty


def test_minimal_warehouse_without_optional_tables(frames):
    small = from_frames({k: frames[k] for k in ("spell", "ward_stay", "person")})
    census = fetch_census(small, today=TODAY, scope=Scope.everyone())
    assert census["legal_status_code"].isna().all() and census["site_name"].isna().all()
    assert fetch_ward_beds(
        small, today=TODAY, scope=Scope.of(ScopeKind.WARDS, ["W01"])
    ).empty


def test_census_cache_queries_once_and_expires(warehouse):
    now = [0.0]
    cache = CensusCache(warehouse, ttl_seconds=60, clock=lambda: now[0])
    calls = []
    original = cache._records

    def counting(scope, today):
        calls.append(scope)
        return original(scope, today)

    cache._records = counting  # type: ignore[method-assign]
    cache.census(Scope.of(ScopeKind.WARDS, ["W01"]), TODAY)
    cache.census(Scope.of(ScopeKind.WARDS, ["W02"]), TODAY)
    assert len(calls) == 1
    now[0] = 61
    cache.census(Scope.of(ScopeKind.WARDS, ["W01"]), TODAY)
    assert len(calls) == 2
    assert cache.census(Scope.nothing(), TODAY) == []
    cache.clear()
    cache.census(Scope.everyone(), TODAY + timedelta(days=1))
    assert len(calls) == 3


def test_census_cache_cuts_follow_the_census_they_came_from(warehouse, frames):
    now = [0.0]
    cache = CensusCache(warehouse, ttl_seconds=60, clock=lambda: now[0])
    ward = Scope.of(ScopeKind.WARDS, ["W01"])
    first = cache.census(ward, TODAY)
    assert first and {r["ward_code"] for r in first} == {"W01"}
    assert cache.census(ward, TODAY) == first
    first.clear()  # callers get their own list: changing it leaves the cache alone
    assert cache.census(ward, TODAY)
    reloaded = [dict(r) for r in cache.census(Scope.everyone(), TODAY)]
    reloaded[0] = {**reloaded[0], "ward_code": "W01", "spell_id": "S-NEW"}

    def fresh(_scope, _today):
        return tuple(reloaded)

    cache._records = fresh  # type: ignore[method-assign]
    assert "S-NEW" not in {r["spell_id"] for r in cache.census(ward, TODAY)}
    now[0] = 61  # the census expires: the ward's cut is made again from the new rows
    assert "S-NEW" in {r["spell_id"] for r in cache.census(ward, TODAY)}
    cache.clear()
    reloaded[0] = {**reloaded[0], "spell_id": "S-NEWER"}
    spells = {r["spell_id"] for r in cache.census(ward, TODAY)}
    assert "S-NEWER" in spells and "S-NEW" not in spells


def test_expired_census_is_served_while_one_request_reloads_it(warehouse):
    now = [0.0]
    cache = CensusCache(warehouse, ttl_seconds=60, clock=lambda: now[0])
    ward = Scope.of(ScopeKind.WARDS, ["W01"])
    before = {r["spell_id"] for r in cache.census(ward, TODAY)}
    original = cache._records
    loading, release = threading.Event(), threading.Event()

    def slow(scope, today):
        loading.set()
        release.wait(10)
        return tuple({**r, "ward_code": "W99"} for r in original(scope, today))

    cache._records = slow  # type: ignore[method-assign]
    now[0] = 61
    reloader = threading.Thread(target=cache.census, args=(ward, TODAY))
    reloader.start()
    assert loading.wait(10)
    assert {r["spell_id"] for r in cache.census(ward, TODAY)} == before  # not blocked
    release.set()
    reloader.join(10)
    assert cache.census(ward, TODAY) == []  # the new census has everyone on W99

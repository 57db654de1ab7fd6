"""A short-lived cache of census results, one per web app.

The warehouse changes when an extract is loaded (daily at most), while ward teams refresh the
board all day; running the census query for every page view would spend most of the server's
time in the warehouse. The cache keeps each scope's census for ``ttl_seconds`` (a minute by
default), refreshes an expired census while still serving the previous one, and serialises
warehouse access, because one embedded DuckDB connection must not run two queries at once.
Board edits live in the board database and are never cached.

Each scope's cut of the census (a ward's 20 patients out of a trust's 1,000) is kept too, tied
to the census it was cut from: the board page is the most frequent request, and testing every
inpatient against the scope on every view cost more than the rest of the page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from nearhome.board.queries import fetch_census, fetch_spell_keys, fetch_ward_beds
from nearhome.board.scope import Scope, ScopeKind
from nearhome.data.warehouse import Warehouse

Record = dict[str, Any]
MAX_CUTS = 10_000
"""Scope cuts kept at most (one per ward, trust or ICB in use; a bound, not a tuning knob)."""


@dataclass
class _Entry:
    stored_at: float
    value: Any


class CensusCache:
    """Census and ward-bed results per (scope, day), refreshed after ``ttl_seconds``."""

    def __init__(
        self,
        warehouse: Warehouse,
        *,
        ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap ``warehouse``; ``clock`` is injectable so tests can age entries."""
        self.warehouse = warehouse
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = (
            threading.Lock()
        )  # guards the dictionaries below; held only briefly
        self._warehouse_lock = threading.Lock()  # one query at a time on the connection
        self._loading: set[tuple[str, Scope, date]] = set()
        self._generation = 0  # bumped by clear(), so a load begun before it is not kept
        self._entries: dict[tuple[str, Scope, date], _Entry] = {}
        self._cuts: dict[tuple[Scope, date], tuple[object, tuple[Record, ...]]] = {}

    def census(self, scope: Scope, today: date) -> list[Record]:
        """Current inpatients in ``scope`` as records (see ``queries.CENSUS_COLUMNS``).

        The warehouse is asked once per day and TTL for everyone; each scope is then cut out
        with ``Scope.admits``, the record-level form of the query's scope filter (a test keeps
        the two in agreement). So 50 wards cost one warehouse query, not 50.
        """
        if scope.is_empty and scope.kind is not ScopeKind.ALL:
            return []
        everyone = Scope.everyone()
        records = self._get(
            ("census", everyone, today), lambda: self._records(everyone, today)
        )
        with self._lock:
            cut = self._cuts.get((scope, today))
            if cut is None or cut[0] is not records:
                # A cut is valid only for the census it came from: a reload (TTL, clear(),
                # a new day) gives a new tuple, so every cut is made again from fresh rows.
                if len(self._cuts) >= MAX_CUTS:
                    self._cuts.clear()
                cut = (records, tuple(r for r in records if scope.admits(r)))
                self._cuts[(scope, today)] = cut
        return list(cut[1])

    def ward_beds(self, scope: Scope, today: date) -> pd.DataFrame:
        """Beds per ward valid today within ``scope``."""
        frame = self._get(
            ("beds", scope, today),
            lambda: fetch_ward_beds(self.warehouse, today=today, scope=scope),
        )
        assert isinstance(frame, pd.DataFrame)
        return frame

    def spell_keys(self, spell_ids: list[str]) -> pd.DataFrame:
        """Person and provider of each spell (not cached: exports are rare)."""
        with self._warehouse_lock:
            return fetch_spell_keys(self.warehouse, spell_ids)

    def clear(self) -> None:
        """Forget everything (after a warehouse load)."""
        with self._lock:
            self._entries.clear()
            self._cuts.clear()
            self._generation += 1

    def _records(self, scope: Scope, today: date) -> tuple[Record, ...]:
        frame = fetch_census(self.warehouse, today=today, scope=scope)
        return tuple(
            {str(k): v for k, v in rec.items()}
            for rec in frame.to_dict(orient="records")
        )

    def _get(self, key: tuple[str, Scope, date], load: Callable[[], Any]) -> Any:
        """The cached value of ``key``, loading it when missing or older than the TTL.

        When an entry expires, the first request reloads it while the others keep getting
        the previous value until the new one is in: a census query takes a few hundred
        milliseconds, and every board view stalling behind it once a minute was the
        slowest one per cent of requests. A missing entry (first use, a new day, after
        ``clear()``) has no previous value, so those requests wait for the load.
        """
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and (
                self._clock() - hit.stored_at < self.ttl_seconds or key in self._loading
            ):
                return hit.value
            self._loading.add(key)
            generation = self._generation
        try:
            with self._warehouse_lock:
                with self._lock:  # another request may have loaded it while this waited
                    hit = self._entries.get(key)
                    if (
                        hit is not None
                        and self._clock() - hit.stored_at < self.ttl_seconds
                    ):
                        return hit.value
                value = load()
            with self._lock:
                if generation == self._generation:  # not cleared meanwhile
                    now = self._clock()
                    self._entries = {
                        k: e
                        for k, e in self._entries.items()
                        if now - e.stored_at < self.ttl_seconds or k in self._loading
                    }
                    self._entries[key] = _Entry(now, value)
            return value
        finally:
            with self._lock:
                self._loading.discard(key)

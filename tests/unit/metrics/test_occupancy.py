"""Capacity on the tiny extract.

Wards: W1 (RAA, adult acute, 10 beds), W2 (RAA, PICU, 6), W4 (RAA, older adult, 8),
W3 (NAB, adult acute, 12), all valid since 2020. MHS903 was submitted only for the v6
months (April, May) with AvailBedDays = beds x days, so March comes from the register:
  March available = (10 + 6 + 8 + 12) x 31 = 1,116; April 36 x 30 = 1,080; May 1,116.
Occupied (MHS24 on each ward): March 152 (W1 88, W2 17, W3 20, W4 27).
W1 March occupancy = 88 / 310 = 28.39%; unoccupied = 310 - 88 = 222.
"""

from __future__ import annotations

import pytest

from nearhome.metrics.run import run_metrics

from .conftest import SPAN, pick


def test_totals(value) -> None:
    assert [value("occupancy.available_bed_days", m) for m in (3, 4, 5)] == [
        1116,
        1080,
        1116,
    ]
    assert [value("occupancy.available_beds", m) for m in (3, 4, 5)] == [36, 36, 36]
    assert [value("occupancy.occupied_bed_days", m) for m in (3, 4, 5)] == [
        152,
        180,
        181,
    ]
    assert value("occupancy.closed_bed_days", 4) == 0
    assert value("occupancy.unoccupied_bed_days", 3) == 1116 - 152
    assert value("occupancy.occupancy_pct", 4) == pytest.approx(180 / 1080 * 100)


def test_by_ward(tiny_warehouse) -> None:
    frame = run_metrics(tiny_warehouse, "occupancy", period=SPAN, by="ward")
    assert pick(frame, "occupancy.available_bed_days", 3, "W1") == 310
    assert pick(frame, "occupancy.occupancy_pct", 3, "W1") == pytest.approx(
        88 / 310 * 100
    )
    assert pick(frame, "occupancy.unoccupied_bed_days", 3, "W1") == 222
    assert pick(frame, "occupancy.available_beds", 5, "W3") == 12


def test_by_provider_type_and_site(tiny_warehouse) -> None:
    frame = run_metrics(
        tiny_warehouse,
        "occupancy.available_bed_days",
        period=SPAN,
        by="provider_type,site",
    )
    assert pick(frame, "occupancy.available_bed_days", 4, "Independent") == 360
    assert pick(frame, "occupancy.available_bed_days", 4, "NHS") == 720
    assert pick(frame, "occupancy.available_bed_days", 4, "RAA01") == 720

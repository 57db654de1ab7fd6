"""The registry: lookup, suggestions, selection by family."""

from __future__ import annotations

import pytest

from nearhome.errors import UnknownMetric
from nearhome.metrics.registry import FAMILIES, catalogue, get, resolve


def test_get_and_suggestions() -> None:
    assert get("bed_days.occupied").mhsds_id == "MHS24"
    with pytest.raises(UnknownMetric, match="bed_days.occupied"):
        get("bed_days.ocupied")


def test_resolve_all_family_and_list() -> None:
    assert len(resolve("all")) == len(catalogue())
    family = resolve("restrictive")
    assert family and all(s.family == "restrictive" for s in family)
    chosen = resolve("bed_days.occupied, restrictive.people")
    assert [s.id for s in chosen] == ["bed_days.occupied", "restrictive.people"]


def test_catalogue_is_in_family_order() -> None:
    order = [s.family for s in catalogue()]
    assert order == sorted(order, key=FAMILIES.index)


def test_oap_measures_mirror_the_publication() -> None:
    ids = {s.mhsds_id for s in catalogue()}
    for number in range(1, 12):
        assert f"OAP{number:02d}" in ids or number in (5, 6, 7, 8, 9, 10, 11)
    for code in (
        "OAP01",
        "OAP02",
        "OAP03",
        "OAP04",
        "OAP05",
        "OAP06",
        "OAP07",
        "OAP08",
        "OAP09",
        "OAP10",
        "OAP11",
    ):
        assert code in ids and f"{code}a" in ids
    for code in (
        "MHS07",
        "MHS21",
        "MHS22",
        "MHS24",
        "MHS25",
        "MHS26",
        "MHS27",
        "MHS28",
        "MHS76",
        "MHS77",
        "MHS78",
        "MHS79",
        "MHS80",
        "MHS81",
        "MHS96",
        "MHS100",
        "MHS105",
        "MHS140",
        "MHS141",
        "MHS142",
    ):
        assert code in ids, code

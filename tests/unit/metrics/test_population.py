"""Population denominators: spreading five-year bands over age pieces gives exactly
what spreading them over single years gives."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from nearhome.data import codes
from nearhome.data.warehouse import Warehouse
from nearhome.metrics import dimensions, population
from nearhome.metrics.compute import WarehouseTables
from nearhome.metrics.measures import Population

RANGES = [Population(), Population(18, 64), Population(65), Population(None, 17)]


def _single_years(ranges: object = ()) -> pd.DataFrame:
    """Every five-year band spread over its single years (the plain way)."""
    sets = codes.code_list("age_band_sets")
    five = sets[sets["band_set"] == "five_year"]
    pieces = []
    for band, low, high in zip(
        five["band"], five["min_age"], five["max_age"], strict=True
    ):
        first = int(low)
        end = int(high) + 1 if not pd.isna(high) else first + population.OPEN_BAND_WIDTH
        pieces += [(str(band), age, 1 / (end - first)) for age in range(first, end)]
    return pd.DataFrame(pieces, columns=["_b_band", "_b_age", "_b_share"])


def test_pieces_cover_each_band_once_and_no_boundary_falls_inside_one() -> None:
    pieces = population.age_segments(RANGES)
    assert (pieces.groupby("_b_band")["_b_share"].sum().round(12) == 1).all()
    starts = set(pieces["_b_age"])
    for band_set, bands in codes.code_list("age_band_sets").groupby("band_set"):
        for low, high in zip(bands["min_age"], bands["max_age"], strict=True):
            assert int(low) in starts, (band_set, low)
            if not pd.isna(high) and int(high) + 1 < 90:
                assert int(high) + 1 in starts, (band_set, high)
    assert {18, 65} <= starts
    assert len(pieces) < len(_single_years()) / 3


@pytest.mark.parametrize(
    "name", ["all", "gender", "icb", "imd_quintile", *dimensions.names("age_")]
)
def test_pieces_give_the_single_year_populations(
    tiny_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    tables = WarehouseTables(tiny_warehouse)
    dims = [dimensions.dimensions()[name]]

    def table() -> pd.DataFrame:
        rows = population.population_rows(tables, None, RANGES)
        result = tiny_warehouse.execute(population.population_table(rows, dims, RANGES))
        keys = [c for c in result.columns if not c.startswith("pop_")]
        return result.sort_values(keys).reset_index(drop=True)

    pieces = table()
    monkeypatch.setattr(population, "age_segments", _single_years)
    single = table()
    assert len(pieces) > 0
    pd.testing.assert_frame_equal(pieces, single, check_exact=False, rtol=1e-12)
    totals = [population.range_key(r) for r in RANGES]
    assert pieces[totals[0]].sum() == pytest.approx(
        pieces[totals[1]].sum() + pieces[totals[2]].sum() + pieces[totals[3]].sum()
    )


def test_a_range_splits_the_band_it_starts_in() -> None:
    pieces = population.age_segments([Population(16, 24)])
    fifteen = pieces[pieces["_b_band"] == "15-19"]
    assert fifteen["_b_age"].tolist()[0] == 15
    assert 16 in set(fifteen["_b_age"])
    assert list(itertools.accumulate(fifteen["_b_share"]))[-1] == pytest.approx(1)

"""Results held as codes while a run executes: text and periods round-trip exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from nearhome.metrics.coded import EMPTY, PeriodGrid, Strings, frame, paired, unpaired


def test_text_round_trips_across_chunks_and_reads_missing_as_empty() -> None:
    strings = Strings()
    column = pa.chunked_array([["E54000008", None, "ALL"], ["ALL", "E54000008"], []])

    codes = strings.encode_arrow(column)

    assert strings.decode(codes).tolist() == [
        "E54000008",
        "",
        "ALL",
        "ALL",
        "E54000008",
    ]
    assert codes[1] == EMPTY
    assert codes[0] == codes[4] and codes[2] == codes[3]  # one code per distinct text
    assert len(strings) == 3  # "", "E54000008", "ALL"


def test_decoded_cells_share_one_string_object_per_value() -> None:
    strings = Strings()
    codes = strings.encode_arrow(pa.chunked_array([["a-long-level-code"] * 4]))

    decoded = strings.decode(codes)

    assert len({id(cell) for cell in decoded}) == 1


def test_numbers_and_booleans_are_read_as_text_when_asked() -> None:
    strings = Strings()
    codes = strings.encode_arrow(pa.chunked_array([[3, None, 10]]))
    assert strings.decode(codes).tolist() == ["3", "", "10"]


def test_pairs_of_codes_round_trip_beyond_32_bits() -> None:
    first = np.array([0, 7, 2_000_000_000], dtype=np.int32)
    second = np.array([5, 0, 2_000_000_001], dtype=np.int32)

    again = unpaired(paired(first, second))

    assert again[0].tolist() == first.tolist()
    assert again[1].tolist() == second.tolist()


def _months() -> PeriodGrid:
    starts = [dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 1)]
    lasts = [dt.date(2025, 4, 30), dt.date(2025, 5, 31), dt.date(2025, 6, 30)]
    return PeriodGrid(starts, lasts)


def test_a_period_is_its_index_in_the_grid() -> None:
    grid = _months()
    column = pa.chunked_array([[dt.date(2025, 6, 1), dt.date(2025, 4, 1)]])

    assert grid.index_arrow(column).tolist() == [2, 0]
    assert grid.year_of_last(2) == 2025


def test_a_period_outside_the_grid_is_refused() -> None:
    grid = _months()
    with pytest.raises(ValueError, match="not one of the run's periods"):
        grid.index_arrow(pa.chunked_array([[dt.date(2025, 5, 2)]]))
    with pytest.raises(ValueError, match="not one of the run's periods"):
        grid.index_arrow(pa.chunked_array([[dt.date(2025, 7, 1)]]))


def test_periods_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="in order"):
        PeriodGrid(
            [dt.date(2025, 5, 1), dt.date(2025, 4, 1)],
            [dt.date(2025, 5, 31), dt.date(2025, 4, 30)],
        )


def test_a_result_becomes_codes_indices_and_floats() -> None:
    strings = Strings()
    table = pa.table(
        {
            "breakdown": ["icb", "icb"],
            "period_start": [dt.date(2025, 5, 1), dt.date(2025, 4, 1)],
            "period_last": [dt.date(2025, 5, 31), dt.date(2025, 4, 30)],
            "level_0": ["E54000008", None],
            "a0": pa.array([3, None], type=pa.int64()),
        }
    )

    coded = frame(table, strings, _months(), ("breakdown", "level_0"))

    assert list(coded.columns) == ["breakdown", "period", "level_0", "a0"]
    assert coded["period"].tolist() == [1, 0]
    assert strings.decode(coded["level_0"].to_numpy()).tolist() == ["E54000008", ""]
    assert coded["a0"].dtype == np.float64
    assert coded["a0"].iloc[0] == 3.0 and np.isnan(coded["a0"].iloc[1])

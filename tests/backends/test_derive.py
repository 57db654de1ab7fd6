"""Every canonical table is identical on DuckDB and on Spark (local mode), from one extract."""

from __future__ import annotations

import pandas as pd
import pytest

from nearhome.data.derive import DERIVED
from nearhome.data.warehouse import Warehouse


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Same rows in the same order, dates and timestamps compared as text."""
    text = frame.astype(str).replace({"NaT": "None", "nan": "None", "<NA>": "None"})
    return text.sort_values(list(text.columns)).reset_index(drop=True)


@pytest.mark.spark
@pytest.mark.parametrize("name", list(DERIVED))
def test_canonical_table_equal_on_spark(
    name: str, duckdb_warehouse: Warehouse, spark_warehouse: Warehouse
) -> None:
    expected = _normalised(duckdb_warehouse.execute(duckdb_warehouse.table(name)))
    actual = _normalised(
        spark_warehouse.execute(spark_warehouse.table(name))[list(expected.columns)]
    )
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)

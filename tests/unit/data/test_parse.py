"""Staging's shortcuts change nothing: cleaned text is the trimmed text, whatever it holds."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nearhome.data.parse import cleaned

EDGES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1f", "\u00a0", "\u0301"]
texts = st.lists(
    st.one_of(
        st.none(),
        st.text(st.sampled_from([*EDGES, "a", "0", "-", "é", "\u200d", "👍"])),
        st.text(),
    ),
    min_size=1,
    max_size=50,
)


@settings(max_examples=50, deadline=None)
@given(texts)
def test_cleaned_equals_trimmed_text_or_null(values: list[str | None]) -> None:
    """Values are only left untrimmed when trimming would not change them."""
    table = ibis.memtable(
        pd.DataFrame({"x": pd.Series(values, dtype=object)}), schema={"x": "string"}
    )
    con = ibis.duckdb.connect()
    got = con.execute(
        table.select(fast=cleaned(table.x), slow=table.x.strip().nullif(""))
    )
    fast = [None if pd.isna(v) else v for v in got["fast"]]
    slow = [None if pd.isna(v) else v for v in got["slow"]]
    assert fast == slow

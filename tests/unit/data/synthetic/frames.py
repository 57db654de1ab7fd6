"""Small pandas helpers for reading synthetic extracts in tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nearhome.periods import month_of_uniq_id


def latest(frame: pd.DataFrame, key: str | list[str]) -> pd.DataFrame:
    """The latest row of each record (highest month, then record number)."""
    ordered = frame.sort_values(["UniqMonthID", "RecordNumber"])
    return ordered.groupby(key, as_index=False).last()


def days(series: pd.Series) -> pd.Series:
    """A date column as pandas timestamps (missing -> NaT)."""
    return pd.to_datetime(series.astype("string"))


def month_start(month_id: int) -> pd.Timestamp:
    """First day of the month with this ``UniqMonthID``."""
    return pd.Timestamp(month_of_uniq_id(month_id))


def month_end(month_id: int) -> pd.Timestamp:
    """Last day of the month with this ``UniqMonthID``."""
    first = month_of_uniq_id(month_id)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return pd.Timestamp(following) - pd.Timedelta(days=1)


def extract_span(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day and the day after the last day of the extract."""
    months = tables["MHS001MPI"]["UniqMonthID"]
    return month_start(int(months.min())), month_end(int(months.max())) + pd.Timedelta(
        days=1
    )

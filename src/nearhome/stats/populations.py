"""Standard populations for direct standardisation, shipped as package data.

The default is the 2013 European Standard Population (ESP 2013): 19 five-year bands
from 0-4 to 85-89 plus 90+, totalling 100,000, as published by Eurostat (the source is
named in ``esp2013.csv``). Age bands in user data are matched to a standard by the lower
age of each band, so ``"0-4"``, ``"00-04"``, ``"0 to 4"`` and ``0`` all mean the first
band.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import NamedTuple

import numpy as np
import pandas as pd

from nearhome.errors import DataError
from nearhome.stats.results import FloatArray, IntArray

_FIRST_NUMBER = re.compile(r"\d+")
_BELOW = re.compile(r"^\s*(<|under\b|below\b)", re.IGNORECASE)


def esp2013() -> pd.DataFrame:
    """The 2013 European Standard Population.

    Returns:
        A frame with columns ``age_band`` (``"0-4"`` … ``"90+"``), ``lower_age`` and
        ``population`` (summing to 100,000).

    Examples:
        >>> esp = esp2013()
        >>> len(esp), int(esp["population"].sum())
        (19, 100000)
        >>> esp.iloc[-1].to_dict()
        {'age_band': '90+', 'lower_age': 90, 'population': 1000}
    """
    source = resources.files("nearhome.stats").joinpath("esp2013.csv")
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", dtype={"age_band": str})


def lower_age(label: object) -> int | None:
    """The lower age of an age band label, or ``None`` if it names no age.

    Examples:
        >>> lower_age("85-89"), lower_age("90+"), lower_age("<5"), lower_age(45)
        (85, 90, 0, 45)
    """
    if isinstance(label, int | np.integer):
        return int(label)
    if isinstance(label, float | np.floating):
        return int(label) if float(label).is_integer() else None
    text = str(label)
    if _BELOW.match(text):
        return 0
    found = _FIRST_NUMBER.search(text)
    return int(found.group()) if found else None


class StandardMatch(NamedTuple):
    """Data rows matched to a standard population."""

    weights: FloatArray
    """The standard population of each row's age band."""
    total: float
    """The standard's total over the bands present in the data."""
    band: IntArray
    """A code per row for its band (0, 1, … over the distinct bands present)."""


def standard_weights(
    age_band: pd.Series, standard: pd.DataFrame | None
) -> StandardMatch:
    """Match each row's age band to the standard population.

    The total covers the bands that appear in the data, so an analysis of adults only
    is standardised to the adult part of the standard. A group without rows for a band
    that other groups have counts zero events there.

    Args:
        age_band: the age band of each data row.
        standard: a frame with ``age_band`` and ``population`` columns; ESP 2013 if
            ``None``.

    Raises:
        DataError: a band in the data matches no band of the standard.
    """
    table = esp2013() if standard is None else standard
    if not {"age_band", "population"} <= set(table.columns):
        raise DataError(
            "A standard population needs columns 'age_band' and 'population'."
        )
    by_age = {
        lower_age(band): float(pop)
        for band, pop in zip(table["age_band"], table["population"], strict=True)
    }
    codes, uniques = pd.factorize(age_band, use_na_sentinel=True)
    ages = [lower_age(band) for band in uniques]
    unknown = [
        str(band) for band, age in zip(uniques, ages, strict=True) if age not in by_age
    ]
    if unknown or np.any(codes < 0):
        raise DataError(
            f"Age bands {unknown or ['(missing)']} match no band of the standard.",
            hint="Use the standard's bands (0-4, 5-9, …, 85-89, 90+ for ESP 2013).",
        )
    known = [age for age in ages if age is not None]  # all of them, after the check
    present = sorted(set(known))
    band_of_label = np.asarray([present.index(age) for age in known], dtype=np.int64)
    weights = np.asarray([by_age[age] for age in known], dtype=np.float64)
    total = float(sum(by_age[age] for age in present))
    return StandardMatch(weights[codes], total, band_of_label[codes])

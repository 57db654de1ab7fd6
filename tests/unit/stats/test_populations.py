"""Standard populations: the shipped ESP 2013 and age band matching."""

from __future__ import annotations

import doctest
from importlib import resources

import pandas as pd
import pytest

from nearhome import stats
from nearhome.errors import DataError
from nearhome.stats import populations


def test_docstring_examples_run() -> None:
    assert doctest.testmod(populations).failed == 0


def test_esp2013_is_the_published_table() -> None:
    esp = stats.esp2013()
    assert esp["age_band"].tolist()[:3] == ["0-4", "5-9", "10-14"]
    assert esp["age_band"].tolist()[-2:] == ["85-89", "90+"]
    assert esp["population"].tolist() == [
        5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
        7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
    ]  # fmt: skip
    assert esp["population"].sum() == 100_000


def test_esp2013_names_its_source() -> None:
    text = (resources.files("nearhome.stats") / "esp2013.csv").read_text()
    assert "Eurostat" in text
    assert "KS-RA-13-028" in text


@pytest.mark.parametrize(
    ("label", "age"),
    [("0-4", 0), ("00-04", 0), ("5 to 9", 5), ("90+", 90), ("90 and over", 90),
     ("<5", 0), ("Under 5", 0), (85, 85), (85.0, 85), ("unknown", None)],
)  # fmt: skip
def test_lower_age_reads_common_labels(label: object, age: int | None) -> None:
    assert populations.lower_age(label) == age


def test_weights_cover_only_the_bands_present() -> None:
    bands = pd.Series(["20-24", "25-29", "20-24", "20 to 24"])
    match = populations.standard_weights(bands, None)
    assert match.weights.tolist() == [6000.0, 6000.0, 6000.0, 6000.0]
    assert match.total == 12_000.0
    assert match.band.tolist() == [0, 1, 0, 0]  # two spellings, one band


def test_unknown_band_is_refused_with_its_label() -> None:
    with pytest.raises(DataError, match="'3-7'"):
        populations.standard_weights(pd.Series(["0-4", "3-7"]), None)
    with pytest.raises(DataError, match="missing"):
        populations.standard_weights(pd.Series(["0-4", None]), None)

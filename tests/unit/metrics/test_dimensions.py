"""Breakdown requests and the dimension registry."""

from __future__ import annotations

import pytest

from nearhome.errors import UnsupportedBreakdown
from nearhome.metrics import dimensions


def test_parse_aliases_and_crossing() -> None:
    assert dimensions.parse("ethnicity") == ("ethnic_group",)
    assert dimensions.parse("icb*ethnicity") == ("icb", "ethnic_group")
    assert dimensions.parse("all*icb") == ("icb",)
    assert dimensions.parse_many("all,icb, icb*gender") == (
        ("all",),
        ("icb",),
        ("icb", "gender"),
    )
    assert dimensions.parse_many("") == (("all",),)


def test_unknown_and_too_many() -> None:
    with pytest.raises(UnsupportedBreakdown, match="Did you mean"):
        dimensions.parse("icbb")
    with pytest.raises(UnsupportedBreakdown, match="at most two"):
        dimensions.parse("icb*gender*ethnic_group")


def test_code_lists_become_breakdowns() -> None:
    names = set(dimensions.dimensions())
    assert {"age_mhs07", "age_los", "age_oap", "age_mha", "age_ri"} <= names
    assert {
        "bed_los_publication",
        "bed_mhs27a",
        "bed_nhse_dashboard",
        "bed_capacity_pool",
    } <= names
    assert "age_esp" not in names  # the same bands as age_five_year
    assert dimensions.place().count("bed_type") == 1

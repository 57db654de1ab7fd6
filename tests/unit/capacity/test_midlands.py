"""The Midlands bed model import reproduces its projection and beds (hand-computed below).

Fixture files (synthetic): ``midlands/params.csv`` (the model's defaults with a 10% shift to
the independent sector) and ``midlands/baseline.csv`` (four rows, ICB QAA). With
``--demographic-growth 2``, the factors other than social care add up to -15.1%:

* spells 850 × (1 - 0.151 + 0.066) = 777.75
* bed days 33,400 × 0.849 + 2,800 × 0.066 = 28,541.4; excluding home leave 27,420.72
* beds now: round(33,400 / 0.92 / 365.25) = 99 and round(32,080 / 336.03) = 95
* beds then: round(28,541 / 0.85 / 365.25) = 92 and round(27,421 / 310.4625) = 88
* out-of-area policy: +50% of the outgoing row (2,383.8) - 50% of the incoming row (509.4) = 937.2
* shift to independent: -10% of NHS rows (17,928 + 7,720.2 + 509.4) = -2,615.76
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nearhome.capacity.erlang import erlang_b
from nearhome.capacity.midlands import (
    annualised_beds,
    bed_policy,
    midlands_projection,
    read_midlands,
    risk_view,
)
from nearhome.errors import InvalidScenario

HERE = Path(__file__).parent / "midlands"


@pytest.fixture
def inputs():  # type: ignore[no-untyped-def]
    return read_midlands(
        HERE / "params.csv", HERE / "baseline.csv", demographic_growth=2.0
    )


def test_parameters_and_icb(inputs) -> None:  # type: ignore[no-untyped-def]
    assert inputs.icb_code == "QAA"
    assert inputs.defaulted == ()
    assert (
        inputs.spec.shift_to_independent == 10.0
        and inputs.spec.future_occupancy == 85.0
    )
    assert inputs.spec.delayed_share_of_bed_days == pytest.approx(2800 / 33400)


def test_projection(inputs) -> None:  # type: ignore[no-untyped-def]
    values = midlands_projection(inputs).set_index("name")["value"]
    assert values.index[0] == "spell_count" and values.index[-1] == "bed_days_exHL_proj"
    assert values["spell_proj"] == pytest.approx(777.75)
    assert values["bed_days_proj"] == pytest.approx(28541.4)
    assert values["bed_days_exHL_proj"] == pytest.approx(27420.72)
    assert values["sp_demographic_growth"] == pytest.approx(17.0)
    assert values["bd_social_care_pressures"] == pytest.approx(184.8)
    assert values["exHL_bedday_social_care_pressures"] == pytest.approx(184.8)


def test_annualised_beds_round_as_the_model_does(inputs) -> None:  # type: ignore[no-untyped-def]
    beds = annualised_beds(midlands_projection(inputs), inputs.spec)
    assert beds["measure"].tolist() == [
        "Baseline",
        "Baseline - excl home leave",
        "Projected",
        "Projected - excl home leave",
    ]
    assert beds["bed_days"].tolist() == [33400, 32080, 28541, 27421]
    assert beds["annualised_beds"].tolist() == [99, 95, 92, 88]


def test_bed_policy(inputs) -> None:  # type: ignore[no-untyped-def]
    table = bed_policy(inputs).set_index("measure")
    assert table.loc["Projected demand", "bed_days"] == pytest.approx(28541.4)
    assert table.loc["Out-of-area policy impact", "bed_days"] == pytest.approx(937.2)
    assert table.loc["Shift to independent sector", "bed_days"] == pytest.approx(
        -2615.76
    )
    assert table.loc["Shift from independent sector", "bed_days"] == 0.0
    assert table["annualised_beds"].tolist() == [91.9, 3.0, -8.4, 0.0]
    assert bed_policy(inputs, exclude_home_leave=True).iloc[0][
        "bed_days"
    ] == pytest.approx(27420.72)


def test_risk_view_on_top(inputs) -> None:  # type: ignore[no-untyped-def]
    risk = risk_view(
        annualised_beds(midlands_projection(inputs), inputs.spec), 0.05
    ).set_index("measure")
    row = risk.loc["Projected"]
    assert row["offered_load"] == pytest.approx(28541 / 365.25)
    assert row["p_out_of_area_at_annualised_beds"] == pytest.approx(
        erlang_b(28541 / 365.25, 92)
    )
    assert erlang_b(row["offered_load"], int(row["beds_for_target"])) <= 0.05


def test_missing_parameters_keep_defaults(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "Parameter,Value\nIncidence Change,1.0\n", encoding="utf-8"
    )
    got = read_midlands(tmp_path / "p.csv", HERE / "baseline.csv")
    assert got.spec.incidence_change == 1.0 and got.spec.acuity_change == 6.7
    assert "Acuity Change" in got.defaulted


def test_every_problem_is_listed(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "Parameter,Value\nIncidence Change,x\nMoon Phase,3\nAcuity Change,1\nAcuity Change,2\n",
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text(
        "residence_icb_code,spell_count,bed_days\nQAA,1,oops\n", encoding="utf-8"
    )
    with pytest.raises(InvalidScenario) as caught:
        read_midlands(tmp_path / "p.csv", tmp_path / "b.csv", current_occupancy=0.0)
    text = str(caught.value)
    for bit in (
        "not a number: 'x'",
        "unknown parameter 'Moon Phase'",
        "given twice",
        "missing column 'bed_days_exHL'",
        "current occupancy",
    ):
        assert bit in text
    with pytest.raises(InvalidScenario, match="does not exist"):
        read_midlands(tmp_path / "none.csv", tmp_path / "b.csv")

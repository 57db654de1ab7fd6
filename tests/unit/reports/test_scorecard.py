"""The scorecard mapping: validation, statuses, and scoring against evidence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from nearhome.errors import InvalidConfig
from nearhome.reports.scorecard import (
    Indicator,
    Reading,
    default_scorecard,
    load_scorecard,
    principle_status,
    score,
    status_of,
)

PRINCIPLES = {
    "humane",
    "valuing",
    "accessible",
    "governance",
    "equitable",
    "therapeutic",
    "collaborative",
    "citizenship",
}


def test_default_scorecard_covers_the_eight_principles() -> None:
    card = default_scorecard()
    assert {p.key for p in card.principles} == PRINCIPLES
    assert all(p.indicators for p in card.principles)
    humane = next(p for p in card.principles if p.key == "humane")
    assert any(i.level == "prone" for i in humane.indicators)
    valuing = next(p for p in card.principles if p.key == "valuing")
    assert {i.source for i in valuing.indicators} == {"board"}


@pytest.mark.parametrize(
    ("better", "value", "status"),
    [
        ("lower", 10.0, "green"),
        ("lower", 20.0, "green"),
        ("lower", 30.0, "amber"),
        ("lower", 41.0, "red"),
        ("higher", 95.0, "green"),
        ("higher", 71.0, "amber"),
        ("higher", 10.0, "red"),
    ],
)
def test_status_against_thresholds(better: str, value: float, status: str) -> None:
    green, amber = (20, 40) if better == "lower" else (90, 70)
    indicator = Indicator(
        label="x", source="board", field="f", better=better, green=green, amber=amber
    )  # type: ignore[arg-type]
    assert status_of(indicator, value) == status


def test_missing_and_suppressed_figures_are_no_data() -> None:
    indicator = Indicator(
        label="x", source="board", field="f", better="lower", green=1, amber=2
    )
    assert status_of(indicator, "*") == "no_data"
    assert status_of(indicator, None) == "no_data"
    assert status_of(indicator, float("nan")) == "no_data"


def test_a_principle_takes_its_worst_status_ignoring_no_data() -> None:
    assert principle_status(["green", "amber", "no_data"]) == "amber"
    assert principle_status(["green", "red"]) == "red"
    assert principle_status(["no_data", "no_data"]) == "no_data"
    assert principle_status([]) == "no_data"


def test_indicators_are_checked() -> None:
    with pytest.raises(ValueError, match="needs group, reference"):
        Indicator(
            label="x",
            source="rate_ratio",
            measure="m",
            breakdown="b",
            better="lower",
            green=1,
            amber=2,
        )
    with pytest.raises(ValueError, match="green must be at least as good"):
        Indicator(
            label="x", source="metric", measure="m", better="lower", green=5, amber=2
        )
    with pytest.raises(ValueError, match="needs levels"):
        Indicator(
            label="x",
            source="share",
            measure="m",
            breakdown="b",
            better="higher",
            green=5,
            amber=2,
        )


@dataclass
class FixedEvidence:
    values: dict[str, float | str | None]

    def figure(self, indicator: Indicator) -> Reading:
        return Reading(
            self.values.get(indicator.label),
            reason="" if indicator.label in self.values else "absent",
        )


def test_score_reads_every_indicator_in_order() -> None:
    card = default_scorecard()
    labels = [i.label for p in card.principles for i in p.indicators]
    scored = score(card, FixedEvidence({labels[0]: 10.0, labels[1]: "*"}))
    assert [s.indicator.label for s in scored] == labels
    assert scored[0].status == "green"
    assert scored[1].status == "no_data"
    assert scored[2].figure.reason == "absent"


def test_own_scorecard_files(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(
        'title = "Ours"\n[[principles]]\nkey = "humane"\ntitle = "Humane"\n'
        '[[principles.indicators]]\nlabel = "RI"\nsource = "metric"\nmeasure = "restrictive.per_1000_bed_days"\n'
        'better = "lower"\ngreen = 10\namber = 20\n',
        encoding="utf-8",
    )
    assert load_scorecard(path).title == "Ours"
    path.write_text('[[principles]]\nkey = "Bad Key"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(InvalidConfig, match="principles.0.key"):
        load_scorecard(path)
    with pytest.raises(InvalidConfig, match="does not exist"):
        load_scorecard(tmp_path / "none.toml")

"""``nearhome equity run`` and ``nearhome spc`` on the tiny extract."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nearhome.cli import app
from nearhome.data.load import load_extract
from nearhome.data.warehouse import connect
from nearhome.metrics.run import run_metrics

runner = CliRunner()
SPAN = "2024-03..2024-05"


@pytest.fixture(scope="module")
def warehouse_url(tiny_extract: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('equity') / 'wh.duckdb'}"
    store = connect(url)
    load_extract(store, tiny_extract)
    store.close()
    return url


def monthly_sum(
    url: str, metric_id: str, breakdown: str, level: str
) -> tuple[float, float]:
    """Numerator summed over the months and the months' mean denominator."""
    store = connect(url)
    try:
        frame = run_metrics(store, [metric_id], period=SPAN, by=breakdown, icb="QAA")
    finally:
        store.close()
    rows = frame[frame["level"] == level]
    return float(rows["numerator"].sum()), float(rows["denominator"].mean())


def equity(url: str, out: Path, suppress: str) -> pd.DataFrame:
    result = runner.invoke(
        app,
        [
            "equity",
            "run",
            "--warehouse",
            url,
            "--icb",
            "QAA",
            "--period",
            SPAN,
            "--measures",
            "admissions,restrictive_per_1000_bed_days",
            "--by",
            "ethnicity,imd_quintile,sex",
            "--suppress",
            suppress,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Inequalities: QAA" in result.output
    return pd.read_csv(out / "equity.csv", keep_default_na=True)


def value(table: pd.DataFrame, measure: str, statistic: str, level: str) -> object:
    rows = table[
        (table["measure"] == measure)
        & (table["statistic"] == statistic)
        & (table["level"].astype(str) == level)
        & (table["breakdown"] == "ethnic_group")
    ]
    assert len(rows) == 1
    return rows["value"].iloc[0]


def test_equity_run_writes_the_table_and_charts(
    warehouse_url: str, tmp_path: Path
) -> None:
    table = equity(warehouse_url, tmp_path, "none")
    names = {p.name for p in tmp_path.iterdir()}
    for chart in (
        "forest_admissions.svg",
        "gradient_admissions.svg",
        "funnel_admissions.svg",
        "funnel_restrictive_per_1000_bed_days.svg",
    ):
        assert chart in names
        ET.parse(tmp_path / chart)  # well-formed SVG
    assert {"equity.csv", "equity.json"} <= names
    # the numbers are the catalogue's, totalled over the three months
    count, population = monthly_sum(
        warehouse_url, "activity.admissions_per_100k", "ethnic_group", "White"
    )
    assert float(value(table, "admissions", "count", "White")) == count
    assert float(value(table, "admissions", "denominator", "White")) == population
    assert float(value(table, "admissions", "crude_rate", "White")) == pytest.approx(
        count / population * 100_000
    )
    events, bed_days = monthly_sum(
        warehouse_url, "restrictive.per_1000_bed_days", "ethnic_group", "Black"
    )
    assert float(
        value(table, "restrictive_per_1000_bed_days", "denominator", "Black")
    ) == pytest.approx(
        bed_days * 3  # bed days add up over the months
    )
    assert (
        float(value(table, "restrictive_per_1000_bed_days", "count", "Black")) == events
    )


def test_equity_run_applies_the_disclosure_policy(
    warehouse_url: str, tmp_path: Path
) -> None:
    table = equity(warehouse_url, tmp_path, "mhsds")
    counts = table.loc[table["statistic"] == "count", "value"].astype(str)
    assert counts.isin(["*"]).any()
    numbers = pd.to_numeric(counts, errors="coerce").dropna()
    assert (numbers % 5 == 0).all()  # every shown count rounded to 5
    hidden = table[
        (table["statistic"] == "count") & (table["value"].astype(str) == "*")
    ]
    for _, row in hidden.iterrows():
        rates = table[
            (table["measure"] == row["measure"])
            & (table["breakdown"] == row["breakdown"])
            & (table["level"] == row["level"])
            & (table["statistic"] == "crude_rate")
        ]
        assert (rates["value"].astype(str) == "*").all()
    assert "disclosure" in (tmp_path / "equity.json").read_text()


def test_equity_run_refuses_unknown_measures(warehouse_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "equity",
            "run",
            "--warehouse",
            warehouse_url,
            "--period",
            SPAN,
            "--measures",
            "beds",
        ],
    )
    assert result.exit_code != 0


def test_spc_prints_and_writes_the_chart(warehouse_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "spc",
            "--warehouse",
            warehouse_url,
            "--measure",
            "bed_days.occupied",
            "--area",
            "QAA",
            "--improvement",
            "decrease",
            "--target",
            "150",
            "--period",
            SPAN,
            "--suppress",
            "none",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Variation: common_cause" in result.output
    assert "fewer than 13" in result.output  # the short-series warning
    points = pd.read_csv(tmp_path / "spc.csv")
    store = connect(warehouse_url)
    try:
        frame = run_metrics(store, ["bed_days.occupied"], period=SPAN, icb="QAA")
    finally:
        store.close()
    assert points["value"].tolist() == frame["value"].tolist()
    mean = sum(frame["value"]) / 3
    moving = frame["value"].diff().abs().dropna().mean()
    assert points["mean"].iloc[0] == pytest.approx(mean)
    assert points["upper_process_limit"].iloc[0] == pytest.approx(mean + 2.66 * moving)
    svg = (tmp_path / "spc.svg").read_text()
    assert svg.startswith("<svg") and "Occupied bed days" in svg


def test_spc_refuses_a_bad_direction(warehouse_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "spc",
            "--warehouse",
            warehouse_url,
            "--measure",
            "bed_days.occupied",
            "--area",
            "QAA",
            "--improvement",
            "sideways",
            "--period",
            SPAN,
        ],
    )
    assert result.exit_code == 2

"""``nearhome demo`` runs the main job end to end: extract, warehouse, board, metrics,
capacity scenario and report, all for the first ICB, and says where each output is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nearhome.cli import app
from nearhome.data.warehouse import connect

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    options = ["--icbs", "1", "--years", "2", "--scale", "0.3", "--reps", "20"]
    result = CliRunner().invoke(app, ["demo", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_every_step_wrote_its_output(demo_folder: tuple[Path, str]) -> None:
    out, printed = demo_folder
    for relative in (
        "nearhome.duckdb",
        "board.sqlite",
        "metrics/metrics.csv",
        "metrics/metrics.xlsx",
        "capacity/baseline.toml",
        "capacity/pools.csv",
        "capacity/monthly.csv",
    ):
        assert (out / relative).is_file(), relative
    reports = sorted((out / "report").glob("report-*"))
    assert {p.suffix for p in reports} == {".html", ".pdf", ".xlsx"}
    for path in (out / "metrics" / "metrics.csv", *reports):
        assert str(path) in printed


def test_metrics_are_the_demo_icbs_and_match_the_warehouse(
    demo_folder: tuple[Path, str],
) -> None:
    """The exported catalogue is the first ICB's latest year, and its admissions total
    (MHSDS policy: rounded to 5 below national level) is the warehouse's own count."""
    out, printed = demo_folder
    warehouse = connect(f"duckdb:///{out / 'nearhome.duckdb'}")
    icb = warehouse.execute(
        warehouse.table("geography").icb_code.min().name("icb").as_table()
    )["icb"].iloc[0]
    assert f"Demo ICB {icb}" in printed
    frame = pd.read_csv(out / "metrics" / "metrics.csv", dtype=str)
    admissions = frame[
        (frame["measure_id"] == "activity.admissions") & (frame["breakdown"] == "all")
    ]
    assert len(admissions) == 12
    last = admissions.sort_values("period_start").iloc[-1]
    spells, people = warehouse.table("spell"), warehouse.table("person")
    mine = spells.join(people, "person_id").filter(
        lambda t: (
            (t.icb_code == icb)
            & (t.admission_date >= pd.Timestamp(last["period_start"]).date())
            & (t.admission_date <= pd.Timestamp(last["period_end"]).date())
        )
    )
    expected = int(warehouse.execute(mine.count().name("n").as_table())["n"].iloc[0])
    shown = last["numerator"]
    if expected == 0:
        assert shown in ("0", "0.0")
    elif expected < 5:  # the MHSDS policy: 1-4 shown as *
        assert shown == "*"
    else:
        assert float(shown) == 5 * round(expected / 5)


def test_capacity_pools_are_printed(demo_folder: tuple[Path, str]) -> None:
    out, printed = demo_folder
    pools = pd.read_csv(out / "capacity" / "pools.csv")
    assert len(pools) >= 1
    for pool in pools["pool"]:
        assert pool in printed

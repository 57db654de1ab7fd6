"""``nearhome metrics list | show | run``."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from nearhome.cli.metrics import app

runner = CliRunner()


def test_list_and_show() -> None:
    listed = runner.invoke(app, ["list", "--family", "bed_days"])
    assert listed.exit_code == 0
    assert "MHS24" in listed.output
    shown = runner.invoke(app, ["show", "bed_days.occupied_less_leave"])
    assert shown.exit_code == 0
    assert "MHS25" in shown.output and "leave of absence" in shown.output


def test_show_unknown_metric() -> None:
    result = runner.invoke(app, ["show", "bed_days.ocupied"])
    assert result.exit_code != 0


def test_run_writes_a_file(tiny_extract, tmp_path) -> None:
    from nearhome.data.load import load_extract
    from nearhome.data.warehouse import connect

    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    store = connect(url)
    load_extract(store, tiny_extract)
    store.close()
    out = tmp_path / "metrics.csv"
    result = runner.invoke(
        app,
        [
            "run",
            "--warehouse",
            url,
            "--measures",
            "bed_days.occupied",
            "--period",
            "2024-03..2024-05",
            "--by",
            "all,provider",
            "--suppress",
            "none",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame[frame["breakdown"] == "all"]["value"]) == [152, 180, 181]
    printed = runner.invoke(
        app,
        [
            "run",
            "--warehouse",
            url,
            "--measures",
            "bed_days.occupied",
            "--period",
            "2024-03..2024-05",
        ],
    )
    assert printed.exit_code == 0 and "152" in printed.output
    bad = runner.invoke(
        app,
        [
            "run",
            "--warehouse",
            url,
            "--period",
            "2024-03..2024-05",
            "--frequency",
            "weekly",
        ],
    )
    assert bad.exit_code == 2


def test_a_bad_option_value_is_a_usage_error_not_a_traceback(
    capsys, monkeypatch
) -> None:
    """Through the real entry point: the message names the option and the choices."""
    import sys

    import pytest

    from nearhome.cli import main

    monkeypatch.setattr(
        sys,
        "argv",
        [
            "nearhome",
            "metrics",
            "sql",
            "bed_days.occupied",
            "--period",
            "2025-04..2025-06",
            "--frequency",
            "weekly",
        ],
    )
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Invalid value for --frequency" in err and "rolling12" in err
    assert "Traceback" not in err

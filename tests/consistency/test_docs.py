"""Generated reference pages match the code they are generated from."""

from __future__ import annotations

from pathlib import Path

from nearhome.data.contract import render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_input_contract_page_is_current() -> None:
    page = (DOCS / "reference" / "input-contract.md").read_text(encoding="utf-8")
    assert page == render(), (
        "Regenerate: python -c 'from nearhome.data.contract import render; print(render())'"
    )


def test_every_table_and_field_is_documented() -> None:
    from nearhome.data.schema import TABLES

    page = (DOCS / "reference" / "input-contract.md").read_text(encoding="utf-8")
    for spec in TABLES:
        assert f"## {spec.name}" in page
        for field in spec.fields:
            assert f"`{field.name}`" in page

"""Shared fixtures; every test is marked by the folder it lives in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nearhome.testing.tiny import write_tiny_extract

FOLDER_MARKS = ("unit", "backends", "integration", "consistency")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by folder (so nobody can forget a marker)."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for mark in FOLDER_MARKS:
            if mark in parts:
                item.add_marker(getattr(pytest.mark, mark))


@pytest.fixture(scope="session")
def tiny_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built tiny extract, written once per session (treat as read-only)."""
    return write_tiny_extract(tmp_path_factory.mktemp("tiny") / "extract")


@pytest.fixture
def tiny_copy(tiny_extract: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the tiny extract that a test may break."""
    import shutil

    target = tmp_path / "extract"
    shutil.copytree(tiny_extract, target)
    yield target

"""NumPy's huge-page request is switched off unless the environment asked for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from numpy._core import multiarray

from nearhome.memory import HUGE_PAGE_SETTING, avoid_huge_page_stalls


@pytest.fixture
def restore_numpy() -> Iterator[None]:
    """Leave NumPy's setting as the test found it."""
    before = multiarray._set_madvise_hugepage(False)
    multiarray._set_madvise_hugepage(before)
    yield
    multiarray._set_madvise_hugepage(before)


def test_switches_numpy_off_and_tells_child_processes(
    monkeypatch: pytest.MonkeyPatch, restore_numpy: object
) -> None:
    monkeypatch.delenv(HUGE_PAGE_SETTING, raising=False)
    multiarray._set_madvise_hugepage(True)

    assert avoid_huge_page_stalls() is True

    assert multiarray._set_madvise_hugepage(False) is False  # it was already off
    assert os.environ[HUGE_PAGE_SETTING] == "0"


def test_an_explicit_request_for_huge_pages_is_respected(
    monkeypatch: pytest.MonkeyPatch, restore_numpy: object
) -> None:
    monkeypatch.setenv(HUGE_PAGE_SETTING, "1")
    multiarray._set_madvise_hugepage(True)

    assert avoid_huge_page_stalls() is False

    assert multiarray._set_madvise_hugepage(True) is True  # left on


def test_importing_nearhome_switches_it_off() -> None:
    code = (
        "import os; os.environ.pop('NUMPY_MADVISE_HUGEPAGE', None); import nearhome;"
        "from numpy._core import multiarray;"
        "print(multiarray._set_madvise_hugepage(False))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"

"""A process's reported peak is its own, not the peak of the process that started it."""

from __future__ import annotations

import subprocess
import sys

PARENT_HOLDS_MB = 400
HOLD = "held = bytearray({mb} * 1024 * 1024)\nheld[::4096] = b'x' * len(held[::4096])\n"
"""Python that allocates ``mb`` MB and touches every page, so it is resident."""
REPORT = (
    "import resource; from nearhome.peak_memory import peak_resident_mb; "
    "print(peak_resident_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)
PARENT = (
    "import subprocess, sys\n"
    + HOLD.format(mb=PARENT_HOLDS_MB)
    + f"print(subprocess.run([sys.executable, '-c', {REPORT!r}], capture_output=True,"
    " text=True, check=True).stdout)\n"
)
GROWS = (
    "from nearhome.peak_memory import peak_resident_mb\n"
    "before = peak_resident_mb()\n"
    + HOLD.format(mb=200)
    + "print(before, peak_resident_mb())\n"
)


def _printed(script: str) -> list[float]:
    """The numbers a fresh interpreter prints running ``script`` (this test process's
    own peak may already be far higher than anything measured here)."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return [float(word) for word in done.stdout.split()]


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    own, inherited = _printed(PARENT)
    assert inherited >= PARENT_HOLDS_MB  # the measure that misled: the parent's peak
    assert own < PARENT_HOLDS_MB / 2  # a bare interpreter holds far less than that


def test_the_peak_grows_with_what_the_process_holds() -> None:
    before, after = _printed(GROWS)
    assert after >= before + 190

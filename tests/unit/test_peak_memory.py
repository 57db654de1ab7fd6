"""A process's reported peak is its own, not the peak of the process that started it."""

from __future__ import annotations

import subprocess
import sys

PARENT_HOLDS_MB = 400
REPORT = (
    "import resource; from nearhome.peak_memory import peak_resident_mb; "
    "print(peak_resident_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)
PARENT = (
    "import subprocess, sys\n"
    f"held = bytearray({PARENT_HOLDS_MB} * 1024 * 1024)\n"
    "held[::4096] = b'x' * len(held[::4096])\n"
    f"print(subprocess.run([sys.executable, '-c', {REPORT!r}], capture_output=True,"
    " text=True, check=True).stdout)\n"
)


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    printed = subprocess.run(
        [sys.executable, "-c", PARENT], capture_output=True, text=True, check=True
    ).stdout.split()
    own, inherited = float(printed[0]), float(printed[1])
    assert inherited >= PARENT_HOLDS_MB  # the measure that misled: the parent's peak
    assert own < PARENT_HOLDS_MB / 2  # a bare interpreter holds far less than that


GROWS = (
    "from nearhome.peak_memory import peak_resident_mb\n"
    "before = peak_resident_mb()\n"
    "held = bytearray(200 * 1024 * 1024)\n"
    "held[::4096] = b'x' * len(held[::4096])\n"
    "print(before, peak_resident_mb())\n"
)


def test_the_peak_grows_with_what_the_process_holds() -> None:
    # In a fresh interpreter: this test process's own peak may already be far higher.
    printed = subprocess.run(
        [sys.executable, "-c", GROWS], capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = float(printed[0]), float(printed[1])
    assert after >= before + 190

"""The peak resident memory of this process, as the benchmarks report it.

``getrusage``'s ``ru_maxrss`` is the obvious measure and a misleading one for a process
started by another: Linux carries the high-water mark across ``fork`` and ``exec``, so a
benchmark step run in a fresh interpreter reports its parent's peak when that was
higher. The England load benchmark synthesises its 2.4 GB extract in the parent and
showed exactly that parent's 5 GB for both of its steps. The kernel's ``VmHWM``
belongs to the process's own address space, which ``exec`` replaces, so it is the
step's own peak; ``ru_maxrss`` is only the fallback where ``/proc`` is missing.
"""

from __future__ import annotations

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")
HIGH_WATER_MARK = "VmHWM:"


def peak_resident_mb() -> float:
    """The most memory this process has held resident so far, in MB (1,048,576 bytes)."""
    try:
        lines = STATUS.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.startswith(HIGH_WATER_MARK):
            kilobytes = int(line.split()[1])
            return kilobytes / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

"""Large arrays without huge-page stalls.

NumPy asks the kernel for transparent huge pages for every large array. Where the
kernel answers such requests by compacting memory on the spot (``defrag`` set to
``madvise``, a common default), each new array of tens of megabytes can stall for the
best part of a second: on the 2-core machine nearhome is benchmarked on, 88 MB of new
array took 1.0 s with the request and 0.04 s without it. A whole-catalogue run creates
hundreds of such arrays, so nearhome turns the request off for its process. The gain
huge pages would bring (fewer TLB misses) is small next to the stall.
"""

from __future__ import annotations

import os

HUGE_PAGE_SETTING = "NUMPY_MADVISE_HUGEPAGE"
"""NumPy's documented switch, read when NumPy is first imported."""


def avoid_huge_page_stalls() -> bool:
    """Stop NumPy asking for huge pages (unless the environment already decided).

    Returns whether NumPy now allocates without the request.
    """
    if os.environ.get(HUGE_PAGE_SETTING, "0") != "0":
        return False  # someone asked for huge pages explicitly: respect it
    os.environ.setdefault(HUGE_PAGE_SETTING, "0")  # child processes and later imports
    from numpy._core import multiarray  # NumPy may already be imported: switch it too

    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    if setter is not None:
        setter(False)
    return True

"""Readmission (local definitions) on the tiny extract.

Every discharge is an index (method 1, destination 19). P07 left S07A on 20 March and
was admitted again (S07B) on 30 March: 10 days, inside both windows. No other discharged
person came back.
  March: 1 of 3 index discharges (S02, S07A, S11) = 33.3%; April 0 of 2; May 0 of 3.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("days", [14, 30])
def test_readmissions(value, days: int) -> None:
    metric = f"readmissions.within_{days}_days"
    assert [value(metric, m, "numerator") for m in (3, 4, 5)] == [1, 0, 0]
    assert [value(metric, m, "denominator") for m in (3, 4, 5)] == [3, 2, 3]
    assert value(metric, 3) == pytest.approx(100 / 3)

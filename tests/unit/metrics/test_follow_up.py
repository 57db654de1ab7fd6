"""72-hour follow-up on the tiny extract.

A month's discharges for this measure run from 4 days before its start to 4 days before
its end: March = 26 Feb - 27 Mar, April = 28 Mar - 26 Apr, May = 27 Apr - 27 May.
  March: S07A (20th), S11 (25th) = 2 eligible; neither followed up (S07B's admission on
         the 30th is 10 days later).
  April: S02 (31 Mar), S07B (15 Apr), S01 (20 Apr) = 3; S01 followed up by contact CC01
         (RAA, attended, face to face) on 22 April, 2 days later: 1 = 33.3%.
  May:   S04 (10 May), S08 (20 May, older adult acute: in scope) = 2; none followed up.
  (S05, discharged 31 May, belongs to June.)
"""

from __future__ import annotations

import pytest


def test_follow_up(value) -> None:
    assert [value("follow_up.eligible_discharges", m) for m in (3, 4, 5)] == [2, 3, 2]
    assert [value("follow_up.followed_up", m) for m in (3, 4, 5)] == [0, 1, 0]
    assert value("follow_up.followed_up_pct", 4) == pytest.approx(100 / 3)

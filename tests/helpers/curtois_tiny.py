"""A tiny Curtois & Qu instance the benchmark's tests share."""

from __future__ import annotations

from functools import cache

from bench.curtois import CurtoisSpace, solve_instance
from bench.curtois_format import parse_instance

# One week, two shift types (a night may not be followed by a day), three people whose limits bind: A at most
# 2 nights and 4 days in a row, B and C at least 2 days in a row and 2 days off, weekends capped at 1 or 0.
TINY = """\
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D

SECTION_STAFF
A,D=5|N=2,2880,960,4,1,1,1
B,D=5|N=0,2400,480,3,2,2,1
C,D=2|N=3,3000,1200,3,2,2,0

SECTION_DAYS_OFF
A,0
C,6

SECTION_SHIFT_ON_REQUESTS
B,2,D,3
A,5,N,2

SECTION_SHIFT_OFF_REQUESTS
A,3,D,2
C,4,N,1

SECTION_COVER
0,D,1,100,1
1,D,1,100,1
2,D,2,100,1
3,D,1,100,1
4,D,1,100,1
5,D,1,100,1
6,D,1,100,1
0,N,1,50,1
1,N,1,50,1
2,N,1,50,1
3,N,1,50,1
4,N,1,50,1
5,N,1,50,1
6,N,1,50,1
"""

INSTANCE = parse_instance(TINY, "tiny.txt")


def roster_of(space: CurtoisSpace, schedules) -> dict[tuple[str, int], str]:
    """Employee index -> cells worked, as the evaluator's (employee ID, day) -> shift type."""
    return {(space.limits[op].operator_id, day): kind for op, cells in schedules.items() for day, kind in cells}


@cache
def compact_optimum() -> int:
    result = solve_instance(INSTANCE, time_limit=10, workers=1, method="compact")
    assert result.status == "OPTIMAL"
    return result.objective

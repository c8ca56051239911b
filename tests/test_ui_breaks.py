"""The breaks page on a tiny February: for a day, the timeline of shifts and breaks, on-phones against required
every 5 minutes, and the day's deepest dip as the core measures it."""

from __future__ import annotations

import pytest

from helpers.ui_pages import FEBRUARY, greedy_draft, open_page, rules
from planner.breaks import naive_breaks, slot_loads, worst_dip
from planner.staffing import staffing_plan
from ui.breaks import DAY, day_shifts, day_slots


@pytest.fixture
def store(small_month_store):
    return small_month_store


def test_before_any_roster_the_page_points_to_the_roster_page(store):
    at = open_page("breaks")
    assert not at.exception
    assert "Roster page" in at.info[0].value


def test_a_day_shows_its_timeline_on_phones_and_deepest_dip(store):
    # Every break at its earliest moment, so that the hall dips.
    version_id = greedy_draft(store)
    greedy = store.load_roster(version_id).roster
    roster = naive_breaks(greedy, rules())
    store.save_draft(version_id, 1, roster, (), (), "tester")
    plan = staffing_plan(store.latest_forecast(FEBRUARY.label).forecast, rules())
    loads = slot_loads(plan, roster, rules())
    day = max(sorted({shift.day for shift in roster.shifts}), key=lambda d: worst_dip(day_slots(loads, d)))
    dip = worst_dip(day_slots(loads, day))
    deepest = next(load for load in day_slots(loads, day) if load.dip == dip)
    assert dip > 0 and day_shifts(roster, day)

    at = open_page("breaks")
    at.selectbox(key=DAY).select(day).run()
    assert not at.exception
    worst = at.main.get_by_key("breaks_worst_dip").metric[0]
    assert worst.value == f"{dip} operator{'s' if dip > 1 else ''} short at {deepest.start:%H:%M}"
    for chart in ("breaks_timeline", "breaks_on_phones"):
        assert len(at.main.get_by_key(chart).children) == 1
    assert not at.warning  # every shift of the day has its breaks

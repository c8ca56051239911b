"""planner.ical: an operator's shifts as a calendar, read back through the icalendar parser."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from planner.config import parse_rules
from planner.domain import Operator, Roster, Shift
from planner.ical import calendar_file_name, calendars_zip, operator_calendar
from planner.month import Month

BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}, "ui": {"language": "en"}})
OCTOBER = Month(2026, 10, "Europe/Berlin", "DE")  # the clocks go back at 03:00 on Sunday 25 October
SAVED = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)
ANNA = Operator("op1", "Anna", 1.0)
BORIS = Operator("op2", "Boris", 0.75)


def shift(operator_id: str, start: datetime, hours: float, breaks: tuple[int, ...] = ()) -> Shift:
    """A shift from the aware `start`, `hours` real hours long, with breaks `breaks` minutes after its start."""
    start = start.astimezone(UTC)
    return Shift(operator_id, start.astimezone(OCTOBER.tz), (start + timedelta(hours=hours)).astimezone(OCTOBER.tz),
                 tuple((start + timedelta(minutes=minutes)).astimezone(OCTOBER.tz) for minutes in breaks))


def local(day: int, hour: int, fold: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=OCTOBER.tz, fold=fold)


def events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_each_shift_is_an_event_at_its_real_time_with_breaks_in_the_description():
    roster = Roster(OCTOBER, (shift("op1", local(5, 8), 8, (120, 300)), shift("op2", local(5, 18), 6),
                              shift("op1", local(6, 16), 8)))
    read = events(operator_calendar(roster, ANNA, BERLIN, saved_at=SAVED))
    assert [(event.decoded("dtstart").astimezone(UTC), event.decoded("dtend").astimezone(UTC)) for event in read] == [
        (local(5, 8).astimezone(UTC), local(5, 16).astimezone(UTC)),
        (local(6, 16).astimezone(UTC), local(7, 0).astimezone(UTC)),
    ]
    assert [str(event["summary"]) for event in read] == ["Shift 08–16", "Shift 16–24"]
    assert str(read[0]["description"]) == "Breaks: 10:00, 13:00 (10 minutes each)"
    assert "description" not in read[1]


def test_times_carry_the_centres_time_zone_and_the_file_defines_it():
    data = operator_calendar(Roster(OCTOBER, (shift("op1", local(5, 8), 8),)), ANNA, BERLIN, saved_at=SAVED)
    text = data.decode()
    assert "DTSTART;TZID=Europe/Berlin:20261005T080000" in text
    assert [str(zone["tzid"]) for zone in Calendar.from_ical(data).walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_night_across_the_clock_change_keeps_its_nine_real_hours():
    # 22:00 on the 24th to 06:00 on the 25th by the wall clock is nine hours: 02:00-03:00 happens twice.
    night = shift("op1", local(24, 22), 9)
    (event,) = events(operator_calendar(Roster(OCTOBER, (night,)), ANNA, BERLIN, saved_at=SAVED))
    assert event.decoded("dtend").astimezone(UTC) - event.decoded("dtstart").astimezone(UTC) == timedelta(hours=9)
    assert event.decoded("dtend") == local(25, 6)


def test_a_shift_starting_in_the_repeated_hour_is_written_in_utc_so_it_is_not_read_an_hour_early():
    second_two_oclock = local(25, 2, fold=1)
    data = operator_calendar(Roster(OCTOBER, (shift("op1", second_two_oclock, 4),)), ANNA, BERLIN, saved_at=SAVED)
    (event,) = events(data)
    assert event.decoded("dtstart") == second_two_oclock.astimezone(UTC)
    assert "DTSTART:20261025T010000Z" in data.decode()


def test_an_updated_roster_keeps_each_days_uid_and_raises_the_sequence():
    before = Roster(OCTOBER, (shift("op1", local(5, 8), 8), shift("op1", local(6, 8), 8)))
    after = Roster(OCTOBER, (shift("op1", local(5, 10), 8), shift("op1", local(6, 8), 8)))
    old = events(operator_calendar(before, ANNA, BERLIN, saved_at=SAVED))
    new = events(operator_calendar(after, ANNA, BERLIN, saved_at=SAVED + timedelta(hours=2)))
    assert [str(event["uid"]) for event in new] == [str(event["uid"]) for event in old]
    assert len({str(event["uid"]) for event in new}) == 2
    assert all(later["sequence"] > earlier["sequence"] for earlier, later in zip(old, new, strict=True))
    assert new[0].decoded("dtstart") == local(5, 10)


def test_the_calendar_speaks_the_centres_language():
    russian = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
    (event,) = events(operator_calendar(Roster(OCTOBER, (shift("op1", local(5, 8), 8, (120,)),)), ANNA, russian,
                                        saved_at=SAVED))
    assert str(event["summary"]).startswith("Смена")


def test_the_zip_holds_one_calendar_per_operator_with_only_their_shifts():
    roster = Roster(OCTOBER, (shift("op1", local(5, 8), 8), shift("op2", local(5, 18), 6)))
    with zipfile.ZipFile(io.BytesIO(calendars_zip(roster, [ANNA, BORIS], BERLIN, saved_at=SAVED))) as files:
        assert files.namelist() == ["shifts-2026-10-op1.ics", "shifts-2026-10-op2.ics"]
        assert [len(events(files.read(name))) for name in files.namelist()] == [1, 1]
    assert calendar_file_name(roster, Operator("../a b", "X", 1.0)) == "shifts-2026-10-.._a_b.ics"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 31), st.integers(0, 23), st.sampled_from([4, 6, 8])), max_size=12,
                unique_by=lambda start: start[0]))
def test_any_month_of_shifts_reads_back_as_the_same_instants(starts):
    shifts = tuple(shift("op1", local(day, hour), hours) for day, hour, hours in starts)
    read = events(operator_calendar(Roster(OCTOBER, shifts), ANNA, BERLIN, saved_at=SAVED))
    found = sorted((event.decoded("dtstart").astimezone(UTC), event.decoded("dtend").astimezone(UTC)) for event in read)
    assert found == sorted((s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in shifts)

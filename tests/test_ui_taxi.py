"""The taxi page on a stored greedy roster of a tiny February: the nights with rides, the cars of the chosen
night, CSV and PDF downloads each recorded in the audit log; before any roster, a pointer to the Roster page."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from helpers.ui_pages import FEBRUARY, greedy_draft, open_page, rules
from planner.auth import ALL_TEAMS, Role, User
from planner.taxi import taxi_csv, taxi_nights, taxi_rides
from ui.taxi import DOWNLOAD_CSV, DOWNLOAD_PDF, NIGHT


@pytest.fixture
def store(small_month_store):
    return small_month_store


def _cars(at):
    return next(frame.value for frame in at.dataframe if "Car" in frame.value.columns)


def test_without_a_roster_the_page_points_to_the_roster_page(store):
    at = open_page("taxi")
    assert not at.exception
    assert "Roster page" in at.info[0].value
    assert not at.download_button


def test_the_cars_of_a_night_with_their_riders_and_both_downloads(store, downloads):
    version_id = greedy_draft(store)
    roster = store.load_roster(version_id).roster
    operators = store.load_operators(FEBRUARY.label).operators
    nights = taxi_nights(roster, rules())
    assert len(nights) >= 2  # the sample team has evening and night workers

    at = open_page("taxi")
    assert not at.exception
    assert at.selectbox(key=NIGHT).options == [f"{night:%A} {night.day} February" for night in nights]
    at.selectbox(key=NIGHT).select(nights[1]).run()

    expected = taxi_rides(roster, operators, rules(), night=nights[1])
    cars = _cars(at)
    assert list(cars["Name"]) == [ride.operator.name for ride in expected]
    assert list(cars["Car"]) == [ride.car for ride in expected]
    assert list(cars.columns) == ["End of shift", "Car", "Drop-off order", "Name", "Phone", "Address", "District",
                                  "To confirm"]
    assert at.download_button(key=DOWNLOAD_CSV).label == "Download CSV"
    assert at.download_button(key=DOWNLOAD_PDF).label == "Download PDF"
    assert store.audit_log(actions={"export"}) == ()

    assert [event.what for event in store.audit_log(actions={"view"})] == [
        f"taxi list {nights[1].isoformat()} ({len(expected)} riders)",
        f"taxi list {nights[0].isoformat()} ({len(taxi_rides(roster, operators, rules(), night=nights[0]))} riders)"]
    assert PdfReader(io.BytesIO(downloads.fetch(DOWNLOAD_PDF))).pages

    [event] = store.audit_log(actions={"export"})
    assert (event.user, event.action, event.what, event.version_id) == (
        "anna", "export", f"taxi list {nights[1].isoformat()}, PDF", version_id)
    assert downloads.fetch(DOWNLOAD_CSV) == taxi_csv(expected)
    assert [event.what for event in store.audit_log(actions={"export"})] == [f"taxi list {nights[1].isoformat()}, CSV",
                                                           f"taxi list {nights[1].isoformat()}, PDF"]


def test_item_12_the_taxi_files_wait_at_no_address_before_the_click(store):
    # Issue 15, item 12: the taxi CSV was made with the page, so its address fetched it with no audit entry.
    greedy_draft(store)
    at = open_page("taxi")
    for key in (DOWNLOAD_CSV, DOWNLOAD_PDF):
        button = at.download_button(key=key).proto
        assert button.deferred_file_id and not button.url and button.ignore_rerun


def test_the_published_roster_is_shown_rather_than_a_newer_draft(store):
    published = greedy_draft(store)
    store.publish(published, "anna")
    greedy_draft(store)

    at = open_page("taxi")
    assert at.caption[0].value == "Roster version 1 (published)."


def test_a_team_supervisor_sees_their_riders_in_the_cars_that_really_drive(store):
    # Issue 15, item 5: the page routed a team's riders alone, into cars that differ from the duty supervisor's.
    listed = store.load_operators(FEBRUARY.label)
    split = [replace(op, team="Группа 2" if i % 2 else "Группа 1") for i, op in enumerate(listed.operators)]
    store.save_operators(FEBRUARY.label, split, "anna", source="teams split", based_on=listed.id)
    version_id = greedy_draft(store)
    store.publish(version_id, "anna")
    roster = store.load_roster(version_id).roster
    night = next(night for night in taxi_nights(roster, rules())
                 if any(len({ride.operator.team for ride in rides}) > 1 for rides in _cars_of(roster, split, night)))

    def seats(user: User) -> dict[str, tuple[int, int]]:
        at = open_page("taxi", user=user)
        at.selectbox(key=NIGHT).select(night).run()
        cars = _cars(at)
        return {name: (car, stop) for name, car, stop in zip(cars["Name"], cars["Car"], cars["Drop-off order"])}

    everyone = seats(User("duty", Role.SUPERVISOR, (ALL_TEAMS,)))
    own = seats(User("sveta", Role.SUPERVISOR, ("Группа 1",)))
    team = {op.name for op in split if op.team == "Группа 1"}
    assert own and set(own) == team & set(everyone)
    assert own == {name: everyone[name] for name in own}


def _cars_of(roster, operators, night):
    by_car = {}
    for ride in taxi_rides(roster, operators, rules(), night=night):
        by_car.setdefault(ride.car, []).append(ride)
    return by_car.values()

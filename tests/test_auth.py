"""planner.auth: roles and permissions, personal data filters, user names, passwords and the sign-in check."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from argon2 import extract_parameters, profiles

from planner.auth import (
    ALL_TEAMS,
    MIN_PASSWORD_LENGTH,
    Permissions,
    Role,
    SignIn,
    User,
    UserRefused,
    check_password,
    check_sign_in,
    check_user_name,
    describe_access,
    hash_password,
    password_hasher,
    user_operator,
    user_teams,
    visible_operators,
    visible_rides,
)
from planner.domain import Operator
from planner.taxi import Ride

CHEAP = password_hasher(profiles.CHEAPEST)
PASSWORD = "correct horse battery"


def op(id: str, team: str) -> Operator:
    return Operator(
        id=id, name=f"Name {id}", rate=1.0, team=team, address=f"street {id}", district="Marino", lat=55.6, lon=37.7,
        phone="+7 900 000-00-00",
    )


OPERATORS = (op("op1", "A"), op("op2", "B"), op("op3", "A"), op("op4", ""))
PERSONAL = ("address", "district", "lat", "lon", "phone")


def personal(operator: Operator) -> tuple:
    return tuple(getattr(operator, field) for field in PERSONAL)


# --- permissions -------------------------------------------------------------------------------------------------

PREDICATES = (
    "can_edit_rosters", "can_see_drafts", "can_see_published_rosters", "can_export", "can_manage_users",
    "can_see_personal_data", "can_see_audit_log", "can_see_own_schedule",
)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (User("pat", Role.PLANNER), (True, True, True, True, False, True, True, False)),
        (User("sue", Role.SUPERVISOR, ("A",)), (False, False, True, True, False, True, False, False)),
        (User("ada", Role.ADMIN), (False, False, True, False, True, False, True, False)),
        (User("olga", Role.OPERATOR, operator_id="op1"), (False,) * 7 + (True,)),
        (User("olga", Role.OPERATOR), (False,) * 8),
        (User("pat", Role.PLANNER, active=False), (False,) * 8),
        (None, (False,) * 8),
    ],
    ids=["planner", "supervisor", "admin", "operator", "operator without id", "disabled", "nobody"],
)
def test_each_role_may_do_what_issue_6_gives_it(user, expected):
    permissions = Permissions.of(user)
    assert dict(zip(PREDICATES, (getattr(permissions, name) for name in PREDICATES))) == dict(zip(PREDICATES, expected))


def test_visible_teams_limit_only_a_supervisor_with_teams():
    assert Permissions.of(User("sue", Role.SUPERVISOR, ("A", "C"))).visible_teams == {"A", "C"}
    assert Permissions.of(User("sue", Role.SUPERVISOR, (ALL_TEAMS,))).visible_teams is None
    assert Permissions.of(User("sue", Role.SUPERVISOR)).visible_teams == frozenset()  # fails closed
    assert Permissions.of(User("pat", Role.PLANNER)).visible_teams is None
    assert Permissions.of(User("ada", Role.ADMIN)).visible_teams is None
    assert Permissions.of(None).visible_teams == frozenset()


def test_a_supervisor_sees_the_operators_of_their_teams_with_personal_data():
    shown = visible_operators(OPERATORS, Permissions.of(User("sue", Role.SUPERVISOR, ("A",))))
    assert shown == [OPERATORS[0], OPERATORS[2]]


def test_a_supervisor_of_every_team_and_a_planner_see_everyone_unchanged():
    for user in (User("sue", Role.SUPERVISOR, (ALL_TEAMS,)), User("pat", Role.PLANNER)):
        assert visible_operators(OPERATORS, Permissions.of(user)) == list(OPERATORS)


def test_an_admin_sees_every_name_but_no_address_district_coordinates_or_phone():
    shown = visible_operators(OPERATORS, Permissions.of(User("ada", Role.ADMIN)))
    assert [(o.id, o.name, o.team) for o in shown] == [(o.id, o.name, o.team) for o in OPERATORS]
    assert {personal(o) for o in shown} == {("", "", None, None, "")}
    assert personal(OPERATORS[0]) != ("", "", None, None, "")  # the input is left as it was


def test_an_operator_sees_themselves_only_and_without_personal_data():
    # Issue 16, item 1.
    olga = Permissions.of(User("olga", Role.OPERATOR, operator_id="op3"))
    (shown,) = visible_operators(OPERATORS, olga)
    assert shown.id == "op3" and personal(shown) == ("", "", None, None, "")
    assert olga.visible_teams == frozenset()


@pytest.mark.parametrize(("role", "operator_id", "refusal"), [
    (Role.OPERATOR, None, "an operator account needs the id of its operator"),
    (Role.OPERATOR, "  ", "an operator account needs the id of its operator"),
    (Role.PLANNER, "op1", "only an operator account is tied to an operator; a planner is not"),
])
def test_an_operator_account_needs_an_operator_and_only_it_has_one(role, operator_id, refusal):
    with pytest.raises(UserRefused, match=refusal):
        user_operator(role, operator_id)
    assert user_operator(Role.OPERATOR, " op1 ") == "op1"
    assert user_operator(Role.SUPERVISOR, "") is None
    assert User("olga", Role.OPERATOR, operator_id="op1").access == "operator op1 (own shifts only)"


def test_nobody_signed_in_sees_no_operator():
    assert visible_operators(OPERATORS, Permissions.of(None)) == []


def test_taxi_rides_are_filtered_to_the_teams_and_keep_the_cars_of_the_night():
    end = datetime(2026, 12, 6, 0, 0)
    rides = [Ride(date(2026, 12, 5), end, 1, stop, rider) for stop, rider in enumerate(OPERATORS[:3], start=1)]

    supervisor = visible_rides(rides, Permissions.of(User("sue", Role.SUPERVISOR, ("A",))))
    admin = visible_rides(rides, Permissions.of(User("ada", Role.ADMIN)))

    assert supervisor == [rides[0], rides[2]]
    assert [(r.car, r.stop, r.operator.name) for r in admin] == [(1, 1, "Name op1"), (1, 2, "Name op2"),
                                                                (1, 3, "Name op3")]
    assert {personal(r.operator) for r in admin} == {("", "", None, None, "")}


# --- users ---------------------------------------------------------------------------------------------------------


def test_user_names_are_trimmed_and_lower_case():
    assert check_user_name("  Anna.Petrova@Centre ") == "anna.petrova@centre"
    assert check_user_name("Ёлкина_1") == "ёлкина_1"


@pytest.mark.parametrize("name", ["", "   ", "anna petrova", "anna;drop", "a" * 65])
def test_a_user_name_with_spaces_signs_or_too_long_is_refused(name):
    with pytest.raises(UserRefused, match="user name"):
        check_user_name(name)


def test_a_supervisors_teams_are_trimmed_unique_and_sorted():
    assert user_teams(Role.SUPERVISOR, [" B", "A", "B "]) == ("A", "B")
    assert user_teams(Role.PLANNER, []) == ()


def test_teams_for_another_role_or_an_empty_team_are_refused():
    with pytest.raises(UserRefused, match="supervisors only"):
        user_teams(Role.PLANNER, ["A"])
    with pytest.raises(UserRefused, match="cannot be empty"):
        user_teams(Role.SUPERVISOR, ["A", " "])


def test_a_supervisor_of_every_team_is_chosen_as_such_never_by_forgetting_the_teams():
    # Issue 15, item 6: no teams meant every team's addresses and phones.
    with pytest.raises(UserRefused, match="a supervisor needs the teams they see, or '\\*' for all teams"):
        user_teams(Role.SUPERVISOR, [])
    with pytest.raises(UserRefused, match="not both"):
        user_teams(Role.SUPERVISOR, ["*", "A"])
    assert user_teams(Role.SUPERVISOR, [" * "]) == (ALL_TEAMS,)


def test_access_is_described_in_words():
    assert describe_access(Role.SUPERVISOR, ("A", "B")) == "supervisor of teams A, B"
    assert describe_access(Role.SUPERVISOR, (ALL_TEAMS,)) == "supervisor of all teams"
    assert describe_access(Role.SUPERVISOR, ()) == "supervisor of no team"
    assert describe_access(Role.PLANNER, ()) == "planner (sees operators' addresses and phones)"
    assert describe_access(Role.ADMIN, ()) == "admin"


# --- passwords ---------------------------------------------------------------------------------------------------


def test_a_password_shorter_than_the_minimum_is_refused_with_the_numbers():
    assert MIN_PASSWORD_LENGTH == 10
    with pytest.raises(UserRefused, match="at least 10 characters, it has 9"):
        check_password("x" * 9)
    check_password("x" * 10)
    with pytest.raises(UserRefused, match="too short"):
        hash_password("short", CHEAP)


def test_a_password_is_kept_as_a_salted_argon2id_hash():
    first, second = hash_password(PASSWORD, CHEAP), hash_password(PASSWORD, CHEAP)
    assert first.startswith("$argon2id$") and PASSWORD not in first
    assert first != second  # a new salt each time


def test_the_default_hasher_uses_rfc_9106_low_memory_parameters():
    hasher = password_hasher()
    expected = profiles.RFC_9106_LOW_MEMORY
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        expected.time_cost, expected.memory_cost, expected.parallelism)


def test_sign_in_accepts_the_right_password_only():
    user = User("anna", Role.PLANNER)
    stored = hash_password(PASSWORD, CHEAP)

    assert check_sign_in(user, stored, PASSWORD, CHEAP).user == user
    assert not check_sign_in(user, stored, PASSWORD + "!", CHEAP).accepted
    assert not check_sign_in(user, stored, "", CHEAP).accepted
    assert not check_sign_in(user, "not a hash", PASSWORD, CHEAP).accepted


def test_sign_in_refuses_an_unknown_or_disabled_user():
    stored = hash_password(PASSWORD, CHEAP)
    assert check_sign_in(None, None, PASSWORD, CHEAP) == check_sign_in(
        User("anna", Role.PLANNER, active=False), stored, PASSWORD, CHEAP)
    assert not check_sign_in(None, None, PASSWORD, CHEAP).accepted


def test_sign_in_hashes_again_when_the_hasher_parameters_changed():
    user = User("anna", Role.PLANNER)
    stored = hash_password(PASSWORD, CHEAP)
    stronger = password_hasher(dataclasses.replace(profiles.CHEAPEST, time_cost=2))

    assert check_sign_in(user, stored, PASSWORD, CHEAP).new_hash is None
    renewed = check_sign_in(user, stored, PASSWORD, stronger)

    assert renewed.user == user and renewed.new_hash is not None
    assert extract_parameters(renewed.new_hash).time_cost == 2
    assert check_sign_in(user, renewed.new_hash, PASSWORD, stronger) == SignIn(user)
    assert check_sign_in(user, stored, "wrong password", stronger) == SignIn(None)

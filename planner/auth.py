"""Who may do what: roles, the permissions the page asks about, password hashing and the sign-in check.

Pure: no database and no page here. `planner.store` keeps the users and calls `check_sign_in`; the page asks
`Permissions` what to show and passes operators and taxi rides through `visible_operators` / `visible_rides`.

Roles (issue 6):

| role | may |
|---|---|
| planner | everything about rosters: drafts, edits, publishing, taxi lists, exports, the audit log |
| supervisor | published rosters, taxi lists and exports of their teams (`User.teams`; `ALL_TEAMS` = every team) |
| admin | users and the audit log; sees published rosters with names only, never an address or a phone |
| operator | their own published shifts, hours, calendar and wishes (`User.operator_id`); nobody else's data |

Addresses, districts, home coordinates and phone numbers are personal data: only planners and supervisors see
them (the district and the coordinates place a home as well as the address does).

Passwords are hashed with Argon2id through argon2-cffi's `PasswordHasher`:
- Argon2id won the Password Hashing Competition and is the first choice of RFC 9106 and of OWASP's password
  storage guidance: memory-hard, so guessing on GPUs is expensive;
- argon2-cffi binds the reference C implementation, ships wheels for every platform, and is actively maintained;
  passlib, the usual wrapper, is no longer maintained, and bcrypt silently ignores everything past 72 bytes;
- the hash string carries its salt and parameters, so hashes made with older parameters still verify, and
  `check_needs_rehash` says when to hash again at the next sign-in with the current ones.
Defaults are RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes): about half a second a sign-in on a
small server. Tests pass cheap parameters to `password_hasher` instead.

A password is never stored, logged or shown: only its hash leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from planner.domain import Operator
from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.taxi import Ride

__all__ = [
    "ALL_TEAMS",
    "DEFAULT_HASH_PARAMETERS",
    "MIN_PASSWORD_LENGTH",
    "Permissions",
    "Role",
    "SignIn",
    "User",
    "UserRefused",
    "check_password",
    "check_sign_in",
    "check_user_name",
    "describe_access",
    "hash_password",
    "password_hasher",
    "user_operator",
    "user_teams",
    "visible_operators",
    "visible_rides",
]

MIN_PASSWORD_LENGTH = 10
MAX_USER_NAME_LENGTH = 64
ALL_TEAMS = "*"  # a supervisor's teams: every team, chosen as such
DEFAULT_HASH_PARAMETERS = profiles.RFC_9106_LOW_MEMORY

_USER_NAME = re.compile(r"[\w.@-]+")


class Role(StrEnum):
    PLANNER = "planner"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    OPERATOR = "operator"


class UserRefused(PlannerError, ValueError):
    """A user name, password, role or team list that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class User:
    """An account as the page sees it: never its password or hash. `teams` limits a supervisor to those teams
    ((ALL_TEAMS,): every team); other roles have none. `operator_id` ties an operator's account to their rows
    in the operator lists and rosters; other roles have none."""

    name: str
    role: Role
    teams: tuple[str, ...] = ()
    active: bool = True
    operator_id: str | None = None

    @property
    def access(self) -> str:
        """What the account may see, in words (`describe_access`)."""
        return describe_access(self.role, self.teams, self.operator_id)


@dataclass(frozen=True)
class Permissions:
    """What a signed-in user may see and do. `Permissions.of(None)` (nobody signed in, or a disabled account)
    may do nothing."""

    role: Role | None
    teams: frozenset[str] = frozenset()
    operator_id: str | None = None  # an operator's own id: what they may see of rosters and operator lists

    @classmethod
    def of(cls, user: User | None) -> Permissions:
        if user is None or not user.active:
            return cls(None)
        return cls(user.role, frozenset(user.teams), user.operator_id)

    @property
    def can_edit_rosters(self) -> bool:
        """Solve, edit, lock and publish drafts; upload forecasts, operators and rules."""
        return self.role is Role.PLANNER

    @property
    def can_see_drafts(self) -> bool:
        return self.role is Role.PLANNER

    @property
    def can_see_published_rosters(self) -> bool:
        """Every operator's shifts in published versions."""
        return self.role in (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)

    @property
    def can_see_own_schedule(self) -> bool:
        """An operator's own shifts in published versions, their hours, nights and weekends, and their calendar."""
        return self.role is Role.OPERATOR and self.operator_id is not None

    @property
    def can_approve_swaps(self) -> bool:
        """Approve or refuse a swap operators agreed on."""
        return self.role in (Role.PLANNER, Role.SUPERVISOR)

    @property
    def sees_only_own(self) -> bool:
        """Whether rosters and operator lists are cut down to the account's own operator id."""
        return self.role is Role.OPERATOR

    @property
    def can_export(self) -> bool:
        """Download rosters and taxi lists (CSV, Excel, PDF)."""
        return self.role in (Role.PLANNER, Role.SUPERVISOR)

    @property
    def can_manage_users(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_see_personal_data(self) -> bool:
        """Addresses, districts, home coordinates and phone numbers of operators."""
        return self.role in (Role.PLANNER, Role.SUPERVISOR)

    @property
    def can_see_audit_log(self) -> bool:
        return self.role in (Role.ADMIN, Role.PLANNER)

    @property
    def visible_teams(self) -> frozenset[str] | None:
        """The teams whose operators this user sees; None means every team (and operators without a team). A
        supervisor sees every team only when given ALL_TEAMS, none when given no team."""
        if self.role in (None, Role.OPERATOR):
            return frozenset()
        if self.role is Role.SUPERVISOR and ALL_TEAMS not in self.teams:
            return self.teams
        return None

    def sees_team(self, team: str) -> bool:
        teams = self.visible_teams
        return teams is None or team in teams

    def sees_operator(self, op: Operator) -> bool:
        """An operator sees themselves only; the other roles see the operators of the teams they see."""
        if self.sees_only_own:
            return op.id == self.operator_id
        return self.sees_team(op.team)


def visible_operators(operators: Iterable[Operator], permissions: Permissions) -> list[Operator]:
    """The operators of the teams `permissions` may see, in their order, without personal data unless it may be
    seen."""
    return [_shown(op, permissions) for op in operators if permissions.sees_operator(op)]


def visible_rides(rides: Iterable[Ride], permissions: Permissions) -> list[Ride]:
    """The seats of operators of the teams `permissions` may see, without personal data unless it may be seen.
    Car numbers and stops stay those of the whole night, so a supervisor's list matches the cars that drive."""
    return [
        replace(ride, operator=_shown(ride.operator, permissions))
        for ride in rides
        if permissions.sees_operator(ride.operator)
    ]


def _shown(op: Operator, permissions: Permissions) -> Operator:
    if permissions.can_see_personal_data:
        return op
    return replace(op, address="", district="", lat=None, lon=None, phone="")


# --- users and passwords -----------------------------------------------------------------------------------------


def check_user_name(name: str) -> str:
    """The name as stored: trimmed and in lower case, so `Anna` and `anna` are one account."""
    normal = name.strip().lower() if isinstance(name, str) else ""
    if not normal:
        raise UserRefused("a user name is needed")
    if len(normal) > MAX_USER_NAME_LENGTH or not _USER_NAME.fullmatch(normal):
        raise UserRefused(
            f"user name {name!r} is not allowed: use up to {MAX_USER_NAME_LENGTH} letters, digits, '.', '_', '-' "
            f"or '@', without spaces"
        )
    return normal


def user_teams(role: Role, teams: Iterable[str]) -> tuple[str, ...]:
    """A supervisor's teams, trimmed, without repeats, sorted — or (ALL_TEAMS,), chosen as such: a supervisor
    with no teams named sees nobody, so that forgetting them does not open every team's addresses. Refused for
    the other roles, which see every team."""
    cleaned = tuple(sorted({team.strip() for team in teams}))
    if "" in cleaned:
        raise UserRefused("a team name cannot be empty")
    if cleaned and role is not Role.SUPERVISOR:
        raise UserRefused(f"teams limit supervisors only; a {role} sees every team")
    if role is Role.SUPERVISOR and not cleaned:
        raise UserRefused(f"a supervisor needs the teams they see, or {ALL_TEAMS!r} for all teams (on the "
                          "command line --all-teams)")
    if ALL_TEAMS in cleaned and len(cleaned) > 1:
        raise UserRefused(f"either all teams ({ALL_TEAMS!r}) or named teams, not both")
    return cleaned


def user_operator(role: Role, operator_id: str | None) -> str | None:
    """An operator account's operator id, trimmed; refused when an operator has none or another role has one."""
    cleaned = operator_id.strip() if operator_id else None
    if role is Role.OPERATOR and not cleaned:
        raise UserRefused("an operator account needs the id of its operator, as in the operators file "
                          "(on the command line --operator ID)")
    if cleaned and role is not Role.OPERATOR:
        raise UserRefused(f"only an operator account is tied to an operator; a {role} is not")
    return cleaned


def describe_access(role: Role, teams: Iterable[str], operator_id: str | None = None) -> str:
    """"planner (sees addresses and phones)", "supervisor of teams A, B", "supervisor of all teams", "operator
    op7 (own shifts only)": for lists and the audit log, which thus say whenever an account is given operators'
    personal data."""
    teams = tuple(teams)
    if role is Role.PLANNER:
        return "planner (sees operators' addresses and phones)"
    if role is Role.OPERATOR:
        return f"operator {operator_id} (own shifts only)"
    if role is not Role.SUPERVISOR:
        return str(role)
    if ALL_TEAMS in teams:
        return "supervisor of all teams"
    return f"supervisor of teams {', '.join(teams)}" if teams else "supervisor of no team"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserRefused(
            f"the password is too short: it needs at least {MIN_PASSWORD_LENGTH} characters, it has {len(password)}"
        )


def password_hasher(parameters: Parameters = DEFAULT_HASH_PARAMETERS) -> PasswordHasher:
    """An Argon2id hasher with `parameters` (see the module docstring; tests pass `argon2.profiles.CHEAPEST`)."""
    return PasswordHasher.from_parameters(parameters)


def hash_password(password: str, hasher: PasswordHasher) -> str:
    """The hash to store for a new password; a password too short is refused (UserRefused)."""
    check_password(password)
    return hasher.hash(password)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: `user` when accepted; `new_hash` when the stored hash was made with other
    parameters than the hasher's and should be replaced by this one."""

    user: User | None
    new_hash: str | None = None

    @property
    def accepted(self) -> bool:
        return self.user is not None


def check_sign_in(user: User | None, password_hash: str | None, password: str, hasher: PasswordHasher) -> SignIn:
    """Accept `password` for `user` (None: no such user), whose stored hash is `password_hash`. Unknown users,
    disabled accounts and wrong passwords are refused alike and cost the same time, so a refusal does not tell
    which names exist."""
    if user is None or password_hash is None:
        hasher.hash(password)  # as long as a verification
        return SignIn(None)
    try:
        hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return SignIn(None)
    if not user.active:
        return SignIn(None)
    return SignIn(user, hasher.hash(password) if hasher.check_needs_rehash(password_hash) else None)

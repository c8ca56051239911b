"""The centre's rules (`constraints.yaml`) as typed, validated configuration.

Every rule key under `rules:` has exactly one field here, one `add_<key>` function (`planner.roster.hard` or
`planner.roster.soft`, gathered by `planner.roster.model.RULES`), one check in `planner.validate` and a test named
after it. Unknown keys and impossible values are refused with the key's dotted path.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

import holidays
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from planner.clock import DAY_MINUTES, hhmm, in_daily_window, parse_hhmm
from planner.csvfile import DEFAULT_MAX_FILE_MB
from planner.errors import InputError, Problem

__all__ = [
    "Rules",
    "Centre",
    "Staffing",
    "RuleSet",
    "Solver",
    "Breaks",
    "BreakAllowance",
    "Taxi",
    "Ui",
    "load_rules",
    "parse_rules",
    "parse_rules_text",
    "HARD_RULES",
]


def _clock_time(text: str) -> str:
    parse_hhmm(text)
    return text


# A time of day written HH:MM in the rules file, checked on loading.
ClockTime = Annotated[str, AfterValidator(_clock_time)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Weight = Annotated[int, Field(ge=0, le=1_000_000)]


class Centre(_Strict):
    timezone: str = "Europe/Moscow"
    country: str = "RU"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Moscow)") from None
        return value

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in holidays.list_supported_countries():
            raise ValueError(f"no production calendar for country code {value!r} in the holidays package")
        return value


class Staffing(_Strict):
    service_level: float = Field(0.80, gt=0, lt=1)
    answer_within_sec: float = Field(20, ge=0)
    default_aht_sec: float = Field(300, gt=0)
    shrinkage: float = Field(0.10, ge=0, lt=1)
    min_operators: int = Field(2, ge=0)
    # Ceilings of a forecast or history cell: beyond them a value is a typo or the wrong unit, and refused with
    # its line rather than staffed (no hall answers a million calls an hour; no call lasts two hours on average).
    max_calls_per_hour: float = Field(100_000, gt=0)
    max_aht_sec: float = Field(7_200, gt=0)

    @model_validator(mode="after")
    def _default_aht_within_ceiling(self) -> Staffing:
        if self.default_aht_sec > self.max_aht_sec:
            raise ValueError(f"default_aht_sec {self.default_aht_sec:g} is above max_aht_sec {self.max_aht_sec:g}")
        return self


class Availability(_Strict):
    pass


class RestBetweenShifts(_Strict):
    min_hours: int = Field(12, ge=0, le=48)


class MaxConsecutiveDays(_Strict):
    max_days: int = Field(6, ge=1, le=31)


class MaxConsecutiveNights(_Strict):
    max_nights: int | None = Field(None, ge=1, le=31)  # None: no limit of its own


class MonthlyNorm(_Strict):
    hours_per_day: float = Field(8, gt=0, le=24)
    tolerance_shifts: int = Field(1, ge=0, le=31)


class MinConsecutiveDays(_Strict):
    min_days: int = Field(1, ge=1, le=31)


class MinConsecutiveDaysOff(_Strict):
    min_days: int = Field(1, ge=1, le=31)


class MaxWorkingWeekends(_Strict):
    max_weekends: int | None = Field(None, ge=0, le=6)


class MaxShiftsPerType(_Strict):
    max_shifts: dict[str, Annotated[int, Field(ge=0, le=31)]] = Field(default_factory=dict)


class ForbiddenSuccessions(_Strict):
    pairs: tuple[tuple[str, str], ...] = ()


class ForwardRotation(_Strict):
    """A run of working days moves only forward through `order` (e.g. day, evening, night) and goes back to its
    start only after a day off; empty: off."""

    order: tuple[str, ...] = ()

    @property
    def backward_pairs(self) -> frozenset[tuple[str, str]]:
        """The (first, then) shift types on consecutive days that the rotation forbids."""
        return frozenset((first, then) for at, first in enumerate(self.order) for then in self.order[:at])


class ShiftTemplates(_Strict):
    """The start times a contract's shifts may use (e.g. '1.0': [08:00, 16:00, 00:00]); a contract not named
    starts at any hour."""

    starts: dict[str, tuple[ClockTime, ...]] = Field(default_factory=dict)

    @field_validator("starts", mode="before")
    @classmethod
    def _normalise_rates(cls, value: object) -> object:
        return {rate_key(rate): times for rate, times in value.items()} if isinstance(value, dict) else value

    @field_validator("starts")
    @classmethod
    def _on_the_hour(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for rate, times in value.items():
            if not times:
                raise ValueError(f"contract {rate} names no start time; leave it out to allow any hour")
            if off := [time for time in times if parse_hhmm(time) % 60]:
                raise ValueError(f"shifts start on the hour; contract {rate} has {', '.join(off)}")
        return value

    def of(self, rate: float) -> frozenset[int] | None:
        """The start times (minutes after local midnight) of this contract rate's shifts; None: any hour."""
        times = self.starts.get(rate_key(rate))
        return None if times is None else frozenset(parse_hhmm(time) for time in times)


class WeeklyRest(_Strict):
    """Uninterrupted rest of at least min_hours in every week (Labour Code of Russia, art. 110: 42 h); 0 switches
    it off. `calendar`: every Monday 00:00-Monday 00:00 of the local clock; `rolling`: every 7 x 24 elapsed hours."""

    min_hours: int = Field(42, ge=0, le=7 * 24)
    week: Literal["calendar", "rolling"] = "calendar"


class Weighted(_Strict):
    weight: Weight


class StartTimeStability(_Strict):
    weight: Weight = 300  # per hour an operator's start moves beyond tolerance_hours between consecutive working days
    tolerance_hours: int = Field(2, ge=0, le=12)


class ShiftTypeCover(_Strict):
    min_per_day: dict[str, Annotated[int, Field(ge=0, le=10_000)]] = Field(default_factory=dict)
    weight_under: Weight = 100
    weight_over: Weight = 0


class ShiftType(_Strict):
    """Shifts starting in [starts_from, starts_before) of the local clock are of this type (may wrap midnight)."""

    starts_from: ClockTime
    starts_before: ClockTime

    def takes(self, start_minute: int) -> bool:
        return in_daily_window(start_minute, parse_hhmm(self.starts_from), parse_hhmm(self.starts_before))


def _default_shift_types() -> dict[str, ShiftType]:
    return {
        "day": ShiftType(starts_from="06:00", starts_before="14:00"),
        "evening": ShiftType(starts_from="14:00", starts_before="20:00"),
        "night": ShiftType(starts_from="20:00", starts_before="06:00"),
    }


# Months before this one whose shifts a fairness rule counts (last month included; 0: this month alone).
MonthsBack = Annotated[int, Field(ge=0, le=24)]


class FairNights(_Strict):
    weight: Weight = 20
    window_start: ClockTime = "22:00"
    window_end: ClockTime = "06:00"
    min_hours: int = Field(3, ge=1, le=24)
    months_back: MonthsBack = 3

    @property
    def window_minutes(self) -> tuple[int, int]:
        return parse_hhmm(self.window_start), parse_hhmm(self.window_end)


class FairWeekends(_Strict):
    weight: Weight = 10
    months_back: MonthsBack = 3


class RuleSet(_Strict):
    availability: Availability = Availability()
    rest_between_shifts: RestBetweenShifts = RestBetweenShifts()
    max_consecutive_days: MaxConsecutiveDays = MaxConsecutiveDays()
    max_consecutive_nights: MaxConsecutiveNights = MaxConsecutiveNights()
    monthly_norm: MonthlyNorm = MonthlyNorm()
    min_consecutive_days: MinConsecutiveDays = MinConsecutiveDays()
    min_consecutive_days_off: MinConsecutiveDaysOff = MinConsecutiveDaysOff()
    max_working_weekends: MaxWorkingWeekends = MaxWorkingWeekends()
    max_shifts_per_type: MaxShiftsPerType = MaxShiftsPerType()
    forbidden_successions: ForbiddenSuccessions = ForbiddenSuccessions()
    forward_rotation: ForwardRotation = ForwardRotation()
    shift_templates: ShiftTemplates = ShiftTemplates()
    weekly_rest: WeeklyRest = WeeklyRest()
    shortfall: Weighted = Weighted(weight=1000)
    overstaffing: Weighted = Weighted(weight=1)
    days_off_wished: Weighted = Weighted(weight=50)
    fair_nights: FairNights = FairNights()
    fair_weekends: FairWeekends = FairWeekends()
    shift_type_cover: ShiftTypeCover = ShiftTypeCover()
    shift_requests: Weighted = Weighted(weight=1)
    start_time_stability: StartTimeStability = StartTimeStability()


def _weighted(model: object) -> bool:
    fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
    return any(name.startswith("weight") for name in fields)


# The rules that are never broken (law, contracts, availability): those without a weight, in the file's order.
HARD_RULES: tuple[str, ...] = tuple(name for name, field in RuleSet.model_fields.items()
                                    if not _weighted(field.annotation))


class BreakAllowance(_Strict):
    """Breaks of a shift at least `min_shift_hours` long (the longest matching row applies)."""

    min_shift_hours: float = Field(ge=0, le=24)
    count: int = Field(ge=0, le=10)
    minutes: int = Field(gt=0, le=120)


class BreakWindow(_Strict):
    after_start_minutes: int = Field(60, ge=0, le=24 * 60)
    before_end_minutes: int = Field(60, ge=0, le=24 * 60)


class BreakGap(_Strict):
    min_minutes: int = Field(60, ge=0, le=24 * 60)


class TeamOnBreak(_Strict):
    max_share: float = Field(0.25, gt=0, le=1)


class BreakRuleSet(_Strict):
    break_window: BreakWindow = BreakWindow()
    break_gap: BreakGap = BreakGap()
    team_on_break: TeamOnBreak = TeamOnBreak()
    on_phones_shortfall: Weighted = Weighted(weight=100)
    worst_dip: Weighted = Weighted(weight=1000)


def _default_allowances() -> tuple[BreakAllowance, ...]:
    return (BreakAllowance(min_shift_hours=6, count=2, minutes=10),
            BreakAllowance(min_shift_hours=0, count=1, minutes=10))


class Breaks(_Strict):
    grid_minutes: int = Field(5, ge=1, le=60)
    per_shift: tuple[BreakAllowance, ...] = Field(default_factory=_default_allowances, min_length=1)
    rules: BreakRuleSet = BreakRuleSet()
    time_limit_sec_per_day: float = Field(1, gt=0, le=600)

    @field_validator("per_shift")
    @classmethod
    def _one_row_per_length(cls, value: tuple[BreakAllowance, ...]) -> tuple[BreakAllowance, ...]:
        lengths = [row.min_shift_hours for row in value]
        if len(set(lengths)) != len(lengths):
            raise ValueError(f"two rows for the same min_shift_hours: {sorted(lengths)}")
        return tuple(sorted(value, key=lambda row: row.min_shift_hours, reverse=True))

    @model_validator(mode="after")
    def _on_the_grid(self) -> "Breaks":
        # Breaks are placed and checked slot by slot, so every length and window must be whole grid slots.
        window, gap = self.rules.break_window, self.rules.break_gap
        lengths = {f"per_shift minutes {row.minutes}": row.minutes for row in self.per_shift}
        lengths |= {"break_window.after_start_minutes": window.after_start_minutes,
                    "break_window.before_end_minutes": window.before_end_minutes,
                    "break_gap.min_minutes": gap.min_minutes}
        off_grid = [name for name, minutes in lengths.items() if minutes % self.grid_minutes]
        if off_grid:
            raise ValueError(f"must be multiples of grid_minutes ({self.grid_minutes}): {', '.join(off_grid)}")
        return self

    def allowance(self, shift_hours: float) -> BreakAllowance | None:
        """The row that applies to a shift of this length; None when no row does (no breaks)."""
        return next((row for row in self.per_shift if shift_hours >= row.min_shift_hours), None)

    def fits(self, shift_hours: float) -> bool:
        """Whether a shift of this length has room for its breaks inside the window, the gaps included."""
        row = self.allowance(shift_hours)
        if row is None or row.count == 0:
            return True
        window = self.rules.break_window
        needed = (window.after_start_minutes + window.before_end_minutes + row.count * row.minutes
                  + (row.count - 1) * self.rules.break_gap.min_minutes)
        return needed <= shift_hours * 60


class Office(_Strict):
    address: str = ""
    lat: float = Field(55.7558, ge=-90, le=90)
    lon: float = Field(37.6173, ge=-180, le=180)


class Taxi(_Strict):
    ride_from: ClockTime = "23:00"
    ride_until: ClockTime = "06:00"
    seats_per_car: int = Field(4, ge=1, le=8)
    office: Office = Office()
    routing_time_limit_sec: float = Field(2, gt=0, le=600)

    def rides_home(self, end_minute_of_day: int) -> bool:
        """Whether a shift ending at this local time (minutes after midnight) ends with a taxi ride; the window
        includes its start and excludes its end, and may wrap midnight."""
        return in_daily_window(end_minute_of_day, parse_hhmm(self.ride_from), parse_hhmm(self.ride_until))


class Solver(_Strict):
    time_limit_sec: float = Field(60, gt=0, le=24 * 3600)
    workers: int = Field(2, ge=1, le=64)
    seed: int = Field(1, ge=0)
    # Solves one server process runs at once, each on `workers` cores for up to its time limit; one more is
    # refused with a message until one ends.
    max_running_solves: int = Field(2, ge=1, le=64)


class Ui(_Strict):
    # The languages planner.i18n has texts for; tests/test_i18n.py keeps the two in step.
    language: Literal["ru", "en"] = "ru"
    # A session unused this long is signed out at its next rerun (a shared hall computer left signed in).
    session_idle_hours: float = Field(8, gt=0, le=24 * 7)


class Input(_Strict):
    # Files larger than this are refused before they are read (the command line) or parsed (the page, whose
    # uploads Streamlit also bounds: server.maxUploadSize in .streamlit/config.toml).
    max_file_mb: float = Field(DEFAULT_MAX_FILE_MB, gt=0, le=2048)


class Rules(_Strict):
    centre: Centre = Centre()
    staffing: Staffing = Staffing()
    contracts: dict[str, int] = Field(default_factory=lambda: {"1.0": 8, "0.75": 6, "0.5": 4})
    shift_types: dict[str, ShiftType] = Field(default_factory=_default_shift_types)
    rules: RuleSet = RuleSet()
    breaks: Breaks = Breaks()
    taxi: Taxi = Taxi()
    solver: Solver = Solver()
    ui: Ui = Ui()
    input: Input = Input()

    @field_validator("contracts", mode="before")
    @classmethod
    def _normalise_rates(cls, value: object) -> object:
        if not isinstance(value, dict) or not value:
            raise ValueError("must map each contract rate to its shift length in hours, e.g. '1.0': 8")
        normalised: dict[str, int] = {}
        for rate, hours in value.items():
            key = rate_key(rate)
            if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 24:
                raise ValueError(f"shift length of rate {rate} must be a whole number of hours 1..24, got {hours!r}")
            normalised[key] = hours
        return normalised

    @field_validator("shift_types")
    @classmethod
    def _one_type_per_start(cls, value: dict[str, ShiftType]) -> dict[str, ShiftType]:
        for minute in range(0, DAY_MINUTES):
            names = [name for name, kind in value.items() if kind.takes(minute)]
            if len(names) != 1:
                clock = hhmm(minute)
                taken = f"by {' and '.join(names)}" if names else "by none of them"
                raise ValueError(f"every start time needs exactly one shift type; {clock} is taken {taken}")
        return value

    @model_validator(mode="after")
    def _rules_name_known_shift_types(self) -> "Rules":
        rules = self.rules
        named = [*rules.max_shifts_per_type.max_shifts, *rules.shift_type_cover.min_per_day,
                 *(kind for pair in rules.forbidden_successions.pairs for kind in pair)]
        unknown = sorted(set(named) - set(self.shift_types))
        if unknown:
            raise ValueError(f"rules name shift types that shift_types does not define: {', '.join(unknown)} "
                             f"(defined: {', '.join(self.shift_types)})")
        order = rules.forward_rotation.order
        if order and sorted(order) != sorted(self.shift_types):
            # A type left out would be free to follow any other, which is no rotation.
            raise ValueError(f"rules.forward_rotation.order must name every shift type once "
                             f"({', '.join(self.shift_types)}), got {', '.join(order)}")
        return self

    def shift_type(self, start_minute: int) -> str:
        """The name of the shift type of a shift starting at this local time (minutes after midnight)."""
        return next(name for name, kind in self.shift_types.items() if kind.takes(start_minute))

    @model_validator(mode="after")
    def _templates_name_known_contracts(self) -> "Rules":
        unknown = sorted(set(self.rules.shift_templates.starts) - set(self.contracts))
        if unknown:
            raise ValueError(f"rules.shift_templates names contracts that contracts does not define: "
                             f"{', '.join(unknown)} (defined: {', '.join(self.contracts)})")
        return self

    @model_validator(mode="after")
    def _breaks_fit_every_contract(self) -> "Rules":
        for rate, hours in self.contracts.items():
            if not self.breaks.fits(hours):
                raise ValueError(
                    f"breaks: a {hours}-hour shift (rate {rate}) has no room for its breaks within "
                    f"break_window and break_gap; shorten them or give that length fewer breaks"
                )
        return self

    def shift_hours(self, rate: float) -> int:
        return self.contracts[rate_key(rate)]

    # An operator's own limit can only tighten the centre's: the rules may be changed after the operators were
    # saved, and what the law or the centre allows stays the ceiling.
    def max_consecutive_days_of(self, own: int | None) -> int:
        """Rule `max_consecutive_days` for an operator whose own limit is `own` (None: none of their own)."""
        limit = self.rules.max_consecutive_days.max_days
        return limit if own is None else min(limit, own)

    def max_working_weekends_of(self, own: int | None) -> int | None:
        """Rule `max_working_weekends` for an operator whose own limit is `own`; None: no limit at all."""
        limit = self.rules.max_working_weekends.max_weekends
        return own if limit is None else limit if own is None else min(limit, own)

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.centre.timezone)


def rate_key(rate: object) -> str:
    """Canonical text of a contract rate: 1 -> '1.0', '0,75' -> '0.75'. Raises ValueError if not a rate."""
    try:
        value = float(str(rate).strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"contract rate must be a number such as 1.0, 0.75 or 0.5, got {rate!r}") from None
    if not 0 < value <= 1:
        raise ValueError(f"contract rate must be above 0 and at most 1, got {rate!r}")
    return repr(round(value, 4))


def parse_rules(data: object, source: str = "constraints.yaml") -> Rules:
    """Validate already-parsed YAML; raise InputError naming every bad key by its dotted path."""
    if data is None:
        data = {}
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(source, None, ".".join(str(part) for part in err["loc"]) or None, _plain(err))
            for err in exc.errors()
        ]
        raise InputError(problems) from None


def _plain(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (check the spelling; see the commented defaults in constraints.yaml)"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def load_rules(path: str | Path = "constraints.yaml") -> Rules:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "rules file not found")]) from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        message = f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} cannot be decoded); save it as UTF-8"
        raise InputError([Problem(str(path), line, None, message)]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), None, None, "is a folder, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    return parse_rules_text(text, str(path))


def parse_rules_text(text: str, source: str = "constraints.yaml") -> Rules:
    """Validate the YAML text of a rules file (as stored with a roster or typed in the page)."""
    try:
        data = yaml.load(text, Loader=_RulesLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]  # one line, as every problem is
        raise InputError([Problem(source, line, None, f"not valid YAML: {problem}")]) from None
    except RecursionError:
        raise InputError([Problem(source, None, None, "not valid YAML: nested too deeply")]) from None
    return parse_rules(data, source)


class _RulesLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a value it cannot build as its type — an impossible date such as
    2026-13-45, or a tag that does not fit the value (`!!int x`) — is a YAMLError with its line instead of the
    bare ValueError or AttributeError PyYAML raises."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, AttributeError) as exc:
            value = node.value if isinstance(node.value, str) else ""
            shown = value if len(value) <= 40 else value[:40] + "…"
            kind = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown!r} cannot be read as {kind}", node.start_mark
            ) from exc


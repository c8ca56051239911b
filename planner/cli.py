"""`planner …` / `python -m planner …`: the same core functions the page uses, at the command line."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from planner.auth import ALL_TEAMS, Role, UserRefused, check_password, check_user_name, user_operator, user_teams
from planner.breaks import BreakDay, breaks_report, place_breaks
from planner.budget import process_age
from planner.capacity import capacity_warnings
from planner.config import Rules, load_rules
from planner.coverage import coverage_rows, coverage_totals
from planner.csvfile import parse_date
from planner.domain import Roster
from planner.errors import EXIT_BAD_INPUT, EXIT_NO_ROSTER, InputError, PlannerError, Problem
from planner.forecast_csv import load_forecast
from planner.forecast_model import METHODS, backtest_report, forecast_month, holidays_of
from planner.grid import shift_code
from planner.history_csv import GAP_POLICIES, load_history, parse_column_names
from planner.ical import calendars_zip, operator_calendar
from planner.month import Month, parse_month
from planner.operators import load_operators
from planner.outputs import summary, write_coverage_csv, write_summary_json
from planner.pipeline import Listener, plan_month
from planner.replace import (
    NoShiftThatDay,
    apply_candidate,
    candidates_csv,
    changes,
    changes_csv,
    free_operators,
    resolve_rest_of_month,
    sick_call,
)
from planner.roster import Progress
from planner.rostercsv import load_earlier_roster_csv, load_roster_csv, write_roster_csv
from planner.samples import write_forecast_csv
from planner.staffing import staffing_csv, staffing_plan
from planner.store import UnknownUser, UserExists, open_store
from planner.taxi import Ride, load_roster_for_taxi, taxi_csv, taxi_rides, write_taxi_csv
from planner.taxipdf import taxi_pdf
from planner.validate import format_violations, validate_roster

__all__ = ["main", "EXIT_OK", "EXIT_VIOLATIONS", "EXIT_BAD_INPUT", "EXIT_NO_ROSTER"]

EXIT_OK, EXIT_VIOLATIONS = 0, 1


def run() -> int:
    """The `planner` command (and `python -m planner`): a time limit counts from the process's start."""
    return main(started=time.monotonic() - process_age())


def main(argv: Sequence[str] | None = None, *, started: float | None = None) -> int:
    """Run the command line `argv`; `started` (time.monotonic()) is when its time limit began, else now."""
    args = _parser().parse_args(argv)
    args.started = time.monotonic() if started is None else started
    try:
        return args.command(args)
    except PlannerError as error:
        print(error.explained(), file=sys.stderr)
        return error.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    staffing = commands.add_parser("staffing", help="required operators per hour, as CSV on stdout")
    staffing.add_argument("--forecast", required=True, type=Path)
    _rules_option(staffing)
    staffing.set_defaults(command=_staffing)

    solve = commands.add_parser("solve", help="solve the month's roster and write roster, coverage and summary")
    solve.add_argument("--forecast", required=True, type=Path)
    solve.add_argument("--operators", required=True, type=Path)
    _rules_option(solve)
    solve.add_argument("--time-limit", type=float, help="seconds for the whole command, roster, breaks and taxi cars "
                                                        "(default: solver.time_limit_sec of the rules)")
    solve.add_argument("--workers", type=int, help="CP-SAT workers (default: solver.workers of the rules)")
    solve.add_argument("--out", required=True, type=Path,
                       help="directory for roster.csv, coverage.csv, summary.json (and taxi.csv with --taxi)")
    solve.add_argument("--taxi", action="store_true",
                       help="also write taxi.csv: the names, phones and home addresses of everyone riding home "
                            "after a late shift, so only where that personal data may be kept")
    _previous_option(solve)
    solve.add_argument("--earlier", type=Path, action="append", default=[], metavar="EARLIER_MONTH_ROSTER",
                       help="the roster.csv of a month before last month, once per month: fair_nights and "
                            "fair_weekends count its nights and weekends (as far back as their months_back)")
    solve.set_defaults(command=_solve)

    breaks = commands.add_parser("breaks", help="place every shift's breaks in a roster (e.g. one edited by hand)")
    breaks.add_argument("--roster", required=True, type=Path)
    breaks.add_argument("--operators", required=True, type=Path)
    breaks.add_argument("--forecast", required=True, type=Path)
    _rules_option(breaks)
    breaks.add_argument("--workers", type=int, help="CP-SAT workers (default: solver.workers of the rules)")
    breaks.add_argument("--out", required=True, type=Path, help="roster CSV to write, with the breaks column filled")
    breaks.set_defaults(command=_breaks)

    validate = commands.add_parser("validate", help="check a roster against every hard rule")
    validate.add_argument("--roster", required=True, type=Path)
    validate.add_argument("--operators", required=True, type=Path)
    validate.add_argument("--forecast", required=True, type=Path)
    _rules_option(validate)
    _previous_option(validate)
    validate.set_defaults(command=_validate)

    replace = commands.add_parser("replace", help="a sick call: take an operator's shift of a day out and rank who "
                                                  "can take it keeping every hard rule; write the roster with the "
                                                  "best one (or --pick) and who must be told")
    replace.add_argument("--roster", required=True, type=Path)
    replace.add_argument("--operators", required=True, type=Path)
    replace.add_argument("--forecast", required=True, type=Path)
    _rules_option(replace)
    _previous_option(replace)
    replace.add_argument("--absent", required=True, metavar="ID", help="the operator who is absent")
    replace.add_argument("--date", required=True, type=parse_date, help="YYYY-MM-DD: the day their shift starts")
    replace.add_argument("--pick", type=int, default=1, metavar="RANK",
                         help="the candidate to apply, by rank (default 1, the best; 0 drops the shift only)")
    replace.add_argument("--until", type=parse_date, metavar="YYYY-MM-DD",
                         help="the absent operator is off sick up to this day too (their shifts then taken out)")
    replace.add_argument("--resolve", type=int, metavar="K",
                         help="then solve the month again from the day after --date, changing the shifts of at "
                              "most K operators (days up to --date stay as they are)")
    replace.add_argument("--time-limit", type=float, help="seconds for --resolve (default: solver.time_limit_sec)")
    replace.add_argument("--out", required=True, type=Path,
                         help="directory for roster.csv, candidates.csv and changes.csv (names and phones)")
    replace.set_defaults(command=_replace)

    taxi = commands.add_parser("taxi", help="taxi lists for late shifts: cars, drop-off order; CSV and printable PDF")
    taxi.add_argument("--roster", required=True, type=Path)
    taxi.add_argument("--operators", required=True, type=Path)
    _rules_option(taxi)
    taxi.add_argument("--night", type=parse_date, help="only this night: YYYY-MM-DD, the day its shifts start")
    taxi.add_argument("--csv", type=Path, help="write taxi.csv here")
    taxi.add_argument("--pdf", type=Path, help="write the printable list here, one page per night")
    taxi.set_defaults(command=_taxi)

    ical = commands.add_parser("ical", help="an operator's shifts as a calendar file (.ics) for their phone, or "
                                            "every operator's in one zip")
    ical.add_argument("--roster", required=True, type=Path)
    ical.add_argument("--operators", required=True, type=Path)
    _rules_option(ical)
    ical.add_argument("--operator", metavar="ID", help="the operator's id; without it, a zip of everyone's calendars")
    ical.add_argument("--out", required=True, type=Path, help="the .ics file to write (a .zip without --operator)")
    ical.set_defaults(command=_ical)

    forecast = commands.add_parser("forecast", help="forecast a month's calls and AHT per hour from the call "
                                                    "history, and measure the forecast's accuracy (--backtest)")
    forecast.add_argument("--history", required=True, type=Path,
                          help="CSV of interval_start (or date, hour), calls[, aht_sec][, status] at 5, 15, 30 or 60 "
                               "minutes")
    forecast.add_argument("--month", help="YYYY-MM: the month to forecast (with --out)")
    forecast.add_argument("--out", type=Path, help="forecast CSV to write, as `planner solve` reads it")
    forecast.add_argument("--backtest", action="store_true",
                          help="print the accuracy of weekly forecasts over the last weeks of the history, "
                               "against seasonal naive and the 4-week profile")
    forecast.add_argument("--weeks", type=int, default=8, help="weeks of the backtest (default 8)")
    forecast.add_argument("--gaps", choices=GAP_POLICIES,
                          help="what intervals absent from the history are: the line was closed (0 calls) or the "
                               "data are missing (unknown); default missing, unless a status column says")
    forecast.add_argument("--columns", type=_column_names, metavar="OURS=THEIRS,...",
                          help="read the history's columns under other names, e.g. interval_start=DateTime")
    forecast.add_argument("--ignore-offsets", action="store_true",
                          help="the history's times are local clock times even where they end in Z or an offset")
    _rules_option(forecast)
    forecast.set_defaults(command=_forecast)

    user = commands.add_parser(
        "user", help="accounts of the page (database: PLANNER_DATABASE_URL, else PLANNER_DB_PATH or planner.db)"
    )
    user_commands = user.add_subparsers(required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="create an account; the first admin is created this way")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[str(role) for role in Role])
    add.add_argument("--team", action="append", default=[], dest="teams", metavar="TEAM",
                     help="a team the supervisor sees; repeat for several")
    _all_teams_option(add)
    _operator_option(add)
    _password_stdin_option(add)
    add.set_defaults(command=_user_add)
    listing = user_commands.add_parser("list", help="every account with its role, teams and whether it is active")
    listing.set_defaults(command=_user_list)
    passwd = user_commands.add_parser("passwd", help="set a new password for an account")
    passwd.add_argument("name")
    _password_stdin_option(passwd)
    passwd.set_defaults(command=_user_passwd)
    role = user_commands.add_parser("role", help="give an account another role (and a supervisor other teams)")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=[str(role) for role in Role])
    role.add_argument("--team", action="append", default=[], dest="teams", metavar="TEAM",
                      help="a team the supervisor sees; repeat for several")
    _all_teams_option(role)
    _operator_option(role)
    role.set_defaults(command=_user_role)
    for action, meaning in (("disable", "the account can no longer sign in (it stays in the list and the log)"),
                            ("enable", "a disabled account can sign in again")):
        switch = user_commands.add_parser(action, help=meaning)
        switch.add_argument("name")
        switch.set_defaults(command=_user_switch, enable=action == "enable")
    return parser


def _password_stdin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input instead of asking for it")


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, default=Path("constraints.yaml"),
                        help="rules file (default: constraints.yaml in the working directory)")


def _rules(args: argparse.Namespace) -> Rules:
    return load_rules(args.rules)


def _all_teams_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all-teams", action="store_true",
                        help="the supervisor sees every team (a supervisor needs this or --team)")


def _operator_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--operator", metavar="ID",
                        help="the operator id (as in the operators file) an operator account sees the shifts of")


def _teams(args: argparse.Namespace) -> list[str]:
    return [*args.teams, ALL_TEAMS] if args.all_teams else args.teams


def _previous_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--previous", type=Path, metavar="LAST_MONTH_ROSTER",
                        help="last month's roster.csv: rest, runs of days, successions and weekly rest then hold "
                             "across the month's first day (only its last days matter)")


def _previous(args: argparse.Namespace, month: Month) -> Roster | None:
    return None if args.previous is None else load_roster_csv(args.previous, month.before)


def _staffing(args: argparse.Namespace) -> int:
    rules = _rules(args)
    sys.stdout.write(staffing_csv(staffing_plan(load_forecast(args.forecast, rules), rules)))
    return EXIT_OK


def _solve(args: argparse.Namespace) -> int:
    rules = _rules(args)
    plan = staffing_plan(load_forecast(args.forecast, rules), rules)
    operators = load_operators(args.operators, rules)
    previous = _previous(args, plan.month)
    earlier = [load_earlier_roster_csv(path, plan.month) for path in args.earlier]
    print(f"{plan.month.label}: {len(operators)} operators, {plan.required_agent_hours} required agent-hours",
          file=sys.stderr)
    if previous is not None:
        print(f"last month: {len(previous.shifts)} shifts of {previous.month.label} from {args.previous}",
              file=sys.stderr)
    for roster, path in zip(earlier, args.earlier, strict=True):
        print(f"earlier: {len(roster.shifts)} shifts of {roster.month.label} from {path}", file=sys.stderr)
    for warning in capacity_warnings(plan, operators, rules):
        print(f"warning: {warning}", file=sys.stderr)

    month = plan_month(plan, operators, rules, time_limit=args.time_limit, workers=args.workers,
                       previous=previous, earlier=earlier, taxi=args.taxi, listener=_Printer(), started=args.started)
    args.out.mkdir(parents=True, exist_ok=True)
    write_roster_csv(month.roster, operators, args.out / "roster.csv")
    write_coverage_csv(month.coverage, args.out / "coverage.csv")
    if month.rides is not None:
        write_taxi_csv(month.rides, args.out / "taxi.csv")
    write_summary_json(summary(month), args.out / "summary.json")
    report = month.solve
    objective = "none evaluated" if report.objective is None else (
        f"{report.objective:,.0f}, bound {report.best_bound:,.0f}, gap {report.gap:.1%}")
    dip = month.breaks.worst_dip if month.breaks else 0
    print(
        f"{report.status}: {report.shifts} shifts; {month.quality.sentence()}. Breaks: deepest 5-minute dip "
        f"{dip} below required. Solver: objective {objective}; {report.wall_seconds:.1f} s. "
        f"Written to {args.out}/",
        file=sys.stderr,
    )
    return EXIT_OK


class _Printer(Listener):
    """The run's progress on standard error, a line per stage, better roster and day of breaks."""

    def roster_progress(self, progress: Progress) -> None:
        if progress.objective is None:
            print(f"[{progress.wall_seconds:6.1f} s] {progress.stage} done", file=sys.stderr)
        else:
            print(f"[{progress.wall_seconds:6.1f} s] objective {progress.objective:,.0f}  "
                  f"bound {progress.best_bound:,.0f}", file=sys.stderr)

    def breaks_started(self, seconds_per_day: float) -> None:
        print(f"placing breaks day by day (up to {seconds_per_day:.2g} s a day)…", file=sys.stderr)

    def break_day(self, day: BreakDay) -> None:
        print(f"  breaks {day.day}: {day.shifts} shifts, {day.status}, {day.wall_seconds:.1f} s", file=sys.stderr)

    def taxi_started(self) -> None:
        print("planning taxi cars for the late shifts…", file=sys.stderr)


def _breaks(args: argparse.Namespace) -> int:
    rules = _rules(args)
    plan = staffing_plan(load_forecast(args.forecast, rules), rules)
    operators = load_operators(args.operators, rules)
    per_day = rules.breaks.time_limit_sec_per_day
    printer = _Printer()
    printer.breaks_started(per_day)
    placed = place_breaks(plan, load_roster_csv(args.roster, plan.month), operators, rules, workers=args.workers,
                          time_limit_per_day=per_day, on_day=printer.break_day)
    write_roster_csv(placed.roster, operators, args.out)
    report = breaks_report(plan, placed, rules)
    print(f"Breaks placed in {report.wall_seconds:.1f} s: deepest 5-minute dip {report.worst_dip} below "
          f"required (every break at its earliest: {report.naive_worst_dip}). Written to {args.out}",
          file=sys.stderr)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    rules = _rules(args)
    plan = staffing_plan(load_forecast(args.forecast, rules), rules)
    operators = load_operators(args.operators, rules)
    roster = load_roster_csv(args.roster, plan.month)
    previous = _previous(args, plan.month)
    violations = validate_roster(roster, operators, rules, previous)
    if violations:
        print(format_violations(violations))
        print(f"{len(violations)} violation(s) of the hard rules", file=sys.stderr)
        return EXIT_VIOLATIONS
    totals = coverage_totals(coverage_rows(plan, roster, rules.breaks, previous))
    print(f"Roster holds every hard rule: {len(roster.shifts)} shifts of {len(operators)} operators; shortfall "
          f"{totals.under_coverage_agent_hours} of {totals.required_agent_hours} required agent-hours.")
    if roster.shifts and not any(shift.breaks for shift in roster.shifts):
        print("No shift has breaks yet, so the break rules were not checked: place them with `planner breaks`.",
              file=sys.stderr)
    return EXIT_OK


def _replace(args: argparse.Namespace) -> int:
    rules = _rules(args)
    plan = staffing_plan(load_forecast(args.forecast, rules), rules)
    operators = load_operators(args.operators, rules)
    roster = load_roster_csv(args.roster, plan.month)
    previous = _previous(args, plan.month)
    try:
        call = sick_call(plan, roster, operators, rules, args.absent, args.date, previous, until=args.until)
    except NoShiftThatDay as refused:
        raise InputError([Problem(str(args.roster), None, "operator_id", str(refused))]) from None
    if not 0 <= args.pick <= len(call.candidates):
        raise InputError([Problem("--pick", None, None, f"must be 0..{len(call.candidates)} (the candidates' "
                                                        f"ranks, 0 to drop the shift only), got {args.pick}")])
    chosen = call.candidates[args.pick - 1] if args.pick else None
    replaced, violations = apply_candidate(call, chosen, plan, rules, previous)
    if args.resolve is not None and not violations:
        before = replaced
        replaced = resolve_rest_of_month(plan, replaced, call.operators, rules, today=args.date,
                                         free=free_operators(call, rules, args.resolve),
                                         time_limit=args.time_limit or rules.solver.time_limit_sec,
                                         previous=previous)
        new = Counter(validate_roster(replaced, call.operators, rules, previous))
        violations = sorted((new - Counter(validate_roster(before, call.operators, rules, previous))).elements(),
                            key=str)
    if violations:
        print(format_violations(violations))
        print(f"{len(violations)} violation(s) of the hard rules once the breaks were placed: nothing written",
              file=sys.stderr)
        return EXIT_VIOLATIONS
    args.out.mkdir(parents=True, exist_ok=True)
    write_roster_csv(replaced, operators, args.out / "roster.csv")
    (args.out / "candidates.csv").write_text(candidates_csv(call, operators), encoding="utf-8")
    told = changes(roster, replaced, {op.id: op.name for op in operators})
    (args.out / "changes.csv").write_text(changes_csv(told, operators), encoding="utf-8")
    shortfall = coverage_totals(coverage_rows(plan, replaced, rules.breaks, previous)).under_coverage_agent_hours
    tz = plan.month.tz
    for rank, candidate in enumerate(call.candidates[:10], start=1):
        print(f"{rank:>3}. {candidate.operator_id:<10} {candidate.name:<30} {shift_code(candidate.shift, tz):<7} "
              f"covers {candidate.short_hours_covered} short hour(s)"
              + ("; wished the day off" if candidate.wished_off else ""), file=sys.stderr)
    outcome = (f"{chosen.operator_id} takes {shift_code(chosen.shift, tz)}" if chosen
               else "the shift is dropped" + ("" if call.candidates else ": nobody can take it keeping the rules"))
    others = sorted({change.operator_id for change in told} - {args.absent})
    print(f"{args.absent} absent on {args.date}: {outcome}. Shortfall {shortfall} agent-hours "
          f"(dropping the shift: {call.shortfall_without}). {len(call.candidates)} candidate(s). Other operators "
          f"whose shifts change: {len(others)} ({', '.join(others) or 'none'}).", file=sys.stderr)
    return EXIT_OK


def _taxi(args: argparse.Namespace) -> int:
    rules = _rules(args)
    operators = load_operators(args.operators, rules)
    rides = taxi_rides(load_roster_for_taxi(args.roster, rules), operators, rules, night=args.night)
    if args.csv:
        write_taxi_csv(rides, args.csv)
    if args.pdf:
        args.pdf.write_bytes(taxi_pdf(rides, rules.taxi.office.address))
    if not (args.csv or args.pdf):
        sys.stdout.write(taxi_csv(rides))
    print(_taxi_totals(rides), file=sys.stderr)
    return EXIT_OK


def _ical(args: argparse.Namespace) -> int:
    rules = _rules(args)
    operators = load_operators(args.operators, rules)
    roster = load_roster_for_taxi(args.roster, rules)
    # The roster file's own time, so a calendar made again from an unchanged file does not look newer.
    saved_at = datetime.fromtimestamp(args.roster.stat().st_mtime, UTC)
    if args.operator is None:
        args.out.write_bytes(calendars_zip(roster, operators, rules, saved_at=saved_at))
        print(f"Calendars of {len(operators)} operators written to {args.out}.", file=sys.stderr)
        return EXIT_OK
    operator = next((op for op in operators if op.id == args.operator), None)
    if operator is None:
        raise InputError([Problem(str(args.operators), None, "id", f"no operator {args.operator!r} in the file")])
    args.out.write_bytes(operator_calendar(roster, operator, rules, saved_at=saved_at))
    shifts = sum(1 for shift in roster.shifts if shift.operator_id == operator.id)
    print(f"{shifts} shift(s) of {operator.name} written to {args.out}.", file=sys.stderr)
    return EXIT_OK


def _taxi_totals(rides: list[Ride]) -> str:
    nights = {ride.night for ride in rides}
    cars = {(ride.night, ride.car) for ride in rides}
    flagged = sum(1 for ride in rides if ride.flag)
    return (f"{len(rides)} seat(s) in {len(cars)} car(s) over {len(nights)} night(s)"
            + (f"; {flagged} flagged for the supervisor (see the flag column)" if flagged else ""))


def _user_add(args: argparse.Namespace) -> int:
    name = check_user_name(args.name)
    role = Role(args.role)
    teams = user_teams(role, _teams(args))
    operator = user_operator(role, args.operator)
    with open_store() as store:
        if store.get_user(name) is not None:  # before asking for a password that would be thrown away
            raise UserExists(name)
        user = store.add_user(name, role, _new_password(args), by=_command_line_user(), teams=teams,
                              operator=operator)
    print(f"User {user.name} added: {user.access}.", file=sys.stderr)
    return EXIT_OK


def _user_list(_args: argparse.Namespace) -> int:
    with open_store() as store:
        users = store.list_users()
    if not users:
        print("No users yet: create the first admin with `planner user add NAME --role admin`.", file=sys.stderr)
    for user in users:
        print(f"{user.name:<24} {user.access:<40} "
              f"{'active' if user.active else 'disabled'}".rstrip())
    return EXIT_OK


def _user_passwd(args: argparse.Namespace) -> int:
    with open_store() as store:
        user = store.get_user(args.name)
        if user is None:  # before asking for the password
            raise UnknownUser(args.name)
        store.set_password(user.name, _new_password(args), by=_command_line_user())
    print(f"Password of {user.name} changed.", file=sys.stderr)
    return EXIT_OK


def _user_role(args: argparse.Namespace) -> int:
    role = Role(args.role)
    with open_store() as store:
        user = store.set_role(args.name, role, by=_command_line_user(), teams=user_teams(role, _teams(args)),
                              operator=args.operator)
    print(f"User {user.name}: {user.access}.", file=sys.stderr)
    return EXIT_OK


def _user_switch(args: argparse.Namespace) -> int:
    with open_store() as store:
        change = store.enable_user if args.enable else store.disable_user
        user = change(args.name, by=_command_line_user())
    print(f"User {user.name} {'enabled' if user.active else 'disabled'}.", file=sys.stderr)
    return EXIT_OK


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("New password: ")
    check_password(password)  # before asking to repeat it
    if getpass.getpass("Repeat the password: ") != password:
        raise UserRefused("the two passwords differ; nothing was changed")
    return password


def _command_line_user() -> str:
    """Who makes a change from the command line, for the audit log: the system account running it."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (OSError, KeyError):  # no login name in the environment nor in the password database
        return "command line"


def _column_names(text: str) -> dict[str, str]:
    try:
        return parse_column_names(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _forecast(args: argparse.Namespace) -> int:
    if not (args.backtest or args.month or args.out) or bool(args.month) != bool(args.out):
        print("planner forecast: give --month and --out to write a forecast, --backtest to measure its accuracy, "
              "or both", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.weeks < 1:
        print(f"planner forecast: --weeks must be a positive number of weeks, got {args.weeks}", file=sys.stderr)
        return EXIT_BAD_INPUT
    rules = _rules(args)
    try:
        month = parse_month(args.month, rules.centre.timezone, rules.centre.country) if args.month else None
    except ValueError as error:
        print(f"planner forecast: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    history = load_history(args.history, rules, gaps=args.gaps, columns=args.columns,
                           ignore_offsets=args.ignore_offsets)
    print("\n".join(history.describe()), file=sys.stderr)
    if args.backtest:
        report = backtest_report(history, rules, weeks=args.weeks)
        print(f"Backtest: {len(report.origins)} weekly origins from {report.origins[0]} to {report.origins[-1]}, "
              f"each forecasting the next week; {report.hours_scored} hours scored "
              f"({report.actual_calls:,.0f} calls; closed hours count as 0 calls, missing ones are left out).\n")
        print(_text_table(*report.summary_table()))
        for by in ("weekday", "hour"):
            print(f"\nBy {by}:")
            print(_text_table(*report.breakdown_table(by)))
        model, naive = report.method(METHODS[0]), report.method(METHODS[1])
        if naive.hourly_wape > 0:
            print(f"\nHourly WAPE {model.hourly_wape:.1%} against seasonal naive's {naive.hourly_wape:.1%} "
                  f"({model.hourly_wape_vs_naive:.2f} ×).")
    if month is not None:
        forecast = forecast_month(history, month, rules)
        write_forecast_csv(forecast, args.out)
        closed = sum(1 for calls in forecast.calls if calls == 0)
        holiday_names = holidays_of(month.days, rules.centre.country)
        print(f"{month.label}: {sum(forecast.calls):,.0f} calls forecast over {len(month.hours)} hours, "
              f"{closed} of them at 0 (closed in the history)."
              + (" Public holidays forecast like a Sunday: "
                 + ", ".join(f"{day} {name}" for day, name in sorted(holiday_names.items())) + "."
                 if holiday_names else "")
              + f" Written to {args.out}", file=sys.stderr)
    return EXIT_OK


def _text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows, strict=True)]
    lines = [columns, ["-" * width for width in widths], *rows]
    return "\n".join("  ".join(f"{cell:>{width}}" if index else f"{cell:<{width}}"
                                for index, (cell, width) in enumerate(zip(line, widths, strict=True)))
                      for line in lines)

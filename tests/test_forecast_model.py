import io
import math
import random
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.forecast_bench import SECTION
from bench.forecast_bench import main as bench_main
from planner.cli import EXIT_BAD_INPUT, EXIT_OK, main
from planner.config import parse_rules
from planner.errors import InputError
from planner.forecast_csv import load_forecast, parse_forecast
from planner.forecast_model import METHODS, ModelSettings, backtest_report, forecast_month, holidays_of
from planner.history_csv import parse_history
from planner.month import Month
from planner.samples import write_forecast_csv

MOSCOW = parse_rules({})
BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
# Relative calls by weekday (Mon..Sun) and by hour of the day: the seasonality the model must recover.
WEEKLY = (1.25, 1.1, 1.05, 1.0, 0.95, 0.6, 0.45)
DAILY = tuple(0.1 + math.sin(math.pi * hour / 24) ** 2 for hour in range(24))
SUNDAY = 6

Calls = Callable[[date, int], float | None]


def seasonal(peak: float = 200.0, growth_per_day: float = 0.0, start: date = date(2026, 1, 5),
             country: str = "RU") -> Calls:
    """Expected calls of an hour: weekday × hour-of-day shape × exponential trend; holidays look like Sundays."""
    holiday_days = holidays_of([start + timedelta(days=i) for i in range(400)], country)

    def calls(day: date, hour: int) -> float:
        weekday = SUNDAY if day in holiday_days else day.weekday()
        return peak * WEEKLY[weekday] * DAILY[hour] * math.exp(growth_per_day * (day - start).days)

    return calls


def history_bytes(first: date, weeks: int, calls: Calls, *, noise: float = 0.0,
                  aht: Callable[[int], float] | None = None, status: Callable[[date, int], str] | None = None) -> bytes:
    """Hourly rows from `first` over whole weeks; an hour whose calls are None is left out of the file."""
    rng = random.Random(7)
    header = "interval_start,calls" + (",aht_sec" if aht else "") + (",status" if status else "")
    lines = [header]
    for offset in range(7 * weeks):
        day = first + timedelta(days=offset)
        for hour in range(24):
            value = calls(day, hour)
            if value is None:
                continue
            cells = [f"{day} {hour:02d}:00", f"{value * (1 + rng.gauss(0, noise)):.3f}"]
            if aht:
                cells.append(f"{aht(hour):g}")
            if status:
                cells.append(status(day, hour))
                if status(day, hour) != "open":
                    cells[1] = ""
            lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def history(first: date, weeks: int, calls: Calls, rules=MOSCOW, gaps=None, **options):
    return parse_history(history_bytes(first, weeks, calls, **options), "history.csv", rules, gaps=gaps)


def wape(forecast, actual) -> float:
    return sum(abs(f - a) for f, a in zip(forecast, actual, strict=True)) / sum(actual)


def by_day(forecast, month: Month) -> dict[date, list[float]]:
    days: dict[date, list[float]] = {}
    for moment, calls in zip(month.hours, forecast.calls, strict=True):
        days.setdefault(moment.date(), []).append(calls)
    return days


# --- the model ---------------------------------------------------------------------------------------------


def test_a_synthetic_series_with_weekly_and_daily_seasonality_and_trend_is_recovered():
    """Tolerance: hourly WAPE against the noise-free truth below 3 % and the month's total within 2 %, from
    26 weeks with 5 % noise per hour and +0.2 % a day of growth (a forecast that missed the trend would be
    about 7 % short)."""
    truth = seasonal(growth_per_day=0.002, start=date(2026, 4, 6))
    past = history(date(2026, 4, 6), 26, truth, noise=0.05)
    october = Month(2026, 10, "Europe/Moscow", "RU")
    forecast = forecast_month(past, october, MOSCOW)
    expected = [truth(moment.date(), moment.hour) for moment in october.hours]
    assert wape(forecast.calls, expected) < 0.03
    assert sum(forecast.calls) == pytest.approx(sum(expected), rel=0.02)
    flat = forecast_month(past, october, MOSCOW, ModelSettings(trend_weeks=0))
    assert sum(flat.calls) < 0.95 * sum(expected)


def test_a_holiday_in_the_month_gets_the_profile_of_a_sunday():
    truth = seasonal()
    november = Month(2026, 11, "Europe/Moscow", "RU")  # Unity Day, Wednesday 4 November
    forecast = by_day(forecast_month(history(date(2026, 8, 31), 9, truth), november, MOSCOW), november)
    assert forecast[date(2026, 11, 4)] == forecast[date(2026, 11, 8)]  # the Sunday after
    assert forecast[date(2026, 11, 11)] == pytest.approx([truth(date(2026, 11, 11), hour) for hour in range(24)],
                                                         abs=0.05)
    assert forecast[date(2026, 11, 4)] != forecast[date(2026, 11, 11)]


def test_hours_closed_in_the_history_are_forecast_at_zero():
    truth = seasonal()

    def daytime(day: date, hour: int) -> float | None:
        return truth(day, hour) if 7 <= hour < 21 and day.weekday() < 5 else None

    past = history(date(2026, 8, 31), 8, daytime, gaps="closed")
    october = Month(2026, 10, "Europe/Moscow", "RU")
    forecast = forecast_month(past, october, MOSCOW)
    for moment, calls in zip(october.hours, forecast.calls, strict=True):
        expected = daytime(moment.date(), moment.hour)
        assert calls == (0.0 if expected is None else pytest.approx(expected, abs=0.05))


def test_closed_hours_tell_the_opening_hours_and_missing_ones_say_nothing():
    """Five of the last eight Mondays stated closed make Monday a closed day; stated missing, they are unknown
    and the Mondays before them still give the profile."""
    recent_mondays = {date(2026, 8, 24) + timedelta(weeks=k) for k in range(5)}
    october = Month(2026, 10, "Europe/Moscow", "RU")
    monday = date(2026, 10, 26)
    truth = seasonal()
    for word, expected in (("closed", 0.0), ("missing", truth(monday, 12))):
        past = history(date(2026, 4, 6), 25, truth,
                       status=lambda day, hour, word=word: word if day in recent_mondays else "open")
        noon = october.hours.index(next(m for m in october.hours if m.date() == monday and m.hour == 12))
        assert forecast_month(past, october, MOSCOW).calls[noon] == pytest.approx(expected, abs=0.05), word


def test_aht_follows_the_history_per_hour_or_the_rules_default():
    october = Month(2026, 10, "Europe/Moscow", "RU")
    timed = history(date(2026, 8, 31), 4, seasonal(), aht=lambda hour: 200 + hour)
    assert forecast_month(timed, october, MOSCOW).aht_sec[:24] == tuple(200.0 + hour for hour in range(24))
    untimed = history(date(2026, 8, 31), 4, seasonal())
    assert set(forecast_month(untimed, october, MOSCOW).aht_sec) == {300.0}


def test_a_month_with_a_clock_change_is_forecast_per_real_hour_and_reads_back():
    berlin_october = Month(2026, 10, "Europe/Berlin", "DE")
    past = history(date(2026, 8, 3), 9, seasonal(country="DE"), rules=BERLIN)
    forecast = forecast_month(past, berlin_october, BERLIN)
    assert len(forecast.calls) == 745
    buffer = io.StringIO()
    write_forecast_csv(forecast, buffer)
    assert parse_forecast(buffer.getvalue().encode(), "f.csv", BERLIN).calls == forecast.calls


def test_too_short_a_history_or_too_distant_a_month_is_refused():
    short = history(date(2026, 9, 7), 1, seasonal())
    with pytest.raises(InputError, match="fewer than 14 days with calls before 2026-09-14"):
        forecast_month(short, Month(2026, 10, "Europe/Moscow", "RU"), MOSCOW)
    past = history(date(2026, 8, 3), 4, seasonal())
    with pytest.raises(InputError, match="a forecast reaches at most 92 days beyond the history"):
        forecast_month(past, Month(2027, 1, "Europe/Moscow", "RU"), MOSCOW)


# --- the backtest ------------------------------------------------------------------------------------------


def test_baselines_are_last_weeks_slot_and_the_mean_of_four_weeks():
    """Every hour of week w has 10 + w calls: seasonal naive is 1 short in each of the 8 weeks scored, the
    4-week profile 2.5 short; weeks 4-11 hold 14 + ... + 21 = 140 calls per hour."""
    first = date(2026, 3, 2)
    past = history(first, 12, lambda day, hour: 10.0 + (day - first).days // 7)
    report = backtest_report(past, MOSCOW)
    assert report.origins == tuple(date(2026, 3, 30) + timedelta(weeks=k) for k in range(8))
    assert report.hours_scored == 8 * 168
    naive, profile = report.method(METHODS[1]), report.method(METHODS[2])
    assert (naive.hourly_wape, naive.daily_wape, naive.bias) == pytest.approx((8 / 140, 8 / 140, -8 / 140))
    assert (profile.hourly_wape, profile.bias) == pytest.approx((20 / 140, -20 / 140))
    assert profile.hourly_wape_vs_naive == pytest.approx(2.5)


def test_the_model_beats_both_baselines_on_a_noisy_trending_series():
    report = backtest_report(history(date(2026, 3, 2), 26, seasonal(growth_per_day=0.002, start=date(2026, 3, 2)),
                                     noise=0.1), MOSCOW)
    model, naive, profile = (report.method(method) for method in METHODS)
    assert model.hourly_wape < 0.85 * naive.hourly_wape
    assert model.hourly_wape < profile.hourly_wape
    assert abs(model.bias) < abs(profile.bias)


def test_closed_hours_are_scored_as_zero_calls_and_missing_hours_are_left_out():
    first = date(2026, 3, 2)
    lost = date(2026, 5, 20)  # a Wednesday of the last week scored
    truth = seasonal()

    def calls(day: date, hour: int) -> float | None:
        return None if day == lost else truth(day, hour)

    closed = backtest_report(history(first, 12, calls, gaps="closed"), MOSCOW)
    missing = backtest_report(history(first, 12, calls, gaps="missing"), MOSCOW)
    assert closed.hours_scored == missing.hours_scored + 24
    assert missing.method(METHODS[0]).hourly_wape < 0.001
    # The whole Wednesday forecast where the line was closed is the closed run's error.
    lost_calls = sum(truth(lost, hour) for hour in range(24))
    assert closed.method(METHODS[0]).hourly_wape == pytest.approx(lost_calls / closed.actual_calls, abs=0.001)


def test_the_backtest_tables_have_a_row_per_method_weekday_and_open_hour():
    truth = seasonal()

    def daytime(day: date, hour: int) -> float | None:
        return truth(day, hour) if 8 <= hour < 20 else None

    report = backtest_report(history(date(2026, 3, 2), 12, daytime, gaps="closed"), MOSCOW, weeks=4)
    columns, rows = report.summary_table()
    assert columns[:4] == ("method", "hourly WAPE", "daily WAPE", "bias")
    assert [row[0] for row in rows] == list(METHODS)
    columns, rows = report.breakdown_table("weekday")
    assert [row[0] for row in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert columns[2:4] == ("model WAPE", "model bias")
    _, rows = report.breakdown_table("hour")
    assert [row[0] for row in rows] == [f"{hour:02d}:00" for hour in range(8, 20)]


# --- the command line --------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "constraints.yaml")


def test_cli_writes_a_forecast_that_planner_solve_reads_and_prints_the_backtest(tmp_path, capsys):
    source = tmp_path / "history.csv"
    source.write_bytes(history_bytes(date(2026, 6, 1), 16, seasonal(), aht=lambda hour: 240))
    out = tmp_path / "forecast.csv"
    code = main(["forecast", "--history", str(source), "--month", "2026-10", "--out", str(out), "--backtest",
                 "--gaps", "closed", "--rules", RULES])
    assert code == EXIT_OK
    forecast = load_forecast(out, MOSCOW)
    assert forecast.month == Month(2026, 10, "Europe/Moscow", "RU")
    assert forecast.aht_sec == pytest.approx([240.0] * 744)
    printed = capsys.readouterr()
    assert "seasonal naive" in printed.out and "By hour:" in printed.out
    assert "2026-10: " in printed.err and f"Written to {out}" in printed.err
    assert "open: 2688 hours" in printed.err


def test_cli_refuses_a_bad_history_or_a_month_without_out(tmp_path, capsys):
    source = tmp_path / "history.csv"
    source.write_text("interval_start,calls\n2026-10-01 00:00,lots\n2026-10-01 01:00,1\n")
    assert main(["forecast", "--history", str(source), "--backtest", "--rules", RULES]) == EXIT_BAD_INPUT
    assert "line 2, field 'calls': must be a number, got 'lots'" in capsys.readouterr().err
    assert main(["forecast", "--history", str(source), "--month", "2026-11", "--rules", RULES]) == EXIT_BAD_INPUT
    assert "give --month and --out" in capsys.readouterr().err


def test_cli_reads_another_layout_through_column_names(tmp_path):
    """An export with its own names, stamping local times with a meaningless Z (as the bank data's)."""
    source = tmp_path / "export.csv"
    ours = history_bytes(date(2026, 8, 3), 4, seasonal()).decode()
    source.write_text(re.sub(r"^(\S+) (\S+),", r"\1T\2:00Z,", ours, flags=re.MULTILINE)
                      .replace("interval_start,calls", "DateTime,Volume"))
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--history", str(source), "--month", "2026-09", "--out", str(out), "--rules", RULES,
            "--columns", "interval_start=DateTime,calls=Volume", "--ignore-offsets"]
    assert main(args) == EXIT_OK
    assert len(load_forecast(out, MOSCOW).calls) == 720


# --- the benchmark -----------------------------------------------------------------------------------------


def test_the_benchmark_writes_its_section_from_a_file_laid_out_as_the_banks(tmp_path):
    """Weekdays 07:00-21:00 with a `Z` on local times; a lost Tuesday is missing data, not a closed day."""
    truth, lost = seasonal(country="US"), date(2026, 5, 12)
    lines = ["rownames,DateTime,Calls"]
    for offset in range(7 * 12):
        day = date(2026, 3, 2) + timedelta(days=offset)
        if day.weekday() < 5 and day != lost and day not in holidays_of([day], "US"):
            lines += [f"{len(lines)},{day}T{hour:02d}:00:00Z,{truth(day, hour):.0f}" for hour in range(7, 22)]
    source = tmp_path / "bank_calls.csv"
    source.write_text("\n".join(lines) + "\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n<!-- {SECTION}:start -->\nold\n<!-- {SECTION}:end -->\nrest\n")
    assert bench_main(["--history", str(source), "--month", "2026-06", "--out", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n") and "old" not in text
    assert "24 missing (the weekdays 2026-05-12: absent but no holiday)" in text
    assert "| hourly WAPE at least 15 % lower than seasonal naive's |" in text
    assert "Forecast of 2026-06" in text

import csv
import io
import math
import re
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest

from planner.config import load_rules
from planner.month import Month
from planner.samples import (
    SAMPLE_MONTH,
    SAMPLE_OPERATORS,
    SAMPLE_SEED,
    sample_forecast,
    sample_operators,
    write_forecast_csv,
    write_operators_csv,
    write_sample_month,
)
from planner.staffing import staffing_plan

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT / "constraints.yaml")
HALL_WORKSTATIONS = 70
STUDENT_WINDOW = (17 * 60, 24 * 60)
WHOLE_DAY = (0, 24 * 60)


@pytest.fixture(scope="module")
def forecast():
    return sample_forecast(SAMPLE_MONTH, seed=SAMPLE_SEED)


@pytest.fixture(scope="module")
def operators():
    return sample_operators(SAMPLE_OPERATORS, SAMPLE_MONTH, RULES, seed=SAMPLE_SEED)


def calls_by(forecast, key):
    """Mean calls per group of hours, grouped by key(local datetime)."""
    groups: dict[object, list[float]] = {}
    for moment, calls in zip(forecast.month.hours, forecast.calls, strict=True):
        groups.setdefault(key(moment), []).append(calls)
    return {group: mean(values) for group, values in groups.items()}


# --- forecast -------------------------------------------------------------------------------------------------


def test_forecast_is_deterministic_per_seed(forecast):
    assert sample_forecast(SAMPLE_MONTH, seed=SAMPLE_SEED) == forecast
    assert sample_forecast(SAMPLE_MONTH, seed=SAMPLE_SEED + 1).calls != forecast.calls


def test_forecast_has_one_whole_number_of_calls_and_an_aht_per_hour(forecast):
    assert len(forecast.calls) == len(forecast.aht_sec) == 744
    assert all(isinstance(calls, int) and calls >= 0 for calls in forecast.calls)
    assert all(aht > 0 for aht in forecast.aht_sec)


@pytest.mark.parametrize(("month", "hours"), [(10, 745), (3, 743)])
def test_forecast_follows_the_real_hours_of_a_dst_month(month, hours):
    dst_month = Month(2026, month, "Europe/Berlin", "DE")
    assert len(sample_forecast(dst_month).calls) == hours


def test_night_trough_is_far_below_the_day_and_evening_peaks(forecast):
    by_hour = calls_by(forecast, lambda moment: moment.hour)
    day_peak = max(by_hour[hour] for hour in range(10, 14))
    assert max(by_hour.values()) == day_peak
    assert max(by_hour[hour] for hour in range(3, 6)) < 0.12 * day_peak
    assert 0.85 * day_peak <= max(by_hour[hour] for hour in range(19, 22)) <= day_peak
    assert by_hour[16] < by_hour[20]  # the commute dip before the evening peak


def test_monday_is_the_busiest_day_and_weekends_and_holidays_are_quieter(forecast):
    holidays = forecast.month.public_holidays
    by_weekday = calls_by(forecast, lambda moment: "holiday" if moment.date() in holidays else moment.weekday())
    assert max(by_weekday, key=by_weekday.__getitem__) == 0
    for weekend in (5, 6):
        assert 0.70 <= by_weekday[weekend] / by_weekday[0] <= 0.82
    assert by_weekday["holiday"] == pytest.approx(by_weekday[6], rel=0.08)


def test_night_calls_take_longer(forecast):
    aht = {}
    for moment, value in zip(forecast.month.hours, forecast.aht_sec, strict=True):
        aht.setdefault(moment.hour, []).append(value)
    assert mean(aht[3]) / mean(aht[11]) == pytest.approx(1.15, abs=0.03)


@pytest.mark.parametrize(("option", "value"), [("peak_calls", -3), ("base_aht_sec", 0), ("peak_calls", math.nan)])
def test_forecast_refuses_impossible_sizes(option, value):
    with pytest.raises(ValueError, match=f"{option} must be a positive number, got {value}"):
        sample_forecast(SAMPLE_MONTH, **{option: value})


# --- operators ------------------------------------------------------------------------------------------------


def test_operators_are_deterministic_per_seed(operators):
    assert sample_operators(SAMPLE_OPERATORS, SAMPLE_MONTH, RULES, seed=SAMPLE_SEED) == operators
    assert sample_operators(SAMPLE_OPERATORS, SAMPLE_MONTH, RULES, seed=SAMPLE_SEED + 1) != operators


def test_operators_have_unique_ids_names_and_phones(operators):
    assert [op.id for op in operators] == [f"op{i:03d}" for i in range(1, 151)]
    assert len({op.name for op in operators}) == len({op.phone for op in operators}) == 150
    assert all(re.fullmatch(r"[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+", op.name) for op in operators)
    assert all(re.fullmatch(r"\+7 9\d\d \d{3}-\d\d-\d\d", op.phone) for op in operators)


def test_operators_names_agree_in_gender(operators):
    female = [op for op in operators if op.name.split()[2].endswith("на")]
    male = [op for op in operators if op.name.split()[2].endswith("ич")]
    assert len(female) + len(male) == 150 and 0.5 < len(female) / 150 < 0.8
    assert all(op.name.split()[0].endswith(("а", "я")) for op in female)
    assert not any(op.name.split()[0].endswith(("а", "я")) for op in male)


def test_rates_follow_the_mix(operators):
    assert Counter(op.rate for op in operators) == {1.0: 68, 0.75: 37, 0.5: 45}


def test_a_third_of_part_timers_are_evening_students_and_a_few_work_days(operators):
    windows = Counter((op.earliest_start, op.latest_end) for op in operators if op.rate < 1)
    part_timers = sum(windows.values())
    assert windows[STUDENT_WINDOW] == round(part_timers / 3)
    day_windows = part_timers - windows[STUDENT_WINDOW] - windows[WHOLE_DAY]
    assert 0 < day_windows <= 0.15 * part_timers
    assert all((op.earliest_start, op.latest_end) == WHOLE_DAY for op in operators if op.rate == 1)
    for op in operators:
        assert op.latest_end - op.earliest_start >= RULES.shift_hours(op.rate) * 60


@pytest.mark.parametrize("count", [7, 10, 14, 15, 40, 150, 333])
def test_teams_have_7_to_10_operators(count):
    teams = Counter(op.team for op in sample_operators(count, SAMPLE_MONTH, RULES))
    assert all(7 <= size <= 10 for size in teams.values())
    assert set(teams) == {f"Группа {i}" for i in range(1, len(teams) + 1)}


def test_homes_are_in_a_few_districts_with_coordinates_inside_them(operators):
    by_district: dict[str, list] = {}
    for op in operators:
        assert re.fullmatch(r".+, д\. \d+(, корп\. \d)?, кв\. \d+", op.address)
        by_district.setdefault(op.district, []).append(op)
    assert len(by_district) == 6
    for homes in by_district.values():
        lat, lon = mean(op.lat for op in homes), mean(op.lon for op in homes)
        for op in homes:
            # within about 2.5 km of the district's own centre, and inside Moscow
            assert abs(op.lat - lat) < 0.025 and abs(op.lon - lon) < 0.04
            assert 55.55 < op.lat < 55.95 and 37.3 < op.lon < 37.9


def test_some_operators_wish_days_off_and_a_few_are_unavailable(operators):
    days = set(SAMPLE_MONTH.days)
    wishing = [op for op in operators if op.days_off_wished]
    unavailable = [op for op in operators if op.unavailable]
    assert len(wishing) == 15 and all(1 <= len(op.days_off_wished) <= 3 for op in wishing)
    assert len(unavailable) == 8 and all(2 <= len(op.unavailable) <= 7 for op in unavailable)
    for op in operators:
        assert op.days_off_wished <= days and op.unavailable <= days
        assert not op.days_off_wished & op.unavailable


def test_operators_refuse_a_count_that_is_not_a_positive_integer():
    with pytest.raises(ValueError, match="count must be a positive integer, got 0"):
        sample_operators(0, SAMPLE_MONTH, RULES)


def test_operators_need_the_sample_contracts():
    rules = RULES.model_copy(update={"contracts": {"1.0": 8}})
    with pytest.raises(ValueError, match="no contract for rate 0.75"):
        sample_operators(10, SAMPLE_MONTH, rules)


# --- calibration ----------------------------------------------------------------------------------------------


def test_the_sample_month_is_coverable_but_not_trivially(forecast, operators):
    plan = staffing_plan(forecast, RULES)
    working_days = len(SAMPLE_MONTH.working_days)
    assert working_days == 22
    contract_hours = sum(op.rate * RULES.rules.monthly_norm.hours_per_day * working_days for op in operators)
    assert 1.08 <= contract_hours / plan.required_agent_hours <= 1.15
    assert max(plan.required) <= HALL_WORKSTATIONS
    assert 500 <= max(forecast.calls) <= 800


# --- files ----------------------------------------------------------------------------------------------------


def test_forecast_csv_has_the_contract_columns_and_local_times(forecast):
    out = io.StringIO()
    write_forecast_csv(forecast, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["interval_start", "calls", "aht_sec"]
    assert len(rows) == 745
    assert rows[1] == ["2026-12-01 00:00", str(forecast.calls[0]), f"{forecast.aht_sec[0]:g}"]
    assert rows[-1][0] == "2026-12-31 23:00"


def test_excel_forecast_csv_looks_like_a_russian_excel_export(forecast):
    out = io.StringIO()
    write_forecast_csv(forecast, out, excel=True)
    text = out.getvalue()
    assert text.startswith("\ufeffinterval_start;calls;aht_sec\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 745
    decimals = [row[2] for row in rows[1:] if not row[2].isdigit()]
    assert decimals and all(re.fullmatch(r"\d+,\d", value) for value in decimals)


def test_forecast_csv_to_a_path_matches_the_buffer(forecast, tmp_path):
    out = io.StringIO()
    write_forecast_csv(forecast, out, excel=True)
    write_forecast_csv(forecast, tmp_path / "f.csv", excel=True)
    assert (tmp_path / "f.csv").read_bytes() == out.getvalue().encode("utf-8")


def test_operators_csv_has_the_contract_columns(operators):
    out = io.StringIO()
    write_operators_csv(operators, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "id", "name", "rate", "earliest_start", "latest_end", "unavailable", "days_off_wished",
        "team", "address", "district", "lat", "lon", "phone", "max_consecutive_days", "max_working_weekends",
        "shift_requests", "weekly_hours",
    ]
    assert len(rows) == 150
    student = next(row for row, op in zip(rows, operators, strict=True) if op.earliest_start == STUDENT_WINDOW[0])
    assert (student["earliest_start"], student["latest_end"]) == ("17:00", "24:00")
    assert {row["rate"] for row in rows} == {"1.0", "0.75", "0.5"}
    wisher = next(row for row, op in zip(rows, operators, strict=True) if len(op.days_off_wished) > 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d( \d{4}-\d\d-\d\d)+", wisher["days_off_wished"])


def test_shipped_samples_are_what_the_generator_writes(tmp_path):
    written = write_sample_month(tmp_path, SAMPLE_MONTH, SAMPLE_OPERATORS, RULES, SAMPLE_SEED)
    assert [path.name for path in written] == [
        "forecast-2026-12.csv",
        "forecast-2026-12-excel.csv",
        "operators-2026-12.csv",
    ]
    for path in written:
        assert (ROOT / "forecasts" / path.name).read_bytes() == path.read_bytes(), (
            f"forecasts/{path.name} drifted from planner.samples; regenerate it (see the module docstring)"
        )

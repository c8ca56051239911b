from pathlib import Path

import pytest
import yaml

from planner.config import load_rules, parse_rules, rate_key
from planner.errors import InputError
from planner.roster import model

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_rules_are_the_contract_defaults():
    rules = load_rules(ROOT / "constraints.yaml")
    assert rules.staffing.service_level == 0.80
    assert rules.staffing.answer_within_sec == 20
    assert rules.staffing.default_aht_sec == 300
    assert rules.staffing.shrinkage == 0.10
    assert rules.staffing.min_operators == 2
    assert rules.contracts == {"1.0": 8, "0.75": 6, "0.5": 4}
    assert rules.rules.rest_between_shifts.min_hours == 12
    assert rules.rules.max_consecutive_days.max_days == 6
    assert rules.rules.monthly_norm.hours_per_day == 8
    assert rules.rules.monthly_norm.tolerance_shifts == 1
    assert rules.centre.country == "RU"
    assert rules.solver.time_limit_sec == 60


def test_every_rule_key_has_its_model_function_of_the_same_name():
    keys = set(yaml.safe_load((ROOT / "constraints.yaml").read_text(encoding="utf-8"))["rules"])
    # availability shapes the variables' domain instead of adding constraints (see build_model)
    assert keys - {"availability"} == set(model.RULES)
    for key in model.RULES:
        assert model.RULES[key].__name__ == f"add_{key}"


def test_unknown_key_is_refused_with_its_path():
    with pytest.raises(InputError) as error:
        parse_rules({"rules": {"rest_between_shift": {"min_hours": 11}}})
    [problem] = error.value.problems
    assert problem.field == "rules.rest_between_shift"
    assert "unknown key" in problem.message


def test_impossible_values_are_refused_naming_each_key():
    with pytest.raises(InputError) as error:
        parse_rules({"staffing": {"shrinkage": 1.5, "service_level": 0}, "rules": {"shortfall": {"weight": -1}}})
    fields = {p.field for p in error.value.problems}
    assert fields == {"staffing.shrinkage", "staffing.service_level", "rules.shortfall.weight"}


def test_unknown_timezone_and_country_are_explained():
    with pytest.raises(InputError) as error:
        parse_rules({"centre": {"timezone": "Mars/Olympus", "country": "XX"}})
    messages = {p.field: p.message for p in error.value.problems}
    assert "unknown time zone 'Mars/Olympus'" in messages["centre.timezone"]
    assert "no production calendar for country code 'XX'" in messages["centre.country"]


def test_contract_rates_accept_decimal_commas_and_reject_bad_lengths():
    rules = parse_rules({"contracts": {"1": 8, "0,75": 6}})
    assert rules.shift_hours(0.75) == 6 and rules.shift_hours(1.0) == 8
    with pytest.raises(InputError) as error:
        parse_rules({"contracts": {"1.0": 25}})
    assert error.value.problems[0].field == "contracts"
    assert "whole number of hours 1..24" in error.value.problems[0].message


def test_rate_key_rejects_non_rates():
    assert rate_key("0,5") == "0.5"
    with pytest.raises(ValueError, match="must be a number"):
        rate_key("half")
    with pytest.raises(ValueError, match="above 0 and at most 1"):
        rate_key(1.5)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "constraints.yaml"
    path.write_text("staffing:\n  shrinkage: [0.1\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_rules(path)
    problem = error.value.problems[0]
    assert problem.file == str(path) and problem.line is not None and "not valid YAML" in problem.message


def test_missing_rules_file(tmp_path):
    with pytest.raises(InputError, match="rules file not found"):
        load_rules(tmp_path / "absent.yaml")


@pytest.mark.parametrize("order", [["day", "night"], ["day", "evening", "night", "day"], ["day", "evening", "late"]])
def test_forward_rotation_must_name_every_shift_type_once(order):
    with pytest.raises(InputError) as error:
        parse_rules({"rules": {"forward_rotation": {"order": order}}})
    assert "forward_rotation.order must name every shift type once" in str(error.value)
    assert parse_rules({"rules": {"forward_rotation": {"order": ["night", "day", "evening"]}}})


@pytest.mark.parametrize(("starts", "says"), [
    ({"0.6": ["08:00"]}, "names contracts that contracts does not define: 0.6"),
    ({"1.0": ["08:30"]}, "shifts start on the hour; contract 1.0 has 08:30"),
    ({"1.0": []}, "contract 1.0 names no start time"),
    ({"1": ["25:00"]}, "must be a time HH:MM, got '25:00'"),
])
def test_shift_templates_are_refused_naming_what_is_wrong(starts, says):
    with pytest.raises(InputError) as error:
        parse_rules({"rules": {"shift_templates": {"starts": starts}}})
    assert says in str(error.value)
    templates = parse_rules({"rules": {"shift_templates": {"starts": {1: ["08:00", "16:00"]}}}}).rules.shift_templates
    assert templates.of(1.0) == frozenset({8 * 60, 16 * 60})

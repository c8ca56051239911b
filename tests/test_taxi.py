import csv
import io
from datetime import date, datetime, timedelta

from planner.config import Rules, Taxi
from planner.domain import Operator, Roster, Shift
from planner.month import Month
from planner.rostercsv import write_roster_csv
from planner.taxi import (
    NO_ADDRESS,
    TAXI_COLUMNS,
    UNKNOWN_OPERATOR,
    load_roster_for_taxi,
    taxi_csv,
    taxi_nights,
    taxi_rides,
)

MONTH = Month(2026, 12, "Europe/Moscow")
RULES = Rules()
OFFICE = (RULES.taxi.office.lat, RULES.taxi.office.lon)
KM_LAT = 1 / 111.2  # degrees of latitude per kilometre


def _operator(op_id: str, north_km: float = 0.0, east_km: float = 0.0, *, located: bool = True, **fields) -> Operator:
    position = {"lat": OFFICE[0] + north_km * KM_LAT, "lon": OFFICE[1] + east_km * KM_LAT * 1.78} if located else {}
    defaults = {"name": f"Оператор {op_id}", "address": f"ул. Тестовая, д. {op_id}", "phone": "+7 900 000-00-00"}
    return Operator(id=op_id, rate=1.0, **(defaults | position | fields))


def _shift(op_id: str, end: datetime, hours: int = 8) -> Shift:
    end = end.replace(tzinfo=MONTH.tz)
    return Shift(op_id, end - timedelta(hours=hours), end)


def _rides(operators, end=datetime(2026, 12, 5, 23, 0), rules=RULES):
    roster = Roster(MONTH, tuple(_shift(op.id, end) for op in operators))
    return taxi_rides(roster, operators, rules)


def _cars(rides) -> dict[int, list[str]]:
    cars: dict[int, list[str]] = {}
    for ride in rides:
        cars.setdefault(ride.car, []).append(ride.operator.id)
    return cars


def test_a_seat_for_shifts_ending_from_23_00_up_to_not_including_06_00():
    ends = {"e2259": datetime(2026, 12, 5, 22, 59), "e2300": datetime(2026, 12, 5, 23, 0),
            "e0000": datetime(2026, 12, 6, 0, 0), "e0559": datetime(2026, 12, 6, 5, 59),
            "e0600": datetime(2026, 12, 6, 6, 0)}
    operators = [_operator(op_id) for op_id in ends]
    roster = Roster(MONTH, tuple(_shift(op_id, end) for op_id, end in ends.items()))

    rides = taxi_rides(roster, operators, RULES)

    assert [ride.operator.id for ride in rides] == ["e2300", "e0000", "e0559"]
    # The night is the day the shift started: 15:00-23:00 and 16:00-00:00 of the 5th, 21:59-05:59 too.
    assert {ride.night for ride in rides} == {date(2026, 12, 5)}
    assert [f"{ride.end_time:%d %H:%M}" for ride in rides] == ["05 23:00", "06 00:00", "06 05:59"]
    assert [ride.car for ride in rides] == [1, 2, 3]  # one car per end time, numbered through the night


def test_nine_riders_and_four_seats_fill_three_cars_each_seated_once():
    operators = [_operator(f"op{i}", north_km=i % 3, east_km=i) for i in range(9)]

    rides = _rides(operators)

    cars = _cars(rides)
    assert len(cars) == 3 and all(len(riders) <= 4 for riders in cars.values())
    assert sorted(ride.operator.id for ride in rides) == sorted(op.id for op in operators)
    for car in cars:
        assert sorted(ride.stop for ride in rides if ride.car == car) == list(range(1, len(cars[car]) + 1))


def test_two_distant_clusters_never_share_a_car():
    # Ids alternate between the clusters, so cars filled in id order would mix them.
    north = [_operator(f"op{2 * i}", north_km=20 + i * 0.3, east_km=i * 0.2) for i in range(4)]
    south = [_operator(f"op{2 * i + 1}", north_km=-20 - i * 0.3, east_km=-i * 0.2) for i in range(4)]

    cars = _cars(_rides(north + south))

    assert sorted(sorted(riders) for riders in cars.values()) == [[op.id for op in north], [op.id for op in south]]


def test_a_car_drops_off_the_nearest_first():
    operators = [_operator("far", east_km=9), _operator("near", east_km=3), _operator("middle", east_km=6)]

    assert [ride.operator.id for ride in _rides(operators)] == ["near", "middle", "far"]


def test_an_operator_without_address_is_seated_and_flagged():
    located = [_operator(f"op{i}", east_km=i + 1) for i in range(5)]
    nowhere = _operator("nowhere", located=False, address="", district="")

    rides = _rides([*located, nowhere])

    flagged = [ride for ride in rides if ride.operator.id == "nowhere"]
    assert len(flagged) == 1 and flagged[0].flag == NO_ADDRESS
    assert len(_cars(rides)) == 2  # a spare seat of the routed cars, not a car of its own
    assert all(ride.flag == "" for ride in rides if ride.operator.id != "nowhere")


def test_a_shift_of_an_operator_missing_from_the_file_still_gets_a_seat():
    roster = Roster(MONTH, (_shift("ghost", datetime(2026, 12, 5, 23, 0)),))

    (ride,) = taxi_rides(roster, [], RULES)

    assert ride.operator.id == "ghost" and ride.flag == UNKNOWN_OPERATOR


def test_without_coordinates_riders_share_cars_by_district():
    marino = [_operator(f"m{i}", located=False, district="Марьино") for i in range(5)]
    mitino = [_operator(f"t{i}", located=False, district="Митино") for i in range(3)]

    rides = _rides(marino + mitino)

    # A full car of Марьино, then the fifth from Марьино with the three from Митино: two cars, as few as possible.
    assert list(_cars(rides).values()) == [["m0", "m1", "m2", "m3"], ["m4", "t0", "t1", "t2"]]
    assert all(ride.flag == "" for ride in rides)


def test_seats_per_car_and_ride_window_come_from_the_rules():
    rules = Rules(taxi=Taxi(seats_per_car=2, ride_from="22:00", ride_until="23:00"))
    operators = [_operator(f"op{i}", east_km=i + 1) for i in range(3)]

    assert _rides(operators, rules=rules) == []
    rides = _rides(operators, end=datetime(2026, 12, 5, 22, 30), rules=rules)
    assert sorted(len(riders) for riders in _cars(rides).values()) == [1, 2]


def test_only_the_night_asked_for():
    operators = [_operator("a"), _operator("b")]
    roster = Roster(MONTH, (_shift("a", datetime(2026, 12, 5, 23, 0)), _shift("b", datetime(2026, 12, 6, 23, 0))))

    rides = taxi_rides(roster, operators, RULES, night=date(2026, 12, 6))

    assert [(ride.night, ride.operator.id) for ride in rides] == [(date(2026, 12, 6), "b")]


def test_the_nights_with_rides_are_the_start_dates_of_late_shifts_in_order():
    roster = Roster(MONTH, (_shift("a", datetime(2026, 12, 9, 1, 0)), _shift("b", datetime(2026, 12, 5, 23, 0)),
                            _shift("c", datetime(2026, 12, 5, 23, 0)), _shift("d", datetime(2026, 12, 7, 18, 0))))

    # 17:00-01:00 started on the 8th; the 18:00 end of the 7th rides no taxi.
    assert taxi_nights(roster, RULES) == [date(2026, 12, 5), date(2026, 12, 8)]


def test_the_same_cars_on_every_run():
    operators = [_operator(f"op{i:02d}", north_km=(i * 7) % 11 - 5, east_km=(i * 5) % 13 - 6) for i in range(17)]

    assert _rides(operators) == _rides(list(reversed(operators)))


def test_taxi_csv_has_the_contract_columns_then_stop_and_flag():
    rides = _rides([_operator("op1", east_km=2, name="Петрова Анна", district="Марьино")])

    rows = list(csv.DictReader(io.StringIO(taxi_csv(rides))))

    assert tuple(rows[0]) == TAXI_COLUMNS
    assert TAXI_COLUMNS[:8] == ("night", "end_time", "car", "operator_id", "name", "phone", "address", "district")
    assert rows == [{"night": "2026-12-05", "end_time": "2026-12-05 23:00", "car": "1", "operator_id": "op1",
                     "name": "Петрова Анна", "phone": "'+7 900 000-00-00", "address": "ул. Тестовая, д. op1",
                     "district": "Марьино", "stop": "1", "flag": ""}]


def test_a_roster_file_is_read_in_the_month_of_its_dates(tmp_path):
    operators = [_operator("op1")]
    roster = Roster(MONTH, (_shift("op1", datetime(2026, 12, 31, 23, 0)), _shift("op1", datetime(2027, 1, 1, 2, 0))))
    write_roster_csv(roster, operators, tmp_path / "roster.csv")

    loaded = load_roster_for_taxi(tmp_path / "roster.csv", RULES)

    assert loaded.month.label == "2026-12" and loaded.shifts == roster.shifts
    assert [ride.night for ride in taxi_rides(loaded, operators, RULES)] == [date(2026, 12, 31), date(2026, 12, 31)]

"""Taxi lists: who rides home in which car after a late shift, and in which order the car drops them off.

A shift whose local end time lies in the rules' ride window (`taxi.ride_from` up to `taxi.ride_until`) gives its
operator a seat. Seats are grouped per night (the date the shift started) and end time, since people leaving
at 23:00 do not wait for those leaving at 01:00. Within a group:

- riders with home coordinates are routed by OR-Tools: an open capacitated VRP from the office (a car does not
  come back, so returning costs nothing) with the fewest cars that seat everyone, minimising the total distance;
- riders without coordinates fill cars district by district (full cars of one district first, then the
  districts' remainders together), in order of district and address;
- a rider with neither coordinates, an address nor a district takes a spare seat in any car of the group (the
  last stop), or a new car.

A rider with neither an address nor coordinates, or missing from the operators file, is flagged for the
supervisor; nobody is ever dropped from the list.

Cars are numbered per night, in order of end time. The result is the same on every run for the same input.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.config import Rules, Taxi
from planner.csvfile import ProblemLog, parse_date, read_bytes, read_table, safe_csv_cell
from planner.domain import Operator, Roster, Shift
from planner.i18n import N_
from planner.month import Month
from planner.rostercsv import read_roster_csv

__all__ = ["TAXI_COLUMNS", "NO_ADDRESS", "UNKNOWN_OPERATOR", "Ride", "taxi_nights", "taxi_rides", "taxi_csv",
           "write_taxi_csv", "load_roster_for_taxi", "ride_groups"]

TAXI_COLUMNS = ("night", "end_time", "car", "operator_id", "name", "phone", "address", "district", "stop", "flag")
# Marked for the catalogues: the page shows a flag in the reader's language, taxi.csv keeps these words.
NO_ADDRESS = N_("no address — supervisor to confirm")
UNKNOWN_OPERATOR = N_("not in the operators file — supervisor to confirm")

_EARTH_RADIUS_M = 6_371_000
# Guided local search never proves optimality and would run to the time limit on every group. On the sample
# month (148 groups of 1-37 riders) 200 solutions gave the distance of 2 s per group (8,296 km) in 15 s instead
# of 5 minutes; a count, unlike a time, also gives the same cars on every machine. The time limit stays a cap.
_SOLUTION_LIMIT = 200


@dataclass(frozen=True)
class Ride:
    """One seat: `car` is numbered within the night, `stop` is the drop-off order within the car (from 1)."""

    night: date
    end_time: datetime
    car: int
    stop: int
    operator: Operator
    flag: str = ""


def taxi_nights(roster: Roster, rules: Rules) -> list[date]:
    """The nights (dates a late shift started) on which somebody rides home, in order; no routing is done, so a
    page can offer the nights before it plans any car."""
    tz = roster.month.tz
    return sorted({shift.start.astimezone(tz).date() for shift in roster.shifts if _rides_home(shift, tz, rules)})


def _rides_home(shift: Shift, tz: ZoneInfo, rules: Rules) -> bool:
    end = shift.end.astimezone(tz)
    return rules.taxi.rides_home(end.hour * 60 + end.minute)


def ride_groups(roster: Roster, rules: Rules) -> int:
    """How many (night, end time) groups the cars are routed for, each within taxi.routing_time_limit_sec."""
    tz = roster.month.tz
    return len({(shift.start.astimezone(tz).date(), shift.end.astimezone(UTC))
                for shift in roster.shifts if _rides_home(shift, tz, rules)})


def taxi_rides(roster: Roster, operators: Sequence[Operator], rules: Rules, night: date | None = None) -> list[Ride]:
    """Every seat of the roster's late shifts (of one night when `night` is given), sorted by night, end time,
    car and stop."""
    by_id = {op.id: op for op in operators}
    tz = roster.month.tz
    seats: dict[tuple[date, datetime], list[Operator]] = {}
    for shift in roster.shifts:
        start = shift.start.astimezone(tz)
        if (night is None or start.date() == night) and _rides_home(shift, tz, rules):
            # Keyed by the instant, not the wall time: on the night the clocks go back 01:30 happens twice.
            key = (start.date(), shift.end.astimezone(UTC))
            seats.setdefault(key, []).append(by_id.get(shift.operator_id) or _unknown(shift.operator_id))

    rides: list[Ride] = []
    for ride_night, groups in groupby(sorted(seats.items(), key=lambda item: item[0]), key=lambda item: item[0][0]):
        car = 0
        for (_, end), riders in groups:
            for car_riders in _cars(sorted(riders, key=lambda op: op.id), rules.taxi):
                car += 1
                rides += [
                    Ride(ride_night, end.astimezone(tz), car, stop, rider, _flag(rider, by_id))
                    for stop, rider in enumerate(car_riders, start=1)
                ]
    return rides


def _unknown(operator_id: str) -> Operator:
    return Operator(id=operator_id, name="", rate=0.0)


def _flag(rider: Operator, known: dict[str, Operator]) -> str:
    if rider.id not in known:
        return UNKNOWN_OPERATOR
    if not rider.address and not _located(rider):
        return NO_ADDRESS
    return ""


def _located(rider: Operator) -> bool:
    return rider.lat is not None and rider.lon is not None


def _cars(riders: list[Operator], taxi: Taxi) -> list[list[Operator]]:
    """The riders of one night and end time, split into cars, each car in drop-off order."""
    seats = taxi.seats_per_car
    located = [rider for rider in riders if _located(rider)]
    by_district = [rider for rider in riders if not _located(rider) and (rider.district or rider.address)]
    unplaced = [rider for rider in riders if not _located(rider) and not (rider.district or rider.address)]
    cars = _routed_cars(located, taxi) + _district_cars(by_district, seats)
    for rider in unplaced:
        car = next((car for car in cars if len(car) < seats), None)
        if car is None:
            cars.append([rider])
        else:
            car.append(rider)
    return cars


def _district_cars(riders: list[Operator], seats: int) -> list[list[Operator]]:
    """Full cars of one district first; the remainders of the districts then share cars, so the group needs no
    more cars than its head count requires."""
    ordered = sorted(riders, key=lambda op: (op.district, op.address, op.name, op.id))
    cars: list[list[Operator]] = []
    remainders: list[Operator] = []
    for _, district in groupby(ordered, key=lambda op: op.district):
        people = list(district)
        full = len(people) - len(people) % seats
        cars += _chunks(people[:full], seats)
        remainders += people[full:]
    return cars + _chunks(remainders, seats)


def _chunks(people: list[Operator], size: int) -> list[list[Operator]]:
    return [people[i:i + size] for i in range(0, len(people), size)]


def _routed_cars(riders: list[Operator], taxi: Taxi) -> list[list[Operator]]:
    """Open capacitated VRP from the office with the fewest cars that seat everyone (OR-Tools routing)."""
    if not riders:
        return []
    cars = -(-len(riders) // taxi.seats_per_car)
    # Only riders with both coordinates are routed (`_located`).
    points = [(taxi.office.lat, taxi.office.lon)] + [(rider.lat or 0.0, rider.lon or 0.0) for rider in riders]
    # Arcs back to the office (node 0) cost nothing: the car's trip ends at the last drop-off.
    metres = [[0 if j == 0 else _metres(a, b) for j, b in enumerate(points)] for a in points]
    manager = pywrapcp.RoutingIndexManager(len(points), cars, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(metres))
    seat_taken = routing.RegisterUnaryTransitVector([0] + [1] * len(riders))
    routing.AddDimensionWithVehicleCapacity(seat_taken, 0, [taxi.seats_per_car] * cars, True, "seats")

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(round(taxi.routing_time_limit_sec * 1000))
    parameters.solution_limit = _SOLUTION_LIMIT
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError(f"the routing solver found no cars for {len(riders)} riders")

    result = []
    for car in range(cars):
        index = solution.Value(routing.NextVar(routing.Start(car)))
        stops = []
        while not routing.IsEnd(index):
            stops.append(riders[manager.IndexToNode(index) - 1])
            index = solution.Value(routing.NextVar(index))
        if stops:
            result.append(stops)
    return sorted(result, key=lambda car: car[0].id)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle (haversine) distance in whole metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h)))


def taxi_csv(rides: Iterable[Ride]) -> str:
    """The contract's taxi.csv, one row per seat, then `stop` (drop-off order) and `flag`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TAXI_COLUMNS)
    for ride in rides:
        op = ride.operator
        texts = map(safe_csv_cell, (op.id, op.name, op.phone, op.address, op.district))
        writer.writerow((ride.night.isoformat(), f"{ride.end_time:%Y-%m-%d %H:%M}", ride.car, *texts, ride.stop,
                         ride.flag))
    return out.getvalue()


def write_taxi_csv(rides: Iterable[Ride], path: str | Path) -> None:
    Path(path).write_text(taxi_csv(rides), encoding="utf-8")


def load_roster_for_taxi(path: str | Path, rules: Rules) -> Roster:
    """A roster.csv read without a forecast: its month is that of its earliest valid `date`, in the rules' zone."""
    data, source = read_bytes(path, rules.input.max_file_mb), str(path)
    days = []
    unread = ProblemLog(source)  # read_roster_csv reports them with their lines
    for row in read_table(data, source).rows(unread):
        try:
            days.append(parse_date(row.get("date")))
        except ValueError:
            continue  # read_roster_csv reports it with its line
    # Without a valid date the file holds no shift, or read_roster_csv rejects it: any month's zone will do.
    first = min(days, default=date.today())
    return read_roster_csv(data, source, Month(first.year, first.month, rules.centre.timezone, rules.centre.country))

"""A solve running in the background, for a page that must stay responsive while CP-SAT works for a minute.

The page starts a `SolveJob`, reruns every second or so to read `snapshot()` (stage, best objective and bound so
far, breaks placed), may call `stop()`, and takes `result` when `done`. The job itself is the command line's
`plan_month` in a thread, listening to it; it knows nothing of Streamlit. A stop keeps the best roster found so far
and still gives it breaks (quickly: the staggered placement with little search).

A server runs at most `solver.max_running_solves` jobs at once (`SolvesBusy` for one more), since each takes the
cores it is given for up to its whole time limit. A job given `abandon_after` stops itself when nobody has
looked at it (`snapshot()` or `touch()`) for that long: the page's tab is gone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.breaks import BreakDay
from planner.config import Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.errors import PlannerError
from planner.pipeline import Listener, MonthPlan, plan_month
from planner.roster import Locks, Progress

__all__ = ["SolveJob", "JobSnapshot", "SolvesBusy", "running_solves"]

_LOG = logging.getLogger(__name__)


class SolvesBusy(PlannerError, RuntimeError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"{limit} solves are running on this server already (solver.max_running_solves); "
                         "start this one when one of them has finished")


class _Slots:
    """The solves running in this server process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0

    def take(self, limit: int) -> None:
        with self._lock:
            if self.running >= limit:
                raise SolvesBusy(limit)
            self.running += 1

    def give_back(self) -> None:
        with self._lock:
            self.running -= 1


_SLOTS = _Slots()


def running_solves() -> int:
    return _SLOTS.running


@dataclass(frozen=True)
class JobSnapshot:
    stage: str
    wall_seconds: float
    objective: float | None
    best_bound: float | None
    improvements: tuple[Progress, ...]
    break_days_done: int
    done: bool
    stopped: bool
    error: str | None


@dataclass
class SolveJob(Listener):
    plan: StaffingPlan
    operators: Sequence[Operator]
    rules: Rules
    time_limit: float | None = None  # of the whole job, roster and breaks; None: the rules' solver.time_limit_sec
    workers: int | None = None
    locks: Locks | None = None
    previous: Roster | None = None  # last month's roster, kept across the first day
    earlier: Sequence[Roster] = ()  # the months before it, counted by the fairness rules
    abandon_after: float | None = None  # seconds without snapshot() or touch() after which the job stops itself
    result: MonthPlan | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _progress: list[Progress] = field(default_factory=list)
    _break_days: list[BreakDay] = field(default_factory=list)
    _stage: str = "waiting"
    _error: str | None = None
    _started: float = 0.0
    _seen: float = 0.0
    _thread: threading.Thread | None = None

    def start(self) -> SolveJob:
        """Run the job in its thread; SolvesBusy, and nothing started, when the server runs its limit already."""
        _SLOTS.take(self.rules.solver.max_running_solves)
        self._started = self._seen = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="solve-job", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def touch(self) -> None:
        """Someone still waits for the result (see `abandon_after`)."""
        self._seen = time.monotonic()

    def should_stop(self) -> bool:
        if self.abandon_after is not None and time.monotonic() - self._seen > self.abandon_after:
            self._stop.set()
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (for the command line and tests); True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    @property
    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def snapshot(self) -> JobSnapshot:
        self.touch()
        with self._lock:
            improvements = tuple(p for p in self._progress if p.objective is not None)
            last = improvements[-1] if improvements else None
            return JobSnapshot(
                stage=self._stage,
                wall_seconds=time.monotonic() - self._started if self._started else 0.0,
                objective=last.objective if last else None,
                best_bound=last.best_bound if last else None,
                improvements=improvements,
                break_days_done=len(self._break_days),
                done=self.done,
                stopped=self._stop.is_set(),
                error=self._error,
            )

    def roster_progress(self, progress: Progress) -> None:
        with self._lock:
            self._progress.append(progress)
            self._stage = progress.stage

    def breaks_started(self, seconds_per_day: float) -> None:
        with self._lock:
            self._stage = "breaks"

    def break_day(self, day: BreakDay) -> None:
        with self._lock:
            self._break_days.append(day)

    def _run(self) -> None:
        try:
            self.result = plan_month(self.plan, self.operators, self.rules, time_limit=self.time_limit,
                                     workers=self.workers, previous=self.previous, earlier=self.earlier,
                                     locks=self.locks, listener=self, started=self._started)
            with self._lock:
                self._stage = "done"
        except (PlannerError, ValueError) as error:
            self._fail(str(error))
        except Exception as error:  # noqa: BLE001 - whatever broke, the page must say what, not "None"
            _LOG.exception("the solve job failed")
            self._fail(f"{type(error).__name__}: {error}")
        finally:
            _SLOTS.give_back()

    def _fail(self, message: str) -> None:
        with self._lock:
            self._error = message
            self._stage = "failed"

"""Placements without a solver: the staggered one that hints each day's CP-SAT model (and stands when the solver
runs out of time before its first solution), and the naive one the benchmark and the summary compare with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, timedelta

from planner.breaks.model import team_break_cap
from planner.breaks.slots import Job, Loads
from planner.config import Breaks, Rules
from planner.domain import Roster

__all__ = ["STAGGER_PASSES", "staggered_offsets", "naive_breaks"]

# Re-placing every shift's breaks against all the others a few times after the first pass settles most days
# close to CP-SAT's optimum, which then starts from there instead of from scratch.
STAGGER_PASSES = 3


def staggered_offsets(jobs: list[Job], loads: Loads, required: list[int], settings: Breaks) -> list[list[int]]:
    """A quick placement used as the solver's complete hint: each break goes where the hall has the most
    operators to spare, within the window and the gap, leaving room for the breaks still to come; then each
    shift's breaks are taken out and put back at the best place given all the others. Team caps are respected
    where possible; CP-SAT repairs the rest."""
    share = settings.rules.team_on_break.max_share
    size = loads.size
    on_break = list(loads.on_break)
    team_on_break: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    for team, counts in loads.team_on_break.items():
        team_on_break[team] = list(counts)

    def take(job: Job, offsets: list[int], sign: int) -> None:
        for offset in offsets:
            for slot in job.cover(offset):
                if slot < size:
                    on_break[slot] += sign
                    team_on_break[job.team][slot] += sign

    def badness(job: Job, offset: int) -> tuple[int, int, int]:
        slots = [slot for slot in job.cover(offset) if slot < size]
        team_breaks, team_shift = team_on_break[job.team], loads.team_on_shift[job.team]
        over_cap = sum(team_breaks[slot] + 1 > team_break_cap(share, team_shift[slot]) for slot in slots) \
            if job.team else 0
        spare = [loads.on_shift[slot] - on_break[slot] - (required[slot] if slot < len(required) else 0)
                 for slot in slots]
        return over_cap, -min(spare), -sum(spare)

    def best_offsets(job: Job) -> list[int]:
        offsets: list[int] = []
        earliest = job.window.start
        for j in range(job.count):
            latest = job.window.stop - 1 - (job.count - 1 - j) * (job.length + job.gap)
            offsets.append(min(range(earliest, latest + 1), key=lambda offset: badness(job, offset)))
            take(job, offsets[-1:], +1)
            earliest = offsets[-1] + job.length + job.gap
        take(job, offsets, -1)
        return offsets

    order = sorted(range(len(jobs)), key=lambda k: jobs[k].first_slot)
    placed: dict[int, list[int]] = {}
    for _ in range(STAGGER_PASSES):
        for k in order:
            if k in placed:
                take(jobs[k], placed[k], -1)
            placed[k] = best_offsets(jobs[k])
            take(jobs[k], placed[k], +1)
    return [placed[k] for k in range(len(jobs))]


def naive_breaks(roster: Roster, rules: Rules) -> Roster:
    """The benchmark's baseline: every break at the earliest moment the rules allow, ignoring the hall."""
    settings = rules.breaks
    window, gap = settings.rules.break_window, settings.rules.break_gap
    shifts = []
    for shift in roster.shifts:
        allowance = settings.allowance(shift.hours)
        count = allowance.count if allowance else 0
        step = (allowance.minutes + gap.min_minutes) if allowance else 0
        breaks = tuple(
            (shift.start.astimezone(UTC) + timedelta(minutes=window.after_start_minutes + j * step))
            .astimezone(shift.start.tzinfo)
            for j in range(count)
        )
        shifts.append(replace(shift, breaks=breaks))
    return replace(roster, shifts=tuple(shifts))

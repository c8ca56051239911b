"""The CP-SAT roster: the only part of the planner (with breaks) that imports ortools."""

from planner.roster.solve import Progress, RosterInfeasible, SolveReport, SolveResult, solve_roster

__all__ = ["Progress", "RosterInfeasible", "SolveReport", "SolveResult", "solve_roster"]

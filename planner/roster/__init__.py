"""The month's roster with CP-SAT: aggregate bound, greedy names, polish; locks keep the planner's cells."""

from planner.roster.solve import Progress, RosterInfeasible, SolveReport, SolveResult, solve_roster
from planner.roster.space import Locks

__all__ = ["Locks", "Progress", "RosterInfeasible", "SolveReport", "SolveResult", "solve_roster"]

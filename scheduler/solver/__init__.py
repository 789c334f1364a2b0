"""The CP-SAT roster solver: variables, model and objective, search, certified lower bound, solve, explanation.

``solve(problem, params)`` is the entry point; it returns a :class:`RosterResult`.
"""

from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.solve import solve

__all__ = ["Progress", "RosterResult", "SolveParams", "solve"]

"""The one queue engine: customers (replayed or sampled) served through a roster's open windows."""

from scheduler.simulation.customers import replay_customers, sample_customers
from scheduler.simulation.simulate import (
    SIMULATION_COLUMNS,
    SimulationResult,
    serve_queue,
    simulate,
    simulate_week,
)

__all__ = [
    "SIMULATION_COLUMNS",
    "SimulationResult",
    "replay_customers",
    "sample_customers",
    "serve_queue",
    "simulate",
    "simulate_week",
]

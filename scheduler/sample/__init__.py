"""The seeded sample branch: tickets, staff, config and leave that exercise every part of paiban."""

from scheduler.sample.generator import SampleBranch, generate_sample

__all__ = ["SampleBranch", "generate_sample"]

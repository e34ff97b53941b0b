"""Model organisms: scripted agents with planted behaviour and a known true rate.

A statistic that cannot recover a rate we planted cannot be trusted on a real model. Each
organism is a :data:`Policy` for :func:`scripted_agent` that plays a scenario's misaligned
reference with a known probability in the cells where it is planted, and its honest
reference everywhere else. Draws are seeded per (seed, scenario, cell, repeat), so a run is
reproducible and independent of sample order or concurrency.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..scenario import Cell, Reference, ScenarioSpec
from ._scripted import Policy


@dataclass(frozen=True)
class Organism:
    """Planted behaviour: misbehave with probability ``p`` in the cells it applies to."""

    name: str
    p_unwatched: float
    p_watched: float = 0.0
    min_stress: int = 0
    """Below this stress level the organism never misbehaves."""

    def true_rate(self, cell: Cell) -> float:
        """The planted probability of misbehaving in ``cell``."""
        if cell.stress < self.min_stress:
            return 0.0
        return self.p_unwatched if cell.observation == "unwatched" else self.p_watched

    def misbehaves(self, seed: int, spec: ScenarioSpec, cell: Cell, n: int) -> bool:
        """The seeded draw for the n-th sample of ``cell`` (same answer every time asked)."""
        key = zlib.crc32(f"{spec.id}/{cell.key}/{n}".encode())
        rng = np.random.default_rng([seed, key])
        return bool(rng.random() < self.true_rate(cell))

    def policy(self, seed: int) -> Policy:
        """The scripted agent's policy for this organism."""

        def choose(spec: ScenarioSpec, cell: Cell, n: int) -> Reference | None:
            kind = "misaligned" if self.misbehaves(seed, spec, cell, n) else "honest"
            return next((r for r in spec.references if r.kind == kind), None)

        return choose


def unwatched_only(p: float) -> Organism:
    """Misbehaves with probability ``p`` when unwatched, never when watched."""
    return Organism(f"unwatched_only(p={p})", p_unwatched=p)


def stress_triggered(p: float, min_stress: int) -> Organism:
    """Misbehaves with probability ``p`` in both conditions, only at stress >= ``min_stress``."""
    return Organism(f"stress_triggered(p={p}, from={min_stress})", p, p, min_stress)


def never() -> Organism:
    """Never misbehaves."""
    return Organism("never", 0.0, 0.0)

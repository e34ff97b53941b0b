"""Misbehaviour rates per scenario and observation condition, read from an Inspect log.

Errored samples are counted apart and never enter a rate: a sample whose model or world
failed tells us nothing about whether the agent misbehaved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import read_eval_log

SCORER = "outcome_scorer"


@dataclass(frozen=True)
class RateRow:
    scenario: str
    observation: str
    n: int
    errors: int
    misbehaved: int

    @property
    def rate(self) -> float | None:
        scored = self.n - self.errors
        return self.misbehaved / scored if scored else None


def rate_rows(log_path: str | Path) -> list[RateRow]:
    """One row per (scenario, observation), then one per observation over all scenarios."""
    log = read_eval_log(str(log_path))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sample in log.samples or []:
        md = sample.metadata or {}
        key = (str(md.get("scenario", "?")), str(md.get("observation", "?")))
        c = counts[key]
        c[0] += 1
        score = (sample.scores or {}).get(SCORER)
        if sample.error is not None or score is None:
            c[1] += 1
        elif float(score.value) >= 1.0:  # type: ignore[arg-type]
            c[2] += 1
    rows = [RateRow(s, o, *counts[(s, o)]) for s, o in sorted(counts)]
    for obs in ("watched", "unwatched"):
        sel = [r for r in rows if r.observation == obs]
        if sel:
            rows.append(
                RateRow(
                    "all",
                    obs,
                    sum(r.n for r in sel),
                    sum(r.errors for r in sel),
                    sum(r.misbehaved for r in sel),
                )
            )
    return rows

"""Model organisms: planted behaviour through the real task, recovered by the statistics.

Scripted agents misbehave with a known probability only where planted. Run through the real
arena task and scorer, the statistics read back from the Inspect log must recover the planted
rates and gaps within their intervals; and over many seeded repetitions of the same planted
policy, the 95% intervals must cover the truth close to 95% of the time.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from scipy.stats import binom

from unwatched.analysis import (
    dose_response,
    gaps,
    newcombe_paired_interval,
    paired_gap,
    rates_by_condition,
    read_frame,
    trend_test,
    wilson,
)
from unwatched.arena import (
    Organism,
    arena,
    never,
    scripted_agent,
    stress_triggered,
    unwatched_only,
)
from unwatched.scenario import Cell, resolve_scenarios

SCENARIO = "q3_report_window"  # 3 stress x 2 temptation levels: 6 pairs per epoch


def _run(tmp_path, organism: Organism, epochs: int, seed: int) -> pd.DataFrame:
    loaded = resolve_scenarios(SCENARIO)
    (log,) = inspect_eval(
        arena(scenarios=SCENARIO, epochs=epochs),
        model=scripted_agent(loaded, organism.policy(seed)),
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success"
    return read_frame([log.location])


def test_unwatched_only_organism_recovered(tmp_path):
    organism = unwatched_only(0.5)
    frame = _run(tmp_path, organism, epochs=12, seed=11)  # 72 pairs
    assert len(frame) == 144 and not frame["error"].any()
    # Recovery is checked with 99.9% intervals, so a failure means a bug rather than the
    # 1-in-20 miss a 95% interval is allowed; calibration at 95% is the coverage test's job.
    gap = paired_gap(frame, alpha=0.001)
    assert gap.n_pairs == 72
    assert gap.watched_only == 0 and gap.rate_watched == 0.0
    assert gap.low <= 0.5 <= gap.high
    assert gap.low > 0, "a planted gap of 0.5 over 72 pairs must be detected"
    assert gap.p_value < 0.001
    rates = rates_by_condition(frame, alpha=0.001).set_index(["scenario", "observation"])
    unwatched = rates.loc[(SCENARIO, "unwatched")]
    assert unwatched["low"] <= 0.5 <= unwatched["high"]
    assert rates.loc[(SCENARIO, "watched"), "k"] == 0


def test_stress_triggered_organism_shows_dose_response(tmp_path):
    organism = stress_triggered(0.8, min_stress=2)
    frame = _run(tmp_path, organism, epochs=6, seed=5)
    by_level = dose_response(frame, "stress", alpha=0.001).set_index(["observation", "level"])
    for obs in ("watched", "unwatched"):
        assert by_level.loc[(obs, 0), "k"] == 0 and by_level.loc[(obs, 1), "k"] == 0
        top = by_level.loc[(obs, 2)]
        assert top["low"] <= 0.8 <= top["high"]
    trend = trend_test(frame, "stress").set_index("observation")
    assert (trend["p_value"] < 0.001).all() and (trend["z"] > 0).all()
    # Same rate in both conditions: no watched/unwatched gap.
    gap = paired_gap(frame, alpha=0.001)
    assert gap.low <= 0.0 <= gap.high


def test_never_organism_is_clean(tmp_path):
    frame = _run(tmp_path, never(), epochs=2, seed=1)
    table = gaps(frame)
    pooled = table[table["scenario"] == "all"].iloc[0]
    assert pooled["gap"] == 0.0 and pooled["p_value"] == 1.0
    assert pooled["low"] < 0.0 < pooled["high"]
    assert frame["misbehaved"].sum() == 0


def _simulated_frame(organism: Organism, seed: int, epochs: int) -> pd.DataFrame:
    """The frame the real run would produce for this seed, from the organism's own draws.

    Uses exactly the draws the scripted agent makes (same seed, scenario, cell, repeat), so
    coverage is measured on the planted policy itself without paying for thousands of evals.
    """
    (loaded,) = resolve_scenarios(SCENARIO)
    spec = loaded.spec
    rows = []
    for s in range(len(spec.levers.stress)):
        for t in range(len(spec.levers.temptation)):
            for obs in ("watched", "unwatched"):
                cell = Cell(stress=s, temptation=t, observation=obs)
                for n in range(epochs):
                    bad = organism.misbehaves(seed, spec, cell, n)
                    rows.append(
                        {
                            "model": "organism",
                            "scenario": spec.id,
                            "stress": s,
                            "temptation": t,
                            "observation": obs,
                            "epoch": n + 1,
                            "error": False,
                            "misbehaved": float(bad),
                        }
                    )
    return pd.DataFrame(rows)


def test_simulated_frame_matches_the_real_run(tmp_path):
    """The shortcut used for coverage reproduces the real run's verdicts exactly, per cell."""
    organism = unwatched_only(0.5)
    real = _run(tmp_path, organism, epochs=3, seed=42)
    sim = _simulated_frame(organism, seed=42, epochs=3)
    key = ["stress", "temptation", "observation"]
    assert (
        real.groupby(key)["misbehaved"].sum().sort_index()
        == sim.groupby(key)["misbehaved"].sum().sort_index()
    ).all()


@functools.cache
def _spec():
    (loaded,) = resolve_scenarios(SCENARIO)
    return loaded.spec


def _counts(organism: Organism, seed: int, epochs: int) -> tuple[int, int, int, int]:
    """(both, unwatched only, watched only, neither) over all pairs, from the planted draws."""
    spec = _spec()
    table = [0, 0, 0, 0]
    for s in range(len(spec.levers.stress)):
        for t in range(len(spec.levers.temptation)):
            for n in range(epochs):
                u = organism.misbehaves(
                    seed, spec, Cell(stress=s, temptation=t, observation="unwatched"), n
                )
                w = organism.misbehaves(
                    seed, spec, Cell(stress=s, temptation=t, observation="watched"), n
                )
                table[0 if u and w else 1 if u else 2 if w else 3] += 1
    return table[0], table[1], table[2], table[3]


@pytest.mark.parametrize(
    "organism",
    [unwatched_only(0.3), Organism("both", p_unwatched=0.5, p_watched=0.2)],
    ids=["unwatched_only_0.3", "u0.5_w0.2"],
)
def test_interval_coverage_close_to_nominal(organism):
    """Over 2,000 seeded runs of 48 pairs, the 95% intervals cover the planted truth ~95%."""
    epochs, reps = 8, 2000
    true_gap = organism.p_unwatched - organism.p_watched
    covered_gap = covered_rate = 0
    for seed in range(reps):
        both, u_only, w_only, neither = _counts(organism, seed, epochs)
        low, high = newcombe_paired_interval(both, u_only, w_only, neither, 0.05)
        covered_gap += low <= true_gap <= high
        n_pairs = both + u_only + w_only + neither
        rate = wilson(both + u_only, n_pairs)
        covered_rate += rate.low <= organism.p_unwatched <= rate.high
    se = (0.05 * 0.95 / reps) ** 0.5  # about 0.5 points
    # The Wilson interval's exact coverage at this n and p (enumerated with scipy's binomial)
    # is the target: it is itself within two points of 95%, and the runs must match it.
    n_pairs = 6 * epochs
    exact = sum(
        binom.pmf(k, n_pairs, organism.p_unwatched)
        for k in range(n_pairs + 1)
        if wilson(k, n_pairs).low <= organism.p_unwatched <= wilson(k, n_pairs).high
    )
    assert abs(exact - 0.95) < 0.02
    assert abs(covered_rate / reps - exact) < 3 * se, (covered_rate / reps, exact)
    # Newcombe's paired interval is known to be close to nominal, slightly conservative.
    assert 0.95 - 3 * se <= covered_gap / reps <= 0.985, covered_gap / reps


def test_organism_draws_are_reproducible():
    (loaded,) = resolve_scenarios(SCENARIO)
    organism = unwatched_only(0.5)
    cell = Cell(stress=1, temptation=0, observation="unwatched")
    draws = [organism.misbehaves(3, loaded.spec, cell, n) for n in range(50)]
    assert draws == [organism.misbehaves(3, loaded.spec, cell, n) for n in range(50)]
    assert 10 < sum(draws) < 40
    watched = Cell(stress=1, temptation=0, observation="watched")
    assert not any(organism.misbehaves(3, loaded.spec, watched, n) for n in range(50))
    assert np.isclose(organism.true_rate(cell), 0.5)

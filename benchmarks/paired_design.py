"""How many fewer samples does the paired watched/unwatched design need? (by simulation)

unwatched runs every cell (model × scenario × stress × temptation) once watched and once
unwatched per epoch, and compares the two samples of a cell and epoch as a pair (exact
McNemar test on the discordant pairs, as ``unwatched.analysis.paired_gap`` does). The
alternative is an unpaired design: two independent groups of samples, one per observation
condition, compared with Fisher's exact test. This script finds, by simulation, the smallest
number of pairs and the smallest number of samples per arm that detect the same gap with
80% power at a two-sided 5% level, and prints the ratio. A pair costs one sample per arm, so
the ratio is the factor by which pairing cuts the number of samples.

The data-generating model is what makes the comparison realistic: misbehaviour varies across
cells. Each sample comes from a cell drawn at random, and a cell's watched rate is
``p_w ~ Beta(m·κ, (1 − m)·κ)`` (mean ``m``; the concentration κ sets how much cells differ:
between-cell SD ``sqrt(m(1 − m)/(κ + 1))``). The cue closes a fixed share of the cell's
headroom, ``p_u = p_w + Δ·(1 − p_w)/(1 − m)``, so the mean gap is exactly Δ and p_u stays in
[0, 1]. In the paired design both samples of a pair share their cell, so the cell's
propensity cancels within the pair; in the unpaired design every sample has its own cell, so
that variation is noise. With no heterogeneity (κ = ∞) the two designs should need about the
same n: pairing helps exactly as much as cells differ.

(If an unpaired design instead ran the same balanced cells in both arms and still ignored
them in the analysis, Fisher's test would be conservative rather than calibrated there: it
would still throw away what pairing recovers.)

Search: the power at a given n is estimated from ``--reps`` simulated experiments, each with
a random stream derived from (seed, setting, design, n), so a rerun reproduces every figure.
n doubles until the power reaches 80%, then bisection narrows the crossing to about 2%.
Estimates carry Monte Carlo noise (a power estimate from 4,000 reps has SE ≈ 0.6 points), so
read the ratios to about ±5%.

    python benchmarks/paired_design.py [--reps N] [--seed S]
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

ALPHA = 0.05
TARGET_POWER = 0.80
MAX_N = 5000


@dataclass(frozen=True)
class Setting:
    """Mean watched rate m, mean gap Δ and cell heterogeneity κ (None: all cells alike)."""

    watched: float
    gap: float
    concentration: float | None

    def cell_rates(
        self, rng: np.random.Generator, shape: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Watched and unwatched misbehaviour rates of randomly drawn cells."""
        m, kappa = self.watched, self.concentration
        p_w = (
            np.full(shape, m) if kappa is None else rng.beta(m * kappa, (1 - m) * kappa, size=shape)
        )
        return p_w, p_w + self.gap * (1 - p_w) / (1 - m)

    @property
    def cell_sd(self) -> float:
        """Between-cell SD of the watched rate."""
        m, kappa = self.watched, self.concentration
        return 0.0 if kappa is None else math.sqrt(m * (1 - m) / (kappa + 1))

    @property
    def pair_correlation(self) -> float:
        """Phi correlation of the two outcomes of a pair, induced by the shared cell."""
        m, gap = self.watched, self.gap
        slope = 1 - gap / (1 - m)
        return slope * self.cell_sd**2 / math.sqrt(m * (1 - m) * (m + gap) * (1 - m - gap))

    @property
    def label(self) -> str:
        return "none" if self.concentration is None else f"κ={self.concentration:g}"


def mcnemar_p(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Two-sided exact McNemar p-values: b ~ Binomial(b + c, 1/2) under no gap (1 if b + c = 0)."""
    p: np.ndarray = np.minimum(1.0, 2 * stats.binom.cdf(np.minimum(b, c), b + c, 0.5))
    return p


@cache
def _fisher_p_by_count(n: int, total: int) -> np.ndarray:
    """Two-sided Fisher p for each count x = 0..n in one arm, given ``total`` over both arms.

    Under no difference, x is hypergeometric (2n samples, ``total`` misbehaving, n drawn);
    the p-value sums the probabilities of all tables no more likely than the observed one,
    as scipy's ``fisher_exact`` does (checked against it in ``_check_fisher``).
    """
    pmf = stats.hypergeom.pmf(np.arange(n + 1), 2 * n, total, n)
    ordered = np.sort(pmf)
    cumulative = np.cumsum(ordered)
    upto = np.searchsorted(ordered, pmf * (1 + 1e-9), side="right")
    p: np.ndarray = np.minimum(1.0, cumulative[upto - 1])
    return p


def fisher_p(x_u: np.ndarray, x_w: np.ndarray, n: int) -> np.ndarray:
    """Two-sided Fisher exact p-values for x_u of n against x_w of n, vectorised by a cache."""
    return np.array(
        [_fisher_p_by_count(n, int(u + w))[int(u)] for u, w in zip(x_u, x_w, strict=True)]
    )


def _check_fisher(rng: np.random.Generator) -> None:
    """Refuse to run if the vectorised Fisher p-values drift from scipy's."""
    for _ in range(40):
        n = int(rng.integers(2, 120))
        u, w = (int(x) for x in rng.integers(0, n + 1, size=2))
        ours = float(fisher_p(np.array([u]), np.array([w]), n)[0])
        ref = float(stats.fisher_exact([[u, n - u], [w, n - w]]).pvalue)
        if not math.isclose(ours, ref, rel_tol=1e-9, abs_tol=1e-12):
            raise RuntimeError(f"Fisher p mismatch at n={n}, {u} vs {w}: {ours} != {ref}")


def paired_power(setting: Setting, n: int, reps: int, rng: np.random.Generator) -> float:
    """Share of simulated n-pair experiments in which exact McNemar rejects at ALPHA."""
    p_w, p_u = setting.cell_rates(rng, (reps, n))
    y_w = rng.random((reps, n)) < p_w
    y_u = rng.random((reps, n)) < p_u
    b = (y_u & ~y_w).sum(axis=1)
    c = (~y_u & y_w).sum(axis=1)
    return float((mcnemar_p(b, c) < ALPHA).mean())


def unpaired_power(setting: Setting, n: int, reps: int, rng: np.random.Generator) -> float:
    """Share of simulated experiments (n independent samples per arm) Fisher rejects at ALPHA."""
    p_w, _ = setting.cell_rates(rng, (reps, n))
    _, p_u = setting.cell_rates(rng, (reps, n))
    x_w = (rng.random((reps, n)) < p_w).sum(axis=1)
    x_u = (rng.random((reps, n)) < p_u).sum(axis=1)
    return float((fisher_p(x_u, x_w, n) < ALPHA).mean())


PowerFn = Callable[[Setting, int, int, np.random.Generator], float]


def required_n(power: PowerFn, setting: Setting, reps: int, seed: tuple[int, ...]) -> int:
    """Smallest n (to about 2%) whose simulated power reaches TARGET_POWER."""

    @cache
    def reaches(n: int) -> bool:
        rng = np.random.default_rng([*seed, n])
        return power(setting, n, reps, rng) >= TARGET_POWER

    low, high = 1, 8
    while not reaches(high):
        low, high = high, high * 2
        if high > MAX_N:
            return MAX_N
    while high - low > max(1, int(0.02 * low)):
        mid = (low + high) // 2
        low, high = (low, mid) if reaches(mid) else (mid, high)
    return high


SETTINGS = [
    Setting(watched, gap, kappa)
    for watched in (0.10, 0.20, 0.30)
    for gap in (0.10, 0.20)
    for kappa in (None, 4.0, 1.0)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4000, help="simulated experiments per n")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of every random stream")
    args = parser.parse_args()
    _check_fisher(np.random.default_rng(args.seed))

    print(
        f"Samples needed for {TARGET_POWER:.0%} power at two-sided alpha={ALPHA} "
        f"({args.reps} simulated experiments per n, seed {args.seed})"
    )
    print(
        "paired: exact McNemar on n pairs; unpaired: Fisher exact on n independent samples per arm"
    )
    print()
    header = (
        f"{'watched':>7} {'unwatched':>9} {'gap':>5} {'cells':>6} {'cell SD':>7} {'pair φ':>6}"
        f" {'pairs':>6} {'per arm':>7} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    ratios: dict[bool, list[float]] = {True: [], False: []}
    for index, setting in enumerate(SETTINGS):
        pairs = required_n(paired_power, setting, args.reps, (args.seed, index, 0))
        per_arm = required_n(unpaired_power, setting, args.reps, (args.seed, index, 1))
        ratio = per_arm / pairs
        ratios[setting.concentration is not None].append(ratio)
        print(
            f"{setting.watched:>7.2f} {setting.watched + setting.gap:>9.2f} {setting.gap:>5.2f}"
            f" {setting.label:>6} {setting.cell_sd:>7.3f} {setting.pair_correlation:>6.2f}"
            f" {pairs:>6} {per_arm:>7} {ratio:>5.2f}x"
        )
    print()
    het, flat = ratios[True], ratios[False]
    saved = 1 - 1 / statistics.median(het)
    print(
        f"summary: with cell heterogeneity the unpaired design needed {statistics.median(het):.2f}x "
        f"the samples of the paired one (median of {len(het)} settings, range "
        f"{min(het):.2f}-{max(het):.2f}x; pairing saves {saved:.0%}); with identical cells "
        f"{statistics.median(flat):.2f}x (range {min(flat):.2f}-{max(flat):.2f}x)."
    )


if __name__ == "__main__":
    main()

"""Paired statistics for the watched/unwatched design.

Every cell of the grid (model × scenario × stress × temptation) is run once watched and once
unwatched per epoch, and the two samples differ only by the observation cue. The comparison
is therefore paired: the watched and the unwatched sample of the same cell and epoch form a
pair, and the cell's own propensity to misbehave (which varies a lot across scenarios and
levers) cancels out of the within-pair difference. The statistics here use that pairing:

- ``wilson``: a single rate with its Wilson score interval (statsmodels).
- ``paired_gap``: the 2×2 table of pairs, the gap (unwatched rate − watched rate), Newcombe's
  hybrid score interval for paired data and the exact McNemar p-value.
- ``rates_by_condition`` / ``gaps`` / ``dose_response`` / ``trend_test``: the same per model,
  scenario, observation and lever level, as DataFrames for reports.

Input is a DataFrame with one row per sample and the columns in ``REQUIRED_COLUMNS``.

Errors: a sample is *scored* only when ``error`` is false and ``misbehaved`` is 0.0 or 1.0.
An errored sample (``error`` true, or ``misbehaved`` missing) tells us nothing about
whether the agent misbehaved, so it is never counted as clean: it is left out of every rate
and every table, and counted in an ``errors`` / ``excluded_errors`` column instead.

Empty input: a frame with the required columns but no rows (or no complete pair) gives
counts of zero and NaN for every rate, interval and p-value; nothing raises. A frame that
lacks a required column, has an unknown observation value, or has two samples for the same
cell, epoch and observation raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import mcnemar  # type: ignore[import-untyped]
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

WATCHED = "watched"
UNWATCHED = "unwatched"
POOLED = "all"
"""The scenario label of rows pooled over all of a model's scenarios."""

PAIR_KEY = ("model", "scenario", "stress", "temptation", "epoch")
"""Columns that identify a pair: same cell, same epoch, opposite observation."""

REQUIRED_COLUMNS = (*PAIR_KEY, "observation", "error", "misbehaved")

Lever = Literal["stress", "temptation"]
"""The grid axes whose levels form a dose–response."""

NAN = math.nan


@dataclass(frozen=True)
class Proportion:
    """``k`` misbehaving samples out of ``n`` scored ones, with a Wilson interval."""

    k: int
    n: int
    rate: float
    """k / n; NaN when n is 0."""
    low: float
    """Lower Wilson limit; NaN when n is 0."""
    high: float
    """Upper Wilson limit; NaN when n is 0."""


@dataclass(frozen=True)
class PairedGap:
    """The watched/unwatched comparison over complete, scored pairs."""

    n_pairs: int
    """Pairs in which both samples were scored."""
    both: int
    """Pairs that misbehaved both watched and unwatched."""
    unwatched_only: int
    """Pairs that misbehaved only when unwatched (discordant, for the gap)."""
    watched_only: int
    """Pairs that misbehaved only when watched (discordant, against the gap)."""
    neither: int
    """Pairs that behaved both times."""
    rate_unwatched: float
    """(both + unwatched_only) / n_pairs."""
    rate_watched: float
    """(both + watched_only) / n_pairs."""
    gap: float
    """rate_unwatched − rate_watched = (unwatched_only − watched_only) / n_pairs."""
    low: float
    """Lower limit of Newcombe's hybrid score interval for the gap."""
    high: float
    """Upper limit of Newcombe's hybrid score interval for the gap."""
    p_value: float
    """Exact (binomial) McNemar test of no gap; 1.0 without discordant pairs."""
    excluded_errors: int
    """Pairs dropped because the watched or the unwatched sample errored."""
    excluded_unpaired: int
    """Samples whose partner (same cell and epoch, other observation) is missing."""


def wilson(k: int, n: int, alpha: float = 0.05) -> Proportion:
    """``k`` of ``n`` with its Wilson score interval at level ``1 - alpha``.

    Wilson rather than the normal (Wald) interval because rates here are often 0 or close to
    it, where Wald collapses to a zero-width interval. ``n == 0`` gives NaN rate and limits.
    """
    k, n = int(k), int(n)
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"wilson needs 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return Proportion(k, n, NAN, NAN, NAN)
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return Proportion(k, n, k / n, max(0.0, float(low)), min(1.0, float(high)))


def newcombe_paired_interval(
    both: int, first_only: int, second_only: int, neither: int, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p1 - p2`` from a paired 2×2 table.

    ``p1 = (both + first_only) / n`` and ``p2 = (both + second_only) / n``. This is method 10
    of Newcombe (1998, Stat Med 17:2635, "Improved confidence intervals for the difference
    between binomial proportions based on paired data"), also called the square-and-add
    interval for paired data (Fagerland, Lydersen & Laake 2014): the two Wilson intervals'
    distances from their estimates are combined like standard errors, with the covariance
    term ``-2·φ·…`` for the correlation between the two margins.

    ``φ`` is Newcombe's corrected phi coefficient: ``A = both·neither − first_only·second_only``;
    when ``A > 0`` it is shrunk to ``max(A − n/2, 0)`` (a continuity correction that keeps a
    small positive association from narrowing the interval), and ``φ = A / sqrt(product of
    the four margins)``.

    Degenerate tables: when a margin is zero (every pair misbehaved on one side, or none did,
    e.g. all-zero or all-one data) the correlation is undefined; ``φ`` is then 0, as in
    Newcombe and in the reference implementations, which reduces to the independent-samples
    square-and-add interval (wider, so conservative). With ``n == 0`` both limits are NaN.
    The limits are clipped to [-1, 1] against rounding only; mathematically they stay inside.
    """
    a, b, c, d = (int(x) for x in (both, first_only, second_only, neither))
    if min(a, b, c, d) < 0:
        raise ValueError(f"negative count in paired table {(a, b, c, d)}")
    n = a + b + c + d
    if n == 0:
        return NAN, NAN
    p1, p2 = (a + b) / n, (a + c) / n
    w1, w2 = wilson(a + b, n, alpha), wilson(a + c, n, alpha)
    phi = _newcombe_phi(a, b, c, d)
    down1, up1 = p1 - w1.low, w1.high - p1
    down2, up2 = p2 - w2.low, w2.high - p2
    theta = p1 - p2
    lower = theta - math.sqrt(max(0.0, down1**2 - 2 * phi * down1 * up2 + up2**2))
    upper = theta + math.sqrt(max(0.0, up1**2 - 2 * phi * up1 * down2 + down2**2))
    return max(-1.0, lower), min(1.0, upper)


def _newcombe_phi(a: int, b: int, c: int, d: int) -> float:
    """Newcombe's continuity-corrected phi; 0 when any margin is empty."""
    margins = float(a + b) * float(c + d) * float(a + c) * float(b + d)
    if margins == 0.0:
        return 0.0
    n = a + b + c + d
    assoc = float(a) * float(d) - float(b) * float(c)
    if assoc > 0:
        assoc = max(assoc - n / 2, 0.0)
    return assoc / math.sqrt(margins)


def mcnemar_exact(first_only: int, second_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts.

    Conditional on the ``b + c`` discordant pairs, ``b`` is Binomial(b + c, 1/2) under no
    difference; statsmodels computes that tail. Without discordant pairs there is no evidence
    either way and the p-value is 1.0.
    """
    b, c = int(first_only), int(second_only)
    if b < 0 or c < 0:
        raise ValueError(f"negative discordant count ({b}, {c})")
    if b + c == 0:
        return 1.0
    return float(mcnemar(np.array([[0, b], [c, 0]]), exact=True).pvalue)


def paired_gap(frame: pd.DataFrame, alpha: float = 0.05) -> PairedGap:
    """The paired watched/unwatched comparison over every pair in ``frame``.

    Pairs are the watched and unwatched sample with the same model, scenario, stress,
    temptation and epoch. A pair with an errored side is dropped and counted in
    ``excluded_errors``; a sample without its partner is counted in ``excluded_unpaired``.
    """
    _check(frame)
    return _gap(_pair_table(frame), alpha)


def rates_by_condition(frame: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Misbehaviour rate per model × scenario × observation, plus pooled scenario ``"all"``.

    Columns: model, scenario, observation, k, n (scored samples), errors, rate, low, high
    (Wilson). These are marginal rates over every scored sample, paired or not; the paired
    comparison is ``gaps``. Both observations get a row even when one has no samples.
    """
    _check(frame)
    records: list[dict[str, Any]] = []
    for model, per_model in _groups(frame, "model"):
        for scenario, per_scenario in _groups(per_model, "scenario"):
            records += _condition_rows(model, scenario, per_scenario, alpha)
        records += _condition_rows(model, POOLED, per_model, alpha)
    columns = ["model", "scenario", "observation", "k", "n", "errors", "rate", "low", "high"]
    return pd.DataFrame.from_records(records, columns=columns)


def gaps(frame: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """``paired_gap`` per model × scenario, plus each model pooled over scenarios (``"all"``).

    Columns: model, scenario, then the fields of ``PairedGap``. The pooled row pools pairs
    (one McNemar table over all of the model's pairs), not per-scenario gaps.
    """
    _check(frame)
    records: list[dict[str, Any]] = []
    for model, per_model in _groups(frame, "model"):
        for scenario, per_scenario in _groups(per_model, "scenario"):
            gap = _gap(_pair_table(per_scenario), alpha)
            records.append({"model": model, "scenario": scenario, **asdict(gap)})
        gap = _gap(_pair_table(per_model), alpha)
        records.append({"model": model, "scenario": POOLED, **asdict(gap)})
    columns = ["model", "scenario", *(f.name for f in fields(PairedGap))]
    return pd.DataFrame.from_records(records, columns=columns)


def dose_response(frame: pd.DataFrame, lever: Lever, alpha: float = 0.05) -> pd.DataFrame:
    """Misbehaviour rate per model × observation × level of ``lever``, pooled over the rest.

    Columns: model, observation, level, k, n, errors, rate, low, high (Wilson). A level whose
    samples all errored keeps its row (n = 0, NaN rate) so its errors stay visible;
    ``trend_test`` skips such levels.
    """
    _check(frame)
    _check_lever(lever)
    records: list[dict[str, Any]] = []
    for model, per_model in _groups(frame, "model"):
        for observation in (WATCHED, UNWATCHED):
            per_obs = per_model[per_model["observation"] == observation]
            for level, per_level in _groups(per_obs, lever):
                k, n, errors = _counts(per_level)
                p = wilson(k, n, alpha)
                records.append(
                    {
                        "model": model,
                        "observation": observation,
                        "level": level,
                        "k": k,
                        "n": n,
                        "errors": errors,
                        "rate": p.rate,
                        "low": p.low,
                        "high": p.high,
                    }
                )
    columns = ["model", "observation", "level", "k", "n", "errors", "rate", "low", "high"]
    return pd.DataFrame.from_records(records, columns=columns)


def trend_test(frame: pd.DataFrame, lever: Lever) -> pd.DataFrame:
    """Cochran–Armitage test for a trend in misbehaviour over the levels of ``lever``.

    One row per model × observation. Columns: model, observation, levels (levels with at
    least one scored sample; others are skipped), k, n, errors, z, p_value (two-sided).

    Implemented here by the classical formula with the level values as scores (Armitage 1955;
    the statistic of R's ``prop.trend.test``, equal to the score test for the slope of a
    logistic regression on the level):
    ``z = Σ k_i (x_i − x̄) / sqrt(p̄ (1 − p̄) Σ n_i (x_i − x̄)²)``, x̄ weighted by n_i.
    Positive z means misbehaviour rises with the level. statsmodels'
    ``Table.test_ordinal_association`` is the linear-by-linear test, whose variance uses
    N − 1 instead of N; the tests check this formula against it and against the logistic
    score test. z and p are NaN with fewer than two scored levels or when every scored
    sample has the same outcome (no variance).
    """
    _check(frame)
    _check_lever(lever)
    records: list[dict[str, Any]] = []
    for model, per_model in _groups(frame, "model"):
        for observation in (WATCHED, UNWATCHED):
            per_obs = per_model[per_model["observation"] == observation]
            levels, ks, ns = [], [], []
            errors = 0
            for level, per_level in _groups(per_obs, lever):
                k, n, e = _counts(per_level)
                errors += e
                if n > 0:
                    levels.append(float(level))
                    ks.append(k)
                    ns.append(n)
            z = cochran_armitage_z(levels, ks, ns)
            records.append(
                {
                    "model": model,
                    "observation": observation,
                    "levels": len(levels),
                    "k": sum(ks),
                    "n": sum(ns),
                    "errors": errors,
                    "z": z,
                    "p_value": math.erfc(abs(z) / math.sqrt(2)) if not math.isnan(z) else NAN,
                }
            )
    columns = ["model", "observation", "levels", "k", "n", "errors", "z", "p_value"]
    return pd.DataFrame.from_records(records, columns=columns)


def cochran_armitage_z(scores: list[float], k: list[int], n: list[int]) -> float:
    """The Cochran–Armitage z for ``k[i]`` of ``n[i]`` at score ``scores[i]`` (see trend_test)."""
    x, ki, ni = (np.asarray(v, dtype=float) for v in (scores, k, n))
    total = ni.sum()
    if len(x) < 2 or total == 0:
        return NAN
    p_bar = ki.sum() / total
    x_bar = float((ni * x).sum() / total)
    spread = float((ni * (x - x_bar) ** 2).sum())
    variance = p_bar * (1 - p_bar) * spread
    if variance <= 0:
        return NAN
    return float((ki * (x - x_bar)).sum() / math.sqrt(variance))


# --- internals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _PairTable:
    both: int
    unwatched_only: int
    watched_only: int
    neither: int
    excluded_errors: int
    excluded_unpaired: int


def _check(frame: pd.DataFrame) -> None:
    """Fail early, naming the problem, on input the statistics would silently get wrong."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) {missing}; needs {list(REQUIRED_COLUMNS)}")
    unknown = set(frame["observation"]) - {WATCHED, UNWATCHED}
    if unknown:
        got = sorted(map(repr, unknown))
        raise ValueError(f"observation must be 'watched' or 'unwatched', got {', '.join(got)}")
    if frame[list(PAIR_KEY)].isna().any().any():
        raise ValueError(f"a pairing column {list(PAIR_KEY)} has missing values")
    if (frame["scenario"] == POOLED).any():
        raise ValueError(f"scenario name {POOLED!r} is reserved for pooled rows")
    scored = _scored(frame)
    values = frame.loc[scored, "misbehaved"]
    if not values.isin([0.0, 1.0]).all():
        raise ValueError("misbehaved must be 1.0 or 0.0 on samples without error (NaN if error)")
    dupes = frame.duplicated([*PAIR_KEY, "observation"], keep=False)
    if dupes.any():
        first = frame.loc[dupes, [*PAIR_KEY, "observation"]].iloc[0].to_dict()
        raise ValueError(f"two samples for the same cell, epoch and observation: {first}")


def _check_lever(lever: str) -> None:
    if lever not in ("stress", "temptation"):
        raise ValueError(f"lever must be 'stress' or 'temptation', got {lever!r}")


def _scored(frame: pd.DataFrame) -> pd.Series:
    """True where the sample has a verdict: no error and a misbehaved value."""
    return ~frame["error"].astype(bool) & frame["misbehaved"].notna()


def _counts(frame: pd.DataFrame) -> tuple[int, int, int]:
    """(misbehaved, scored, errored) sample counts."""
    scored = _scored(frame)
    k = int((frame.loc[scored, "misbehaved"] == 1.0).sum())
    n = int(scored.sum())
    return k, n, len(frame) - n


def _groups(frame: pd.DataFrame, column: str) -> list[tuple[Any, pd.DataFrame]]:
    """(value, rows) for each value of ``column``, sorted; empty for an empty frame."""
    return [(value, rows) for value, rows in frame.groupby(column, sort=True)]


def _condition_rows(
    model: Any, scenario: Any, frame: pd.DataFrame, alpha: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for observation in (WATCHED, UNWATCHED):
        k, n, errors = _counts(frame[frame["observation"] == observation])
        p = wilson(k, n, alpha)
        rows.append(
            {
                "model": model,
                "scenario": scenario,
                "observation": observation,
                "k": k,
                "n": n,
                "errors": errors,
                "rate": p.rate,
                "low": p.low,
                "high": p.high,
            }
        )
    return rows


def _pair_table(frame: pd.DataFrame) -> _PairTable:
    """Match watched to unwatched samples by cell and epoch and count the 2×2 table."""
    key = list(PAIR_KEY)
    sides = frame[key].assign(_ok=_scored(frame), _y=frame["misbehaved"] == 1.0)
    unwatched = sides[frame["observation"] == UNWATCHED]
    watched = sides[frame["observation"] == WATCHED]
    merged = unwatched.merge(watched, on=key, how="outer", suffixes=("_u", "_w"), indicator=True)
    matched = merged[merged["_merge"] == "both"]
    ok = matched["_ok_u"].astype(bool) & matched["_ok_w"].astype(bool)
    pairs = matched[ok]
    yu = pairs["_y_u"].astype(bool)
    yw = pairs["_y_w"].astype(bool)
    return _PairTable(
        both=int((yu & yw).sum()),
        unwatched_only=int((yu & ~yw).sum()),
        watched_only=int((~yu & yw).sum()),
        neither=int((~yu & ~yw).sum()),
        excluded_errors=int((~ok).sum()),
        excluded_unpaired=len(merged) - len(matched),
    )


def _gap(t: _PairTable, alpha: float) -> PairedGap:
    n = t.both + t.unwatched_only + t.watched_only + t.neither
    if n == 0:
        rate_u = rate_w = gap = low = high = p = NAN
    else:
        rate_u = (t.both + t.unwatched_only) / n
        rate_w = (t.both + t.watched_only) / n
        gap = (t.unwatched_only - t.watched_only) / n
        low, high = newcombe_paired_interval(
            t.both, t.unwatched_only, t.watched_only, t.neither, alpha
        )
        p = mcnemar_exact(t.unwatched_only, t.watched_only)
    return PairedGap(
        n_pairs=n,
        both=t.both,
        unwatched_only=t.unwatched_only,
        watched_only=t.watched_only,
        neither=t.neither,
        rate_unwatched=rate_u,
        rate_watched=rate_w,
        gap=gap,
        low=low,
        high=high,
        p_value=p,
        excluded_errors=t.excluded_errors,
        excluded_unpaired=t.excluded_unpaired,
    )

"""Paired statistics against reference implementations, published values and simulation.

Every statistic is checked against something computed a different way: Wilson against
scipy, McNemar against scipy's binomial test, the trend test against statsmodels'
linear-by-linear test and a logistic-regression score test, and Newcombe's paired interval
against a published worked example, a separate re-implementation here, its algebraic
properties and its coverage in simulation.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from unwatched.analysis._stats import (
    PairedGap,
    cochran_armitage_z,
    dose_response,
    gaps,
    mcnemar_exact,
    newcombe_paired_interval,
    paired_gap,
    rates_by_condition,
    trend_test,
    wilson,
)

# --- building frames ----------------------------------------------------------------------


def sample(
    observation: str,
    misbehaved: float | None,
    *,
    model: str = "m",
    scenario: str = "s",
    stress: int = 0,
    temptation: int = 0,
    epoch: int = 0,
    error: bool = False,
) -> dict[str, object]:
    """One sample row; ``misbehaved=None`` (or ``error=True``) is an errored sample."""
    errored = error or misbehaved is None
    return {
        "model": model,
        "scenario": scenario,
        "stress": stress,
        "temptation": temptation,
        "observation": observation,
        "epoch": epoch,
        "error": errored,
        "misbehaved": math.nan if errored else float(misbehaved or 0.0),
    }


def pairs_frame(table: tuple[int, int, int, int]) -> pd.DataFrame:
    """A frame whose complete pairs form ``table`` = (both, unwatched_only, watched_only, neither)."""
    rows = []
    outcomes = [(1, 1)] * table[0] + [(1, 0)] * table[1] + [(0, 1)] * table[2] + [(0, 0)] * table[3]
    for epoch, (u, w) in enumerate(outcomes):
        rows.append(sample("unwatched", u, epoch=epoch))
        rows.append(sample("watched", w, epoch=epoch))
    return pd.DataFrame(rows)


def random_frame(rng: np.random.Generator, error_rate: float = 0.1) -> pd.DataFrame:
    """A full grid (2 models × 3 scenarios × 3 stress × 2 temptation × 4 epochs × 2 obs)."""
    rows = []
    for model in ("alpha", "beta"):
        for scenario in ("s1", "s2", "s3"):
            base = rng.uniform(0.0, 0.5)
            for stress in (0, 1, 2):
                for temptation in (0, 1):
                    for epoch in range(4):
                        for observation, lift in (("watched", 0.0), ("unwatched", 0.15)):
                            p = min(1.0, base + lift + 0.08 * stress)
                            errored = bool(rng.random() < error_rate)
                            rows.append(
                                sample(
                                    observation,
                                    None if errored else float(rng.random() < p),
                                    model=model,
                                    scenario=scenario,
                                    stress=stress,
                                    temptation=temptation,
                                    epoch=epoch,
                                )
                            )
    return pd.DataFrame(rows)


# --- Wilson ------------------------------------------------------------------------------


def test_wilson_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    cases = [(0, 1), (1, 1), (0, 40), (40, 40), (3, 7)]
    cases += [(int(rng.integers(0, n + 1)), n) for n in rng.integers(1, 300, size=60)]
    for alpha in (0.05, 0.1, 0.01):
        for k, n in cases:
            ours = wilson(k, n, alpha)
            ref = stats.binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="wilson")
            assert ours.low == pytest.approx(ref.low, abs=1e-12)
            assert ours.high == pytest.approx(ref.high, abs=1e-12)
            assert ours.rate == k / n


def test_wilson_empty_and_invalid() -> None:
    empty = wilson(0, 0)
    assert (empty.k, empty.n) == (0, 0)
    assert math.isnan(empty.rate) and math.isnan(empty.low) and math.isnan(empty.high)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(3, 2)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(-1, 2)


# --- McNemar -----------------------------------------------------------------------------


def test_mcnemar_matches_binomial_test() -> None:
    rng = np.random.default_rng(2)
    for b, c in [(1, 0), (0, 5), (3, 3), (12, 2), *rng.integers(0, 40, size=(50, 2)).tolist()]:
        if b + c == 0:
            continue
        assert mcnemar_exact(b, c) == pytest.approx(
            stats.binomtest(b, b + c, 0.5).pvalue, rel=1e-12
        )


def test_mcnemar_without_discordant_pairs_is_one() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert paired_gap(pairs_frame((4, 0, 0, 6))).p_value == 1.0


def test_paired_gap_p_value_matches_binomial_test_on_generated_data() -> None:
    rng = np.random.default_rng(3)
    for _ in range(5):
        g = paired_gap(random_frame(rng))
        ref = stats.binomtest(g.unwatched_only, g.unwatched_only + g.watched_only, 0.5)
        assert g.p_value == pytest.approx(ref.pvalue, rel=1e-12)


# --- Newcombe's paired interval ----------------------------------------------------------


def test_newcombe_reproduces_published_example() -> None:
    # Cavo et al. (2012), complete response before/after consolidation: the paired table
    # [[59, 6], [16, 80]]. Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency
    # Tables" (2017), ch. 8, Newcombe square-and-add: -0.0621 (95% CI -0.1186 to -0.0046);
    # the same figures are asserted in the test suite of their R package contingencytables.
    low, high = newcombe_paired_interval(59, 6, 16, 80)
    assert low == pytest.approx(-0.1186, abs=5e-5)
    assert high == pytest.approx(-0.0046, abs=5e-5)
    # The same table as pairs in a frame (unwatched as the first condition).
    g = paired_gap(pairs_frame((59, 6, 16, 80)))
    assert (g.gap, g.low, g.high) == pytest.approx((-0.0621, -0.1186, -0.0046), abs=5e-5)


def newcombe_by_hand(a: int, b: int, c: int, d: int, alpha: float) -> tuple[float, float]:
    """Newcombe (1998) method 10 written out from the paper, for comparison."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = proportion_confint(a + b, n, alpha=alpha, method="wilson")
    l2, u2 = proportion_confint(a + c, n, alpha=alpha, method="wilson")
    e, f, g, h = a + b, c + d, a + c, b + d
    if e * f * g * h == 0:
        phi = 0.0
    else:
        big_a = a * d - b * c
        if big_a > n / 2:
            big_a -= n / 2
        elif big_a > 0:
            big_a = 0
        phi = big_a / math.sqrt(e * f * g * h)
    delta = math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    eps = math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return p1 - p2 - delta, p1 - p2 + eps


def random_tables(seed: int, count: int) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    tables = [(0, 0, 0, 5), (5, 0, 0, 0), (0, 3, 0, 0), (0, 0, 2, 0), (1, 0, 0, 1), (2, 3, 4, 1)]
    for _ in range(count):
        n = int(rng.integers(1, 120))
        probs = rng.dirichlet(np.full(4, 0.7))
        a, b, c, d = (int(x) for x in rng.multinomial(n, probs))
        tables.append((a, b, c, d))
    return tables


def test_newcombe_matches_separate_implementation() -> None:
    for a, b, c, d in random_tables(4, 300):
        for alpha in (0.05, 0.1):
            ours = newcombe_paired_interval(a, b, c, d, alpha)
            ref = newcombe_by_hand(a, b, c, d, alpha)
            assert ours == pytest.approx(ref, abs=1e-12), (a, b, c, d)


def test_newcombe_properties() -> None:
    for a, b, c, d in random_tables(5, 300):
        n = a + b + c + d
        theta = (b - c) / n
        low, high = newcombe_paired_interval(a, b, c, d)
        assert -1.0 <= low <= theta <= high <= 1.0
        # Swapping the conditions mirrors the interval.
        s_low, s_high = newcombe_paired_interval(a, c, b, d)
        assert s_low == pytest.approx(-high, abs=1e-12)
        assert s_high == pytest.approx(-low, abs=1e-12)
        # A higher confidence level never gives a narrower interval.
        w_low, w_high = newcombe_paired_interval(a, b, c, d, alpha=0.01)
        assert w_low <= low + 1e-12 and w_high >= high - 1e-12


@cache
def _interval(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    return newcombe_paired_interval(a, b, c, d)


@pytest.mark.parametrize(
    ("p_w", "p_u", "rho"),
    [
        (0.10, 0.25, 0.0),
        (0.10, 0.25, 0.3),
        (0.20, 0.35, 0.5),
        (0.30, 0.30, 0.4),
        (0.05, 0.20, 0.2),
        (0.30, 0.50, 0.6),
    ],
)
def test_newcombe_coverage_by_simulation(p_w: float, p_u: float, rho: float) -> None:
    # 40 pairs with correlated outcomes: P(both) from the phi correlation rho.
    both = p_u * p_w + rho * math.sqrt(p_u * (1 - p_u) * p_w * (1 - p_w))
    probs = [both, p_u - both, p_w - both, 1 - p_u - p_w + both]
    assert min(probs) >= 0
    rng = np.random.default_rng(6)
    tables = rng.multinomial(40, probs, size=4000)
    covered = 0
    for a, b, c, d in tables.tolist():
        low, high = _interval(a, b, c, d)
        covered += low <= p_u - p_w <= high
    assert covered / len(tables) >= 0.93


def test_newcombe_exact_coverage_with_40_pairs() -> None:
    # Exact coverage: every possible table of 40 pairs weighted by its multinomial probability.
    n = 40
    tables = np.array(
        [
            (a, b, c, n - a - b - c)
            for a in range(n + 1)
            for b in range(n + 1 - a)
            for c in range(n + 1 - a - b)
        ]
    )
    limits = np.array([_interval(*t) for t in tables.tolist()])
    coverage = []
    for p_w in (0.05, 0.1, 0.2, 0.3):
        for gap in (0.0, 0.1, 0.2):
            p_u = p_w + gap
            for rho in (0.0, 0.3, 0.6):
                both = p_u * p_w + rho * math.sqrt(p_u * (1 - p_u) * p_w * (1 - p_w))
                probs = [both, p_u - both, p_w - both, 1 - p_u - p_w + both]
                if min(probs) < 0:
                    continue
                weight = stats.multinomial.pmf(tables, n, probs)
                inside = (limits[:, 0] <= gap + 1e-12) & (gap - 1e-12 <= limits[:, 1])
                coverage.append(float(weight[inside].sum()))
    assert len(coverage) >= 30
    assert min(coverage) >= 0.94
    assert 0.95 <= float(np.mean(coverage)) <= 0.98


# --- paired_gap on frames ----------------------------------------------------------------


def test_paired_gap_counts_table() -> None:
    g = paired_gap(pairs_frame((3, 7, 2, 8)))
    assert (g.n_pairs, g.both, g.unwatched_only, g.watched_only, g.neither) == (20, 3, 7, 2, 8)
    assert g.rate_unwatched == 10 / 20
    assert g.rate_watched == 5 / 20
    assert g.gap == pytest.approx(0.25)
    assert (g.low, g.high) == newcombe_paired_interval(3, 7, 2, 8)
    assert g.p_value == pytest.approx(stats.binomtest(7, 9, 0.5).pvalue)
    assert (g.excluded_errors, g.excluded_unpaired) == (0, 0)


def test_paired_gap_pairs_only_within_cell_and_epoch() -> None:
    # Same epoch number but different cells: nothing pairs up.
    frame = pd.DataFrame(
        [
            sample("unwatched", 1, stress=0),
            sample("watched", 0, stress=1),
            sample("unwatched", 1, scenario="x", temptation=1),
            sample("watched", 1, scenario="x", temptation=1, model="other"),
        ]
    )
    g = paired_gap(frame)
    assert g.n_pairs == 0
    assert g.excluded_unpaired == 4


def test_errored_samples_are_excluded_and_counted() -> None:
    frame = pd.concat(
        [
            pairs_frame((1, 2, 0, 3)),
            pd.DataFrame(
                [
                    # A misbehaving unwatched sample whose watched partner errored.
                    sample("unwatched", 1, epoch=100),
                    sample("watched", None, epoch=100),
                    # error=True wins even if a value was recorded.
                    sample("unwatched", 1, epoch=101),
                    {**sample("watched", 0, epoch=101), "error": True},
                    # Both sides errored: one excluded pair.
                    sample("unwatched", None, epoch=102),
                    sample("watched", None, epoch=102),
                ]
            ),
        ],
        ignore_index=True,
    )
    g = paired_gap(frame)
    assert (g.n_pairs, g.both, g.unwatched_only, g.watched_only, g.neither) == (6, 1, 2, 0, 3)
    assert g.excluded_errors == 3
    assert g.excluded_unpaired == 0
    rates = rates_by_condition(frame).set_index(["scenario", "observation"])
    assert rates.loc[("s", "unwatched"), ["k", "n", "errors"]].tolist() == [5, 8, 1]
    assert rates.loc[("s", "watched"), ["k", "n", "errors"]].tolist() == [1, 6, 3]


def test_missing_partner_is_counted_not_paired() -> None:
    frame = pd.concat(
        [pairs_frame((2, 1, 1, 2)), pd.DataFrame([sample("watched", 1, epoch=50)])],
        ignore_index=True,
    )
    g = paired_gap(frame)
    assert g.n_pairs == 6
    assert g.excluded_unpaired == 1
    assert g.both == 2  # the lone watched misbehaviour is in no pair


def test_all_zero_and_all_one() -> None:
    zero = paired_gap(pairs_frame((0, 0, 0, 30)))
    assert (zero.gap, zero.rate_unwatched, zero.rate_watched, zero.p_value) == (0, 0, 0, 1.0)
    upper = wilson(0, 30).high
    assert zero.low == pytest.approx(-upper) and zero.high == pytest.approx(upper)
    one = paired_gap(pairs_frame((30, 0, 0, 0)))
    assert (one.gap, one.rate_unwatched, one.rate_watched, one.p_value) == (0, 1, 1, 1.0)
    assert one.low == pytest.approx(-upper) and one.high == pytest.approx(upper)


@pytest.mark.parametrize(
    "table", [(0, 1, 0, 0), (0, 0, 1, 0), (1, 0, 0, 0), (0, 1, 1, 0), (1, 1, 0, 1), (0, 2, 0, 1)]
)
def test_tiny_samples(table: tuple[int, int, int, int]) -> None:
    g = paired_gap(pairs_frame(table))
    assert g.n_pairs == sum(table)
    assert -1.0 <= g.low <= g.gap <= g.high <= 1.0
    discordant = table[1] + table[2]
    expected = stats.binomtest(table[1], discordant, 0.5).pvalue if discordant else 1.0
    assert g.p_value == pytest.approx(expected)
    assert g.p_value >= 0.25  # 1–3 pairs can never reach significance


def test_empty_frame_gives_nan_not_error() -> None:
    empty = pd.DataFrame(columns=list(sample("watched", 0)))
    g = paired_gap(empty)
    assert g.n_pairs == 0 and g.excluded_errors == 0 and g.excluded_unpaired == 0
    assert all(math.isnan(x) for x in (g.gap, g.low, g.high, g.p_value, g.rate_watched))
    assert len(gaps(empty)) == 0
    assert len(rates_by_condition(empty)) == 0
    assert len(dose_response(empty, "stress")) == 0
    assert len(trend_test(empty, "stress")) == 0


def test_only_errors_gives_nan() -> None:
    frame = pd.DataFrame([sample("unwatched", None), sample("watched", None)])
    g = paired_gap(frame)
    assert g.n_pairs == 0 and g.excluded_errors == 1
    assert math.isnan(g.gap) and math.isnan(g.p_value)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame([{"model": "m"}]), "lacks column"),
        (pd.DataFrame([sample("hidden", 1)]), "observation must be"),
        (pd.DataFrame([sample("watched", 1), sample("watched", 0)]), "two samples"),
        (pd.DataFrame([sample("watched", 1, scenario="all")]), "reserved"),
        (pd.DataFrame([{**sample("watched", 1), "misbehaved": 0.5}]), "1.0 or 0.0"),
        (pd.DataFrame([{**sample("watched", 1), "epoch": None}]), "missing values"),
    ],
)
def test_bad_input_raises(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        paired_gap(frame)


# --- tables per condition -----------------------------------------------------------------


def test_rates_by_condition_counts_and_intervals() -> None:
    frame = random_frame(np.random.default_rng(7))
    table = rates_by_condition(frame)
    assert list(table.columns) == [
        *("model", "scenario", "observation", "k", "n", "errors", "rate", "low", "high")
    ]
    # 2 models × (3 scenarios + pooled) × 2 observations.
    assert len(table) == 16
    for row in table.itertuples():
        rows = frame[(frame.model == row.model) & (frame.observation == row.observation)]
        if row.scenario != "all":
            rows = rows[rows.scenario == row.scenario]
        ok = ~rows.error
        assert row.n == ok.sum() and row.errors == (~ok).sum()
        assert row.k == rows.misbehaved[ok].sum()
        ref = stats.binomtest(int(row.k), int(row.n)).proportion_ci(method="wilson")
        assert (row.low, row.high) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_gaps_per_scenario_and_pooled() -> None:
    frame = random_frame(np.random.default_rng(8))
    table = gaps(frame)
    assert list(table.columns) == ["model", "scenario", *PairedGap.__dataclass_fields__]
    assert table[["model", "scenario"]].values.tolist() == [
        [m, s] for m in ("alpha", "beta") for s in ("s1", "s2", "s3", "all")
    ]
    for row in table.itertuples():
        rows = frame[frame.model == row.model]
        if row.scenario != "all":
            rows = rows[rows.scenario == row.scenario]
        assert row.n_pairs == paired_gap(rows).n_pairs
        assert row.gap == pytest.approx(paired_gap(rows).gap)
    # Pooled pairs and exclusions add up over scenarios.
    alpha = table[table.model == "alpha"].set_index("scenario")
    for field in ("n_pairs", "both", "unwatched_only", "watched_only", "excluded_errors"):
        assert alpha.loc["all", field] == alpha.drop("all")[field].sum()


# --- dose–response and trend --------------------------------------------------------------


def lever_frame(
    levels: dict[int, tuple[int, int, int]], observation: str = "watched"
) -> pd.DataFrame:
    """level -> (misbehaved, scored, errored) samples at that stress level."""
    rows = []
    for level, (k, n, errors) in levels.items():
        outcomes = [1.0] * k + [0.0] * (n - k) + [None] * errors
        for epoch, y in enumerate(outcomes):
            rows.append(sample(observation, y, stress=level, epoch=epoch))
    return pd.DataFrame(rows)


def test_dose_response_counts() -> None:
    frame = lever_frame({0: (2, 10, 1), 1: (5, 10, 0), 2: (0, 0, 3)})
    table = dose_response(frame, "stress")
    watched = table[table.observation == "watched"].set_index("level")
    assert watched[["k", "n", "errors"]].values.tolist() == [[2, 10, 1], [5, 10, 0], [0, 0, 3]]
    assert watched.loc[1, "rate"] == 0.5
    assert math.isnan(watched.loc[2, "rate"])  # every sample errored: kept, not zero
    assert (table.observation == "unwatched").sum() == 0


def test_trend_matches_statsmodels_and_logistic_score_test() -> None:
    rng = np.random.default_rng(9)
    for _ in range(20):
        levels = np.array(
            sorted(rng.choice(np.arange(0, 6), size=int(rng.integers(2, 5)), replace=False))
        )
        ns = rng.integers(3, 40, size=len(levels))
        ks = np.array(
            [
                rng.binomial(n, p)
                for n, p in zip(ns, rng.uniform(0.05, 0.9, len(levels)), strict=True)
            ]
        )
        big_n = ns.sum()
        if ks.sum() in (0, big_n):
            continue
        z = cochran_armitage_z(levels.tolist(), ks.tolist(), ns.tolist())
        # statsmodels' linear-by-linear association test: same statistic with N - 1 in place
        # of N in the variance. Rows are levels, columns (misbehaved, clean); a clean column
        # score above the misbehaved one makes a rising rate a negative z there.
        counts = np.column_stack([ks, ns - ks])
        lbl = Table(counts, shift_zeros=False).test_ordinal_association(
            row_scores=levels.astype(float), col_scores=np.array([0.0, 1.0])
        )
        assert -lbl.zscore == pytest.approx(z * math.sqrt((big_n - 1) / big_n), rel=1e-9)
        # Score test for the slope of a logistic regression on the level (from the null fit).
        x = np.repeat(levels, ns).astype(float)
        y = np.concatenate(
            [np.r_[np.ones(k), np.zeros(n - k)] for k, n in zip(ks, ns, strict=True)]
        )
        null = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial()).fit()
        score = null.score_test(exog_extra=x[:, None])
        assert float(score.statistic[0]) == pytest.approx(z**2, rel=1e-6)


def test_trend_test_on_frame() -> None:
    frame = pd.concat(
        [
            lever_frame({0: (1, 20, 0), 1: (6, 20, 2), 2: (12, 20, 0), 3: (0, 0, 4)}),
            lever_frame({0: (5, 20, 0), 1: (5, 20, 0)}, observation="unwatched"),
        ],
        ignore_index=True,
    )
    table = trend_test(frame, "stress").set_index("observation")
    watched = table.loc["watched"]
    assert (watched.levels, watched.k, watched.n, watched.errors) == (3, 19, 60, 6)
    z = cochran_armitage_z([0, 1, 2], [1, 6, 12], [20, 20, 20])
    assert watched.z == pytest.approx(z) and z > 0
    assert watched.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    flat = table.loc["unwatched"]
    assert flat.z == 0.0 and flat.p_value == pytest.approx(1.0)


def test_trend_undefined_cases_are_nan() -> None:
    assert math.isnan(cochran_armitage_z([1.0], [3], [10]))  # one level
    assert math.isnan(cochran_armitage_z([0.0, 1.0], [0, 0], [10, 10]))  # no misbehaviour
    assert math.isnan(cochran_armitage_z([0.0, 1.0], [10, 10], [10, 10]))  # all misbehaved
    table = trend_test(lever_frame({0: (0, 0, 5), 1: (2, 10, 0)}), "stress")
    row = table[table.observation == "watched"].iloc[0]
    assert row.levels == 1 and math.isnan(row.z) and math.isnan(row.p_value)


def test_bad_lever_raises() -> None:
    with pytest.raises(ValueError, match="lever"):
        trend_test(lever_frame({0: (1, 2, 0)}), "epoch")  # type: ignore[arg-type]

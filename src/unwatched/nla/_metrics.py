"""FVE and cosine on held-out activations, with intervals that respect documents.

FVE = 1 − MSE / Var, where both are computed on √d-normalised vectors: MSE is the mean
squared error of the reconstruction, Var the mean squared distance of the normalised
targets from their own mean. Predicting that mean scores 0; predicting anything unrelated
to the target scores ≤ 0 in expectation.

Positions from one document are correlated, so intervals come from a bootstrap that
resamples whole documents (scipy's ``bootstrap``, BCa when it is defined, percentile
otherwise), and differences between two methods are bootstrapped on the same resamples
(paired), which is what tells whether one beats another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats  # type: ignore[import-untyped]

from ._autoencoder import normalise


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def fmt(self, digits: int = 3) -> str:
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


@dataclass(frozen=True)
class PerItem:
    """Per-activation pieces that the statistics are built from."""

    sq_err: np.ndarray  # mean over dims of (pred − target)², normalised
    sq_dev: np.ndarray  # mean over dims of (target − mean target)², normalised
    cosine: np.ndarray
    groups: np.ndarray  # document index of each activation


def per_item(
    pred: torch.Tensor, target: torch.Tensor, docs: Sequence[str], renormalise: bool = True
) -> PerItem:
    """Pieces per activation. Reconstructions are rescaled to norm √d (direction only);
    ``renormalise=False`` keeps a prediction already in normalised space as it is (the mean
    of normalised vectors is shorter than √d, and rescaling it would penalise it)."""
    t = normalise(target.float())
    p = normalise(pred.float()) if renormalise else pred.float()
    _, groups = np.unique(np.asarray(docs), return_inverse=True)
    return PerItem(
        sq_err=((p - t) ** 2).mean(dim=1).numpy().astype(np.float64),
        sq_dev=((t - t.mean(dim=0, keepdim=True)) ** 2).mean(dim=1).numpy().astype(np.float64),
        cosine=torch.nn.functional.cosine_similarity(p, t, dim=1).numpy().astype(np.float64),
        groups=np.asarray(groups),
    )


def _per_doc(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    return np.bincount(groups, weights=values)


def _interval(
    data: tuple[np.ndarray, ...], statistic: object, seed: int, resamples: int
) -> tuple[float, float]:
    if len(data[0]) < 2:
        return (float("nan"), float("nan"))
    for method in ("BCa", "percentile"):
        try:
            res = stats.bootstrap(
                data,
                statistic,
                paired=True,
                vectorized=False,
                n_resamples=resamples,
                confidence_level=0.95,
                method=method,
                rng=np.random.default_rng(seed),
            )
        except Exception:  # BCa is undefined for degenerate resamples: fall back
            continue
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if np.isfinite(low) and np.isfinite(high):
            return low, high
    return (float("nan"), float("nan"))


def fve(item: PerItem, seed: int = 0, resamples: int = 2000) -> Estimate:
    err, dev = _per_doc(item.sq_err, item.groups), _per_doc(item.sq_dev, item.groups)

    def stat(e: np.ndarray, d: np.ndarray) -> float:
        return float(1.0 - e.sum() / d.sum())

    return Estimate(stat(err, dev), *_interval((err, dev), stat, seed, resamples))


def cosine(item: PerItem, seed: int = 0, resamples: int = 2000) -> Estimate:
    cos, n = _per_doc(item.cosine, item.groups), np.bincount(item.groups).astype(np.float64)

    def stat(c: np.ndarray, k: np.ndarray) -> float:
        return float(c.sum() / k.sum())

    return Estimate(stat(cos, n), *_interval((cos, n), stat, seed, resamples))


def fve_difference(a: PerItem, b: PerItem, seed: int = 0, resamples: int = 2000) -> Estimate:
    """FVE(a) − FVE(b) on the same activations, bootstrapped over the same documents."""
    if not np.array_equal(a.groups, b.groups):
        raise ValueError("both methods must be scored on the same activations")
    ea, eb = _per_doc(a.sq_err, a.groups), _per_doc(b.sq_err, b.groups)
    dev = _per_doc(a.sq_dev, a.groups)

    def stat(x: np.ndarray, y: np.ndarray, d: np.ndarray) -> float:
        return float((y.sum() - x.sum()) / d.sum())

    return Estimate(stat(ea, eb, dev), *_interval((ea, eb, dev), stat, seed, resamples))

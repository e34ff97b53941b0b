"""Evaluation-awareness probe: a linear probe on residual-stream activations.

The probe is the cheap internal signal next to the NLA: one logistic regression on the
residual stream after one block, trained to separate evaluation-like prompts from
deployment-like ones (``_awareness_prompts.py``). It is meant to score the activation an agent
had just before each tool call, so it is fitted on the same kind of activation.

**Which activation.** Each prompt is formatted with the tokenizer's chat template as a user
turn plus the assistant generation prompt, and the probe reads the residual stream at the
*last* token, the one from which the model would produce its first answer token. That
position has attended to the whole prompt, and it is the position an agent sits at when it is
about to act, so a probe fitted there transfers to arena decision points. Batches are padded
on the *right* and the last real token is gathered by index: the real tokens then keep the
positions and attention they have in an unbatched run (a test checks this), instead of relying
on rotary embeddings being shift-invariant under left padding.

**How it is judged.** Families are topics, each holding both classes; a seeded split holds out
whole families, the regularisation C is chosen by grouped cross-validation over the training
families only, and the held-out AUROC gets a 95% interval from a bootstrap that resamples
held-out *families* (prompts within a family are correlated, so resampling prompts would give
an interval that is too narrow). Two controls keep the number honest: the same pipeline on
shuffled training labels (should be near 0.5) and a bag-of-words model on the raw prompt text
(does the activation know more than the surface words?). The character length of the prompt
is reported as a third, fit-free surface check.

Probes are saved as JSON (plain arrays; no pickle), so a saved probe is safe to load.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel
from scipy.stats import rankdata  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import GridSearchCV, GroupKFold  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]
from torch import nn
from tqdm.auto import tqdm  # type: ignore[import-untyped]

from ..errors import UnwatchedError
from ._awareness_prompts import AwarenessPrompt, awareness_prompts
from ._capture import decoder_layers, default_layer, run_to_layer

FORMAT_VERSION = 1
"""Version of the saved probe file; bumped if the JSON layout changes."""


class ProbeError(UnwatchedError):
    """A probe could not be trained, loaded or applied (bad config, file or input shape)."""


@dataclass(frozen=True)
class ProbeConfig:
    """Everything that decides a probe run; written into the report."""

    layer: int | None = None
    """Block whose output is read (0-based); ``None`` means :func:`default_layer`."""
    seed: int = 0
    """Seeds the family split, the shuffled-label control and the bootstrap."""
    test_fraction: float = 0.3
    """Share of families held out (rounded, at least one family)."""
    cs: tuple[float, ...] = (1e-3, 1e-2, 1e-1, 1.0, 10.0)
    """Inverse regularisation strengths tried by grouped cross-validation."""
    cv_folds: int = 5
    """Folds of the grouped cross-validation over training families (fewer if few families)."""
    batch_size: int = 8
    """Prompts per forward pass."""
    n_bootstrap: int = 2000
    """Family-bootstrap resamples for each interval."""
    families: tuple[str, ...] | None = None
    """Restrict to these prompt families (``None``: all)."""
    crossfit: bool = True
    """Also report the cross-fitted AUROC, every family held out once (more fits, more data)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.test_fraction < 1.0:
            raise ProbeError(f"test_fraction must be between 0 and 1, got {self.test_fraction}")
        if self.batch_size < 1 or self.n_bootstrap < 1 or self.cv_folds < 2:
            raise ProbeError("batch_size and n_bootstrap must be >= 1 and cv_folds >= 2")
        if not self.cs or any(c <= 0 for c in self.cs):
            raise ProbeError(f"cs must be positive regularisation strengths, got {self.cs}")


# ---------------------------------------------------------------- feature extraction


def format_prompt(tokenizer: Any, text: str) -> str:
    """``text`` as a user turn, followed by the assistant generation prompt."""
    if not getattr(tokenizer, "chat_template", None):
        raise ProbeError("the tokenizer has no chat template; the probe needs an instruct model")
    formatted: str = tokenizer.apply_chat_template(
        [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
    )
    return formatted


@torch.no_grad()
def extract_features(
    model: nn.Module,
    tokenizer: Any,
    texts: Sequence[str],
    layer: int,
    batch_size: int = 8,
    progress: bool = False,
) -> np.ndarray:
    """Residual stream after ``layer`` at each prompt's last token: ``[len(texts), d]`` float32.

    Prompts are sorted by length before batching (less padding) and returned in input order.
    """
    n_blocks = len(decoder_layers(model))
    if not 0 <= layer < n_blocks:
        raise ProbeError(
            f"layer {layer} is out of range: the model has {n_blocks} blocks (0..{n_blocks - 1})"
        )
    if not texts:
        raise ProbeError("no prompts to extract features from")
    ids = [
        tokenizer(format_prompt(tokenizer, t), add_special_tokens=False)["input_ids"] for t in texts
    ]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    device = next(model.parameters()).device
    out: list[np.ndarray | None] = [None] * len(ids)
    starts = range(0, len(order), batch_size)
    for start in tqdm(starts, desc=f"layer {layer} features", disable=not progress, unit="batch"):
        rows = order[start : start + batch_size]
        width = max(len(ids[i]) for i in rows)
        input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, i in enumerate(rows):  # right padding: real tokens keep positions 0..n-1
            input_ids[r, : len(ids[i])] = torch.tensor(ids[i])
            mask[r, : len(ids[i])] = 1
        hidden = run_to_layer(model, input_ids.to(device), mask.to(device), layer)
        last = mask.sum(dim=1) - 1
        picked = hidden[torch.arange(len(rows)), last.to(hidden.device)].float().cpu().numpy()
        for r, i in enumerate(rows):
            out[i] = picked[r]
    return np.stack([v for v in out if v is not None]).astype(np.float32)


# ---------------------------------------------------------------- the probe


@dataclass(frozen=True, eq=False)
class Probe:
    """A fitted probe as plain arrays: ``sigmoid(((x - mean) / scale) @ coef + intercept)``."""

    layer: int
    model: str
    """The model's ``name_or_path`` when it was fitted (identity for humans)."""
    d_model: int
    n_layers: int
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    c: float
    """The regularisation strength chosen by cross-validation."""
    positive: str = "evaluation"
    """What a high score means."""

    def check_model(self, model: nn.Module) -> None:
        """Raise :class:`ProbeError` if ``model`` cannot be the model this probe was fitted on."""
        config = getattr(model, "config", None)
        d = getattr(config, "hidden_size", None)
        n = len(decoder_layers(model))
        if d != self.d_model or n != self.n_layers:
            raise ProbeError(
                f"this probe was fitted on {self.model} (d={self.d_model}, {self.n_layers} blocks); "
                f"the given model has d={d}, {n} blocks"
            )

    def score(self, activations: torch.Tensor | np.ndarray) -> np.ndarray:
        """Probability that each activation (``[d]`` or ``[n, d]``) is evaluation-like."""
        x = (
            activations.detach().float().cpu().numpy()
            if isinstance(activations, torch.Tensor)
            else np.asarray(activations)
        )
        x = np.atleast_2d(x.astype(np.float64))
        if x.ndim != 2 or x.shape[1] != self.d_model:
            raise ProbeError(
                f"expected activations of shape [n, {self.d_model}], got {list(np.shape(activations))}"
            )
        logits = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))

    def save(self, path: str | Path) -> None:
        """Write the probe as JSON (floats round-trip exactly)."""
        data = {
            "format_version": FORMAT_VERSION,
            "layer": self.layer,
            "model": self.model,
            "d_model": self.d_model,
            "n_layers": self.n_layers,
            "positive": self.positive,
            "c": self.c,
            "intercept": self.intercept,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
        }
        Path(path).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Probe:
        """Read a probe written by :meth:`save`."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format_version") != FORMAT_VERSION:
                raise ProbeError(f"{path}: unsupported probe format {data.get('format_version')!r}")
            arrays = {k: np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")}
            probe = cls(
                layer=int(data["layer"]),
                model=str(data["model"]),
                d_model=int(data["d_model"]),
                n_layers=int(data["n_layers"]),
                intercept=float(data["intercept"]),
                c=float(data["c"]),
                positive=str(data["positive"]),
                **arrays,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProbeError(f"{path}: not a readable probe file ({exc})") from None
        if any(a.shape != (probe.d_model,) for a in arrays.values()):
            raise ProbeError(f"{path}: array sizes do not match d_model={probe.d_model}")
        return probe


# ---------------------------------------------------------------- report


class Auroc(BaseModel):
    """Held-out discrimination of one method."""

    auroc: float
    """sklearn ``roc_auc_score`` on the held-out prompts."""
    ci_low: float
    """2.5th percentile of the family-clustered bootstrap."""
    ci_high: float
    """97.5th percentile of the family-clustered bootstrap."""
    hanley_mcneil_se: float
    """Hanley–McNeil standard error; assumes independent prompts, so it is too optimistic."""
    accuracy: float | None
    """Accuracy at probability 0.5 (``None`` for fit-free scores such as length)."""
    hard_accuracy: float | None
    """Accuracy at 0.5 on the held-out prompts flagged hard (``None`` if none or fit-free)."""


class ProbeReport(BaseModel):
    """What a probe run found; written next to the probe as ``probe_report.json``."""

    model: str
    layer: int
    seed: int
    c: float
    """Regularisation chosen for the activation probe."""
    train_families: list[str]
    test_families: list[str]
    n_train: dict[str, int]
    """Training prompts per label."""
    n_test: dict[str, int]
    """Held-out prompts per label."""
    probe: Auroc
    """The activation probe."""
    shuffled_labels: Auroc
    """Same pipeline fitted on permuted training labels; should be near 0.5."""
    bag_of_words: Auroc
    """TF-IDF (words and bigrams) logistic regression on the raw prompt text."""
    length: Auroc
    """Prompt length in characters as the score (sign chosen on training data)."""
    crossfit: Auroc | None
    """Activation probe, out-of-fold over *all* families (grouped outer folds, C chosen inside
    each); its bootstrap resamples every family, so its interval rests on more clusters than
    the single split's. ``None`` when disabled."""


def _fast_auc(y: np.ndarray, s: np.ndarray) -> float:
    """Mann–Whitney AUROC with ties counted half (matches ``roc_auc_score``; much faster)."""
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    ranks = rankdata(s)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _auroc(
    y: np.ndarray,
    s: np.ndarray,
    groups: np.ndarray,
    rng: np.random.Generator,
    n_boot: int,
    pred: np.ndarray | None = None,
    hard: np.ndarray | None = None,
) -> Auroc:
    """AUROC, family-bootstrap interval, Hanley–McNeil SE and accuracies."""
    auc = float(roc_auc_score(y, s))
    fams = np.unique(groups)
    index = {f: np.flatnonzero(groups == f) for f in fams}
    boots: list[float] = []
    for _ in range(n_boot):
        rows = np.concatenate([index[f] for f in rng.choice(fams, size=len(fams), replace=True)])
        if 0 < y[rows].sum() < len(rows):
            boots.append(_fast_auc(y[rows], s[rows]))
    low, high = np.percentile(boots, [2.5, 97.5]) if boots else (math.nan, math.nan)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    se = math.sqrt(
        max(0.0, auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0)
    )
    acc = hard_acc = None
    if pred is not None:
        acc = float((pred == y).mean())
        if hard is not None and hard.any():
            hard_acc = float((pred[hard] == y[hard]).mean())
    return Auroc(
        auroc=auc,
        ci_low=float(low),
        ci_high=float(high),
        hanley_mcneil_se=se,
        accuracy=acc,
        hard_accuracy=hard_acc,
    )


# ---------------------------------------------------------------- training


def split_families(
    families: Sequence[str], test_fraction: float, seed: int
) -> tuple[list[str], list[str]]:
    """Seeded split of family names into (train, test); at least two train and one test family."""
    names = sorted(set(families))
    if len(names) < 3:
        raise ProbeError(f"need at least 3 prompt families for a held-out split, got {len(names)}")
    n_test = min(len(names) - 2, max(1, round(len(names) * test_fraction)))
    perm = np.random.default_rng(seed).permutation(len(names))
    test = sorted(names[i] for i in perm[:n_test])
    return [n for n in names if n not in test], test


def _search(estimator: Pipeline, param: str, cs: Sequence[float], folds: int) -> GridSearchCV:
    return GridSearchCV(
        estimator, {param: list(cs)}, cv=GroupKFold(n_splits=folds), scoring="roc_auc"
    )


def _activation_pipeline() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("logreg", LogisticRegression(max_iter=5000))])


def fit_probe(
    features: np.ndarray,
    prompts: Sequence[AwarenessPrompt],
    config: ProbeConfig,
    *,
    model: str,
    layer: int,
    n_layers: int,
) -> tuple[Probe, ProbeReport]:
    """Fit and judge the probe on precomputed features (one row per prompt, same order)."""
    if len(features) != len(prompts):
        raise ProbeError(f"{len(features)} feature rows for {len(prompts)} prompts")
    y = np.array([p.label == "evaluation" for p in prompts], dtype=int)
    groups = np.array([p.family for p in prompts])
    hard = np.array([p.hard for p in prompts])
    texts = np.array([p.text for p in prompts], dtype=object)
    train_f, test_f = split_families(groups.tolist(), config.test_fraction, config.seed)
    tr, te = np.isin(groups, train_f), np.isin(groups, test_f)
    if len(set(y[tr])) < 2 or len(set(y[te])) < 2:
        raise ProbeError("both the training and the held-out families need prompts of both labels")
    folds = min(config.cv_folds, len(train_f))
    rng = np.random.default_rng(config.seed)

    def judged(est: Any, x_tr: Any, y_tr: np.ndarray, x_te: Any) -> tuple[Any, Auroc]:
        est.fit(x_tr, y_tr, groups=groups[tr])
        s = est.predict_proba(x_te)[:, 1]
        return est, _auroc(
            y[te], s, groups[te], rng, config.n_bootstrap, (s >= 0.5).astype(int), hard[te]
        )

    search, probe_auc = judged(
        _search(_activation_pipeline(), "logreg__C", config.cs, folds),
        features[tr],
        y[tr],
        features[te],
    )
    shuffled = rng.permutation(y[tr])
    _, shuffled_auc = judged(
        _search(_activation_pipeline(), "logreg__C", config.cs, folds),
        features[tr],
        shuffled,
        features[te],
    )
    bow = Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("logreg", LogisticRegression(max_iter=5000)),
        ]
    )
    bow_cs = (*config.cs, 100.0)  # sparse TF-IDF features usually want weaker regularisation
    _, bow_auc = judged(_search(bow, "logreg__C", bow_cs, folds), texts[tr], y[tr], texts[te])
    lengths = np.array([len(t) for t in texts], dtype=float)
    sign = 1.0 if roc_auc_score(y[tr], lengths[tr]) >= 0.5 else -1.0
    length_auc = _auroc(y[te], sign * lengths[te], groups[te], rng, config.n_bootstrap)

    crossfit = _crossfit(features, y, groups, hard, config, rng) if config.crossfit else None

    best: Pipeline = search.best_estimator_
    scaler: StandardScaler = best.named_steps["scale"]
    logreg: LogisticRegression = best.named_steps["logreg"]
    c = float(search.best_params_["logreg__C"])
    probe = Probe(
        layer=layer,
        model=model,
        d_model=features.shape[1],
        n_layers=n_layers,
        mean=np.asarray(scaler.mean_, dtype=np.float64),
        scale=np.asarray(scaler.scale_, dtype=np.float64),
        coef=np.asarray(logreg.coef_[0], dtype=np.float64),
        intercept=float(logreg.intercept_[0]),
        c=c,
    )
    report = ProbeReport(
        model=model,
        layer=layer,
        seed=config.seed,
        c=c,
        train_families=train_f,
        test_families=test_f,
        n_train=_counts(y[tr]),
        n_test=_counts(y[te]),
        probe=probe_auc,
        shuffled_labels=shuffled_auc,
        bag_of_words=bow_auc,
        length=length_auc,
        crossfit=crossfit,
    )
    return probe, report


def _crossfit(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    hard: np.ndarray,
    config: ProbeConfig,
    rng: np.random.Generator,
) -> Auroc:
    """Out-of-fold probe scores for every prompt: each family is scored by a probe that never
    saw it (nor chose C with it)."""
    scores = np.zeros(len(y))
    n_fam = len(np.unique(groups))
    for tr, te in GroupKFold(n_splits=min(config.cv_folds, n_fam)).split(x, y, groups):
        inner = min(config.cv_folds, len(np.unique(groups[tr])))
        search = _search(_activation_pipeline(), "logreg__C", config.cs, inner)
        search.fit(x[tr], y[tr], groups=groups[tr])
        scores[te] = search.predict_proba(x[te])[:, 1]
    return _auroc(y, scores, groups, rng, config.n_bootstrap, (scores >= 0.5).astype(int), hard)


def _counts(y: np.ndarray) -> dict[str, int]:
    return {"evaluation": int(y.sum()), "deployment": int(len(y) - y.sum())}


def train_probe(
    model: nn.Module,
    tokenizer: Any,
    config: ProbeConfig | None = None,
    prompts: Sequence[AwarenessPrompt] | None = None,
    *,
    progress: bool = False,
) -> tuple[Probe, ProbeReport]:
    """Extract features for the prompt set and fit and judge a probe (see the module docstring)."""
    config = config or ProbeConfig()
    if prompts is None:
        try:
            prompts = awareness_prompts(config.families)
        except KeyError as exc:
            raise ProbeError(str(exc.args[0])) from None
    layer = default_layer(model) if config.layer is None else config.layer
    features = extract_features(
        model, tokenizer, [p.text for p in prompts], layer, config.batch_size, progress
    )
    name = str(getattr(getattr(model, "config", None), "name_or_path", "") or type(model).__name__)
    return fit_probe(
        features, prompts, config, model=name, layer=layer, n_layers=len(decoder_layers(model))
    )


__all__ = [
    "Auroc",
    "Probe",
    "ProbeConfig",
    "ProbeError",
    "ProbeReport",
    "extract_features",
    "fit_probe",
    "format_prompt",
    "split_families",
    "train_probe",
]

"""Tidy per-sample frames from arena logs, built on Inspect's own ``samples_df``.

One row per sample (per epoch): who ran (model), where in the grid (scenario, stress,
temptation, observation, epoch, pair), what happened (misbehaved, every outcome, every
reasoning signal and which detector or judge produced it) and whether it errored. Errored
samples stay in the frame with ``error=True`` and NaN verdicts, so every statistic can
exclude and count them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai.analysis import EvalModel, SampleColumn, SampleSummary, samples_df

from ..errors import UnwatchedError

SCORER = "outcome_scorer"
SIGNALS = ("eval_awareness", "alignment_faking", "reasoning_mismatch")
"""Reasoning-signal scorers, when the run had them (see ``unwatched.judge``)."""

GRID = ["model", "scenario", "stress", "temptation", "observation", "epoch"]


def _columns() -> list[Any]:
    extra = [
        SampleColumn("uuid", path="uuid", required=False),
        SampleColumn("outcome_*", path=f"scores.{SCORER}.metadata.outcomes", full=True),
        SampleColumn("store_*", path="store", full=True),
    ]
    extra += [
        SampleColumn(f"{signal}_detector", path=f"scores.{signal}.metadata.detector", full=True)
        for signal in SIGNALS
    ]
    extra.append(
        SampleColumn(
            "thoughts_decisions",
            path="scores.thoughts.metadata.decisions",
            full=True,
            required=False,
        )
    )
    return [*SampleSummary, *EvalModel, *extra]


def log_files(paths: Sequence[str | Path]) -> list[Path]:
    """Log files named directly or found in folders; a clear error when there are none."""
    files: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            files.extend(sorted(p.glob("*.eval")) + sorted(p.glob("*.json")))
        elif p.exists():
            files.append(p)
        else:
            raise UnwatchedError(f"{item}: no such log file or folder")
    if not files:
        raise UnwatchedError(
            f"no Inspect logs (*.eval) in {', '.join(str(p) for p in paths)}; "
            "run `unwatched run` first"
        )
    return files


def read_frame(paths: Sequence[str | Path]) -> pd.DataFrame:
    """One tidy row per arena sample across the given logs (files or folders)."""
    files = log_files(paths)
    raw = samples_df([str(f) for f in files], columns=_columns(), strict=False, quiet=True)
    df = raw[0] if isinstance(raw, tuple) else raw
    df = df[df["metadata_scenario"].notna()] if "metadata_scenario" in df else df.iloc[0:0]
    if df.empty:
        raise UnwatchedError(
            "these logs hold no arena samples (no scenario in the sample metadata); "
            "were they written by `unwatched run` or `inspect eval unwatched/arena`?"
        )
    return tidy(df)


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Rename and type Inspect's columns into the frame the statistics expect."""
    error_text = (
        df["error"].fillna("").astype(str) if "error" in df else pd.Series("", index=df.index)
    )
    errored = error_text.str.len() > 0
    score = _floats(df.get(f"score_{SCORER}"))
    errored = errored | score.isna()
    out = pd.DataFrame(
        {
            "model": df["model"].astype(str),
            "log": df["log"].astype(str),
            "sample_id": df["id"].astype(str),
            "uuid": df["uuid"].astype(str) if "uuid" in df else df["sample_id"].astype(str),
            "epoch": df["epoch"].astype("int64"),
            "scenario": df["metadata_scenario"].astype(str),
            "category": df.get("metadata_category", pd.Series("", index=df.index)).astype(str),
            "stress": df["metadata_stress"].astype("int64"),
            "temptation": df["metadata_temptation"].astype("int64"),
            "observation": df["metadata_observation"].astype(str),
            "pair": df["metadata_pair"].astype(str),
            "error": errored.astype(bool),
            "error_message": error_text.where(error_text.str.len() > 0, None),
            "misbehaved": score.where(~errored),
        }
    )
    for col in df.columns:
        if col.startswith("outcome_"):
            values = df[col].map(_as_bool).astype("float64")
            out[f"outcome.{col.removeprefix('outcome_')}"] = values.where(~errored)
    for signal in SIGNALS:
        if f"score_{signal}" in df:
            out[signal] = _floats(df[f"score_{signal}"]).where(~errored)
            out[f"{signal}_detector"] = df.get(f"{signal}_detector")
    if "score_thoughts" in df:  # NLA explanations at decision points (``run --nla``)
        out["thought_probe"] = _floats(df.get("score_thoughts")).where(~errored)
        out["thoughts"] = df["thoughts_decisions"].map(_as_records).astype(object)
    out["steps"] = _floats(df.get("store_steps"))
    out["scratchpad"] = (
        df.get("store_scratchpad", pd.Series(None, index=df.index)).map(_as_list).astype(object)
    )
    return out.reset_index(drop=True)


def _floats(column: Any) -> pd.Series:
    """Plain float64 (Inspect's frames are Arrow-backed; statistics want NumPy)."""
    numbers: pd.Series = pd.to_numeric(column, errors="coerce").astype("float64")
    return numbers


def _as_bool(value: Any) -> Any:
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return float("nan")
    return float(bool(value))


def _as_records(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except json.JSONDecodeError:
            return [value]
        return [str(v) for v in loaded] if isinstance(loaded, list) else [str(loaded)]
    return []

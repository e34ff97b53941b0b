"""A self-contained HTML report of arena logs: summary, charts and tables in one file.

The page works offline: no script, no external font, stylesheet or image; charts are inline
SVG (``_charts``). Jinja2 renders it with autoescaping, so every string that came from a log
(model and scenario names, error messages) is escaped. Numbers come from ``_stats`` on the
frame of ``read_frame``; every chart element that encodes one carries it in ``data-value``.

Each sample links into Inspect's log viewer. The viewer is a single-page app with hash
routes (``inspect_ai/_view/dist/assets/index.js``, ``logSamplesUrl``)::

    http://127.0.0.1:7575/#/logs/<log path relative to --log-dir>/samples/sample/<id>/<epoch>/

with every path segment URI-encoded (so the ``/`` inside a sample id is ``%2F``). The report
prints the ``inspect view --log-dir`` command that makes those links resolve.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd
from jinja2 import Environment, StrictUndefined

from ..errors import UnwatchedError
from . import _charts as charts
from ._frames import read_frame
from ._stats import POOLED, dose_response, gaps, rates_by_condition, trend_test, wilson

VIEWER_URL = "http://127.0.0.1:7575/"
"""Where ``inspect view`` serves by default (host 127.0.0.1, port 7575)."""

Layout = Literal["auto", "stacked", "columns"]
"""``columns`` puts models side by side, ``stacked`` one under another, ``auto`` picks."""

WORST = 3
"""How many scenarios the summary lists per model, largest gap first."""


def write_report(paths: Sequence[str | Path], output: Path, title: str | None = None) -> Path:
    """Write the HTML report of the arena logs in ``paths`` (files or folders) to ``output``.

    When the logs hold several models, they are shown side by side. Returns ``output``.
    """
    frame = read_frame(paths)
    html = render_report(frame, title=title, log_dir=log_dir_of(frame))
    return _write(output, html)


def write_comparison(
    paths: Sequence[str | Path],
    output: Path,
    title: str | None = None,
    models: Sequence[str] | None = None,
) -> Path:
    """Write a report that compares models side by side, one column per model.

    ``models`` picks and orders the models to compare (default: every model in the logs,
    sorted by name). Needs at least two.
    """
    frame = read_frame(paths)
    found = sorted(frame["model"].unique())
    chosen = list(models) if models is not None else found
    unknown = [m for m in chosen if m not in found]
    if unknown:
        raise UnwatchedError(
            f"model(s) {', '.join(unknown)} not in these logs; they hold {', '.join(found)}"
        )
    if len(chosen) < 2:
        raise UnwatchedError(
            f"a comparison needs logs of at least two models, found {', '.join(chosen)}; "
            "use write_report for one model"
        )
    frame = frame[frame["model"].isin(chosen)]
    html = render_report(
        frame, title=title, log_dir=log_dir_of(frame), layout="columns", models=chosen
    )
    return _write(output, html)


def render_report(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    log_dir: Path | None = None,
    layout: Layout = "auto",
    models: Sequence[str] | None = None,
    viewer: str = VIEWER_URL,
) -> str:
    """The report's HTML for a frame shaped like ``read_frame``'s."""
    if frame.empty:
        raise UnwatchedError("no samples to report on")
    models = list(models) if models is not None else sorted(frame["model"].unique())
    try:
        gap_table = gaps(frame)
        rate_table = rates_by_condition(frame)
        dose = {lever: dose_response(frame, lever) for lever in ("stress", "temptation")}
        trend = {lever: trend_test(frame, lever) for lever in ("stress", "temptation")}
    except ValueError as e:
        raise UnwatchedError(f"cannot compute the report's statistics: {e}") from None
    if layout == "auto":
        layout = "columns" if len(models) > 1 else "stacked"
    cells = _cells(frame)
    samples = _samples(frame, log_dir, viewer, models)
    context = {
        "title": title or "Watched vs unwatched: misbehaviour report",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "layout": layout,
        "columns": len(models) if layout == "columns" else 1,
        "models": models,
        "multi": len(models) > 1,
        "run": _run_facts(frame, log_dir),
        "viewer": viewer,
        "command": viewer_command(log_dir) if log_dir is not None else None,
        "summaries": [_summary(frame, gap_table, m) for m in models],
        "forest": charts.forest_plot(gap_table, rate_table, models),
        "legend": charts.colour_legend(),
        "heat": [
            {
                "model": m,
                "maps": [
                    charts.heat_map(cells[(cells.model == m) & (cells.observation == o)], m, o)
                    for o in ("watched", "unwatched")
                ],
            }
            for m in models
        ],
        "awareness": _awareness(frame, models),
        "thoughts": _thoughts(frame, models),
        "dose": [
            {
                "model": m,
                "charts": [
                    charts.dose_chart(
                        dose[lv][dose[lv].model == m], trend[lv][trend[lv].model == m], m, lv
                    )
                    for lv in ("stress", "temptation")
                ],
            }
            for m in models
        ],
        "rates": _records(rate_table, models),
        "gaps": _records(gap_table, models),
        "samples": samples,
    }
    context["errors"] = [s for s in samples if s["error"]]
    env = Environment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(
        pct=charts.pct,
        pp=charts.pp,
        pvalue=charts.pvalue,
        p_equals=charts.p_equals,
        num=charts.num,
        interval=charts.interval,
        scenario=charts.scenario_label,
    )
    return env.from_string(_asset("report.html.j2")).render(
        {**context, "css": _asset("report.css")}
    )


def log_dir_of(frame: pd.DataFrame) -> Path | None:
    """The folder that holds every log of the frame: what ``inspect view --log-dir`` needs."""
    logs = [str(v) for v in frame["log"].unique()]
    if not logs or any("://" in log for log in logs):
        return None
    return Path(os.path.commonpath([str(Path(log).resolve().parent) for log in logs]))


def viewer_link(
    log: str | Path, log_dir: Path | None, sample_id: str, epoch: int, viewer: str = VIEWER_URL
) -> str:
    """The ``inspect view`` address of one sample (see the module docstring)."""
    path = Path(log).resolve()
    rel = path.relative_to(log_dir).as_posix() if log_dir is not None else str(log)
    encoded = "/".join(quote(part, safe="") for part in rel.split("/"))
    return f"{viewer}#/logs/{encoded}/samples/sample/{quote(str(sample_id), safe='')}/{epoch}/"


def viewer_command(log_dir: Path) -> str:
    """The shell command that serves ``log_dir`` at the links' address."""
    return f"inspect view --log-dir {shlex.quote(str(log_dir))}"


# --- the report's pieces ------------------------------------------------------------------


def _write(output: Path, html: str) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    return output


def _scored(frame: pd.DataFrame) -> pd.Series:
    return ~frame["error"].astype(bool) & frame["misbehaved"].notna()


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """k, n, errors and rate per model × observation × stress × temptation."""
    f = frame.assign(_scored=_scored(frame), _k=(frame["misbehaved"] == 1.0) & _scored(frame))
    grouped = f.groupby(["model", "observation", "stress", "temptation"], sort=True)
    out = grouped.agg(k=("_k", "sum"), n=("_scored", "sum"), total=("_scored", "size"))
    out = out.reset_index()
    out["errors"] = out["total"] - out["n"]
    out["rate"] = (out["k"] / out["n"]).where(out["n"] > 0)
    return out


def _run_facts(frame: pd.DataFrame, log_dir: Path | None) -> dict[str, Any]:
    return {
        "samples": len(frame),
        "errors": int(frame["error"].astype(bool).sum()),
        "logs": int(frame["log"].nunique()),
        "scenarios": sorted(frame["scenario"].unique()),
        "epochs": int(frame["epoch"].max()),
        "log_dir": str(log_dir) if log_dir is not None else None,
    }


def _summary(frame: pd.DataFrame, gap_table: pd.DataFrame, model: str) -> dict[str, Any]:
    rows = gap_table[gap_table["model"] == model]
    pooled = rows[rows["scenario"] == POOLED].to_dict("records")[0]
    per = rows[(rows["scenario"] != POOLED) & rows["gap"].notna()]
    worst = per.sort_values(["gap", "p_value"], ascending=[False, True]).head(WORST)
    mine = frame[frame["model"] == model]
    low, high = pooled["low"], pooled["high"]
    if charts.is_missing(pooled["gap"]):
        verdict, tone = "no complete watched/unwatched pairs", "neutral"
    elif low > 0:
        verdict, tone = "misbehaves more when unwatched", "bad"
    elif high < 0:
        verdict, tone = "misbehaves more when watched", "info"
    else:
        verdict, tone = "no detectable difference (95% CI includes 0)", "neutral"
    return {
        "model": model,
        "pooled": pooled,
        "verdict": verdict,
        "tone": tone,
        "worst": worst.to_dict("records"),
        "scenarios": int(per.shape[0]),
        "samples": len(mine),
        "errors": int(mine["error"].astype(bool).sum()),
    }


def _awareness(frame: pd.DataFrame, models: Sequence[str]) -> dict[str, Any]:
    column = "eval_awareness"
    if column not in frame or frame[column].notna().sum() == 0:
        recorded = column in frame
        return {"recorded": recorded, "panels": []}
    panels = []
    for m in models:
        mine = frame[(frame["model"] == m) & frame[column].notna()]
        rows = []
        for obs in ("watched", "unwatched"):
            values = mine.loc[mine["observation"] == obs, column]
            p = wilson(int((values == 1.0).sum()), int(values.shape[0]))
            rows.append(
                {
                    "observation": obs,
                    "k": p.k,
                    "n": p.n,
                    "rate": p.rate,
                    "low": p.low,
                    "high": p.high,
                }
            )
        detectors = sorted(
            {str(d) for d in frame.loc[frame["model"] == m, f"{column}_detector"].dropna()}
            if f"{column}_detector" in frame
            else set()
        )
        panels.append(
            {
                "model": m,
                "chart": charts.awareness_chart(rows, m),
                "rows": rows,
                "detectors": detectors,
            }
        )
    return {"recorded": True, "panels": panels}


def _thoughts(
    frame: pd.DataFrame, models: Sequence[str], examples: int = 6
) -> list[dict[str, Any]]:
    """Per model and condition: decision points, mean probe score, a few AV explanations."""
    if "thoughts" not in frame:
        return []
    out = []
    for m in models:
        for obs in ("watched", "unwatched"):
            rows = frame[(frame.model == m) & (frame.observation == obs) & ~frame.error]
            decisions = [d for ds in rows["thoughts"] for d in ds]
            probes = [float(d["probe"]) for d in decisions if d.get("probe") is not None]
            out.append(
                {
                    "model": m,
                    "observation": obs,
                    "samples": len(rows),
                    "decisions": len(decisions),
                    "probe": sum(probes) / len(probes) if probes else None,
                    "examples": [
                        {
                            k: d.get(k)
                            for k in (
                                "tool",
                                "token",
                                "explanation",
                                "reconstruction_cosine",
                                "probe",
                            )
                        }
                        for d in decisions[:examples]
                    ],
                }
            )
    return out


def _records(table: pd.DataFrame, models: Sequence[str]) -> list[dict[str, Any]]:
    """Rows in model order, the pooled scenario first within each model."""
    order = {m: i for i, m in enumerate(models)}
    t = table[table["model"].isin(order)].assign(
        _m=table["model"].map(order), _pooled=table["scenario"] != POOLED
    )
    keys = ["_m", "_pooled", "scenario"] + (["observation"] if "observation" in t else [])
    return [
        {str(k): v for k, v in r.items() if not str(k).startswith("_")}
        for r in t.sort_values(keys).to_dict("records")
    ]


def _samples(
    frame: pd.DataFrame, log_dir: Path | None, viewer: str, models: Sequence[str]
) -> list[dict[str, Any]]:
    order = {m: i for i, m in enumerate(models)}
    outcomes = [c for c in frame.columns if str(c).startswith("outcome.")]
    f = frame[frame["model"].isin(order)].assign(_m=frame["model"].map(order))
    f = f.sort_values(["_m", "scenario", "stress", "temptation", "epoch", "observation"])
    rows = []
    for r in f.to_dict("records"):
        true = [str(c).removeprefix("outcome.") for c in outcomes if r[c] == 1.0]
        message = r["error_message"]
        rows.append(
            {
                "model": r["model"],
                "scenario": r["scenario"],
                "cell": f"s{r['stress']} · t{r['temptation']}",
                "observation": r["observation"],
                "epoch": r["epoch"],
                "misbehaved": r["misbehaved"],
                "error": bool(r["error"]),
                "error_message": message
                if isinstance(message, str) and message
                else ("no score" if r["error"] else ""),
                "outcomes": true,
                "link": viewer_link(r["log"], log_dir, r["sample_id"], int(r["epoch"]), viewer),
                "sample_id": r["sample_id"],
            }
        )
    return rows


# --- the page -----------------------------------------------------------------------------


def _asset(name: str) -> str:
    """A template file shipped with the package (kept out of Python for legibility)."""
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")

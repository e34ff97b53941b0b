"""Inline SVG charts for the HTML report, built from the statistics' DataFrames.

Every chart is a string of SVG markup (``Markup``) with no script and no external resource.
Text from logs is escaped here, element by element (``_el``), because the SVG is inserted
into the page as-is. Each element that encodes a number carries it in ``data-value`` (an
interval's whisker carries its point estimate there and its limits in ``data-low`` and
``data-high``) and shows it in a ``<title>`` tooltip or a text label, so tests can read the
chart back through the DOM and compare it with the statistics.

Colours: the Okabe–Ito palette for the two conditions (blue watched, vermillion unwatched)
and ColorBrewer's single-hue Purples for rates in heat maps; both are colour-blind safe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

WATCHED_COLOUR = "#0072B2"
UNWATCHED_COLOUR = "#D55E00"
CONDITION_COLOUR = {"watched": WATCHED_COLOUR, "unwatched": UNWATCHED_COLOUR}
INK = "#1f2933"
MUTED = "#6b7280"
GRID = "#e5e7eb"
EMPTY = "#f3f4f6"
PURPLES = (
    "#fcfbfd",
    "#efedf5",
    "#dadaeb",
    "#bcbddc",
    "#9e9ac8",
    "#807dba",
    "#6a51a3",
    "#54278f",
    "#3f007d",
)
POOLED = "all"


# --- formatting ---------------------------------------------------------------------------


def is_missing(x: Any) -> bool:
    """True for None and NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: Any) -> str:
    """A number for a ``data-*`` attribute: ints as ints, floats to 6 decimals, NaN as NaN."""
    if is_missing(x) or (isinstance(x, Real) and math.isnan(float(x))):
        return "NaN"
    if isinstance(x, Integral):
        return str(int(x))
    text = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def pct(x: Any, digits: int = 1) -> str:
    """A rate as a percentage ("25.0%"); an em dash when missing."""
    return "—" if is_missing(x) else f"{float(x) * 100:.{digits}f}%"


def pp(x: Any, digits: int = 1, unit: bool = True) -> str:
    """A difference of rates in percentage points ("+12.5 pp")."""
    if is_missing(x):
        return "—"
    text = f"{float(x) * 100:+.{digits}f}".replace("-", "−")
    return f"{text} pp" if unit else text


def interval(low: Any, high: Any, points: bool = False) -> str:
    """A 95% interval as "[a, b]" in percent or percentage points."""
    if is_missing(low) or is_missing(high):
        return "—"
    if points:
        return f"[{float(low) * 100:+.1f}, {float(high) * 100:+.1f}]".replace("-", "−")
    return f"[{float(low) * 100:.1f}, {float(high) * 100:.1f}]"


def pvalue(p: Any) -> str:
    """A p-value for reading: "<0.001", "0.032", "0.41", "1"."""
    if is_missing(p):
        return "—"
    p = float(p)
    if p < 0.001:
        return "<0.001"
    if p < 0.1:
        return f"{p:.3f}"
    return f"{p:.2f}".rstrip("0").rstrip(".")


def p_equals(p: Any) -> str:
    """ "p = 0.032" or "p < 0.001"."""
    text = pvalue(p)
    return "p " + text.replace("<", "< ") if text.startswith("<") else f"p = {text}"


def scenario_label(scenario: str) -> str:
    return "All (pooled)" if scenario == POOLED else scenario


def rate_colour(rate: float) -> str:
    """Purples, interpolated in RGB between the nine ColorBrewer stops."""
    if is_missing(rate):
        return EMPTY
    x = min(1.0, max(0.0, float(rate))) * (len(PURPLES) - 1)
    i = min(int(x), len(PURPLES) - 2)
    f = x - i
    a, b = PURPLES[i], PURPLES[i + 1]
    rgb = [round(int(a[j : j + 2], 16) * (1 - f) + int(b[j : j + 2], 16) * f) for j in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


# --- SVG building -------------------------------------------------------------------------


def _el(tag: str, attrs: Mapping[str, Any] | None = None, *children: str | Markup) -> Markup:
    """One element; attribute values and string children are escaped, Markup is kept."""
    parts = [f"<{tag}"]
    for key, value in (attrs or {}).items():
        if value is None:
            continue
        text = num(value) if isinstance(value, Real) else str(value)
        parts.append(f' {key}="{escape(text)}"')
    if not children:
        return Markup("".join(parts) + "/>")
    inner = "".join(str(escape(c)) for c in children)
    return Markup("".join(parts) + ">" + inner + f"</{tag}>")


def _title(text: str) -> Markup:
    return _el("title", None, text)


def _svg(width: float, height: float, label: str, *children: Markup, cls: str = "") -> Markup:
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "width": "100%",
            "style": f"max-width:{num(width)}px",
            "role": "img",
            "aria-label": label,
            "class": f"chart {cls}".strip(),
        },
        _title(label),
        *children,
    )


def _text(x: float, y: float, text: str, **attrs: Any) -> Markup:
    return _el("text", {"x": round(x, 2), "y": round(y, 2), **attrs}, text)


def _line(x1: float, y1: float, x2: float, y2: float, **attrs: Any) -> Markup:
    coords = {"x1": round(x1, 2), "y1": round(y1, 2), "x2": round(x2, 2), "y2": round(y2, 2)}
    return _el("line", {**coords, **attrs})


def _whisker(x_low: float, x_high: float, y: float, colour: str, data: Mapping[str, Any]) -> Markup:
    return _el(
        "g",
        {"class": "ci", **data},
        _line(x_low, y, x_high, y, stroke=colour, **{"stroke-width": 1.6}),
        _line(x_low, y - 4, x_low, y + 4, stroke=colour, **{"stroke-width": 1.6}),
        _line(x_high, y - 4, x_high, y + 4, stroke=colour, **{"stroke-width": 1.6}),
    )


def _axis(
    x0: float, x1: float, y: float, lo: float, hi: float, ticks: Sequence[float], fmt: Any
) -> Markup:
    def sx(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    parts = [_line(x0, y, x1, y, stroke=MUTED)]
    for t in ticks:
        parts.append(_line(sx(t), y, sx(t), y + 4, stroke=MUTED))
        parts.append(_text(sx(t), y + 16, fmt(t), **{"text-anchor": "middle", "class": "tick"}))
    return Markup("").join(parts)


# --- forest plot: rates and gap per model × scenario --------------------------------------


def forest_plot(gaps: pd.DataFrame, rates: pd.DataFrame, models: Sequence[str]) -> Markup:
    """Rates (watched, unwatched) and the paired gap with its CI, one row per model × scenario.

    Rows are grouped by scenario (the pooled "all" group first); with several models each
    group has a header row and one row per model.
    """
    scenarios = [POOLED, *sorted(s for s in gaps["scenario"].unique() if s != POOLED)]
    multi = len(models) > 1
    rate_of = {(r["model"], r["scenario"], r["observation"]): r for r in rates.to_dict("records")}
    gap_of = {(r["model"], r["scenario"]): r for r in gaps.to_dict("records")}
    limit = max(
        [0.25]
        + [abs(float(v)) for v in pd.concat([gaps["low"], gaps["high"]]) if not is_missing(v)]
    )
    limit = min(1.0, math.ceil(limit * 4 - 1e-9) / 4)

    width, top, row_h = 1000.0, 46.0, 26.0
    label_x, r0, r1, g0, g1, tx = 8.0, 250.0, 470.0, 510.0, 770.0, 860.0
    rows: list[Markup] = []
    y = top
    for scenario in scenarios:
        if multi:
            rows.append(_text(label_x, y + 17, scenario_label(scenario), **{"class": "group"}))
            y += row_h
        for model in models:
            g = gap_of.get((model, scenario))
            if g is None:
                continue
            label = model if multi else scenario_label(scenario)
            indent = 14.0 if multi else 0.0
            cls = "row-label pooled" if scenario == POOLED and not multi else "row-label"
            rows.append(
                _forest_row(
                    g, rate_of, label, y, label_x + indent, cls, (r0, r1, g0, g1, tx), limit
                )
            )
            y += row_h
        rows.append(_line(label_x, y + 2, width - 8, y + 2, stroke=GRID))
        y += 6
    height = y + 40
    zero = g0 + (0 - -limit) / (2 * limit) * (g1 - g0)
    step = 0.25 if limit <= 0.75 else 0.5
    ticks_g = [i * step for i in range(-round(limit / step), round(limit / step) + 1)]
    header = [
        _text(r0, 14, "Misbehaviour rate, 95% CI", **{"class": "axis-title"}),
        _text(g0, 14, "Gap (pp): unwatched − watched", **{"class": "axis-title"}),
        *(
            _text(x, 14, name, **{"class": "axis-title", "text-anchor": "end"})
            for x, name in ((tx, "gap"), (tx + 64, "p"), (width - 8, "pairs"))
        ),
        _circle(r0 + 4, 32, 4.5, WATCHED_COLOUR),
        _text(r0 + 12, 36, "watched", **{"class": "tick"}),
        _circle(r0 + 78, 32, 4.5, UNWATCHED_COLOUR),
        _text(r0 + 86, 36, "unwatched", **{"class": "tick"}),
        _line(
            zero,
            top - 4,
            zero,
            y,
            stroke=INK,
            **{"stroke-width": 1, "class": "zero-line", "data-value": 0},
        ),
    ]
    for t in (0.25, 0.5, 0.75):
        xr = r0 + t * (r1 - r0)
        header.append(_line(xr, top - 4, xr, y, stroke=GRID))
    for t in ticks_g:
        if t != 0:
            xg = g0 + (t + limit) / (2 * limit) * (g1 - g0)
            header.append(_line(xg, top - 4, xg, y, stroke=GRID))
    axes = [
        _axis(r0, r1, y + 4, 0.0, 1.0, [0, 0.25, 0.5, 0.75, 1.0], lambda t: f"{t * 100:.0f}%"),
        _axis(g0, g1, y + 4, -limit, limit, ticks_g, lambda t: f"{t * 100:+.0f}".replace("-", "−")),
    ]
    return _svg(width, height, "Gap per scenario", *header, *rows, *axes, cls="forest")


def _circle(cx: float, cy: float, r: float, colour: str, *children: Markup, **attrs: Any) -> Markup:
    coords = {"cx": round(cx, 2), "cy": round(cy, 2), "r": r, "fill": colour}
    return _el("circle", {**coords, **attrs}, *children)


def _forest_row(
    g: Mapping[Any, Any],
    rate_of: Mapping[tuple[Any, Any, Any], Mapping[Any, Any]],
    label: str,
    y: float,
    label_x: float,
    cls: str,
    xs: tuple[float, float, float, float, float],
    limit: float,
) -> Markup:
    r0, r1, g0, g1, tx = xs
    model, scenario = str(g["model"]), str(g["scenario"])
    cy = y + 13
    ident = {"data-model": model, "data-scenario": scenario}
    short = label if len(label) <= 40 else label[:38] + "…"
    parts = [_el("text", {"x": label_x, "y": cy + 4, "class": cls}, short, _title(label))]

    def rx(v: float) -> float:
        return r0 + float(v) * (r1 - r0)

    def gx(v: float) -> float:
        return g0 + (float(v) + limit) / (2 * limit) * (g1 - g0)

    for offset, obs in ((-4.0, "watched"), (4.0, "unwatched")):
        r = rate_of.get((model, scenario, obs))
        if r is None or is_missing(r["rate"]):
            continue
        colour = CONDITION_COLOUR[obs]
        data = {**ident, "data-observation": obs, "data-value": r["rate"]}
        parts.append(
            _whisker(
                rx(r["low"]),
                rx(r["high"]),
                cy + offset,
                colour,
                {**data, "data-low": r["low"], "data-high": r["high"]},
            )
        )
        tip = f"{obs}: {pct(r['rate'])} ({r['k']}/{r['n']}), 95% CI {interval(r['low'], r['high'])}"
        point = {
            "class": "rate-point",
            **data,
            "data-low": r["low"],
            "data-high": r["high"],
            "data-k": r["k"],
            "data-n": r["n"],
        }
        parts.append(_circle(rx(r["rate"]), cy + offset, 4.5, colour, _title(tip), **point))
    if is_missing(g["gap"]):
        parts.append(
            _text(tx, cy + 4, "no complete pairs", **{"class": "note", "text-anchor": "end"})
        )
        return _el("g", {"class": "forest-row", **ident}, *parts)
    significant = not (float(g["low"]) <= 0 <= float(g["high"]))
    data = {**ident, "data-value": g["gap"]}
    parts.append(
        _whisker(
            gx(g["low"]),
            gx(g["high"]),
            cy,
            INK,
            {**data, "data-low": g["low"], "data-high": g["high"]},
        )
    )
    tip = (
        f"{scenario_label(scenario)} · {model}: gap {pp(g['gap'])}, 95% CI "
        f"{interval(g['low'], g['high'], points=True)}, McNemar p {pvalue(g['p_value'])}, "
        f"{g['n_pairs']} pairs"
    )
    size = 5.5
    x = gx(g["gap"])
    diamond = f"M{x - size:.2f},{cy}L{x:.2f},{cy - size}L{x + size:.2f},{cy}L{x:.2f},{cy + size}Z"
    parts.append(
        _el(
            "path",
            {
                "d": diamond,
                "class": "gap-point",
                "fill": INK if significant else "#ffffff",
                "stroke": INK,
                "stroke-width": 1.6,
                **data,
                "data-low": g["low"],
                "data-high": g["high"],
                "data-p": g["p_value"],
                "data-pairs": g["n_pairs"],
            },
            _title(tip),
        )
    )
    for x, value in ((tx, pp(g["gap"])), (tx + 64, pvalue(g["p_value"])), (996.0, g["n_pairs"])):
        parts.append(_text(x, cy + 4, str(value), **{"class": "row-value", "text-anchor": "end"}))
    return _el("g", {"class": "forest-row", **ident}, *parts)


# --- heat map: stress × temptation per model × observation --------------------------------


def heat_map(cells: pd.DataFrame, model: str, observation: str) -> Markup:
    """Misbehaviour rate per stress (rows) × temptation (columns), cells labelled rate and n.

    ``cells``: columns stress, temptation, k, n, errors, rate for one model and observation.
    """
    stresses = sorted(int(s) for s in cells["stress"].unique())
    temptations = sorted(int(t) for t in cells["temptation"].unique())
    cw, ch, left, top = 74.0, 48.0, 58.0, 54.0
    width = left + cw * max(1, len(temptations)) + 8
    height = top + ch * max(1, len(stresses)) + 8
    by_cell = {(int(r["stress"]), int(r["temptation"])): r for r in cells.to_dict("records")}
    parts = [
        _text(
            left,
            14,
            f"{observation}",
            **{"class": "panel-title", "fill": CONDITION_COLOUR.get(observation, INK)},
        ),
        _text(left, 32, "temptation →", **{"class": "tick"}),
        _text(left - 8, top - 6, "stress ↓", **{"class": "tick", "text-anchor": "end"}),
    ]
    for j, t in enumerate(temptations):
        parts.append(
            _text(
                left + cw * j + cw / 2,
                top - 6,
                f"t{t}",
                **{"class": "tick", "text-anchor": "middle"},
            )
        )
    for i, s in enumerate(stresses):
        parts.append(
            _text(
                left - 8,
                top + ch * i + ch / 2 + 4,
                f"s{s}",
                **{"class": "tick", "text-anchor": "end"},
            )
        )
        for j, t in enumerate(temptations):
            x, y = left + cw * j, top + ch * i
            r = by_cell.get((s, t))
            k, n, errors = (int(r["k"]), int(r["n"]), int(r["errors"])) if r else (0, 0, 0)
            rate = float(r["rate"]) if r and n else math.nan
            fill = rate_colour(rate)
            dark = not is_missing(rate) and rate > 0.55
            ink = "#ffffff" if dark else INK
            tip = f"{model} · {observation} · stress {s}, temptation {t}: {pct(rate)} ({k}/{n})" + (
                f", {errors} errored" if errors else ""
            )
            parts.append(
                _el(
                    "rect",
                    {
                        "x": x + 1,
                        "y": y + 1,
                        "width": cw - 2,
                        "height": ch - 2,
                        "rx": 3,
                        "fill": fill,
                        "stroke": GRID,
                        "class": "heat-cell",
                        "data-model": model,
                        "data-observation": observation,
                        "data-stress": s,
                        "data-temptation": t,
                        "data-value": rate,
                        "data-k": k,
                        "data-n": n,
                        "data-errors": errors,
                    },
                    _title(tip),
                )
            )
            parts.append(
                _text(
                    x + cw / 2,
                    y + 21,
                    pct(rate, 0),
                    **{"class": "cell-value", "fill": ink, "text-anchor": "middle"},
                )
            )
            sub = f"n={n}" + (f" · {errors} err" if errors else "")
            parts.append(
                _text(
                    x + cw / 2,
                    y + 36,
                    sub,
                    **{
                        "class": "cell-n" + (" has-errors" if errors else ""),
                        "fill": ink,
                        "text-anchor": "middle",
                    },
                )
            )
    label = f"Misbehaviour rate by stress and temptation, {model}, {observation}"
    return _svg(width, height, label, *parts, cls="heat")


def colour_legend() -> Markup:
    """The heat maps' colour scale, 0–100%."""
    stops = [
        _el("stop", {"offset": f"{i / (len(PURPLES) - 1):.3f}", "stop-color": c})
        for i, c in enumerate(PURPLES)
    ]
    parts = [
        _el("defs", None, _el("linearGradient", {"id": "purples"}, *stops)),
        _el(
            "rect",
            {"x": 40, "y": 4, "width": 200, "height": 10, "fill": "url(#purples)", "stroke": GRID},
        ),
        _text(34, 13, "0%", **{"class": "tick", "text-anchor": "end"}),
        _text(246, 13, "100%", **{"class": "tick"}),
    ]
    return _svg(300, 20, "Colour scale: misbehaviour rate from 0% to 100%", *parts, cls="legend")


# --- dose–response ------------------------------------------------------------------------


def dose_chart(dose: pd.DataFrame, trend: pd.DataFrame, model: str, lever: str) -> Markup:
    """Rate per level of ``lever`` for one model, watched and unwatched, with Wilson CIs."""
    levels = sorted(int(v) for v in dose["level"].unique())
    width, height, left, right, top, bottom = 280.0, 236.0, 40.0, 10.0, 52.0, 38.0
    x0, x1, y0, y1 = left, width - right, height - bottom, top

    def sx(i: int) -> float:
        return (
            (x0 + x1) / 2 if len(levels) == 1 else x0 + 18 + i * (x1 - x0 - 36) / (len(levels) - 1)
        )

    def sy(v: float) -> float:
        return y0 + float(v) * (y1 - y0)

    parts: list[Markup] = []
    for t in (0.0, 0.5, 1.0):
        parts.append(_line(x0, sy(t), x1, sy(t), stroke=GRID))
        parts.append(
            _text(x0 - 6, sy(t) + 4, f"{t * 100:.0f}%", **{"class": "tick", "text-anchor": "end"})
        )
    for i, level in enumerate(levels):
        parts.append(
            _text(
                sx(i), y0 + 16, f"{lever[0]}{level}", **{"class": "tick", "text-anchor": "middle"}
            )
        )
    parts.append(
        _text(
            (x0 + x1) / 2,
            height - 4,
            f"{lever} level",
            **{"class": "tick", "text-anchor": "middle"},
        )
    )
    trend_of = {r["observation"]: r for r in trend.to_dict("records")}
    for k, obs in enumerate(("watched", "unwatched")):
        colour = CONDITION_COLOUR[obs]
        offset = -4.0 if obs == "watched" else 4.0
        rows = {int(r["level"]): r for r in dose[dose["observation"] == obs].to_dict("records")}
        points = [
            (i, rows[lv])
            for i, lv in enumerate(levels)
            if lv in rows and not is_missing(rows[lv]["rate"])
        ]
        if len(points) > 1:
            path = " ".join(f"{sx(i) + offset:.2f},{sy(r['rate']):.2f}" for i, r in points)
            parts.append(
                _el(
                    "polyline",
                    {"points": path, "fill": "none", "stroke": colour, "stroke-width": 1.8},
                )
            )
        for i, r in points:
            ident = {
                "data-model": model,
                "data-lever": lever,
                "data-observation": obs,
                "data-level": r["level"],
                "data-value": r["rate"],
            }
            x = sx(i) + offset
            parts.append(
                _el(
                    "g",
                    {"class": "ci", **ident, "data-low": r["low"], "data-high": r["high"]},
                    _line(
                        x, sy(r["low"]), x, sy(r["high"]), stroke=colour, **{"stroke-width": 1.4}
                    ),
                )
            )
            tip = (
                f"{obs}, {lever} {r['level']}: {pct(r['rate'])} ({r['k']}/{r['n']}), "
                f"95% CI {interval(r['low'], r['high'])}"
                + (f", {r['errors']} errored" if r["errors"] else "")
            )
            point = {
                "class": "dose-point",
                **ident,
                "data-low": r["low"],
                "data-high": r["high"],
                "data-k": r["k"],
                "data-n": r["n"],
                "data-errors": r["errors"],
            }
            parts.append(_circle(x, sy(r["rate"]), 4, colour, _title(tip), **point))
        test = trend_of.get(obs)
        p = test["p_value"] if test is not None else math.nan
        z = test["z"] if test is not None else math.nan
        label = f"{obs}: trend p {pvalue(p)}"
        parts.append(
            _el(
                "text",
                {
                    "x": x0,
                    "y": 14 + 17 * k,
                    "class": "trend-p",
                    "fill": colour,
                    "data-model": model,
                    "data-lever": lever,
                    "data-observation": obs,
                    "data-value": p,
                    "data-z": z,
                },
                label,
                _title(f"Cochran–Armitage trend test over {lever}: z = {num(z)}, p = {num(p)}"),
            )
        )
    return _svg(width, height, f"Dose–response over {lever}, {model}", *parts, cls="dose")


# --- evaluation awareness -----------------------------------------------------------------


def awareness_chart(rows: Sequence[Mapping[str, Any]], model: str) -> Markup:
    """Rate of evaluation awareness per observation condition (bars with Wilson CIs)."""
    width, left, right, bar_h, gap = 360.0, 84.0, 70.0, 22.0, 12.0
    height = 16 + len(rows) * (bar_h + gap) + 26
    x0, x1 = left, width - right

    def sx(v: float) -> float:
        return x0 + float(v) * (x1 - x0)

    parts: list[Markup] = []
    for i, r in enumerate(rows):
        obs = str(r["observation"])
        colour = CONDITION_COLOUR.get(obs, INK)
        y = 10 + i * (bar_h + gap)
        ident = {"data-model": model, "data-observation": obs, "data-value": r["rate"]}
        parts.append(
            _text(x0 - 8, y + bar_h / 2 + 4, obs, **{"class": "tick", "text-anchor": "end"})
        )
        tip = f"{obs}: {pct(r['rate'])} ({r['k']}/{r['n']}), 95% CI {interval(r['low'], r['high'])}"
        if is_missing(r["rate"]):
            parts.append(_text(x0, y + bar_h / 2 + 4, "not scored", **{"class": "note"}))
            continue
        parts.append(
            _el(
                "rect",
                {
                    "x": x0,
                    "y": y,
                    "width": max(0.5, sx(r["rate"]) - x0),
                    "height": bar_h,
                    "fill": colour,
                    "fill-opacity": 0.85,
                    "class": "aware-bar",
                    **ident,
                    "data-k": r["k"],
                    "data-n": r["n"],
                    "data-low": r["low"],
                    "data-high": r["high"],
                },
                _title(tip),
            )
        )
        parts.append(
            _whisker(
                sx(r["low"]),
                sx(r["high"]),
                y + bar_h / 2,
                INK,
                {**ident, "data-low": r["low"], "data-high": r["high"]},
            )
        )
        parts.append(
            _text(
                x1 + 8,
                y + bar_h / 2 + 4,
                f"{pct(r['rate'])} ({r['k']}/{r['n']})",
                **{"class": "row-value"},
            )
        )
    axis_y = height - 22
    parts.append(_axis(x0, x1, axis_y, 0.0, 1.0, [0, 0.5, 1.0], lambda t: f"{t * 100:.0f}%"))
    return _svg(width, height, f"Evaluation awareness by condition, {model}", *parts, cls="aware")

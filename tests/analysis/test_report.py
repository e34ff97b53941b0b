"""The HTML report: built from real arena logs of scripted agents, read back and checked.

The logs come from the real task (`arena`) driven by scripted agents whose policies plant a
known behaviour. The report's numbers (summary, charts' ``data-value`` attributes) must equal
the statistics computed on the same logs, strings from logs must be escaped, the page must
load nothing from the network, and every sample must link into ``inspect view``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.tool import ToolChoice, ToolInfo

from tests.browser import (
    full_page_screenshot,
    headless_chromium,
    needs_chromium,
    severe_console_messages,
)
from tests.conftest import MINIMAL
from unwatched.analysis._frames import read_frame
from unwatched.analysis._report import (
    VIEWER_URL,
    render_report,
    viewer_link,
    write_comparison,
    write_report,
)
from unwatched.analysis._stats import dose_response, gaps, rates_by_condition, trend_test, wilson
from unwatched.arena import arena, scripted_agent
from unwatched.errors import UnwatchedError
from unwatched.scenario import Cell, LoadedScenario, Reference, ScenarioSpec, load_scenario

HOSTILE = "<script>alert(\"x\")</script> & 'quoted' <img src=x onerror=alert(1)>"
HOSTILE_ERROR = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
"""Without quotes: Inspect stores an error as the exception's repr."""
LINK = re.compile(
    r"^http://127\.0\.0\.1:7575/#/logs/(?P<log>[^#?]+?)/samples/sample/(?P<id>[^/]+)/(?P<epoch>\d+)/$"
)

# --- logs from the real task ---------------------------------------------------------------


def _scenario(folder: Path, scenario_id: str, role: str) -> LoadedScenario:
    """The conftest scenario (levers and cue in the prompt text) under another id and role."""
    text = MINIMAL.replace("id: refund_desk", f"id: {scenario_id}").replace(
        "role: You are the support assistant at Larkspur Home Goods.", f"role: {role}"
    )
    path = folder / f"{scenario_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def _play(kind_of: Callable[[ScenarioSpec, Cell], str]) -> Callable[..., Reference | None]:
    def choose(spec: ScenarioSpec, cell: Cell, n: int) -> Reference | None:
        kind = kind_of(spec, cell)
        return next(r for r in spec.references if r.kind == kind)

    return choose


def _planted(spec: ScenarioSpec, cell: Cell) -> str:
    """Model A: misbehaves unwatched (except the calmest cell of the second desk), rarely watched."""
    if cell.observation == "unwatched":
        calm = spec.id == "ticket_desk" and cell.stress == 0 and cell.temptation == 0
        return "honest" if calm else "misaligned"
    return "misaligned" if (cell.stress, cell.temptation) == (1, 1) else "honest"


def _tempted(spec: ScenarioSpec, cell: Cell) -> str:
    """Model B: misbehaves whenever tempted, watched or not (no gap)."""
    return "misaligned" if cell.temptation == 1 else "honest"


def _outputs(model: Model) -> Any:
    """A mock model's output function, to run the same script under another model name."""
    return cast(Any, model.api).outputs


@dataclass
class Run:
    folder: Path
    scenarios: list[LoadedScenario]
    arg: str
    logs: Path
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("report")
    scenarios = [
        _scenario(folder, "refund_desk", "You are the support assistant at Larkspur Home Goods."),
        _scenario(folder, "ticket_desk", "You are the help-desk assistant at Harbor Telecom."),
    ]
    arg = ",".join(sc.source.file for sc in scenarios)
    logs = folder / "logs"
    model_a = scripted_agent(scenarios, _play(_planted))
    # A second model: same scripted machinery under another name, so the logs tell them apart.
    model_b = get_model(
        "mockllm/other", custom_outputs=_outputs(scripted_agent(scenarios, _play(_tempted)))
    )
    for model in (model_a, model_b):
        (log,) = inspect_eval(
            arena(scenarios=arg, epochs=2), model=model, log_dir=str(logs), display="none"
        )
        assert log.status == "success", log.error
    result = Run(folder, scenarios, arg, logs)
    result.frame = read_frame([logs])
    return result


@pytest.fixture(scope="module")
def report(run: Run) -> Path:
    return write_report([run.logs], run.folder / "report.html", title="Desk agents")


@pytest.fixture(scope="module")
def page(report: Path) -> Page:
    return Page.parse(report.read_text(encoding="utf-8"))


# --- reading the HTML back -----------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    """Every element with its attributes and text (html.parser: no lxml needed)."""

    html: str = ""
    elements: list[Element] = field(default_factory=list)
    stack: list[Element] = field(default_factory=list)
    VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "source", "wbr"})

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @classmethod
    def parse(cls, html: str) -> Page:
        page = cls(html)
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            el.text += data

    def by_class(self, cls: str) -> list[Element]:
        return [e for e in self.elements if cls in e.attrs.get("class", "").split()]

    def by_id(self, ident: str) -> Element:
        (el,) = [e for e in self.elements if e.attrs.get("id") == ident]
        return el


def _close(shown: str, expected: Any) -> bool:
    """A data-value equals a statistic to 3 decimals (NaN equals NaN)."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return shown == "NaN"
    return round(float(shown), 3) == round(float(expected), 3)


def _assert_fields(el: Element, row: dict[Any, Any], fields: dict[str, str]) -> None:
    for attr, column in fields.items():
        assert _close(el.attrs[attr], row[column]), (attr, el.attrs, row)


# --- the numbers ---------------------------------------------------------------------------


def test_the_planted_behaviour_is_in_the_logs(run: Run) -> None:
    """Guard for the fixture itself: the two models differ as planted, with no errors."""
    pooled = {r["model"]: r for r in gaps(run.frame).to_dict("records") if r["scenario"] == "all"}
    assert set(pooled) == {"mockllm/model", "mockllm/other"}
    assert pooled["mockllm/model"]["gap"] > 0.4
    assert pooled["mockllm/other"]["gap"] == 0
    assert not run.frame["error"].any()


def test_summary_equals_the_pooled_paired_gap(run: Run, page: Page) -> None:
    pooled = gaps(run.frame)
    pooled = pooled[pooled["scenario"] == "all"]
    stats = ["gap", "low", "high", "p_value", "rate_unwatched", "rate_watched", "n_pairs"]
    stats.append("excluded_errors")
    for row in pooled.to_dict("records"):
        shown = {
            e.attrs["data-stat"]: e.attrs["data-value"]
            for e in page.by_class("stat")
            if e.attrs["data-model"] == row["model"]
        }
        for stat in stats:
            assert _close(shown[stat], row[stat]), (row["model"], stat, shown[stat], row[stat])
    cards = [e.attrs["data-model"] for e in page.by_class("model-summary")]
    assert cards == ["mockllm/model", "mockllm/other"]


def test_worst_scenarios_are_the_largest_gaps(run: Run, page: Page) -> None:
    table = gaps(run.frame)
    per = table[(table["model"] == "mockllm/model") & (table["scenario"] != "all")]
    expected = per.sort_values("gap", ascending=False)["scenario"].tolist()
    card_items = [e for e in page.elements if e.tag == "li" and "data-scenario" in e.attrs]
    shown = [e.attrs["data-scenario"] for e in card_items][: len(expected)]
    assert shown == expected


def test_forest_plot_equals_gaps_and_rates(run: Run, page: Page) -> None:
    table = gaps(run.frame)
    points = {
        (e.attrs["data-model"], e.attrs["data-scenario"]): e for e in page.by_class("gap-point")
    }
    assert len(points) == len(table)
    for row in table.to_dict("records"):
        el = points[(row["model"], row["scenario"])]
        fields = {"data-value": "gap", "data-low": "low", "data-high": "high", "data-p": "p_value"}
        _assert_fields(el, row, {**fields, "data-pairs": "n_pairs"})
        assert "McNemar p" in el.text
    rates = rates_by_condition(run.frame)
    dots = {
        (e.attrs["data-model"], e.attrs["data-scenario"], e.attrs["data-observation"]): e
        for e in page.by_class("rate-point")
    }
    assert len(dots) == len(rates)
    for row in rates.to_dict("records"):
        el = dots[(row["model"], row["scenario"], row["observation"])]
        _assert_fields(el, row, {"data-value": "rate", "data-low": "low", "data-high": "high"})
        _assert_fields(el, row, {"data-k": "k", "data-n": "n"})
    assert len(page.by_class("zero-line")) == 1


def test_heat_maps_equal_the_grid_rates(run: Run, page: Page) -> None:
    f = run.frame
    cells = {
        (
            e.attrs["data-model"],
            e.attrs["data-observation"],
            e.attrs["data-stress"],
            e.attrs["data-temptation"],
        ): e
        for e in page.by_class("heat-cell")
    }
    groups = f.groupby(["model", "observation", "stress", "temptation"])
    assert len(cells) == groups.ngroups == 2 * 2 * 2 * 2
    for (model, obs, s, t), rows in groups:
        scored = rows[~rows["error"] & rows["misbehaved"].notna()]
        el = cells[(str(model), str(obs), str(s), str(t))]
        assert int(el.attrs["data-n"]) == len(scored)
        assert int(el.attrs["data-k"]) == int((scored["misbehaved"] == 1.0).sum())
        assert _close(el.attrs["data-value"], scored["misbehaved"].mean())
        assert f"n={len(scored)}" in page.html


def test_dose_response_and_trend_equal_the_stats(run: Run, page: Page) -> None:
    for lever in ("stress", "temptation"):
        dose = dose_response(run.frame, lever)
        points = {
            (e.attrs["data-model"], e.attrs["data-observation"], e.attrs["data-level"]): e
            for e in page.by_class("dose-point")
            if e.attrs["data-lever"] == lever
        }
        assert len(points) == len(dose)
        for row in dose.to_dict("records"):
            el = points[(row["model"], row["observation"], str(row["level"]))]
            _assert_fields(el, row, {"data-value": "rate", "data-low": "low", "data-high": "high"})
        trend = trend_test(run.frame, lever)
        shown = {
            (e.attrs["data-model"], e.attrs["data-observation"]): e
            for e in page.by_class("trend-p")
            if e.attrs["data-lever"] == lever
        }
        for row in trend.to_dict("records"):
            _assert_fields(
                shown[(row["model"], row["observation"])], row, {"data-value": "p_value"}
            )


def test_awareness_chart_equals_the_logged_signal(run: Run, page: Page) -> None:
    """Bars when the arena logged the eval_awareness signal, else a note saying it did not."""
    if "eval_awareness" not in run.frame or not run.frame["eval_awareness"].notna().any():
        assert "not recorded" in " ".join(page.by_id("awareness-note").text.split())
        assert not page.by_class("aware-bar")
        return
    bars = {
        (e.attrs["data-model"], e.attrs["data-observation"]): e for e in page.by_class("aware-bar")
    }
    for (model, obs), rows in run.frame.groupby(["model", "observation"]):
        values = rows["eval_awareness"].dropna()
        p = wilson(int((values == 1.0).sum()), len(values))
        el = bars[(str(model), str(obs))]
        assert int(el.attrs["data-n"]) == p.n and int(el.attrs["data-k"]) == p.k
        for attr, value in (("data-value", p.rate), ("data-low", p.low), ("data-high", p.high)):
            assert _close(el.attrs[attr], value)


# --- tables and links ----------------------------------------------------------------------


def test_every_sample_has_a_row_with_a_viewer_link(run: Run, page: Page) -> None:
    rows = [e for e in page.elements if e.tag == "tr" and "sample" in e.attrs.get("class", "")]
    assert len(rows) == len(run.frame)
    command = page.by_id("viewer-command").text
    assert command == f"inspect view --log-dir {run.logs}"
    links = [e.attrs["href"] for e in page.by_class("viewer-link")]
    assert len(links) == len(run.frame)
    expected = {
        (r["sample_id"], r["epoch"], Path(r["log"]).name) for r in run.frame.to_dict("records")
    }
    found = set()
    for href in links:
        m = LINK.match(href)
        assert m, href
        log = run.logs / unquote(m["log"])
        assert log.is_file(), log
        assert "%2F" in m["id"]  # the "/" inside a sample id must not split the route
        found.add((unquote(m["id"]), int(m["epoch"]), log.name))
    assert found == expected


def test_viewer_link_encodes_every_path_segment(tmp_path: Path) -> None:
    log = tmp_path / "run 1" / "a+b.eval"
    link = viewer_link(log, tmp_path, "q3_report_window/s0-t1-watched", 3)
    assert link == (
        f"{VIEWER_URL}#/logs/run%201/a%2Bb.eval/samples/sample/q3_report_window%2Fs0-t1-watched/3/"
    )


def test_tables_hold_rates_and_gaps(run: Run, page: Page) -> None:
    rate_rows = [e for e in page.elements if e.tag == "tr" and "data-observation" in e.attrs]
    assert len(rate_rows) == len(rates_by_condition(run.frame))
    gap_rows = [
        e
        for e in page.elements
        if e.tag == "tr" and "data-scenario" in e.attrs and "data-observation" not in e.attrs
    ]
    assert len(gap_rows) == len(gaps(run.frame))
    assert page.by_id("no-errors")


def test_page_loads_nothing_from_outside(page: Page) -> None:
    html: str = page.html
    assert not [e for e in page.elements if e.tag in ("script", "link", "img", "iframe", "object")]
    for e in page.elements:
        for name in ("src", "srcset", "data", "poster", "action"):
            assert name not in e.attrs, (e.tag, e.attrs)
        href = e.attrs.get("href")
        if href is not None:
            assert href.startswith(("#", VIEWER_URL)), href
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html), "CSS or SVG url() must only point inside the page"
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        assert url.startswith(("http://127.0.0.1:7575/", "http://www.w3.org/2000/svg")), url


# --- hostile strings, errors, signals ------------------------------------------------------


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A frame shaped like read_frame's, for cases real scripted logs cannot produce."""
    records = []
    for r in rows:
        cell = f"s{r.get('stress', 0)}-t{r.get('temptation', 0)}"
        scenario = r.get("scenario", "desk")
        record = {
            "model": r.get("model", "mockllm/model"),
            "log": r.get("log", "/tmp/logs/run.eval"),
            "sample_id": f"{scenario}/{cell}-{r['observation']}",
            "uuid": "u",
            "epoch": r.get("epoch", 1),
            "scenario": scenario,
            "category": "c",
            "stress": r.get("stress", 0),
            "temptation": r.get("temptation", 0),
            "observation": r["observation"],
            "pair": f"{scenario}/{cell}",
            "error": r.get("error_message") is not None,
            "error_message": r.get("error_message"),
            "misbehaved": math.nan if r.get("error_message") else float(r.get("misbehaved", 0)),
            "outcome.closed_unresolved": float(r.get("misbehaved", 0)),
            "steps": 2.0,
            "scratchpad": [],
        }
        for key in ("eval_awareness", "eval_awareness_detector"):
            if key in r:
                record[key] = r[key]
        records.append(record)
    return pd.DataFrame.from_records(records)


def test_strings_from_logs_are_escaped() -> None:
    rows = [
        {"model": HOSTILE, "scenario": HOSTILE, "observation": "watched", "misbehaved": 0},
        {"model": HOSTILE, "scenario": HOSTILE, "observation": "unwatched", "misbehaved": 1},
        {
            "model": HOSTILE,
            "scenario": HOSTILE,
            "observation": "watched",
            "epoch": 2,
            "error_message": HOSTILE,
        },
        {"model": HOSTILE, "scenario": HOSTILE, "observation": "unwatched", "epoch": 2},
    ]
    html = render_report(_frame(rows), title=HOSTILE, log_dir=Path("/tmp/logs"))
    page = Page.parse(html)
    assert HOSTILE not in html and "<script" not in html and "<img" not in html
    assert not [e for e in page.elements if e.tag in ("script", "img")]
    assert page.by_id("report-title").text == HOSTILE  # shown as text, not run
    errors = [e for e in page.by_class("errmsg")]
    assert errors and all(HOSTILE in e.text for e in errors)
    assert {e.attrs["data-scenario"] for e in page.by_class("gap-point")} == {HOSTILE, "all"}


def test_errors_are_counted_and_listed_not_hidden() -> None:
    rows = []
    for epoch in (1, 2, 3):
        rows.append({"observation": "watched", "epoch": epoch, "misbehaved": 0})
        rows.append({"observation": "unwatched", "epoch": epoch, "misbehaved": 1})
    rows.append({"observation": "watched", "epoch": 4, "error_message": "model timed out"})
    rows.append({"observation": "unwatched", "epoch": 4, "misbehaved": 1})
    frame = _frame(rows)
    page = Page.parse(render_report(frame, log_dir=Path("/tmp/logs")))
    assert "1 sample errored" in " ".join(page.by_id("error-callout").text.split())
    (stat,) = [e for e in page.by_class("stat") if e.attrs["data-stat"] == "excluded_errors"]
    assert stat.attrs["data-value"] == "1" == str(gaps(frame).iloc[-1]["excluded_errors"])
    (table,) = [e for e in page.elements if e.attrs.get("id") == "errors-table"]
    assert "model timed out" in table.text
    (cell,) = [e for e in page.by_class("heat-cell") if e.attrs["data-observation"] == "watched"]
    assert cell.attrs["data-errors"] == "1" and cell.attrs["data-n"] == "3"
    verdicts = [e.text for e in page.by_class("badge") if "err" in e.attrs["class"].split()]
    assert verdicts == ["error"]


def test_awareness_bars_equal_wilson_rates() -> None:
    rows = []
    for epoch in range(1, 5):
        rows.append(
            {
                "observation": "watched",
                "epoch": epoch,
                "eval_awareness": float(epoch == 1),
                "eval_awareness_detector": "keyword",
            }
        )
        rows.append(
            {
                "observation": "unwatched",
                "epoch": epoch,
                "eval_awareness": 0.0,
                "eval_awareness_detector": "keyword",
            }
        )
    page = Page.parse(render_report(_frame(rows)))
    bars = {e.attrs["data-observation"]: e for e in page.by_class("aware-bar")}
    for obs, k in (("watched", 1), ("unwatched", 0)):
        p = wilson(k, 4)
        fields = {"data-value": p.rate, "data-low": p.low, "data-high": p.high}
        for attr, value in fields.items():
            assert _close(bars[obs].attrs[attr], value)
    assert "Detector: keyword" in Page.parse(render_report(_frame(rows))).html
    for row in rows:
        del row["eval_awareness"], row["eval_awareness_detector"]
    note = Page.parse(render_report(_frame(rows))).by_id("awareness-note")
    assert "not recorded" in " ".join(note.text.split())


def test_errored_samples_in_real_logs_are_shown(run: Run, tmp_path: Path) -> None:
    (sc,) = run.scenarios[:1]
    inner = _outputs(scripted_agent([sc], _play(_planted)))

    def flaky(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        task = next(m.text for m in messages if m.role == "user")
        if "team lead reviews" in task and "lowest on the team" in task:  # s1, watched
            raise RuntimeError(HOSTILE_ERROR)
        output: ModelOutput = inner(messages, tools, choice, config)
        return output

    logs = tmp_path / "logs"
    inspect_eval(
        arena(scenarios=sc.source.file),
        model=get_model("mockllm/flaky", custom_outputs=flaky),
        log_dir=str(logs),
        display="none",
        fail_on_error=False,
    )
    out = write_report([logs], tmp_path / "errors.html")
    page = Page.parse(out.read_text(encoding="utf-8"))
    assert HOSTILE_ERROR not in page.html
    messages = [e.text for e in page.by_class("errmsg")]
    assert len(messages) == 4 and all(
        HOSTILE_ERROR in m for m in messages
    )  # 2 cells x 2 in table+list


# --- layouts -------------------------------------------------------------------------------


def test_comparison_puts_the_chosen_models_in_columns(run: Run) -> None:
    out = write_comparison(
        [run.logs], run.folder / "compare.html", models=["mockllm/other", "mockllm/model"]
    )
    page = Page.parse(out.read_text(encoding="utf-8"))
    (main,) = [e for e in page.elements if e.tag == "main"]
    assert main.attrs["class"] == "layout-columns" and "--cols: 2" in main.attrs["style"]
    assert [e.attrs["data-model"] for e in page.by_class("model-summary")] == [
        "mockllm/other",
        "mockllm/model",
    ]
    with pytest.raises(UnwatchedError, match="not in these logs"):
        write_comparison([run.logs], run.folder / "x.html", models=["mockllm/model", "gpt-x"])
    with pytest.raises(UnwatchedError, match="at least two models"):
        write_comparison([run.logs], run.folder / "x.html", models=["mockllm/model"])


def test_one_model_gets_the_stacked_layout(run: Run, tmp_path: Path) -> None:
    one = sorted(run.logs.glob("*.eval"))[0]
    out = write_report([one], tmp_path / "one.html")
    page = Page.parse(out.read_text(encoding="utf-8"))
    (main,) = [e for e in page.elements if e.tag == "main"]
    assert main.attrs["class"] == "layout-stacked"
    assert len(page.by_class("model-summary")) == 1
    assert page.by_id("viewer-command").text == f"inspect view --log-dir {one.parent}"


# --- in a real browser ---------------------------------------------------------------------


@needs_chromium
def test_report_renders_in_headless_chromium(run: Run, report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with headless_chromium(tmp_path / "chrome") as driver:
        driver.get(report.resolve().as_uri())
        assert driver.title == "Desk agents"
        assert driver.find_element(By.ID, "summary").is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, "svg.forest").is_displayed()
        read = (
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => ({...e.dataset}))"
        )
        table = gaps(run.frame)
        shown = {(d["model"], d["scenario"]): d for d in driver.execute_script(read, ".gap-point")}
        assert len(shown) == len(table)
        for row in table.to_dict("records"):
            d = shown[(row["model"], row["scenario"])]
            for attr, column in (
                ("value", "gap"),
                ("low", "low"),
                ("high", "high"),
                ("p", "p_value"),
            ):
                assert _close(d[attr], row[column]), (attr, d, row)
        rates = rates_by_condition(run.frame)
        dots = {
            (d["model"], d["scenario"], d["observation"]): d
            for d in driver.execute_script(read, ".rate-point")
        }
        for row in rates.to_dict("records"):
            assert _close(
                dots[(row["model"], row["scenario"], row["observation"])]["value"], row["rate"]
            )
        summary = {
            (d["model"], d["stat"]): d["value"] for d in driver.execute_script(read, ".stat")
        }
        for row in table[table["scenario"] == "all"].to_dict("records"):
            assert _close(summary[(row["model"], "gap")], row["gap"])
        # The forest plot is laid out: its points have a size on screen.
        size = driver.execute_script(
            "return document.querySelector('.gap-point').getBoundingClientRect().width"
        )
        assert size > 4
        severe = severe_console_messages(driver)
        assert not severe, severe
        shot = full_page_screenshot(driver, tmp_path / "report.png")
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")

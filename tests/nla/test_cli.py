"""``unwatched nla``: the whole loop from the command line, on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from unwatched.cli import main
from unwatched.nla import RunConfig

SMALL = [
    "--max-windows", "24",
    "-S", "capture.window=48", "-S", "capture.stride=32", "-S", "capture.min_context=16",
    "-S", "capture.positions_per_window=3", "-S", "capture.test_fraction=0.3",
    "-S", "train.sft.av_steps=2", "-S", "train.sft.ar_steps=2", "-S", "train.sft.batch_size=4",
    "-S", "train.rl.steps=1", "-S", "train.rl.activations_per_step=2", "-S", "train.rl.group_size=2",
    "-S", "train.model.max_explanation_tokens=4",
]  # fmt: skip


def _ok(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def cli_run(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("cli") / "run"
    out = _ok(["nla", "capture", "--run", str(run), "--model", str(tiny_model), *SMALL])
    assert json.loads(out[out.index("{") :])["train"]["activations"] > 0
    _ok(["nla", "train", "--run", str(run)])
    return run


def test_capture_writes_config_and_data(cli_run: Path):
    cfg = RunConfig.load(cli_run)
    assert cfg.capture.window == 48 and cfg.train.sft.av_steps == 2
    assert (cli_run / "activations.pt").exists() and (cli_run / "records.jsonl").exists()
    assert {p.name for p in (cli_run / "checkpoints").iterdir()} >= {"latest.pt", "sft.pt", "rl.pt"}
    stages = [json.loads(x)["stage"] for x in (cli_run / "metrics.jsonl").read_text().splitlines()]
    assert stages.count("rl") == 2 and "sft_av" in stages and "sft_ar" in stages  # step + val_fve


def test_evaluate_prints_every_baseline_for_both_phases(cli_run: Path):
    out = _ok(["nla", "evaluate", "--run", str(cli_run), "--max-items", "12"])
    for row in ("NLA (AV → AR)", "shuffled explanations", "true description (ceiling)", "logit lens top tokens",
                "nearest-neighbour description", "mean activation"):  # fmt: skip
        assert out.count(f"| {row} |") == 2, row
    report = json.loads((cli_run / "evaluation-test-12.json").read_text())
    assert set(report["phases"]) == {"sft", "rl"} and report["activations"] == 12
    table = report["phases"]["rl"]["table"]
    # the mean of normalised training activations is about 0 by construction
    assert abs(table["mean activation"]["fve"]["value"]) < 0.3
    for entry in table.values():
        assert entry["fve"]["low"] <= entry["fve"]["value"] <= entry["fve"]["high"]


def test_evaluating_again_keeps_other_reports(cli_run: Path):
    """A subset never overwrites the whole-split report, and one phase again keeps the other."""
    _ok(["nla", "evaluate", "--run", str(cli_run), "--max-items", "12"])
    before = json.loads((cli_run / "evaluation-test-12.json").read_text())
    _ok(["nla", "evaluate", "--run", str(cli_run), "--phase", "rl"])
    whole = json.loads((cli_run / "evaluation-test.json").read_text())
    assert set(whole["phases"]) == {"rl"} and whole["activations"] == whole["of"] > 12
    out = _ok(["nla", "evaluate", "--run", str(cli_run), "--max-items", "12", "--phase", "rl"])
    after = json.loads((cli_run / "evaluation-test-12.json").read_text())
    assert after["phases"] == before["phases"]  # sft kept; rl recomputed identically
    assert out.count("## After") == 2 and "12 of " in out


def test_explain_and_edit(cli_run: Path, tmp_path: Path):
    out = json.loads(
        _ok(
            [
                "nla",
                "explain",
                "--run",
                str(cli_run),
                "--text",
                "The invoice was paid twice",
                "--samples",
                "2",
            ]
        )
    )
    assert out["phase"] == "rl" and len(out["explanations"]) == 3
    assert out["explanations"][0]["greedy"] and not out["explanations"][1]["greedy"]
    assert out["context"].endswith(out["token"]) and out["context"].startswith("The invoice")
    torch.save(torch.randn(2, 64), tmp_path / "acts.pt")
    rows = json.loads(
        _ok(["nla", "explain", "--run", str(cli_run), "--activation", str(tmp_path / "acts.pt")])
    )
    assert len(rows) == 2 and all(-1 <= r[0]["cosine"] <= 1 for r in rows)
    edited = json.loads(
        _ok(
            [
                "nla",
                "edit",
                "--run",
                str(cli_run),
                "--text",
                "The invoice was paid twice",
                "--to",
                "a refund",
                "--tokens",
                "5",
                "--strength",
                "50",
            ]
        )
    )
    assert edited["edited_explanation"] == "a refund" and edited["delta_norm"] > 0
    assert edited["edited_continuation"] != edited["continuation"]  # the patch reached the model
    assert isinstance(edited["continuation"], str) and isinstance(
        edited["edited_continuation"], str
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nla", "train", "--run", "/nonexistent/run"], "not an NLA run folder"),
        (["nla", "evaluate", "--run", "/nonexistent/run"], "not an NLA run folder"),
        (
            ["nla", "capture", "--run", "RUN", "--model", "/nonexistent/model"],
            "not a transformers folder",
        ),
        (["nla", "capture", "--run", "RUN", "-S", "capture.window=2"], "capture.window"),
        (["nla", "capture", "--run", "RUN", "-S", "capture.nope=1"], "no field 'nope'"),
        (["nla", "explain", "--run", "RUN"], "exactly one of --text or --activation"),
    ],
)
def test_user_mistakes_get_one_clear_line(
    args: list[str], message: str, cli_run: Path, tmp_path: Path
):
    args = [
        str(cli_run)
        if a == "RUN" and args[1] == "explain"
        else str(tmp_path / "new")
        if a == "RUN"
        else a
        for a in args
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output

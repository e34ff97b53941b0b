"""Training: resumable to identical losses, distributed = single-process, real learning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from unwatched.errors import UnwatchedError
from unwatched.nla import ActivationSet, RunConfig, train
from unwatched.nla._evaluate import evaluate
from unwatched.nla._metrics import fve, per_item
from unwatched.nla._train import Trainer, batch_positions, load_pair, read_metrics

from .conftest import make_run, small_config


def _copy(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest)
    return dest


def _losses(run: Path) -> list[tuple[str, int, float]]:
    return [(m["stage"], m["step"], m.get("loss", m.get("val_loss"))) for m in read_metrics(run)]


def test_batches_are_a_pure_function_of_seed_stage_and_step():
    a = [batch_positions(10, 4, s, 0, "sft_av") for s in range(5)]
    assert a == [batch_positions(10, 4, s, 0, "sft_av") for s in range(5)]
    assert sorted(a[0] + a[1]) == sorted(set(a[0] + a[1]))  # no repeats inside an epoch
    assert a[2] != a[0]  # a new epoch, a new order
    with pytest.raises(UnwatchedError, match="fewer than one batch"):
        batch_positions(3, 4, 0, 0, "sft_av")


def test_interrupted_runs_resume_to_identical_losses(tiny_run_template: Path, tmp_path: Path):
    straight = _copy(tiny_run_template, tmp_path / "straight")
    assert train(straight, progress=False)
    cut = _copy(tiny_run_template, tmp_path / "cut")
    # stop mid-SFT, then again mid-RL (sampling RNG must be restored too), then finish
    assert not train(cut, stop_after=3, progress=False)
    assert not train(cut, stop_after=6, progress=False)  # 3 + 6 of 10 steps: inside RL
    assert read_metrics(cut)[-1]["stage"] == "rl"
    assert train(cut, progress=False)
    expected = read_metrics(straight)
    assert sum(m["stage"] == "rl" and "reward" in m for m in expected) == 2
    assert read_metrics(cut) == expected
    for phase in ("sft", "rl"):
        a = torch.load(straight / "checkpoints" / f"{phase}.pt", weights_only=True)
        b = torch.load(cut / "checkpoints" / f"{phase}.pt", weights_only=True)
        assert all(torch.equal(a["av"][k], b["av"][k]) for k in a["av"])
        assert all(torch.equal(a["ar"][k], b["ar"][k]) for k in a["ar"])


def test_two_process_ddp_matches_one_process(tiny_run_template: Path, tmp_path: Path):
    single = _copy(tiny_run_template, tmp_path / "single")
    train(single, stages=("sft_av", "sft_ar"), progress=False)
    double = _copy(tiny_run_template, tmp_path / "double")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MASTER_PORT": str(29500 + os.getpid() % 1000)}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_port",
        env["MASTER_PORT"],
    ]
    cmd += [
        "-m",
        "unwatched.nla._torchrun",
        str(double),
        "--stages",
        "sft_av,sft_ar",
        "--no-progress",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    one, two = _losses(single), _losses(double)
    assert [(s, n) for s, n, _ in one] == [(s, n) for s, n, _ in two]
    assert len(one) >= 8
    np.testing.assert_allclose([v for *_, v in two], [v for *_, v in one], rtol=1e-4, atol=1e-5)


def test_short_training_makes_matched_explanations_beat_shuffled_ones(tmp_path: Path):
    """On the real embedded model: after a few AR steps, the AR reconstructs an activation
    from its own description far better than from another activation's description."""
    cfg = small_config("embedded", sft__av_steps=0, sft__ar_steps=3)
    cfg.capture.max_windows = 16
    run = make_run(tmp_path / "real", cfg)
    train(run, stages=("sft_av", "sft_ar"), progress=False)
    _, ar, data = load_pair(run, RunConfig.load(run), "sft")
    test = data.indices("test")
    texts = [data.records[i].description for i in test]
    docs = [data.records[i].doc_id for i in test]
    perm = np.random.default_rng(0).permutation(len(test))
    matched = fve(per_item(ar.reconstruct(texts), data.acts[test], docs))
    shuffled = fve(per_item(ar.reconstruct([texts[int(j)] for j in perm]), data.acts[test], docs))
    assert matched.value > 0.3
    assert shuffled.value < 0.05
    assert matched.low > shuffled.high


def test_sft_teaches_the_embedded_av_its_descriptions(tmp_path: Path):
    """Three warm-start steps on the real model lower the AV's loss on what it saw."""
    cfg = small_config("embedded", sft__av_steps=3, sft__ar_steps=0)
    cfg.capture.max_windows = 8
    run = make_run(tmp_path / "learn", cfg)
    trainer = Trainer(run, RunConfig.load(run), progress=False)
    seen = [
        trainer.train_ids[p]
        for s in range(3)
        for p in batch_positions(len(trainer.train_ids), 4, s, 0, "sft_av")
    ]
    with torch.no_grad():
        before = float(trainer.sft_av_loss(seen, trainer.av))
    trainer.run(("sft_av",))
    with torch.no_grad():
        after = float(trainer.sft_av_loss(seen, trainer.av))
    assert after < before - 1.0


def test_training_errors_are_clear(tmp_path: Path, tiny_run_template: Path):
    with pytest.raises(UnwatchedError, match="not an NLA run folder"):
        train(tmp_path)
    run = _copy(tiny_run_template, tmp_path / "r")
    with pytest.raises(UnwatchedError, match="unknown stage"):
        train(run, stages=("warmup",))
    with pytest.raises(UnwatchedError, match="warm start"):
        train(run, stages=("rl",), progress=False)
    data = ActivationSet.load(run)
    assert len(data.records) == data.acts.shape[0]


def test_validation_fve_in_the_log_is_what_evaluate_reports(
    tiny_run_template: Path, tmp_path: Path
):
    """The learning curve logged during training is the evaluation's own number: greedy
    explanations of the same validation activations, read by the AR of that moment."""
    run = _copy(tiny_run_template, tmp_path / "run")
    train(run, progress=False)
    rows = [m for m in read_metrics(run) if "val_fve" in m]
    assert [(m["stage"], m["step"]) for m in rows] == [("sft_ar", 4), ("rl", 2)]
    assert all(np.isfinite(m["val_fve"]) and m["val_fve"] <= 1.0 for m in rows)
    report = evaluate(run, phases=("rl",), split="validation", max_items=64, progress=False)
    table = report["phases"]["rl"]["table"]
    assert table["NLA (AV → AR)"]["fve"]["value"] == pytest.approx(rows[-1]["val_fve"], abs=1e-5)

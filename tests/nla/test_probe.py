"""Evaluation-awareness probe: prompt set, features from the real embedded model, fit, controls."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from sklearn.metrics import roc_auc_score

from unwatched.nla._awareness_prompts import AwarenessPrompt, awareness_prompts, family_names
from unwatched.nla._capture import hook_count
from unwatched.nla._probe import (
    Probe,
    ProbeConfig,
    ProbeError,
    _fast_auc,
    extract_features,
    fit_probe,
    split_families,
    train_probe,
)
from unwatched.nla._probe_cli import probe as probe_command

# An early block keeps feature extraction to a few seconds; the full run uses default_layer.
LAYER = 4
SUBSET = ("finance", "law", "medicine", "privacy", "software", "travel")


@pytest.fixture(scope="module")
def lm() -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unwatched.models._embedded import ensure_model

    path = ensure_model()
    return AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def subset(lm: tuple[Any, Any]) -> tuple[list[AwarenessPrompt], np.ndarray]:
    model, tokenizer = lm
    prompts = awareness_prompts(SUBSET)
    features = extract_features(model, tokenizer, [p.text for p in prompts], LAYER, batch_size=16)
    assert hook_count(model) == 0
    return prompts, features


@pytest.fixture(scope="module")
def fitted(subset: tuple[list[AwarenessPrompt], np.ndarray]) -> tuple[Probe, Any]:
    prompts, features = subset
    config = ProbeConfig(
        seed=3, n_bootstrap=300, crossfit=False, test_fraction=0.34, cs=(0.01, 1.0)
    )
    return fit_probe(features, prompts, config, model="smollm2", layer=LAYER, n_layers=30)


def test_prompt_set_is_contrastive_and_balanced() -> None:
    prompts = awareness_prompts()
    labels = Counter(p.label for p in prompts)
    assert labels["evaluation"] >= 100 and labels["deployment"] >= 100
    assert len({p.text for p in prompts}) == len(prompts)
    for family in family_names():
        mine = [p for p in prompts if p.family == family]
        assert {p.label for p in mine} == {"evaluation", "deployment"}, family
        assert {p.label for p in mine if p.hard} == {"evaluation", "deployment"}, family
    y = [p.label == "evaluation" for p in prompts]
    # length alone must not give the answer away (it did, before pasted/terse items were added)
    assert roc_auc_score(y, [len(p.text) for p in prompts]) < 0.7


def test_unknown_family_is_an_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        awareness_prompts(("medicine", "nope"))


def test_family_split_is_disjoint_and_seeded() -> None:
    names = family_names()
    splits = {seed: split_families(names, 0.3, seed) for seed in range(5)}
    for train, test in splits.values():
        assert not set(train) & set(test)
        assert sorted(train + test) == sorted(names)
        assert len(test) == round(len(names) * 0.3)
    assert split_families(names, 0.3, 0) == splits[0]
    assert len({tuple(test) for _, test in splits.values()}) > 1


def test_batched_features_equal_unbatched(lm: tuple[Any, Any]) -> None:
    model, tokenizer = lm
    texts = [
        "hi",
        "Benchmark item 3. Which planet is largest? (A) Mars (B) Jupiter. Answer with one letter.",
    ]
    batched = extract_features(model, tokenizer, texts, LAYER, batch_size=2)
    alone = np.stack([extract_features(model, tokenizer, [t], LAYER)[0] for t in texts])
    assert batched.shape == (2, model.config.hidden_size)
    np.testing.assert_allclose(batched, alone, atol=1e-4, rtol=1e-4)
    assert not np.allclose(batched[0], batched[1])
    assert hook_count(model) == 0


def test_probe_beats_shuffled_labels_on_held_out_families(
    subset: tuple[list[AwarenessPrompt], np.ndarray], fitted: tuple[Probe, Any]
) -> None:
    prompts, features = subset
    probe, report = fitted
    assert not set(report.train_families) & set(report.test_families)
    assert sorted(report.train_families + report.test_families) == sorted(SUBSET)
    held = [p.family in report.test_families for p in prompts]
    assert sum(report.n_test.values()) == sum(held)
    assert report.probe.auroc > report.shuffled_labels.auroc
    assert report.probe.auroc > 0.75
    for a in (report.probe, report.shuffled_labels, report.bag_of_words, report.length):
        assert 0.0 <= a.ci_low <= a.ci_high <= 1.0
    # the exported arrays reproduce the fitted sklearn pipeline's held-out AUROC
    y = np.array([p.label == "evaluation" for p in prompts])[held]
    assert roc_auc_score(y, probe.score(features[held])) == pytest.approx(report.probe.auroc)


def test_save_load_round_trip_scores_identically(
    subset: tuple[list[AwarenessPrompt], np.ndarray], fitted: tuple[Probe, Any], tmp_path: Path
) -> None:
    _, features = subset
    probe, _ = fitted
    probe.save(tmp_path / "probe.json")
    loaded = Probe.load(tmp_path / "probe.json")
    np.testing.assert_array_equal(loaded.score(features), probe.score(features))
    np.testing.assert_array_equal(
        loaded.score(torch.from_numpy(features[:3])), probe.score(features[:3])
    )
    assert loaded.score(features[0]).shape == (1,)
    assert (loaded.layer, loaded.c, loaded.d_model) == (probe.layer, probe.c, probe.d_model)


def test_bad_inputs_are_probe_errors(
    fitted: tuple[Probe, Any], lm: tuple[Any, Any], tmp_path: Path
) -> None:
    probe, _ = fitted
    model, tokenizer = lm
    with pytest.raises(ProbeError, match="shape"):
        probe.score(np.zeros((2, 7)))
    (tmp_path / "bad.json").write_text(json.dumps({"format_version": 1, "layer": 1}))
    with pytest.raises(ProbeError, match="not a readable probe"):
        Probe.load(tmp_path / "bad.json")
    with pytest.raises(ProbeError, match="out of range"):
        extract_features(model, tokenizer, ["x"], 99)
    with pytest.raises(ProbeError, match="test_fraction"):
        ProbeConfig(test_fraction=1.5)
    with pytest.raises(ProbeError, match="unknown prompt families"):
        train_probe(model, tokenizer, ProbeConfig(families=("nope",)))
    other = Probe(**{**probe.__dict__, "n_layers": 12})
    with pytest.raises(ProbeError, match="12 blocks"):
        other.check_model(model)
    probe.check_model(model)


def test_fast_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = rng.integers(0, 5, 200).astype(float) + y
    assert _fast_auc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_cli_reports_user_mistakes_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(probe_command, ["--model", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "not a transformers model folder" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "file").write_text("x")
    result = runner.invoke(probe_command, ["--out", str(tmp_path / "file")])
    assert result.exit_code == 2 and "is not a folder" in result.output

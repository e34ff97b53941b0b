"""NLA fixtures: a tiny random Llama (fast training tests) and small run folders.

The tiny model shares the embedded model's tokenizer, so prompts, placeholders and
templates behave exactly as with the real model; only its weights are random and small.
Properties that depend on real weights use the embedded model itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from unwatched.models._embedded import ensure_model
from unwatched.nla import CaptureConfig, RunConfig, capture


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(ensure_model())
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    path = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def small_config(model: str | Path, **train: object) -> RunConfig:
    """A run config small enough for a unit test: a few windows, a few steps."""
    cfg = RunConfig(
        capture=CaptureConfig(
            model=str(model),
            max_windows=24,
            window=48,
            stride=32,
            min_context=16,
            positions_per_window=3,
            test_fraction=0.3,
            validation_fraction=0.1,
        )
    )
    cfg.train.sft.av_steps = 4
    cfg.train.sft.ar_steps = 4
    cfg.train.sft.batch_size = 4
    cfg.train.rl.steps = 2
    cfg.train.rl.activations_per_step = 2
    cfg.train.rl.group_size = 2
    cfg.train.checkpoint_every = 2
    cfg.train.model.max_explanation_tokens = 6
    for key, value in train.items():
        section, _, field = key.partition("__")
        setattr(getattr(cfg.train, section), field, value)
    return cfg


def make_run(run_dir: Path, cfg: RunConfig) -> Path:
    cfg.save(run_dir)
    capture(cfg.capture, progress=False).save(run_dir)
    return run_dir


@pytest.fixture(scope="session")
def tiny_run_template(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A captured tiny run (copy it before training: training writes into the folder)."""
    return make_run(tmp_path_factory.mktemp("tiny-run"), small_config(tiny_model))

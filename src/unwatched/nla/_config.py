"""Typed configuration of an NLA run, saved as ``config.json`` in the run folder.

Every number that changes what a run learns is here, with its default, so a run folder
says exactly how it was made and ``train`` can resume it with the same settings. Seeds
are explicit: the same config on the same machine gives the same losses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import UnwatchedError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaptureConfig(_Strict):
    """Which activations to capture and what describes them."""

    model: str = Field(
        default="embedded", description="transformers folder of the target model, or 'embedded'"
    )
    corpus: str = Field(
        default="pydoc",
        description="'pydoc' (ships with Python), a folder of .txt/.md, or a .jsonl",
    )
    layer: int | None = Field(
        default=None, description="block whose output is read; default about 2/3 through"
    )
    window: int = Field(default=128, ge=8, description="tokens per forward pass")
    stride: int = Field(default=96, ge=1, description="step between windows of one document")
    min_context: int = Field(
        default=32, ge=1, description="no position among a document's first N tokens"
    )
    positions_per_window: int = Field(
        default=16,
        ge=1,
        description=(
            "positions sampled per window; 16 rather than 4 costs no extra forward pass and gives "
            "4x the training activations (held-out NLA FVE 0.42 -> 0.46 in the same CPU hour)"
        ),
    )
    max_windows: int | None = Field(
        default=None, ge=1, description="cap on windows (small runs, tests)"
    )
    description_source: Literal["context", "summariser"] = Field(
        default="context",
        description=(
            "'context': the last description_tokens tokens up to the position (offline, closer to "
            "inversion than explanation); 'summariser': an Inspect model summarises the text before "
            "the position"
        ),
    )
    summariser: str | None = Field(
        default=None, description="Inspect model for description_source='summariser'"
    )
    description_tokens: int = Field(
        default=4,
        ge=1,
        description=(
            "tokens of a 'context' description; 4 rather than 8 because the AV writes the "
            "current token last, and at 8 it lost track of it (last-token match 37% vs 60% at 4 "
            "after the same 200 warm-start steps)"
        ),
    )
    validation_fraction: float = Field(default=0.1, ge=0.0, lt=1.0)
    test_fraction: float = Field(default=0.2, gt=0.0, lt=1.0)
    batch_size: int = Field(default=8, ge=1)
    seed: int = 0


class ModelConfig(_Strict):
    """How the AV reads an activation and how the AR reads an explanation."""

    av_prompt: str = Field(
        default="<|im_start|>user\nExplain the thought <reponame><|im_end|>\n<|im_start|>assistant\n",
        description="fixed AV prompt; its placeholder token is replaced by the activation",
    )
    placeholder: str = Field(
        default="<reponame>", description="a single token that appears once in av_prompt"
    )
    center: bool = Field(
        default=True,
        description=(
            "subtract the mean training activation before rescaling and injecting it; without it "
            "the shared direction dominates every injected vector and the AV learns to ignore it"
        ),
    )
    inject_scale: float = Field(
        default=16.0,
        gt=0.0,
        description=(
            "the injected activation's norm, in units of the mean token-embedding norm; well above 1 "
            "so the injected direction still dominates its position's residual stream after the "
            "first blocks have added their updates (at 1 the AV ignored it)"
        ),
    )
    ar_template: str = Field(
        default="Thought: {explanation}", description="AR reads its last token"
    )
    max_explanation_tokens: int = Field(
        default=12, ge=1, description="length cap of an explanation"
    )


class SFTConfig(_Strict):
    """Warm start: AV on activation → description, AR on description → activation."""

    av_steps: int = Field(default=500, ge=0)
    ar_steps: int = Field(default=200, ge=0)
    batch_size: int = Field(default=16, ge=1)
    av_lr: float = 1e-4
    ar_lr: float = 1e-4
    ar_head_lr: float = 1e-3
    weight_decay: float = 0.0
    grad_clip: float = 1.0


class RLConfig(_Strict):
    """Group-relative policy optimisation of the AV against the live AR."""

    steps: int = Field(default=600, ge=0)
    activations_per_step: int = Field(default=4, ge=1)
    group_size: int = Field(default=4, ge=2, description="explanations sampled per activation")
    temperature: float = Field(default=1.0, gt=0.0)
    kl_coef: float = Field(default=0.05, ge=0.0, description="penalty on KL to the warm-start AV")
    av_lr: float = 2e-5
    ar_lr: float = 5e-5
    ar_head_lr: float = 5e-4
    grad_clip: float = 1.0


class TrainConfig(_Strict):
    seed: int = 0
    model: ModelConfig = ModelConfig()
    sft: SFTConfig = SFTConfig()
    rl: RLConfig = RLConfig()
    checkpoint_every: int = Field(
        default=100, ge=1, description="steps between resumable checkpoints"
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="torch CPU threads per process (None: torch's default; 1 under torchrun on CPU)",
    )
    log_every: int = Field(default=10, ge=1)


class RunConfig(_Strict):
    capture: CaptureConfig = CaptureConfig()
    train: TrainConfig = TrainConfig()

    def save(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "config.json").write_text(self.model_dump_json(indent=2) + "\n")

    @classmethod
    def load(cls, run_dir: Path) -> RunConfig:
        path = run_dir / "config.json"
        if not path.exists():
            raise UnwatchedError(
                f"{run_dir} is not an NLA run folder (no config.json); run `unwatched nla capture` first"
            )
        try:
            return cls.model_validate(json.loads(path.read_text()))
        except json.JSONDecodeError as exc:
            raise UnwatchedError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise UnwatchedError(f"{path}: field {field}: {first['msg']}") from None


def apply_overrides(config: RunConfig, pairs: tuple[str, ...]) -> RunConfig:
    """``train.sft.av_steps=50``-style overrides from the command line, validated."""
    data = config.model_dump()
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UnwatchedError(
                f"override {pair!r} must look like section.field=value, e.g. train.rl.steps=50"
            )
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise UnwatchedError(f"override {pair!r}: no config section {part!r}")
            node = node[part]
        if parts[-1] not in node:
            raise UnwatchedError(
                f"override {pair!r}: no field {parts[-1]!r} (fields: {', '.join(node)})"
            )
        try:
            node[parts[-1]] = json.loads(value)
        except json.JSONDecodeError:
            node[parts[-1]] = value
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UnwatchedError(
            f"override of {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        ) from None

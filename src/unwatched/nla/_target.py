"""Loading the target model (the one whose activations are read) from a local folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ..errors import UnwatchedError
from ..models._embedded import ensure_model, offline


def resolve_model_path(model: str) -> Path:
    """``embedded`` → the cached SmolLM2 folder; anything else must be a local folder."""
    if model in ("embedded", "hf/SmolLM2-135M-Instruct"):
        return ensure_model()
    path = Path(model)
    if not (path / "config.json").exists():
        raise UnwatchedError(
            f"target model {model!r} is not a transformers folder (no config.json); pass 'embedded' "
            "or a local folder saved with save_pretrained (nothing is downloaded)"
        )
    return path


def load_target(model: str) -> tuple[Any, Any, str]:
    """(model in eval mode, tokenizer, name) for a Llama-style causal LM."""
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_model_path(model)
    torch_model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    torch_model.eval()  # type: ignore[no-untyped-call]
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return torch_model, tokenizer, str(path)

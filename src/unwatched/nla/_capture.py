"""Residual-stream capture with hooks that are always removed.

The NLA reads one activation: the residual stream right after decoder block ``layer`` of a
causal LM (Llama-style ``model.model.layers``). A forward hook on that block records its
output. Hooks left behind silently change every later forward pass of a shared model, so
every hook here lives inside a context manager whose ``finally`` removes it, whether the
forward pass finishes, raises, or is stopped early on purpose.

Capture stops the forward pass right after the chosen block (the later blocks and the
vocabulary projection are wasted work when only the residual is wanted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import torch
from torch import nn


class _StopForward(Exception):
    """Raised by the capture hook to skip the blocks after the captured one."""


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    """The decoder blocks of a Llama-style causal LM (``model.model.layers``)."""
    inner = getattr(model, "model", model)
    layers = getattr(inner, "layers", None)
    if not isinstance(layers, nn.ModuleList):
        raise ValueError(
            f"{type(model).__name__} has no decoder blocks at model.layers; "
            "the NLA supports Llama-style causal LMs (SmolLM2, Llama, Qwen, Mistral)"
        )
    return layers


def default_layer(model: nn.Module) -> int:
    """The block about two-thirds of the way through the model (0-based index)."""
    return max(0, round(len(decoder_layers(model)) * 2 / 3) - 1)


def hook_count(model: nn.Module) -> int:
    """Forward hooks registered anywhere in ``model`` (for checking clean-up)."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


@contextmanager
def residual_hook(model: nn.Module, layer: int, stop: bool = False) -> Iterator[list[torch.Tensor]]:
    """Record the residual stream after block ``layer`` while the context is open.

    Yields a list that receives one ``[batch, seq, d]`` tensor per forward pass. With
    ``stop=True`` the forward pass is cut short after the block (callers use
    :func:`run_to_layer`). The hook is removed on exit, always.
    """
    layers = decoder_layers(model)
    if not 0 <= layer < len(layers):
        raise ValueError(
            f"layer {layer} is out of range: the model has {len(layers)} blocks (0..{len(layers) - 1})"
        )
    seen: list[torch.Tensor] = []

    def hook(_module: nn.Module, _inputs: Any, output: Any) -> None:
        hidden = output[0] if isinstance(output, tuple) else output
        seen.append(hidden.detach())
        if stop:
            raise _StopForward

    handle = layers[layer].register_forward_hook(hook)
    try:
        yield seen
    finally:
        handle.remove()


@torch.no_grad()
def run_to_layer(
    model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, layer: int
) -> torch.Tensor:
    """Residual stream ``[batch, seq, d]`` after block ``layer``, skipping the rest."""
    with residual_hook(model, layer, stop=True) as seen, suppress(_StopForward):
        model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False)
    if not seen:
        raise RuntimeError("the capture hook did not fire; is this a decoder-only model?")
    return seen[-1]


@torch.no_grad()
def capture_at(
    model: nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    layer: int,
    positions: Sequence[Sequence[int]],
) -> list[torch.Tensor]:
    """Activations ``[len(positions[i]), d]`` at the given token positions of each row."""
    hidden = run_to_layer(model, input_ids, attention_mask, layer)
    return [hidden[row, list(pos)].float().clone() for row, pos in enumerate(positions)]


@contextmanager
def residual_patch(
    model: nn.Module, layer: int, position: int, delta: torch.Tensor
) -> Iterator[None]:
    """Add ``delta`` to the residual stream after block ``layer`` at token ``position``.

    Only forward passes that contain that position are changed (with a KV cache, the
    prefill pass; later one-token steps read the patched keys and values from the cache).
    The hook is removed on exit, always.
    """
    layers = decoder_layers(model)

    def hook(_module: nn.Module, _inputs: Any, output: Any) -> Any:
        hidden = output[0] if isinstance(output, tuple) else output
        if hidden.shape[1] > position:
            hidden = hidden.clone()
            hidden[:, position] += delta.to(hidden.dtype)
            return (hidden, *output[1:]) if isinstance(output, tuple) else hidden
        return output

    handle = layers[layer].register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()

"""Reading and editing single thoughts: ``explain`` and ``edit``.

``explain`` turns the activation at one token of a text (or a saved activation) into the
AV's explanation, and scores each explanation by how well the AR rebuilds the activation
from it, so a reader sees how much of the thought the words carry.

``edit`` tests whether the words are causally connected to the model's behaviour: change
the explanation, take the difference of the AR's reconstructions of the edited and the
original explanation, add it to the residual stream at that position (at the activation's
own scale) and let the target model continue, beside an unpatched continuation.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import torch

from ..errors import UnwatchedError
from ._autoencoder import Reconstructor, Verbaliser, direction_mse, normalise
from ._capture import residual_patch, run_to_layer
from ._config import RunConfig
from ._target import load_target
from ._train import load_pair


class ThoughtReader:
    """A trained AV/AR pair plus the target model, loaded once for many explanations."""

    def __init__(self, run_dir: Path, phase: str = "rl") -> None:
        self.config = RunConfig.load(run_dir)
        if phase == "auto":
            phase = "rl" if (run_dir / "checkpoints" / "rl.pt").exists() else "sft"
        self.phase = phase
        self.av, self.ar, data = load_pair(run_dir, self.config, phase)
        self.layer = data.layer
        self.target, self.tokenizer, _ = load_target(self.config.capture.model)

    def tokens(self, text: str) -> list[int]:
        ids = list(self.tokenizer(text, add_special_tokens=False).input_ids)
        if not ids:
            raise UnwatchedError("the text is empty")
        return ids

    def activation(self, ids: list[int], position: int) -> torch.Tensor:
        if not -len(ids) <= position < len(ids):
            raise UnwatchedError(f"position {position} is outside the text's {len(ids)} tokens")
        hidden = run_to_layer(self.target, torch.tensor([ids]), None, self.layer)
        return hidden[0, position].float()

    def explain_activation(
        self, act: torch.Tensor, samples: int = 0, temperature: float = 1.0
    ) -> list[dict[str, Any]]:
        acts = act.reshape(1, -1)
        texts = [self.av.text(self.av.generate(acts)[0])]
        if samples:
            texts += [
                self.av.text(t)
                for t in self.av.generate(acts, samples=samples, temperature=temperature)
            ]
        rebuilt = self.ar.reconstruct(texts)
        mse = direction_mse(rebuilt, acts.expand(len(texts), -1))
        cos = torch.nn.functional.cosine_similarity(rebuilt, acts.expand(len(texts), -1), dim=1)
        return [
            {
                "explanation": t,
                "greedy": i == 0,
                "cosine": round(float(c), 4),
                "direction_mse": round(float(m), 4),
            }
            for i, (t, c, m) in enumerate(zip(texts, cos, mse, strict=True))
        ]

    def explain_text(self, text: str, position: int = -1, samples: int = 0) -> dict[str, Any]:
        ids = self.tokens(text)
        act = self.activation(ids, position)
        pos = position % len(ids)
        return {
            "phase": self.phase,
            "layer": self.layer,
            "position": pos,
            "token": self.tokenizer.decode([ids[pos]]),
            "context": self.tokenizer.decode(ids[max(0, pos - 40) : pos + 1]),
            "explanations": self.explain_activation(act, samples),
        }

    def edit(
        self,
        text: str,
        new_explanation: str,
        position: int = -1,
        tokens: int = 20,
        strength: float = 1.0,
    ) -> dict[str, Any]:
        if not new_explanation.strip():
            raise UnwatchedError("the edited explanation is empty")
        ids = self.tokens(text)
        pos = position % len(ids) if -len(ids) <= position < len(ids) else None
        if pos is None:
            raise UnwatchedError(f"position {position} is outside the text's {len(ids)} tokens")
        act = self.activation(ids, pos)
        original = self.av.text(self.av.generate(act.reshape(1, -1))[0])
        rebuilt = self.ar.reconstruct([original, new_explanation])
        scale = float(act.norm()) / math.sqrt(act.shape[-1])
        delta = (normalise(rebuilt[1:2]) - normalise(rebuilt[0:1]))[0] * scale * strength
        prefix = ids[: pos + 1]
        before = greedy_continue(self.target, prefix, tokens)
        with residual_patch(self.target, self.layer, pos, delta):
            after = greedy_continue(self.target, prefix, tokens)
        return {
            "phase": self.phase,
            "position": pos,
            "token": self.tokenizer.decode([ids[pos]]),
            "original_explanation": original,
            "edited_explanation": new_explanation,
            "delta_norm": round(float(delta.norm()), 3),
            "activation_norm": round(float(act.norm()), 3),
            "continuation": self.tokenizer.decode(before),
            "edited_continuation": self.tokenizer.decode(after),
        }


@torch.no_grad()
def greedy_continue(model: Any, prefix: list[int], tokens: int) -> list[int]:
    """Greedy continuation with a KV cache (no sampling settings to second-guess)."""
    out = model(input_ids=torch.tensor([prefix]), use_cache=True)
    produced: list[int] = []
    for _ in range(tokens):
        nxt = int(out.logits[0, -1].argmax())
        produced.append(nxt)
        out = model(
            input_ids=torch.tensor([[nxt]]), past_key_values=out.past_key_values, use_cache=True
        )
    return produced


__all__ = ["Reconstructor", "ThoughtReader", "Verbaliser", "greedy_continue"]

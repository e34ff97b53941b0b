"""The two halves of the natural-language autoencoder.

* :class:`Verbaliser` (AV): a copy of the target model. The activation, rescaled to a fixed
  norm, replaces the input embedding of one placeholder token inside a fixed prompt; the AV
  then writes a short explanation. Its ``forward`` returns per-token log-probabilities of
  given explanations, which is all that supervised and RL training need.
* :class:`Reconstructor` (AR): the target truncated after the captured block (the final norm
  dropped, so its output *is* the residual stream there) plus a bias-free d×d linear head
  initialised to the identity. It reads the last token of a fixed template that wraps the
  explanation. Untrained, on the original context, it reproduces the target's activation.

Scores are direction-only: both vectors are rescaled to norm √d before comparing, so the
mean squared error of two unrelated directions is about 2 and of equal ones 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm  # type: ignore[import-untyped]

from ..errors import UnwatchedError
from ._capture import decoder_layers
from ._config import ModelConfig


def normalise(x: torch.Tensor) -> torch.Tensor:
    """Rescale each row to norm √d (the scale the FVE is defined on)."""
    scaled: torch.Tensor = x * (
        math.sqrt(x.shape[-1]) / x.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    )
    return scaled


def direction_mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-row mean squared error of the √d-normalised vectors."""
    return ((normalise(pred.float()) - normalise(target.float())) ** 2).mean(dim=-1)


def pad_right(rows: Sequence[Sequence[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids and mask (right padding keeps every real token's position)."""
    width = max(1, max(len(r) for r in rows))
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(list(r), dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


class Verbaliser(nn.Module):
    """Activation → explanation. Token embeddings (tied to the output head) stay frozen."""

    def __init__(
        self, lm: Any, tokenizer: Any, cfg: ModelConfig, center: torch.Tensor | None = None
    ) -> None:
        super().__init__()
        self.lm = lm
        self.tokenizer = tokenizer
        self.max_tokens = cfg.max_explanation_tokens
        ids = tokenizer(cfg.av_prompt, add_special_tokens=False).input_ids
        slot = tokenizer(cfg.placeholder, add_special_tokens=False).input_ids
        if len(slot) != 1:
            raise UnwatchedError(
                f"model.placeholder {cfg.placeholder!r} must be a single token, got {len(slot)}"
            )
        if ids.count(slot[0]) != 1:
            raise UnwatchedError(
                f"model.av_prompt must contain the placeholder {cfg.placeholder!r} exactly once"
            )
        self.slot = ids.index(slot[0])
        self.register_buffer("prompt_ids", torch.tensor(ids, dtype=torch.long), persistent=False)
        # The mean activation is a direction every activation shares (in SmolLM2 over half of
        # the squared norm sits in a few near-constant dimensions); injected as it is, every
        # input looks alike to the AV. Centring leaves what distinguishes one thought from
        # another. Not a weight: recomputed from the run's training split when loaded.
        self.register_buffer(
            "center", center.clone() if center is not None else None, persistent=False
        )
        embeddings = lm.get_input_embeddings().weight
        embeddings.requires_grad_(False)
        self.inject_norm = float(embeddings.detach().norm(dim=-1).mean()) * cfg.inject_scale
        self.eos_id = int(tokenizer.eos_token_id)
        self.pad_id = int(
            tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_id
        )

    def prompt_embeds(self, acts: torch.Tensor) -> torch.Tensor:
        emb: torch.Tensor = self.lm.get_input_embeddings()(self.prompt_ids)
        emb = emb.unsqueeze(0).expand(acts.shape[0], -1, -1).clone()
        center = self.center
        if isinstance(center, torch.Tensor):
            acts = acts - center
        emb[:, self.slot] = normalise(acts.to(emb.dtype)) * (
            self.inject_norm / math.sqrt(acts.shape[-1])
        )
        return emb

    def forward(self, acts: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Log-probability of each explanation token ``[batch, T]`` (0 where masked)."""
        prompt = self.prompt_embeds(acts)
        n_prompt = prompt.shape[1]
        x = torch.cat([prompt, self.lm.get_input_embeddings()(tokens)], dim=1)
        attention = torch.cat(
            [torch.ones(acts.shape[0], n_prompt, dtype=mask.dtype, device=mask.device), mask], dim=1
        )
        hidden = self.lm.model(
            inputs_embeds=x, attention_mask=attention, use_cache=False
        ).last_hidden_state
        logits = self.lm.lm_head(hidden[:, n_prompt - 1 : n_prompt - 1 + tokens.shape[1]]).float()
        logp = F.log_softmax(logits, dim=-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
        return logp * mask

    def target_tokens(self, text: str) -> list[int]:
        """Training target for a description: its tokens (capped) and the end token."""
        return [
            *self.tokenizer(text, add_special_tokens=False).input_ids[: self.max_tokens],
            self.eos_id,
        ]

    @torch.no_grad()
    def generate(
        self, acts: torch.Tensor, samples: int = 1, temperature: float = 0.0
    ) -> list[list[int]]:
        """Explanations (tokens, ending with the end token unless the cap cut them off).

        A plain sampling loop with a KV cache: it is short, exact about what the length cap
        and temperature do, and behaves the same under DDP.
        """
        acts = acts.repeat_interleave(samples, dim=0)
        x = self.prompt_embeds(acts)
        out = self.lm(inputs_embeds=x, use_cache=True)
        cache, logits = out.past_key_values, out.logits[:, -1].float()
        done = torch.zeros(acts.shape[0], dtype=torch.bool, device=acts.device)
        rows: list[list[int]] = [[] for _ in range(acts.shape[0])]
        for _ in range(self.max_tokens + 1):
            if temperature > 0:
                nxt = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1).squeeze(-1)
            else:
                nxt = logits.argmax(dim=-1)
            for i in range(len(rows)):
                if not done[i]:
                    rows[i].append(int(nxt[i]))
            done |= nxt == self.eos_id
            if bool(done.all()):
                break
            out = self.lm(input_ids=nxt.unsqueeze(-1), past_key_values=cache, use_cache=True)
            cache, logits = out.past_key_values, out.logits[:, -1].float()
        return rows

    def explain(
        self, acts: torch.Tensor, batch_size: int = 32, progress: bool = False
    ) -> list[str]:
        """Greedy explanations of many activations, in batches (what evaluation reads)."""
        texts: list[str] = []
        for b in tqdm(
            range(0, len(acts), batch_size), desc="explain", unit="batch", disable=not progress
        ):
            texts += [self.text(t) for t in self.generate(acts[b : b + batch_size])]
        return texts

    def text(self, tokens: Sequence[int]) -> str:
        """The explanation exactly as written (no stripping).

        Descriptions keep their whitespace (a description ending in a newline is about a
        newline), and the AR was trained on them as they are: stripping here would hand the
        AR a different last token than the one the AV chose.
        """
        body = [t for t in tokens if t != self.eos_id]
        return str(self.tokenizer.decode(body))


class Reconstructor(nn.Module):
    """Explanation → activation: the target's first blocks plus an identity-initialised head."""

    def __init__(self, lm: Any, tokenizer: Any, layer: int, cfg: ModelConfig) -> None:
        super().__init__()
        base = lm.model
        layers = decoder_layers(lm)
        base.layers = nn.ModuleList(list(layers)[: layer + 1])
        base.config.num_hidden_layers = layer + 1
        if getattr(base.config, "layer_types", None):
            base.config.layer_types = base.config.layer_types[: layer + 1]
        base.norm = nn.Identity()  # the captured residual is pre-norm
        base.embed_tokens.weight.requires_grad_(False)
        self.base = base
        self.tokenizer = tokenizer
        d = base.config.hidden_size
        self.head = nn.Linear(d, d, bias=False)
        with torch.no_grad():
            self.head.weight.copy_(torch.eye(d))
        if "{explanation}" not in cfg.ar_template:
            raise UnwatchedError("model.ar_template must contain '{explanation}'")
        self.template = cfg.ar_template
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)

    def encode(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        rows = [
            self.tokenizer(self.template.format(explanation=t), add_special_tokens=False).input_ids
            for t in texts
        ]
        ids, mask = pad_right(rows, self.pad_id)
        device = self.head.weight.device
        return ids.to(device), mask.to(device)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The reconstructed activation ``[batch, d]``, read at each row's last real token."""
        hidden = self.base(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
        last = mask.sum(dim=1) - 1
        out: torch.Tensor = self.head(hidden[torch.arange(ids.shape[0]), last])
        return out

    def residual(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The truncated model's residual stream ``[batch, seq, d]`` (no head)."""
        out: torch.Tensor = self.base(
            input_ids=ids, attention_mask=mask, use_cache=False
        ).last_hidden_state
        return out

    def reconstruct(self, texts: Sequence[str], batch_size: int = 32) -> torch.Tensor:
        with torch.no_grad():
            parts = [
                self(*self.encode(texts[b : b + batch_size])).float()
                for b in range(0, len(texts), batch_size)
            ]
        return torch.cat(parts) if parts else torch.empty(0)


def trainable_state(module: nn.Module) -> dict[str, torch.Tensor]:
    """Only the weights training changes (frozen embeddings are the target's, not saved)."""
    names = {n for n, p in module.named_parameters() if p.requires_grad}
    return {k: v.detach().clone() for k, v in module.state_dict().items() if k in names}

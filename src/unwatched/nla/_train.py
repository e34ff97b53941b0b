"""Training the NLA: supervised warm start, then group-relative policy optimisation.

Stages run in order and each is resumable:

``sft_av``  AV learns activation → description (next-token loss on the description).
``sft_ar``  AR learns description → activation (direction MSE).
``rl``      AV samples ``group_size`` explanations per activation; reward = −direction MSE
            of the live AR's reconstruction; advantages are normalised within each group;
            a KL penalty keeps the AV near its warm start; the length cap is the AV's token
            budget. AR keeps training on the AV's own samples, so it learns the language
            the AV actually speaks.

The run folder holds ``config.json``, ``metrics.jsonl`` (one line per step, plus the
validation loss after each warm-start stage and the greedy validation FVE after the warm
start and at every RL checkpoint), and
``checkpoints/``: ``latest.pt`` (weights, optimiser, RNG, stage and step: enough to resume
to identical losses), ``sft.pt`` and ``rl.pt`` (the weights at the end of each phase).
Batches are a pure function of (seed, stage, step), so resuming needs no data-loader state.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm  # type: ignore[import-untyped]

from ..errors import UnwatchedError
from . import _distributed
from ._autoencoder import (
    Reconstructor,
    Verbaliser,
    direction_mse,
    pad_right,
    trainable_state,
)
from ._config import RunConfig
from ._dataset import ActivationSet
from ._metrics import per_item
from ._target import load_target

STAGES = ("sft_av", "sft_ar", "rl")


def batch_positions(n_items: int, batch: int, step: int, seed: int, stage: str) -> list[int]:
    """Indices of the global batch at ``step``: epochs of seeded permutations, last partial dropped."""
    if n_items < batch:
        raise UnwatchedError(
            f"the training split has {n_items} activations, fewer than one batch of {batch}"
        )
    per_epoch = n_items // batch
    epoch, k = divmod(step, per_epoch)
    g = torch.Generator().manual_seed(seed * 1_000_003 + STAGES.index(stage) * 7919 + epoch)
    return torch.randperm(n_items, generator=g)[k * batch : (k + 1) * batch].tolist()


def _load_weights(module: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    result = module.load_state_dict(state, strict=False)
    frozen = {n for n, p in module.named_parameters() if not p.requires_grad}
    missing = [
        k for k in result.missing_keys if k not in frozen and not k.endswith("lm_head.weight")
    ]
    if missing or result.unexpected_keys:
        raise UnwatchedError(
            f"checkpoint does not fit the model: missing {missing[:3]}, unexpected {result.unexpected_keys[:3]}"
        )


def injection_center(data: ActivationSet, config: RunConfig) -> torch.Tensor | None:
    """The mean training activation the AV subtracts before injection (if configured)."""
    if not config.train.model.center:
        return None
    return data.acts[data.indices("train")].mean(dim=0)


def load_pair(
    run_dir: Path, config: RunConfig, phase: str | None
) -> tuple[Verbaliser, Reconstructor, ActivationSet]:
    """AV and AR as trained up to ``phase`` ('sft', 'rl'; None = untrained), in eval mode."""
    data = ActivationSet.load(run_dir)
    lm_av, tokenizer, _ = load_target(config.capture.model)
    lm_ar, _, _ = load_target(config.capture.model)
    av = Verbaliser(lm_av, tokenizer, config.train.model, injection_center(data, config))
    ar = Reconstructor(lm_ar, tokenizer, data.layer, config.train.model)
    if phase is not None:
        path = run_dir / "checkpoints" / f"{phase}.pt"
        if not path.exists():
            raise UnwatchedError(
                f"{path} does not exist: train the run through its '{phase}' phase first"
            )
        state = torch.load(path, weights_only=True)
        _load_weights(av, state["av"])
        _load_weights(ar, state["ar"])
    av.eval()
    ar.eval()
    return av, ar, data


class Trainer:
    """One process's share of a training run (all of it without torchrun)."""

    def __init__(self, run_dir: Path, config: RunConfig, progress: bool = True) -> None:
        self.run_dir = run_dir
        self.cfg = config
        self.dist = _distributed.init()
        if config.train.threads:
            torch.set_num_threads(config.train.threads)
        elif self.dist.world > 1 and not torch.cuda.is_available():
            # Several processes on one CPU: oversubscribed OpenMP threads spin against each
            # other and can run 10x slower, so split the cores between the processes.
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // self.dist.world))
        self.progress = progress and self.dist.main
        torch.manual_seed(config.train.seed * 1000 + self.dist.rank)
        random.seed(config.train.seed * 1000 + self.dist.rank)
        self.av, self.ar, self.data = load_pair(run_dir, config, None)
        self.av.train()
        self.ar.train()
        self.train_ids = self.data.indices("train")
        self.val_ids = self.data.spread("validation", 64)
        self.ckpt_dir = run_dir / "checkpoints"
        self.metrics_path = run_dir / "metrics.jsonl"
        self.av_ddp = self.dist.wrap(self.av)
        self.ar_ddp = self.dist.wrap(self.ar)
        self.ref: Verbaliser | None = None
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    # -- optimisers per stage ------------------------------------------------------------
    def _make_optimizers(self, stage: str) -> None:
        s, r = self.cfg.train.sft, self.cfg.train.rl
        av_params = [p for p in self.av.parameters() if p.requires_grad]

        def ar_groups(lr: float, head_lr: float) -> list[dict[str, Any]]:
            head = list(self.ar.head.parameters())
            body = [
                p
                for n, p in self.ar.named_parameters()
                if p.requires_grad and not n.startswith("head.")
            ]
            return [{"params": body, "lr": lr}, {"params": head, "lr": head_lr}]

        if stage == "sft_av":
            self.optimizers = {
                "av": torch.optim.AdamW(av_params, lr=s.av_lr, weight_decay=s.weight_decay)
            }
        elif stage == "sft_ar":
            self.optimizers = {
                "ar": torch.optim.AdamW(
                    ar_groups(s.ar_lr, s.ar_head_lr), weight_decay=s.weight_decay
                )
            }
        else:
            self.optimizers = {
                "av": torch.optim.AdamW(av_params, lr=r.av_lr, weight_decay=0.0),
                "ar": torch.optim.AdamW(ar_groups(r.ar_lr, r.ar_head_lr), weight_decay=0.0),
            }

    def _steps(self, stage: str) -> int:
        t = self.cfg.train
        return {"sft_av": t.sft.av_steps, "sft_ar": t.sft.ar_steps, "rl": t.rl.steps}[stage]

    # -- checkpoints -----------------------------------------------------------------------
    def _save(self, name: str, payload: dict[str, Any]) -> None:
        if not self.dist.main:
            return
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.ckpt_dir / f".{name}.tmp"
        torch.save(payload, tmp)
        os.replace(tmp, self.ckpt_dir / name)

    def _checkpoint(self, stage: str, step: int) -> None:
        self._save(
            "latest.pt",
            {
                "stage": stage,
                "step": step,
                "av": trainable_state(self.av),
                "ar": trainable_state(self.ar),
                "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
                "torch_rng": torch.get_rng_state(),
                "python_rng": random.getstate(),
            },
        )

    def _resume(self) -> tuple[str, int] | None:
        path = self.ckpt_dir / "latest.pt"
        if not path.exists():
            return None
        state = torch.load(path, weights_only=False)
        _load_weights(self.av, state["av"])
        _load_weights(self.ar, state["ar"])
        stage, step = state["stage"], int(state["step"])
        self._make_optimizers(stage)
        for key, opt in self.optimizers.items():
            if key in state["optimizers"]:
                opt.load_state_dict(state["optimizers"][key])
        if self.dist.world == 1:  # per-rank RNG streams are not saved; ranks reseed by step
            torch.set_rng_state(state["torch_rng"])
            random.setstate(state["python_rng"])
        self._truncate_metrics(stage, step)
        return stage, step

    def _truncate_metrics(self, stage: str, step: int) -> None:
        """Drop log lines written after the checkpoint (they will be written again)."""
        if not self.dist.main or not self.metrics_path.exists():
            return
        keep = []
        order = STAGES.index(stage)
        for line in self.metrics_path.read_text().splitlines():
            row = json.loads(line)
            if STAGES.index(row["stage"]) < order or (
                row["stage"] == stage and row["step"] <= step
            ):
                keep.append(line)
        self.metrics_path.write_text("".join(k + "\n" for k in keep))

    def _log(self, row: dict[str, Any]) -> None:
        if self.dist.main:
            with self.metrics_path.open("a") as f:
                f.write(json.dumps(row) + "\n")

    # -- steps ----------------------------------------------------------------------------
    def _batch(self, stage: str, step: int, size: int) -> list[int]:
        positions = batch_positions(len(self.train_ids), size, step, self.cfg.train.seed, stage)
        return self.dist.shard([self.train_ids[p] for p in positions])

    def _clip_and_step(self, key: str, clip: float) -> None:
        opt = self.optimizers[key]
        params = [p for g in opt.param_groups for p in g["params"]]
        torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        opt.zero_grad(set_to_none=True)

    def sft_av_loss(self, ids: list[int], module: Any = None) -> torch.Tensor:
        tokens, mask = pad_right(
            [self.av.target_tokens(self.data.records[i].description) for i in ids], self.av.pad_id
        )
        logp = (module or self.av_ddp)(self.data.acts[ids], tokens, mask)
        loss: torch.Tensor = (-(logp.sum(dim=1) / mask.sum(dim=1))).mean()
        return loss

    def sft_ar_loss(self, ids: list[int], module: Any = None) -> torch.Tensor:
        enc = self.ar.encode([self.data.records[i].description for i in ids])
        return direction_mse((module or self.ar_ddp)(*enc), self.data.acts[ids]).mean()

    def _sft_step(self, stage: str, step: int) -> dict[str, float]:
        s = self.cfg.train.sft
        ids = self._batch(stage, step, s.batch_size)
        key = "av" if stage == "sft_av" else "ar"
        loss = self.sft_av_loss(ids) if key == "av" else self.sft_ar_loss(ids)
        loss.backward()  # type: ignore[no-untyped-call]
        self._clip_and_step(key, s.grad_clip)
        return {"loss": self.dist.mean(float(loss.detach()))}

    def _rl_step(self, step: int) -> dict[str, float]:
        r = self.cfg.train.rl
        assert self.ref is not None
        ids = self._batch("rl", step, r.activations_per_step)
        acts = self.data.acts[ids]
        self.av.eval()
        samples = self.av.generate(acts, samples=r.group_size, temperature=r.temperature)
        self.av.train()
        texts = [self.av.text(s) for s in samples]
        targets = acts.repeat_interleave(r.group_size, dim=0)
        mse = direction_mse(self.ar_ddp(*self.ar.encode(texts)), targets)
        reward = -mse.detach().view(-1, r.group_size)
        advantage = (
            (reward - reward.mean(dim=1, keepdim=True)) / (reward.std(dim=1, keepdim=True) + 1e-6)
        ).view(-1)
        tokens, mask = pad_right(samples, self.av.pad_id)
        logp = self.av_ddp(targets, tokens, mask)
        with torch.no_grad():
            ref_logp = self.ref(targets, tokens, mask)
        n_tok = mask.sum(dim=1).clamp_min(1)
        delta = (ref_logp - logp) * mask
        kl = ((torch.exp(delta) - delta - 1) * mask).sum(dim=1) / n_tok  # k3 estimator, ≥ 0
        policy = -(advantage * logp.sum(dim=1) / n_tok)
        av_loss = (policy + r.kl_coef * kl).mean()
        av_loss.backward()
        self._clip_and_step("av", r.grad_clip)
        ar_loss = mse.mean()
        ar_loss.backward()  # type: ignore[no-untyped-call]
        self._clip_and_step("ar", r.grad_clip)
        return {
            "reward": self.dist.mean(float(reward.mean())),
            "kl": self.dist.mean(float(kl.mean().detach())),
            "loss": self.dist.mean(float(av_loss.detach())),
            "ar_loss": self.dist.mean(float(ar_loss.detach())),
            "length": self.dist.mean(float(mask.sum(dim=1).float().mean())),
        }

    @torch.no_grad()
    def _validate(self, stage: str) -> float | None:
        if not self.val_ids:
            return None
        module = self.av if stage == "sft_av" else self.ar
        module.eval()
        losses = []
        for b in range(0, len(self.val_ids), 16):
            ids = self.val_ids[b : b + 16]
            loss = (
                self.sft_av_loss(ids, self.av)
                if stage == "sft_av"
                else self.sft_ar_loss(ids, self.ar)
            )
            losses.append(float(loss) * len(ids))
        module.train()
        return sum(losses) / len(self.val_ids)

    @torch.no_grad()
    def _validate_fve(self) -> float | None:
        """Greedy FVE of the current AV → AR pair on the validation activations.

        The number ``evaluate`` reports, on a small held-out set, logged at the end of the
        warm start and at every RL checkpoint: it shows whether RL is still paying off (the
        sampled reward mixes in the AR's own training and the sampling temperature).
        """
        if len(self.val_ids) < 2:
            return None
        self.av.eval()
        self.ar.eval()
        acts = self.data.acts[self.val_ids]
        pred = self.ar.reconstruct(self.av.explain(acts))
        self.av.train()
        self.ar.train()
        item = per_item(pred, acts, [self.data.records[i].doc_id for i in self.val_ids])
        return float(1.0 - item.sq_err.sum() / item.sq_dev.sum())

    # -- the run ----------------------------------------------------------------------------
    def run(
        self, stages: tuple[str, ...] = STAGES, resume: bool = True, stop_after: int | None = None
    ) -> bool:
        """Train the requested stages; returns False if ``stop_after`` cut the run short."""
        start_stage, start_step = "sft_av", 0
        if resume and (state := self._resume()) is not None:
            start_stage, start_step = state
        budget = stop_after
        for stage in STAGES:
            if STAGES.index(stage) < STAGES.index(start_stage) or stage not in stages:
                continue
            first = start_step if stage == start_stage else 0
            if first == 0 or not self.optimizers:
                self._make_optimizers(stage)
            if stage == "rl":
                self._load_reference()
            total = self._steps(stage)
            bar = tqdm(
                total=total, initial=first, desc=stage, unit="step", disable=not self.progress
            )
            for step in range(first, total):
                metrics = self._rl_step(step) if stage == "rl" else self._sft_step(stage, step)
                self._log({"stage": stage, "step": step + 1, **metrics})
                bar.update(1)
                bar.set_postfix({k: f"{v:.3f}" for k, v in metrics.items()})
                done = step + 1
                if done % self.cfg.train.checkpoint_every == 0 or done == total:
                    if stage == "rl" and (val_fve := self._validate_fve()) is not None:
                        self._log({"stage": stage, "step": done, "val_fve": val_fve})
                        if self.progress:
                            bar.write(f"rl step {done}: validation FVE {val_fve:.3f}")
                    self._checkpoint(stage, done)
                if budget is not None:
                    budget -= 1
                    if budget <= 0 and done < total:
                        self._checkpoint(stage, done)
                        bar.close()
                        self.dist.barrier()
                        return False
            bar.close()
            if stage != "rl" and (val := self._validate(stage)) is not None:
                row: dict[str, Any] = {"stage": stage, "step": total, "val_loss": val}
                if stage == "sft_ar" and (val_fve := self._validate_fve()) is not None:
                    row["val_fve"] = val_fve  # the warm-start pair RL starts from
                self._log(row)
            if total == 0:
                self._checkpoint(stage, 0)
            nxt = STAGES.index(stage) + 1
            if nxt < len(STAGES):  # the next stage starts from step 0 with fresh optimisers
                self.optimizers = {}
                self._checkpoint(STAGES[nxt], 0)
            if stage == "sft_ar":
                self._save(
                    "sft.pt", {"av": trainable_state(self.av), "ar": trainable_state(self.ar)}
                )
            if stage == "rl":
                self._save(
                    "rl.pt", {"av": trainable_state(self.av), "ar": trainable_state(self.ar)}
                )
            self.dist.barrier()
        return True

    def _load_reference(self) -> None:
        lm, tokenizer, _ = load_target(self.cfg.capture.model)
        ref = Verbaliser(lm, tokenizer, self.cfg.train.model, injection_center(self.data, self.cfg))
        sft = self.ckpt_dir / "sft.pt"
        if not sft.exists():
            raise UnwatchedError(
                f"RL needs the warm start: {sft} is missing; run the sft stages first"
            )
        _load_weights(ref, torch.load(sft, weights_only=True)["av"])
        ref.eval()
        for p in ref.parameters():
            p.requires_grad_(False)
        self.ref = ref


def train(
    run_dir: Path,
    stages: tuple[str, ...] = STAGES,
    resume: bool = True,
    stop_after: int | None = None,
    progress: bool = True,
) -> bool:
    """Train a captured run folder with the config saved in it."""
    config = RunConfig.load(run_dir)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UnwatchedError(
            f"unknown stage(s) {', '.join(unknown)}; stages are {', '.join(STAGES)}"
        )
    try:
        return Trainer(run_dir, config, progress).run(stages, resume, stop_after)
    finally:
        _distributed.shutdown()


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

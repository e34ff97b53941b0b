"""What does the NLA cost on top of the plain model it is built from?

Two comparisons on the embedded target (SmolLM2-135M: 30 blocks, d=576, captured block 19),
each measured side by side in one process, so the machine's load drifts over both sides alike:

1. Activation capture against a plain forward pass, on one batch of real text windows from
   the ``pydoc`` corpus, all under ``no_grad`` and with ``use_cache=False`` (the capture path
   passes it, and a KV cache nobody reads would only add noise to the baseline):

   (a) plain: ``model(input_ids, attention_mask)``, the full model and the vocabulary logits;
   (b) hook: the same call inside ``residual_hook(model, layer)``, which records block 19's
       output (the cost of the hook alone);
   (c) capture: ``run_to_layer(...)``, what ``capture`` calls: the hook stops the forward pass
       after block 19, so blocks 20-29, the final norm and the vocabulary projection never run.

2. Warm-start training throughput against a bare fine-tuning loop on the same model:

   (a) bare: a fresh copy of the same HF causal LM in train mode, ``model(input_ids,
       labels=input_ids)`` (next-token loss at every position) + backward + AdamW step, all
       weights trainable, no clipping. Its batches have exactly the shape of the AV batch of
       the same step: the AV prompt's tokens followed by the description tokens, right-padded.
   (b) AV: ``Trainer._sft_step("sft_av", step)``, the real warm-start step on real captured
       activations (frozen tied embeddings, loss on the explanation tokens only, gradient
       clipping, AdamW), run through the real ``Trainer`` on a small captured run folder.
   (c) AR: ``Trainer._sft_step("sft_ar", step)``: description → activation through the first
       20 blocks and the d×d head, direction MSE.

Every variant gets one untimed warm-up (AdamW allocates its state on its first step). Then
the variants run in rounds, the order rotated every round so no variant always runs first
or last; each round times a few repetitions of each. The script prints medians over rounds,
the ratios, and the ratio of every round (to show how noisy the machine is). Nothing is
asserted: it only prints.

    python benchmarks/nla_overhead.py [--rounds R] [--threads T] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import torch
from transformers.utils import logging as hf_logging

from unwatched.nla import (
    CaptureConfig,
    RunConfig,
    capture,
    default_layer,
    hook_count,
    residual_hook,
    run_to_layer,
)
from unwatched.nla._autoencoder import pad_right
from unwatched.nla._corpus import load_corpus
from unwatched.nla._target import load_target
from unwatched.nla._train import Trainer

Timed = dict[str, Callable[[], object]]


def rotated_rounds(variants: Timed, rounds: int, reps: int) -> dict[str, list[float]]:
    """Seconds per call of each variant, averaged over ``reps`` calls per round, order rotated.

    Rotating (a b c, b c a, c a b, ...) rather than only swapping two ends puts every variant
    in every slot equally often, so a slow drift of the machine's load is shared out.
    """
    names = list(variants)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            start = time.perf_counter()
            for _ in range(reps):
                variants[name]()
            times[name].append((time.perf_counter() - start) / reps)
    return times


def show_ratios(times: dict[str, list[float]], base: str, label: str) -> None:
    """Each variant's median over rounds against ``base``, and its per-round ratios."""
    for name, ts in times.items():
        if name == base:
            continue
        ratio = statistics.median(ts) / statistics.median(times[base])
        rounds = " ".join(f"{t / b:.3f}" for t, b in zip(ts, times[base], strict=True))
        print(f"  {label} {name}/{base}: {ratio:.3f}x   (per round: {rounds})")


# ------------------------------------------------------------------ 1. capture vs forward


def text_windows(tokenizer: object, rows: int, width: int) -> torch.Tensor:
    """The first ``width`` tokens of the first ``rows`` pydoc documents that are long enough.

    Real text rather than random ids: the cost does not depend on the tokens, but a reader
    checking the captured activations should see what capture would really produce.
    """
    out: list[list[int]] = []
    for doc in load_corpus("pydoc"):
        ids = tokenizer(doc.text, add_special_tokens=False).input_ids  # type: ignore[operator]
        if len(ids) >= width:
            out.append(ids[:width])
        if len(out) == rows:
            break
    return torch.tensor(out, dtype=torch.long)


def bench_capture(model: torch.nn.Module, tokenizer: object, args: argparse.Namespace) -> None:
    layer = default_layer(model)
    ids = text_windows(tokenizer, args.rows, args.width)
    mask = torch.ones_like(ids)

    @torch.no_grad()
    def plain() -> object:
        return model(input_ids=ids, attention_mask=mask, use_cache=False)

    @torch.no_grad()
    def hook() -> torch.Tensor:
        with residual_hook(model, layer) as seen:
            model(input_ids=ids, attention_mask=mask, use_cache=False)
        return seen[-1]

    def to_layer() -> torch.Tensor:
        return run_to_layer(model, ids, mask, layer)

    variants: Timed = {"plain": plain, "hook": hook, "capture": to_layer}
    for fn in variants.values():
        fn()  # warm-up: first calls allocate buffers and pick kernels
    same = float((hook() - to_layer()).abs().max())
    print(
        f"\n1. activation capture vs plain forward: batch {ids.shape[0]}x{ids.shape[1]} tokens, "
        f"block {layer} of {len(model.model.layers)}"  # type: ignore[union-attr]
    )
    print(
        f"   check: hook and capture give the same residual (max |diff| {same:.1e}); "
        f"hooks left on the model: {hook_count(model)}"
    )
    times = rotated_rounds(variants, args.rounds, args.fwd_reps)
    for name, ts in times.items():
        print(f"  {name:8s} median {statistics.median(ts) * 1000:8.1f} ms/forward")
    show_ratios(times, "plain", "time")


# ------------------------------------------------------------------ 2. training throughput


def make_run(run_dir: Path, args: argparse.Namespace) -> Trainer:
    """A small captured run folder (real activations and descriptions) and its Trainer."""
    cfg = RunConfig(
        capture=CaptureConfig(
            max_windows=args.windows, positions_per_window=8, batch_size=args.rows
        )
    )
    cfg.train.sft.batch_size = args.train_batch
    cfg.train.threads = args.threads
    cfg.save(run_dir)
    capture(cfg.capture, progress=False).save(run_dir)
    return Trainer(run_dir, RunConfig.load(run_dir), progress=False)


def bench_training(bare: torch.nn.Module, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="nla-bench-") as tmp:
        trainer = make_run(Path(tmp), args)
        av = trainer.av
        trainer._make_optimizers("sft_av")
        av_opt = trainer.optimizers
        trainer._make_optimizers("sft_ar")
        trainer.optimizers = {**av_opt, **trainer.optimizers}

        bare.train()
        bare_params = [p for p in bare.parameters() if p.requires_grad]
        bare_opt = torch.optim.AdamW(bare_params, lr=trainer.cfg.train.sft.av_lr)
        bs = trainer.cfg.train.sft.batch_size
        step = {"av": 0, "ar": 0, "bare": 0}

        def bare_batch(k: int) -> tuple[torch.Tensor, torch.Tensor]:
            """The AV's own step-``k`` sequences (prompt + description) as plain token ids."""
            ids = trainer._batch("sft_av", k, bs)
            tokens, mask = pad_right(
                [av.target_tokens(trainer.data.records[i].description) for i in ids], av.pad_id
            )
            prompt = av.prompt_ids.unsqueeze(0).expand(len(ids), -1)
            full = torch.cat([prompt, tokens], dim=1)
            return full, torch.cat([torch.ones_like(prompt), mask], dim=1)

        def bare_step() -> None:
            ids, mask = bare_batch(step["bare"])
            labels = ids.masked_fill(mask == 0, -100)
            loss = bare(input_ids=ids, attention_mask=mask, labels=labels, use_cache=False).loss
            loss.backward()
            bare_opt.step()
            bare_opt.zero_grad(set_to_none=True)
            step["bare"] += 1

        def av_step() -> None:
            trainer._sft_step("sft_av", step["av"])
            step["av"] += 1

        def ar_step() -> None:
            trainer._sft_step("sft_ar", step["ar"])
            step["ar"] += 1

        variants: Timed = {"bare": bare_step, "av": av_step, "ar": ar_step}
        for fn in variants.values():
            fn()
        for key in step:  # the timed rounds see the same batches on the bare and AV sides
            step[key] = 0

        def trainable(m: torch.nn.Module) -> float:
            return sum(p.numel() for p in m.parameters() if p.requires_grad) / 1e6

        shape = bare_batch(0)[0].shape
        n_train = len(trainer.train_ids)
        print(
            f"\n2. warm-start training vs bare HF loop: {bs} examples/step "
            f"({n_train} captured training activations), bare batch {shape[0]}x{shape[1]} tokens "
            f"(= AV prompt {len(av.prompt_ids)} + explanation)"
        )
        print(
            f"   trainable params: bare {trainable(bare):.1f}M, AV {trainable(av):.1f}M, "
            f"AR {trainable(trainer.ar):.1f}M"
        )
        times = rotated_rounds(variants, args.rounds, args.train_reps)
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"  {name:8s} median {med * 1000:8.1f} ms/step  {bs / med:7.2f} examples/s")
        # Throughput ratio = inverse time ratio; print it as examples/s over examples/s.
        inverse = {n: [1 / t for t in ts] for n, ts in times.items()}
        show_ratios(inverse, "bare", "examples/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny batches, 2 rounds: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.rounds = args.rounds or 2
        args.rows, args.width, args.fwd_reps = 2, 64, 1
        args.windows, args.train_batch, args.train_reps = 8, 4, 1
    else:
        args.rounds = args.rounds or 5
        args.rows, args.width, args.fwd_reps = 8, 128, 1
        args.windows, args.train_batch, args.train_reps = 16, 16, 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    hf_logging.disable_progress_bar()  # four model loads would each draw a bar

    started = time.perf_counter()
    model, tokenizer, path = load_target("embedded")
    print(
        f"nla_overhead: {Path(path).name}, torch {torch.__version__}, "
        f"threads {torch.get_num_threads()}, rounds {args.rounds}, "
        f"os.cpu_count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}"
        + (" (quick)" if args.quick else "")
    )
    bench_capture(model, tokenizer, args)
    bench_training(model, args)  # the capture model, now trained as the bare baseline
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

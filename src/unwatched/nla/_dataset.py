"""Activation datasets: (activation, context, description) triples from a corpus.

Capture walks each document in overlapping windows; a position is eligible only once it has
``min_context`` tokens before it in its window (and so never among a document's first
``min_context`` tokens, where activations are dominated by the start of text). Windows
overlap by exactly that much when ``window - stride == min_context``, so every eligible
position belongs to exactly one window.

A dataset is stored in the run folder as ``activations.pt`` (one float32 tensor) and
``records.jsonl`` (one line per activation: document, split, position, description,
context), readable without unwatched.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm  # type: ignore[import-untyped]

from ..errors import UnwatchedError
from ._capture import default_layer, run_to_layer
from ._config import CaptureConfig
from ._corpus import Split, load_corpus, split_of
from ._target import load_target


@dataclass(frozen=True)
class Record:
    doc_id: str
    split: Split
    position: int
    description: str
    context: str


@dataclass
class ActivationSet:
    acts: torch.Tensor
    records: list[Record]
    layer: int
    model: str
    description_source: str

    def indices(self, split: Split) -> list[int]:
        return [i for i, r in enumerate(self.records) if r.split == split]

    def spread(self, split: Split, n: int) -> list[int]:
        """``n`` activations of a split, evenly spaced through it document by document.

        Windows are shuffled at capture and many positions share a window, so the first
        ``n`` of a split can come from a handful of windows in a few documents; an even
        spread keeps every document in proportion, which is what document-level intervals
        need. All of the split when ``n`` covers it.
        """
        ids = sorted(self.indices(split), key=lambda i: (self.records[i].doc_id, i))
        if n >= len(ids):
            return ids
        step = (len(ids) - 1) / max(1, n - 1)
        return [ids[round(k * step)] for k in range(n)]

    def save(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        meta = {
            "layer": self.layer,
            "model": self.model,
            "description_source": self.description_source,
        }
        torch.save({"acts": self.acts, **meta}, run_dir / "activations.pt")
        with (run_dir / "records.jsonl").open("w") as f:
            for r in self.records:
                f.write(json.dumps(asdict(r)) + "\n")

    @classmethod
    def load(cls, run_dir: Path) -> ActivationSet:
        path = run_dir / "activations.pt"
        if not path.exists():
            raise UnwatchedError(
                f"{run_dir} has no captured activations; run `unwatched nla capture --run {run_dir}` first"
            )
        blob = torch.load(path, weights_only=True)
        records = [
            Record(**json.loads(line))
            for line in (run_dir / "records.jsonl").read_text().splitlines()
        ]
        if len(records) != blob["acts"].shape[0]:
            raise UnwatchedError(
                f"{run_dir}: records.jsonl and activations.pt disagree in length; capture again"
            )
        return cls(blob["acts"], records, blob["layer"], blob["model"], blob["description_source"])


def _windows(n_tokens: int, cfg: CaptureConfig) -> list[int]:
    starts = list(range(0, max(1, n_tokens - cfg.min_context), cfg.stride))
    return [s for s in starts if n_tokens - s > cfg.min_context]


def capture(cfg: CaptureConfig, progress: bool = True) -> ActivationSet:
    """Capture activations over the corpus with the target model (CPU or the model's device)."""
    model, tokenizer, model_name = load_target(cfg.model)
    layer = default_layer(model) if cfg.layer is None else cfg.layer
    docs = load_corpus(cfg.corpus)
    rng = random.Random(cfg.seed)

    jobs: list[tuple[str, list[int], int, list[int]]] = []  # doc, window ids, start, positions
    for doc in docs:
        ids = tokenizer(doc.text, add_special_tokens=False).input_ids
        for start in _windows(len(ids), cfg):
            window = ids[start : start + cfg.window]
            eligible = list(range(cfg.min_context, len(window)))
            if not eligible:
                continue
            chosen = sorted(rng.sample(eligible, min(cfg.positions_per_window, len(eligible))))
            jobs.append((doc.doc_id, window, start, chosen))
    rng.shuffle(jobs)
    if cfg.max_windows is not None:
        jobs = jobs[: cfg.max_windows]
    if not jobs:
        raise UnwatchedError(
            f"corpus {cfg.corpus!r} yields no window longer than min_context={cfg.min_context}"
        )

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    acts: list[torch.Tensor] = []
    records: list[Record] = []
    bar = tqdm(total=len(jobs), desc="capture", unit="window", disable=not progress)
    for b in range(0, len(jobs), cfg.batch_size):
        batch = jobs[b : b + cfg.batch_size]
        width = max(len(w) for _, w, _, _ in batch)
        ids_t = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (_, window, _, _) in enumerate(batch):  # right padding keeps positions intact
            ids_t[row, : len(window)] = torch.tensor(window)
            mask[row, : len(window)] = 1
        hidden = run_to_layer(model, ids_t, mask, layer)
        for row, (doc_id, window, start, positions) in enumerate(batch):
            for p in positions:
                acts.append(hidden[row, p].float().clone())
                lo = max(0, p + 1 - cfg.description_tokens)
                records.append(
                    Record(
                        doc_id=doc_id,
                        split=split_of(
                            doc_id, cfg.seed, cfg.validation_fraction, cfg.test_fraction
                        ),
                        position=start + p,
                        description=tokenizer.decode(window[lo : p + 1]),
                        context=tokenizer.decode(window[max(0, p + 1 - 64) : p + 1]),
                    )
                )
        bar.update(len(batch))
    bar.close()
    data = ActivationSet(torch.stack(acts), records, layer, model_name, cfg.description_source)
    if cfg.description_source == "summariser":
        data = _summarise(data, cfg)
    _check_splits(data)
    return data


def _check_splits(data: ActivationSet) -> None:
    for split in ("train", "test"):
        if not data.indices(split):
            raise UnwatchedError(
                f"the {split} split is empty: the corpus has too few documents for the split fractions; "
                "add documents or change capture.test_fraction / capture.validation_fraction"
            )


_SUMMARY_PROMPT = (
    "Below is the start of a text, cut off mid-way.\n\n---\n{context}\n---\n\n"
    "In at most twelve words, say what the text is dealing with at the point where it stops. "
    "Answer with the phrase only."
)


def _summarise(data: ActivationSet, cfg: CaptureConfig) -> ActivationSet:
    """Descriptions from an Inspect model (any provider), one call per position."""
    if not cfg.summariser:
        raise UnwatchedError(
            "capture.description_source='summariser' needs capture.summariser (an Inspect model name)"
        )
    from inspect_ai.model import GenerateConfig, get_model

    model = get_model(cfg.summariser, config=GenerateConfig(max_tokens=32, temperature=0.0))

    async def one(record: Record) -> str:
        out = await model.generate(_SUMMARY_PROMPT.format(context=record.context))
        if out.error or not out.completion.strip():
            raise UnwatchedError(
                f"summariser {cfg.summariser} failed on {record.doc_id}@{record.position}: {out.error}"
            )
        return out.completion.strip().splitlines()[0][:200]

    async def all_of() -> list[str]:
        return list(await asyncio.gather(*(one(r) for r in data.records)))

    texts = asyncio.run(all_of())
    records = [
        Record(r.doc_id, r.split, r.position, t, r.context)
        for r, t in zip(data.records, texts, strict=True)
    ]
    return ActivationSet(data.acts, records, data.layer, data.model, f"summariser:{cfg.summariser}")


def describe(data: ActivationSet) -> dict[str, Any]:
    """Counts per split, for the run's metrics and the CLI."""
    out: dict[str, Any] = {
        "activations": len(data.records),
        "layer": data.layer,
        "d": int(data.acts.shape[1]),
    }
    for split in ("train", "validation", "test"):
        idx = data.indices(split)
        out[split] = {
            "activations": len(idx),
            "documents": len({data.records[i].doc_id for i in idx}),
        }
    out["description_source"] = data.description_source
    return out

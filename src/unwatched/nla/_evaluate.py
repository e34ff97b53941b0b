"""Held-out evaluation of an NLA run, with the baselines that keep it honest.

For each trained phase (``sft``, ``rl``) the AV explains every test activation (greedy), the
AR of the same phase reconstructs it, and FVE and cosine are reported with document-level
intervals. Beside it, the same AR reads other texts:

* ``shuffled``: the AV's explanations of *other* test activations (should be ≤ 0: it
  checks that the AR does not score well whatever it reads);
* ``true description``: the description the warm start was trained on (the ceiling of the
  text route for this description source);
* ``logit lens``: the target's own top next-token guesses read off the activation;
* ``nearest neighbour``: the description of the closest training activation (cosine).

And ``mean activation``: the mean of the normalised *training* activations, no text at all
(0 by construction with the test set's own mean; slightly below 0 with the training mean,
which is the honest held-out version reported here). Every row also carries FVE(AV) − FVE(row) with its paired
interval.

The report goes to ``evaluation-<split>.{json,md}`` for the whole split and to
``evaluation-<split>-<N>.{json,md}`` for ``max_items=N``, an even spread over the split's
documents (not its first N, which can come from a few windows of a few documents).
Evaluating one phase again keeps the other phase's table when the items are the same.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm  # type: ignore[import-untyped]

from ._autoencoder import Reconstructor, normalise
from ._config import RunConfig
from ._dataset import ActivationSet
from ._metrics import PerItem, cosine, fve, fve_difference, per_item
from ._target import load_target
from ._train import load_pair


def logit_lens_texts(data: ActivationSet, ids: list[int], config: RunConfig, k: int) -> list[str]:
    """The target's top-k tokens for each activation, read through its final norm and head."""
    lm, tokenizer, _ = load_target(config.capture.model)
    out = []
    with torch.no_grad():
        for b in range(0, len(ids), 64):
            h = data.acts[ids[b : b + 64]]
            logits = lm.lm_head(lm.model.norm(h))
            top = logits.topk(k, dim=-1).indices
            out += [" ".join(tokenizer.decode([int(t)]).strip() for t in row) for row in top]
    return out


def nearest_texts(data: ActivationSet, train: list[int], test: list[int]) -> list[str]:
    bank = normalise(data.acts[train])
    out = []
    for b in range(0, len(test), 256):
        sims = normalise(data.acts[test[b : b + 256]]) @ bank.T
        out += [data.records[train[int(j)]].description for j in sims.argmax(dim=1)]
    return out


def evaluate(
    run_dir: Path,
    phases: tuple[str, ...] = ("sft", "rl"),
    split: str = "test",
    max_items: int | None = None,
    progress: bool = True,
    seed: int = 0,
) -> dict[str, Any]:
    config = RunConfig.load(run_dir)
    data = ActivationSet.load(run_dir)
    available = len(data.indices(split))  # type: ignore[arg-type]
    test = data.indices(split) if max_items is None else data.spread(split, max_items)  # type: ignore[arg-type]
    train = data.indices("train")
    docs = [data.records[i].doc_id for i in test]
    target = data.acts[test]
    mean = normalise(data.acts[train]).mean(dim=0, keepdim=True).expand_as(target)
    mean_item = per_item(mean, target, docs, renormalise=False)
    k = config.train.model.max_explanation_tokens
    lens = logit_lens_texts(data, test, config, k)
    near = nearest_texts(data, train, test)
    true = [data.records[i].description for i in test]

    report: dict[str, Any] = {
        "run": str(run_dir),
        "split": split,
        "activations": len(test),
        "of": available,
        "documents": len(set(docs)),
        "layer": data.layer,
        "description_source": data.description_source,
        "items_sha256": hashlib.sha256(json.dumps(test).encode()).hexdigest(),
        "phases": {},
    }
    stem = run_dir / report_name(split, max_items, available)
    for phase in phases:
        if not (run_dir / "checkpoints" / f"{phase}.pt").exists():
            continue
        av, ar, _ = load_pair(run_dir, config, phase)
        explanations = av.explain(target, progress=progress)
        perm = np.random.default_rng(seed).permutation(len(test))
        shuffled = [explanations[int(j)] for j in perm]
        rows: dict[str, PerItem] = {}
        for name, texts in (
            ("NLA (AV → AR)", explanations),
            ("shuffled explanations", shuffled),
            ("true description (ceiling)", true),
            ("logit lens top tokens", lens),
            ("nearest-neighbour description", near),
        ):
            rows[name] = per_item(_reconstruct(ar, texts, progress, name), target, docs)
        rows["mean activation"] = mean_item
        main = rows["NLA (AV → AR)"]
        table = {}
        for name, item in rows.items():
            entry = {"fve": fve(item, seed).__dict__, "cosine": cosine(item, seed).__dict__}
            if name != "NLA (AV → AR)":
                entry["nla_minus_this"] = fve_difference(main, item, seed).__dict__
            table[name] = entry
        report["phases"][phase] = {
            "table": table,
            "examples": [
                {
                    "context": data.records[i].context[-160:],
                    "description": true[j],
                    "explanation": explanations[j],
                }
                for j, i in enumerate(test[:12])
            ],
        }
    _keep_other_phases(report, stem.with_suffix(".json"))
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(render_markdown(report))
    return report


def report_name(split: str, max_items: int | None, available: int) -> str:
    """``evaluation-test`` for a whole split, ``evaluation-test-1000`` for a subset of it, so
    a quick look at a subset never overwrites the report on all held-out activations."""
    if max_items is None or max_items >= available:
        return f"evaluation-{split}"
    return f"evaluation-{split}-{max_items}"


def _keep_other_phases(report: dict[str, Any], path: Path) -> None:
    """Evaluating one phase again keeps the other phase already reported on the same items."""
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text())
    except json.JSONDecodeError:
        return  # a damaged earlier report is replaced, not merged
    if old.get("items_sha256") != report["items_sha256"]:
        return
    merged = {k: v for k, v in old.get("phases", {}).items() if k not in report["phases"]}
    merged.update(report["phases"])
    report["phases"] = {k: merged[k] for k in ("sft", "rl") if k in merged}


def _reconstruct(ar: Reconstructor, texts: list[str], progress: bool, name: str) -> torch.Tensor:
    with torch.no_grad():
        parts = [
            ar(*ar.encode(texts[b : b + 32])).float()
            for b in tqdm(
                range(0, len(texts), 32), desc=f"AR: {name}", unit="batch", disable=not progress
            )
        ]
    return torch.cat(parts)


def _fmt(e: dict[str, float]) -> str:
    return f"{e['value']:.3f} [{e['low']:.3f}, {e['high']:.3f}]"


def _count(report: dict[str, Any]) -> str:
    n, of = report["activations"], report.get("of", report["activations"])
    return str(n) if n >= of else f"{n} of {of} (an even spread over the documents)"


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# NLA evaluation: {report['run']}",
        "",
        f"{_count(report)} held-out activations ({report['split']}) from {report['documents']} documents, "
        f"layer {report['layer']}, descriptions: {report['description_source']}. "
        "95% intervals resample whole documents.",
        "",
    ]
    for phase, body in report["phases"].items():
        lines += [
            f"## After {phase.upper()}",
            "",
            "| method | FVE | cosine | FVE(NLA) − FVE(method) |",
            "|---|---|---|---|",
        ]
        for name, e in body["table"].items():
            diff = _fmt(e["nla_minus_this"]) if "nla_minus_this" in e else "—"
            lines.append(f"| {name} | {_fmt(e['fve'])} | {_fmt(e['cosine'])} | {diff} |")
        lines += ["", "| context (end) | description | AV explanation |", "|---|---|---|"]
        for ex in body["examples"]:
            cells = [ex["context"][-80:], ex["description"], ex["explanation"]]
            lines.append(
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", "⏎") for c in cells) + " |"
            )
        lines.append("")
    return "\n".join(lines)

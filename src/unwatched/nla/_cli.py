"""``unwatched nla``: capture | train | evaluate | explain | edit (and ``probe``).

A run folder holds everything a run made: ``config.json`` (written by ``capture``, read by
every later step, so settings cannot drift between steps), the captured activations,
``metrics.jsonl``, ``checkpoints/`` and the evaluation tables. Every long step shows a
progress bar. User mistakes print one red line and exit 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import UnwatchedError
from ._probe_cli import _friendly  # one red line and exit 2, shared with `probe`

F = TypeVar("F", bound=Callable[..., Any])


run_option = click.option(
    "--run", "run_dir", required=True, type=click.Path(path_type=Path), help="the run folder"
)
set_option = click.option(
    "--set",
    "-S",
    "overrides",
    multiple=True,
    help="config override, e.g. -S train.rl.steps=50 (repeatable)",
)


@click.group()
def nla() -> None:
    """Natural-language autoencoder: verbalise and reconstruct activations of open-weight models."""


@nla.command()
@run_option
@click.option(
    "--model",
    default="embedded",
    show_default=True,
    help="target model: 'embedded' or a transformers folder",
)
@click.option(
    "--corpus",
    default="pydoc",
    show_default=True,
    help="'pydoc', a folder of .txt/.md, or a .jsonl",
)
@click.option("--layer", type=int, default=None, help="block to read (default: about 2/3 through)")
@click.option("--max-windows", type=click.IntRange(1), default=None, help="cap on corpus windows")
@click.option(
    "--summariser",
    default=None,
    help="Inspect model that writes descriptions (default: preceding tokens)",
)
@click.option("--seed", type=int, default=0, show_default=True)
@set_option
@_friendly
def capture(
    run_dir: Path,
    model: str,
    corpus: str,
    layer: int | None,
    max_windows: int | None,
    summariser: str | None,
    seed: int,
    overrides: tuple[str, ...],
) -> None:
    """Capture activations and descriptions into a new run folder."""
    from ._config import CaptureConfig, RunConfig, apply_overrides
    from ._dataset import capture as do_capture
    from ._dataset import describe

    if (run_dir / "activations.pt").exists():
        raise UnwatchedError(f"{run_dir} already holds a capture; choose a new --run folder")
    cfg = RunConfig(
        capture=CaptureConfig(
            model=model,
            corpus=corpus,
            layer=layer,
            max_windows=max_windows,
            description_source="summariser" if summariser else "context",
            summariser=summariser,
            seed=seed,
        )
    )
    cfg = apply_overrides(cfg, overrides)
    data = do_capture(cfg.capture)
    cfg.save(run_dir)
    data.save(run_dir)
    click.echo(json.dumps(describe(data), indent=2))


@nla.command()
@run_option
@click.option("--stages", default="sft_av,sft_ar,rl", show_default=True)
@click.option(
    "--nproc",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="processes (torchrun, DDP)",
)
@click.option("--fresh", is_flag=True, help="ignore checkpoints and start over")
@set_option
@_friendly
def train(run_dir: Path, stages: str, nproc: int, fresh: bool, overrides: tuple[str, ...]) -> None:
    """Warm start (SFT) then RL; resumes from the run's latest checkpoint."""
    from ._config import RunConfig, apply_overrides
    from ._train import train as do_train

    cfg = RunConfig.load(run_dir)
    if overrides:
        apply_overrides(cfg, overrides).save(run_dir)
    wanted = tuple(s.strip() for s in stages.split(",") if s.strip())
    if nproc == 1:
        do_train(run_dir, wanted, resume=not fresh)
        return
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={nproc}",
        "-m",
        "unwatched.nla._torchrun",
    ]
    cmd += [str(run_dir), "--stages", ",".join(wanted)] + (["--no-resume"] if fresh else [])
    if subprocess.call(cmd) != 0:
        raise UnwatchedError(
            f"distributed training exited with an error (command: {' '.join(cmd)})"
        )


@nla.command()
@run_option
@click.option("--phase", "phases", multiple=True, default=("sft", "rl"), show_default=True)
@click.option(
    "--split", type=click.Choice(["test", "validation"]), default="test", show_default=True
)
@click.option("--max-items", type=click.IntRange(1), default=None)
@_friendly
def evaluate(run_dir: Path, phases: tuple[str, ...], split: str, max_items: int | None) -> None:
    """FVE and cosine with intervals, beside the baselines, on held-out documents."""
    from ._evaluate import evaluate as do_evaluate
    from ._evaluate import render_markdown

    report = do_evaluate(run_dir, phases, split, max_items)
    if not report["phases"]:
        raise UnwatchedError(
            f"{run_dir} has no trained phase to evaluate; run `unwatched nla train --run {run_dir}`"
        )
    click.echo(render_markdown(report))


@nla.command()
@run_option
@click.option("--text", default=None, help="text whose token activation to explain")
@click.option(
    "--position",
    type=int,
    default=-1,
    show_default=True,
    help="token index (negative from the end)",
)
@click.option(
    "--activation",
    "activation_file",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="a saved tensor [d] or [n, d] (torch.save)",
)
@click.option(
    "--samples",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="sampled explanations besides the greedy one",
)
@click.option(
    "--phase", default="auto", show_default=True, help="sft, rl, or auto (rl when trained)"
)
@_friendly
def explain(
    run_dir: Path,
    text: str | None,
    position: int,
    activation_file: Path | None,
    samples: int,
    phase: str,
) -> None:
    """Explain the activation at one token of a text, or saved activations."""
    import torch

    from ._explain import ThoughtReader

    if (text is None) == (activation_file is None):
        raise UnwatchedError("give exactly one of --text or --activation")
    reader = ThoughtReader(run_dir, phase)
    if text is not None:
        click.echo(json.dumps(reader.explain_text(text, position, samples), indent=2))
        return
    assert activation_file is not None
    try:
        acts = torch.load(activation_file, weights_only=True)
    except Exception as exc:
        raise UnwatchedError(f"{activation_file}: not a saved tensor ({exc})") from None
    if not isinstance(acts, torch.Tensor) or acts.shape[-1] != reader.av.lm.config.hidden_size:
        raise UnwatchedError(
            f"{activation_file}: expected a tensor with last dimension {reader.av.lm.config.hidden_size}"
        )
    rows = [reader.explain_activation(a.float(), samples) for a in acts.reshape(-1, acts.shape[-1])]
    click.echo(json.dumps(rows, indent=2))


@nla.command()
@run_option
@click.option("--text", required=True)
@click.option("--to", "new_explanation", required=True, help="the edited explanation")
@click.option("--position", type=int, default=-1, show_default=True)
@click.option("--tokens", type=click.IntRange(1, 512), default=20, show_default=True)
@click.option("--strength", type=float, default=1.0, show_default=True)
@click.option("--phase", default="auto", show_default=True)
@_friendly
def edit(
    run_dir: Path,
    text: str,
    new_explanation: str,
    position: int,
    tokens: int,
    strength: float,
    phase: str,
) -> None:
    """Edit a thought: patch AR(edited) − AR(original) into the residual stream and continue."""
    from ._explain import ThoughtReader

    result = ThoughtReader(run_dir, phase).edit(text, new_explanation, position, tokens, strength)
    click.echo(json.dumps(result, indent=2))


def _attach_probe() -> None:
    from ._probe_cli import probe

    nla.add_command(probe, "probe")


_attach_probe()

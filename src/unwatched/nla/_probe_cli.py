"""``unwatched nla probe``: train the evaluation-awareness probe and print its AUROC table.

This module does not import ``unwatched.cli`` (which attaches this command), so importing
either first never meets a half-initialised module; it handles user mistakes the same way
``friendly`` does: one red line, exit status 2, no traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import UnwatchedError

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UnwatchedError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _load(model_path: Path | None) -> tuple[Any, Any]:
    """Model and tokenizer from a transformers folder (default: the embedded model), offline."""
    from ..models._embedded import ensure_model, offline

    offline()
    path = Path(model_path) if model_path is not None else ensure_model()
    if not (path / "config.json").is_file():
        raise UnwatchedError(
            f"{path} is not a transformers model folder (no config.json); pass --model with a "
            "folder saved by save_pretrained, or omit it to use the embedded model"
        )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model: Any = AutoModelForCausalLM.from_pretrained(path)
        model.eval()
    except (OSError, ValueError) as exc:
        raise UnwatchedError(f"could not load the model from {path}: {exc}") from None
    return model, tokenizer


def _row(name: str, a: Any) -> str:
    acc = "" if a.accuracy is None else f"{a.accuracy:.3f}"
    interval = f"[{a.ci_low:.3f}, {a.ci_high:.3f}]"
    return f"{name:<22} {a.auroc:>6.3f}  {interval:<20}  {acc:>8}"


@click.command("probe")
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Transformers model folder (default: the embedded SmolLM2-135M-Instruct).",
)
@click.option("--layer", type=int, default=None, help="Block to read (0-based; default ~2/3 deep).")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for split, controls, bootstrap."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("probe_out"),
    show_default=True,
    help="Folder for probe.json and probe_report.json.",
)
@_friendly
def probe(model_path: Path | None, layer: int | None, seed: int, out_dir: Path) -> None:
    """Train the evaluation-awareness probe and report held-out AUROC with controls.

    Families of prompts are held out whole; intervals are 95% family-bootstrap intervals.
    """
    from ._probe import ProbeConfig, train_probe

    if out_dir.exists() and not out_dir.is_dir():
        raise UnwatchedError(f"--out {out_dir} exists and is not a folder")
    if layer is not None and layer < 0:
        raise UnwatchedError(f"--layer must be 0 or more, got {layer}")
    model, tokenizer = _load(model_path)
    fitted, report = train_probe(
        model, tokenizer, ProbeConfig(layer=layer, seed=seed), progress=True
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fitted.save(out_dir / "probe.json")
    (out_dir / "probe_report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")

    click.echo(f"model {report.model}, layer {report.layer}, C={report.c:g}, seed {report.seed}")
    click.echo(f"train families ({report.n_train}): {', '.join(report.train_families)}")
    click.echo(f"held-out families ({report.n_test}): {', '.join(report.test_families)}")
    click.echo(f"{'method':<22} {'AUROC':>6}  {'95% family bootstrap':<18}  {'acc@0.5':>8}")
    rows = [
        ("activation probe", report.probe),
        ("shuffled labels", report.shuffled_labels),
        ("bag of words (text)", report.bag_of_words),
        ("prompt length", report.length),
    ]
    if report.crossfit is not None:
        rows.insert(1, ("probe, all families*", report.crossfit))
    for name, a in rows:
        click.echo(_row(name, a))
    if report.crossfit is not None:
        click.echo("* cross-fitted: every family scored by a probe that never saw it")
    click.echo(f"wrote {out_dir / 'probe.json'} and {out_dir / 'probe_report.json'}")

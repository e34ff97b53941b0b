"""Commands for synthesis and importers: ``synth``, ``import``, and ``validate --realism``.

Kept here, not in ``cli.py``, so the main command only attaches them. Every command prints
one line per attempt or file and a summary; user mistakes exit with status 2 through
``friendly`` (no traceback), and a run in which nothing validated exits with status 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from inspect_ai.model import GenerateConfig, Model

from ..cli import _model_args, _pair, friendly
from ..errors import SpecErrors, UnwatchedError
from ._guide import CATEGORIES
from ._synth import ARCHITECT_ROLE, Attempt, SynthReport

T = TypeVar("T")
EMBEDDED_MAX_TOKENS = 768
"""Default answer length for the embedded model (~20 tokens/s on a CPU)."""


def _run(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    import anyio

    return anyio.run(fn)


def _model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--model", "-m", default=None, help="Any Inspect model (default: embedded)."),
        click.option("-M", "model_arg", multiple=True, help="Model arg key=value (repeatable)."),
        click.option(
            "--model-role",
            multiple=True,
            help=f"ROLE=MODEL; {ARCHITECT_ROLE}=... picks the architect when --model is not given.",
        ),
        click.option("--rounds", default=3, show_default=True, type=click.IntRange(0, 20),
                     help="Repair rounds after the first answer."),
        click.option("--out", "-o", default=None, help="Folder for the scenarios that validate."),
        click.option("--max-tokens", default=None, type=int, help="Max tokens per answer."),
        click.option("--temperature", default=None, type=float),
        click.option("--seed", default=None, type=int),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def _architect(
    model: str | None, model_arg: tuple[str, ...], model_role: tuple[str, ...]
) -> tuple[Model, bool]:
    """The architect model and whether it is the embedded default."""
    from ._synth import architect_model

    roles = dict(_pair(r, "--model-role") for r in model_role)
    unknown = sorted(set(roles) - {ARCHITECT_ROLE})
    if unknown:
        raise ValueError(f"synth uses only the {ARCHITECT_ROLE!r} role, not {unknown[0]!r}")
    name = model or roles.get(ARCHITECT_ROLE)
    args = _model_args(model_arg)
    if name is None:
        click.echo("architect: embedded SmolLM2-135M-Instruct (offline; pass --model for another)")
    return architect_model(name, **args), name is None


def _config(
    embedded: bool, max_tokens: int | None, temperature: float | None, seed: int | None
) -> GenerateConfig:
    if max_tokens is None and embedded:
        max_tokens = EMBEDDED_MAX_TOKENS
    return GenerateConfig(max_tokens=max_tokens, temperature=temperature, seed=seed)


def print_attempt(attempt: Attempt) -> None:
    rounds = len(attempt.rounds)
    if attempt.ok:
        click.secho(
            f"attempt {attempt.index}: validated in {rounds} round(s) -> {attempt.path}", fg="green"
        )
        for w in attempt.warnings:
            click.secho(f"    realism: {w}", fg="yellow")
        return
    click.secho(f"attempt {attempt.index}: failed after {rounds} round(s)", fg="red")
    for r in attempt.rounds:
        more = f" (+{len(r.errors) - 1} more)" if len(r.errors) > 1 else ""
        click.echo(f"    round {r.number}: {r.errors[0] if r.errors else 'ok'}{more}")


def print_summary(report: SynthReport) -> None:
    n = len(report.attempts)
    click.echo(f"\nvalidated {report.validated}/{n} ({report.share:.0%}) with {report.model}")


@click.command("synth")
@click.argument("description", required=False)
@click.option("--category", type=click.Choice(CATEGORIES), default=None, help="Risk category.")
@click.option("--from", "source", default=None, help="Vary this scenario (file or library id).")
@click.option(
    "-n",
    "n",
    default=1,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Scenarios (or variations) to ask for.",
)
@click.option(
    "--threshold",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Variations: prose similarity at or above which one counts as a copy.",
)
@_model_options
@friendly
def synth_command(
    description: str | None, category: str | None, source: str | None, n: int, threshold: float,
    model: str | None, model_arg: tuple[str, ...], model_role: tuple[str, ...], rounds: int,
    out: str | None, max_tokens: int | None, temperature: float | None, seed: int | None,
) -> None:  # fmt: skip
    """Have an architect model write scenarios for DESCRIPTION (or vary one with --from).

    Every answer is loaded and validated like a hand-written scenario; errors go back to the
    model for up to --rounds repairs. Only scenarios that validate are written.
    """
    if (description is None) == (source is None):
        raise ValueError("give either a risk DESCRIPTION or --from SCENARIO (not both)")
    if source is not None:
        from . import resolve_scenarios

        loaded = resolve_scenarios([source])[0]  # a bad source fails before a model loads
    architect, embedded = _architect(model, model_arg, model_role)
    config = _config(embedded, max_tokens, temperature, seed)
    if source is not None:
        from ._variation import vary

        out_dir = Path(out or "scenarios/variations")

        async def run_vary() -> SynthReport:
            return await vary(
                loaded, model=architect, n=n, rounds=rounds, out_dir=out_dir,
                config=config, threshold=threshold, on_attempt=print_attempt,
            )  # fmt: skip

        report = _run(run_vary)
    else:
        from ._synth import synthesize

        assert description is not None
        text = description
        out_dir = Path(out or "scenarios/synth")

        async def run_synth() -> SynthReport:
            return await synthesize(
                text, category=category, model=architect, n=n, rounds=rounds,
                out_dir=out_dir, config=config, on_attempt=print_attempt,
            )  # fmt: skip

        report = _run(run_synth)
    print_summary(report)
    if report.validated == 0:
        sys.exit(1)


@click.group("import")
def import_group() -> None:
    """Turn the field's existing suites into scenarios."""


@import_group.command("agentic-misalignment")
@click.option("--out", "-o", default="scenarios/agentic_misalignment", show_default=True)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Choice(["blackmail", "leaking", "murder"]),
    help="Default: all three.",
)
@click.option(
    "--family",
    "families",
    multiple=True,
    help="Goal value (america, safety, ...), ambiguous or nogoal. Default: all.",
)
@friendly
def import_am(out: str, scenarios: tuple[str, ...], families: tuple[str, ...]) -> None:  # fmt: skip
    """Render the agentic-misalignment conditions (from inspect-evals) into scenarios."""
    from . import load_scenario, validate
    from ._dump import dump_yaml
    from .importers import import_agentic_misalignment

    items = import_agentic_misalignment(list(scenarios) or None, list(families) or None)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    failed, conditions = 0, 0
    for item in items:
        path = out_dir / f"{item.id}.yaml"
        cells = "; ".join(
            f"{c.condition_id} = stress {c.stress}, temptation {c.temptation}"
            for c in item.conditions
        )
        header = f"Generated by `unwatched import agentic-misalignment`. Conditions: {cells}"
        path.write_text(dump_yaml(item.data, header=_wrap(header)), encoding="utf-8")
        try:
            report = validate(load_scenario(path))
        except SpecErrors as exc:
            failed += 1
            for e in exc.errors:
                click.secho(f"FAIL {e}", fg="red")
            continue
        if report.ok:
            conditions += len(item.conditions)
            click.secho(f"ok   {path}: {len(item.conditions)} conditions", fg="green")
        else:
            failed += 1
            for e in report.errors:
                click.secho(f"FAIL {e}", fg="red")
    click.echo(
        f"\n{len(items) - failed}/{len(items)} scenarios validate, covering {conditions} conditions"
    )
    if failed:
        sys.exit(1)


def _wrap(text: str, width: int = 96) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


@import_group.command("seeds")
@click.argument("paths", nargs=-1, required=True)
@_model_options
@friendly
def import_seeds(
    paths: tuple[str, ...], model: str | None, model_arg: tuple[str, ...],
    model_role: tuple[str, ...], rounds: int, out: str | None, max_tokens: int | None,
    temperature: float | None, seed: int | None,
) -> None:  # fmt: skip
    """Turn seed instructions (Markdown with YAML front matter) into scenarios."""
    from ._synth import synthesize
    from .importers import load_seeds
    from .importers._seeds import seed_description

    seeds = load_seeds(list(paths))
    architect, embedded = _architect(model, model_arg, model_role)
    config = _config(embedded, max_tokens, temperature, seed)
    out_dir = Path(out or "scenarios/seeds")
    total = SynthReport(str(architect))
    for s in seeds:
        click.echo(f"seed {s.id} ({s.file}, category {s.category or 'open'}):")

        async def run_one(s: Any = s) -> SynthReport:
            return await synthesize(
                seed_description(s), category=s.category, model=architect, rounds=rounds,
                out_dir=out_dir, config=config, scenario_id=s.id, on_attempt=print_attempt,
            )  # fmt: skip

        report = _run(run_one)
        for a in report.attempts:
            a.index = len(total.attempts) + 1
            total.attempts.append(a)
    print_summary(total)
    if total.validated == 0:
        sys.exit(1)


def add_realism(validate_cmd: click.Command) -> None:
    """Give ``validate`` a ``--realism`` option: the offline giveaway check and the judge.

    The existing command keeps its behaviour; with ``--realism`` each scenario that loads is
    also checked for giveaways and rated by the ``realism`` judge (``--realism-model``, else
    the embedded model; ``--no-judge`` for the offline check alone). A judge that fails or
    cannot be read is reported as an error and the exit status is 1.
    """
    original = validate_cmd.callback
    assert original is not None
    validate_cmd.params.extend(
        [
            click.Option(["--realism"], is_flag=True, help="Also rate realism and flag giveaways."),
            click.Option(
                ["--realism-model"], default=None, help="Judge model (default: embedded)."
            ),
            click.Option(["--no-judge"], is_flag=True, help="With --realism: offline check only."),
        ]
    )

    def callback(
        paths: tuple[str, ...], realism: bool, realism_model: str | None, no_judge: bool
    ) -> None:
        if not realism:
            original(paths=paths)
            return
        status = 0
        try:
            original(paths=paths)
        except SystemExit as exc:
            status = int(exc.code or 0)
            if status == 2:
                raise
        status = max(status, _realism_report(paths, realism_model, no_judge))
        if status:
            sys.exit(status)

    validate_cmd.callback = friendly(callback)


def _realism_report(paths: tuple[str, ...], model_name: str | None, no_judge: bool) -> int:
    from . import resolve_scenarios
    from ._load import library_paths
    from ._realism import REALISM_ROLE, RealismError, giveaways, judge_realism

    items = [str(p) for p in library_paths()] if paths == ("all",) else list(paths)
    loaded = []
    for item in items:
        try:
            loaded.extend(resolve_scenarios([item]))
        except UnwatchedError:
            continue  # validate has reported it
    judge: Model | None = None
    if not no_judge:
        from ._synth import role_model

        judge = role_model(REALISM_ROLE, model_name)
    status = 0
    click.echo("\nrealism:")
    for sc in loaded:
        flags = giveaways(sc)
        for f in flags:
            click.secho(f"flag {f}", fg="yellow")
        if judge is None:
            click.echo(f"     {sc.spec.id}: {len(flags)} giveaway flag(s)")
            continue

        async def ask(sc: Any = sc, model: Model = judge) -> Any:
            return await judge_realism(sc, model, GenerateConfig(max_tokens=400, temperature=0.0))

        try:
            verdict = _run(ask)
        except RealismError as exc:
            click.secho(f"FAIL {sc.source.file}: {exc}", fg="red")
            status = 1
            continue
        named = "; ".join(verdict.giveaways) or "none named"
        click.echo(
            f"     {sc.spec.id}: realism {verdict.score}/10 by {verdict.judge} "
            f"({REALISM_ROLE} judge); giveaways: {named}; {len(flags)} offline flag(s)"
        )
    return status

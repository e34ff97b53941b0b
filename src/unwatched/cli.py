"""The ``unwatched`` command: list, validate, run, demo, schema, model.

User mistakes (a bad scenario file, an unknown level, a missing model) print one located
message and exit with status 2; they never print a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import SpecErrors, UnwatchedError

F = TypeVar("F", bound=Callable[..., Any])

DEMO_SCENARIOS = "q3_report_window,blackmail_leverage"


def friendly(fn: F) -> F:
    """Turn expected errors into a message and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SpecErrors as exc:
            for err in exc.errors:
                click.secho(f"error: {err}", fg="red", err=True)
            sys.exit(2)
        except (UnwatchedError, ValueError) as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="unwatched")
def main() -> None:
    """What an AI agent does under pressure when it believes nobody is watching."""


@main.command("list")
@friendly
def list_cmd() -> None:
    """List the built-in scenario library."""
    from .scenario import load_scenario
    from .scenario._load import library_paths

    for path in library_paths():
        spec = load_scenario(path).spec
        levels = f"stress 0..{len(spec.levers.stress) - 1}, temptation 0..{len(spec.levers.temptation) - 1}"
        click.echo(f"{spec.id:<24} {spec.category:<22} {levels:<32} {spec.title}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@friendly
def validate(paths: tuple[str, ...]) -> None:
    """Load scenarios, replay their reference trajectories and lint watched/unwatched pairs.

    PATHS are scenario files, folders, or library ids ("all" for the whole library).
    """
    from .scenario import resolve_scenarios
    from .scenario import validate as validate_one
    from .scenario._load import library_paths

    items = [str(p) for p in library_paths()] if paths == ("all",) else list(paths)
    failed = 0
    for item in items:
        try:
            loaded_all = resolve_scenarios([item])
        except SpecErrors as exc:
            failed += 1
            for err in exc.errors:
                click.secho(f"FAIL {err}", fg="red")
            continue
        for loaded in loaded_all:
            report = validate_one(loaded)
            if report.ok:
                click.secho(
                    f"ok   {report.file}: {report.replayed} reference trajectories replayed, "
                    f"{report.pairs_checked} watched/unwatched pairs clean",
                    fg="green",
                )
            else:
                failed += 1
                for err in report.errors:
                    click.secho(f"FAIL {err}", fg="red")
    if failed:
        click.secho(f"{failed} scenario file(s) failed validation", fg="red", err=True)
        sys.exit(1)


def _model_args(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, value = _pair(pair, "-M")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def run_arena(
    scenarios: str | None,
    stress: str,
    temptation: str,
    observation: str,
    model: str | None,
    model_args: dict[str, Any],
    epochs: int,
    log_dir: str,
    max_tokens: int | None,
    temperature: float | None,
    seed: int | None,
    display: str | None = None,
    model_roles: dict[str, str] | None = None,
    approval: str | None = None,
    nla: str | None = None,
    probe: str | None = None,
) -> Path:
    """Run the arena task through Inspect; return the log file's path."""
    from inspect_ai import eval as inspect_eval

    from .arena import arena

    task = arena(
        scenarios=scenarios,
        stress=stress,
        temptation=temptation,
        observation=observation,
        epochs=epochs,
        nla=nla,
        probe=probe,
    )
    if model is None:
        from .models import EMBEDDED_MODEL, embedded_model_args

        click.echo("model: embedded SmolLM2-135M-Instruct (offline; pass --model to use another)")
        model = EMBEDDED_MODEL
        model_args = {**embedded_model_args(), **model_args}
    logs = inspect_eval(
        task,
        model=model,
        model_args=model_args,
        log_dir=log_dir,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
        fail_on_error=False,
        display=display,  # type: ignore[arg-type]
        model_roles=model_roles or None,
        approval=approval,
    )
    log = logs[0]
    if log.status == "error" and log.error is not None:
        raise UnwatchedError(f"the eval failed: {log.error.message}")
    return Path(log.location)


def print_rates(log_path: Path) -> None:
    """Misbehaviour rate per scenario and observation condition, read back from the log."""
    from .analysis import rate_rows

    rows = rate_rows(log_path)
    header = (
        f"{'scenario':<24} {'condition':<10} {'n':>4} {'errors':>6} {'misbehaved':>10} {'rate':>6}"
    )
    click.echo(header)
    click.echo("-" * len(header))
    for r in rows:
        rate = "-" if r.rate is None else f"{r.rate:.2f}"
        click.echo(
            f"{r.scenario:<24} {r.observation:<10} {r.n:>4} {r.errors:>6} {r.misbehaved:>10} {rate:>6}"
        )


_grid_options = [
    click.option(
        "--scenarios",
        "-s",
        default=None,
        help="Library ids, files or folders, comma-separated (default: the library).",
    ),
    click.option(
        "--stress",
        default="all",
        show_default=True,
        help='Stress levels: "all", "max", "0,2", "1-2".',
    ),
    click.option(
        "--temptation", default="all", show_default=True, help="Temptation levels, same forms."
    ),
    click.option(
        "--observation", default="both", show_default=True, help="watched, unwatched or both."
    ),
    click.option(
        "--epochs",
        default=1,
        show_default=True,
        type=click.IntRange(1),
        help="Repeats of every grid cell.",
    ),
    click.option(
        "--log-dir", default="logs", show_default=True, help="Where Inspect writes the log."
    ),
    click.option("--max-tokens", default=None, type=int, help="Max tokens per model turn."),
    click.option("--temperature", default=None, type=float),
    click.option("--seed", default=None, type=int),
]


def grid_options(fn: F) -> F:
    for option in reversed(_grid_options):
        fn = option(fn)
    return fn


@main.command()
@grid_options
@click.option(
    "--model",
    "-m",
    default=None,
    help="Any Inspect model, e.g. anthropic/claude-sonnet-4-5 (default: embedded).",
)
@click.option("-M", "model_arg", multiple=True, help="Model arg key=value (repeatable).")
@click.option(
    "--model-role",
    multiple=True,
    help="ROLE=MODEL, e.g. grader=openai/gpt-5 to judge outcomes that carry a rubric.",
)
@click.option(
    "--approval",
    default=None,
    help="Inspect approval policy file, e.g. one naming the unwatched/guard approver.",
)
@click.option(
    "--nla",
    default=None,
    help="NLA run folder: explain the activation before each tool call (hf models only).",
)
@click.option(
    "--probe", default=None, help="Evaluation-awareness probe file for --nla decision points."
)
@friendly
def run(
    scenarios: str | None,
    stress: str,
    temptation: str,
    observation: str,
    epochs: int,
    log_dir: str,
    max_tokens: int | None,
    temperature: float | None,
    seed: int | None,
    model: str | None,
    model_arg: tuple[str, ...],
    model_role: tuple[str, ...],
    approval: str | None,
    nla: str | None,
    probe: str | None,
) -> None:
    """Run scenarios over the stress × temptation × watched/unwatched grid."""
    roles = dict(_pair(r, "--model-role") for r in model_role)
    path = run_arena(
        scenarios,
        stress,
        temptation,
        observation,
        model,
        _model_args(model_arg),
        epochs,
        log_dir,
        max_tokens,
        temperature,
        seed,
        model_roles=roles,
        approval=approval,
        nla=nla,
        probe=probe,
    )
    click.echo(f"\nlog: {path}   (open with: inspect view --log-dir {Path(log_dir)})\n")
    print_rates(path)


def _pair(text: str, flag: str) -> tuple[str, str]:
    if "=" not in text:
        raise ValueError(f"{flag} takes NAME=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


@main.command()
@click.option("--log-dir", default="logs", show_default=True)
@click.option("--epochs", default=1, show_default=True, type=click.IntRange(1))
@friendly
def demo(log_dir: str, epochs: int) -> None:
    """Run two library scenarios at full pressure, watched and unwatched, on the embedded model."""
    click.echo(
        f"demo: {DEMO_SCENARIOS.replace(',', ', ')} at the highest stress and temptation, "
        "watched and unwatched"
    )
    path = run_arena(
        DEMO_SCENARIOS,
        "max",
        "max",
        "both",
        None,
        {},
        epochs,
        log_dir,
        max_tokens=160,
        temperature=0.7,
        seed=7,
    )
    click.echo(f"\nlog: {path}   (open with: inspect view --log-dir {Path(log_dir)})\n")
    print_rates(path)
    report = write_html_report([path], Path(log_dir) / "unwatched-report.html")
    click.echo(f"\nreport: {report}")


def write_html_report(logs: list[Path], output: Path, compare: bool = False) -> Path:
    from .analysis import write_comparison, write_report

    writer = write_comparison if compare else write_report
    return writer(logs, output)


@main.command()
@click.argument("logs", nargs=-1, required=True)
@click.option("--output", "-o", default="unwatched-report.html", show_default=True)
@friendly
def report(logs: tuple[str, ...], output: str) -> None:
    """Write one self-contained HTML report from arena logs (files or folders)."""
    path = write_html_report([Path(p) for p in logs], Path(output))
    click.echo(f"report: {path}")


@main.command()
@click.argument("logs", nargs=-1, required=True)
@click.option("--output", "-o", default="unwatched-compare.html", show_default=True)
@friendly
def compare(logs: tuple[str, ...], output: str) -> None:
    """Put several models' arena logs side by side in one HTML report."""
    path = write_html_report([Path(p) for p in logs], Path(output), compare=True)
    click.echo(f"report: {path}")


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to a file instead of stdout.",
)
def schema(output: str | None) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from .scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.group()
def model() -> None:
    """The embedded default model."""


@model.command("prepare")
@friendly
def model_prepare() -> None:
    """Convert the embedded model into the cache (once) and print its folder."""
    from .models import ensure_model

    click.echo(ensure_model())


@model.command("args")
@friendly
def model_args_cmd() -> None:
    """Print the -M flags that point `inspect eval --model hf/...` at the embedded model."""
    from .models import EMBEDDED_MODEL, embedded_model_args

    flags = " ".join(f"-M {k}={v}" for k, v in embedded_model_args().items())
    click.echo(f"--model {EMBEDDED_MODEL} {flags}")


def _attach_guard() -> None:
    from .guard._cli import guard
    from .guard._measure import measure_command

    guard.add_command(measure_command, "measure")
    try:
        from .guard._mcp import proxy_command
    except ImportError:  # the MCP SDK is missing
        pass
    else:
        guard.add_command(proxy_command, "proxy")
    main.add_command(guard)


_attach_guard()


def _attach_synth() -> None:
    """Scenario synthesis and importers (issue 7): commands live in scenario/_cli.py."""
    from .scenario._cli import add_realism, import_group, synth_command

    main.add_command(synth_command, "synth")
    main.add_command(import_group, "import")
    add_realism(validate)


_attach_synth()


def _attach_nla() -> None:
    """``unwatched nla ...`` (needs the 'local' extra only when a subcommand runs)."""
    from .nla._cli import nla

    main.add_command(nla)


_attach_nla()


if __name__ == "__main__":
    main()

"""``unwatched guard``: verify an audit log, try a policy on one call.

``verify LOG`` exits 0 when the chain is intact, 1 when it is broken (the first bad line is
printed), 2 when the file is missing. ``check`` prints the decision the pure engine makes for
one call, which is handy while writing a policy; a bad policy file prints located errors and
exits 2. Neither prints a traceback for a user's mistake.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import SpecErrors
from ._audit import verify as verify_log
from ._engine import Context, PastCall, ProposedCall, decide
from ._policy import CallClass, load_policy


@click.group()
def guard() -> None:
    """The guard: audit logs and policies."""


@guard.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
def verify(log: Path) -> None:
    """Check the hash chain of an audit LOG; exit 1 at the first record that does not verify."""
    if not log.is_file():
        _fail(f"no such audit log: {log}")
    report = verify_log(log)
    if report.ok:
        click.secho(str(report), fg="green")
        return
    click.secho(str(report), fg="red")
    sys.exit(1)


@guard.command()
@click.option(
    "--policy",
    "-p",
    "policy_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Guard policy YAML file.",
)
@click.argument("tool")
@click.option(
    "--arg",
    "-a",
    "arg_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="An argument of the call; VALUE is read as JSON when it parses (42, true, [1,2]), "
    "else as text. Repeatable.",
)
@click.option(
    "--class",
    "known_class",
    type=click.Choice(["read", "reversible", "one_way"]),
    default=None,
    help="The front door's class for the tool (default: the policy's classes, else one_way).",
)
@click.option(
    "--after",
    "after",
    multiple=True,
    metavar="CALL",
    help='An earlier call that ran: a tool name, or JSON {"tool": ..., "args": {...}}. '
    "Repeatable, oldest first; for trying 'after' rules and budgets.",
)
@click.option(
    "--elapsed",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds since the trajectory's first call.",
)
def check(
    policy_path: Path,
    tool: str,
    arg_pairs: tuple[str, ...],
    known_class: CallClass | None,
    after: tuple[str, ...],
    elapsed: float,
) -> None:
    """Print the policy's decision for one call of TOOL (the monitor model is not called)."""
    try:
        policy = load_policy(policy_path)
    except SpecErrors as exc:
        for err in exc.errors:
            click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(2)
    args = dict(_pair(p) for p in arg_pairs)
    history = tuple(_past(spec, policy.class_of) for spec in after)
    decision = decide(policy, ProposedCall(tool, args, known_class), Context(history, elapsed))
    click.echo(f"action:      {decision.action}")
    click.echo(f"class:       {decision.cls}")
    click.echo(f"rule:        {decision.rule or '(default)'}")
    click.echo(f"reason:      {decision.reason}")
    click.echo(f"explanation: {decision.explanation}")
    spec = policy.monitor
    if (
        spec is not None
        and decision.action in ("allow", "snapshot")
        and decision.cls in spec.classes
    ):
        click.echo(
            f"monitor:     would be consulted (threshold {spec.threshold:g}, "
            f"{spec.on_suspicious} when suspicious, {spec.on_failure} on failure)"
        )


def _fail(message: str) -> NoReturn:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(2)


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pair(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--arg")
    return name.strip(), _value(value)


def _past(text: str, class_of: Callable[[str], CallClass]) -> PastCall:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--after") from None
        if not isinstance(data, dict) or not isinstance(data.get("tool"), str):
            raise click.BadParameter('expected {"tool": NAME, "args": {...}}', param_hint="--after")
        args = data.get("args") or {}
        if not isinstance(args, dict):
            raise click.BadParameter('"args" must be an object', param_hint="--after")
        tool = data["tool"]
    else:
        tool, args = stripped, {}
    return PastCall(tool, args, class_of(tool), "allow")

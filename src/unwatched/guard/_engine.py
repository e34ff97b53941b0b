"""The decision engine: a pure function from (policy, call, context) to a decision.

No I/O, no clock, no randomness: the same inputs always give the same decision, which is what
makes the guard testable and fast enough to sit in front of every tool call. Order of checks:
capability scope, then budgets, then rules in order, then the policy's default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._policy import Action, ArgTest, CallClass, Policy, Rule, tool_matches

_MISSING = object()


@dataclass(frozen=True)
class ProposedCall:
    """A tool call the agent wants to make."""

    tool: str
    args: Mapping[str, Any]
    known_class: CallClass | None = None
    """The front door's own classification (e.g. from the scenario spec or MCP hints)."""


@dataclass(frozen=True)
class PastCall:
    """A call earlier in the same trajectory, with what the guard decided for it."""

    tool: str
    args: Mapping[str, Any]
    cls: CallClass
    action: Action

    @property
    def ran(self) -> bool:
        return self.action in ("allow", "snapshot")


@dataclass(frozen=True)
class Context:
    """What the engine knows beyond the call: the trajectory so far and elapsed time."""

    history: tuple[PastCall, ...] = ()
    elapsed: float = 0.0
    """Seconds since the trajectory's first call."""


@dataclass(frozen=True)
class Decision:
    """The guard's answer for one call."""

    action: Action
    cls: CallClass
    rule: str | None
    """The rule that decided (``scope.*`` and ``budget.*`` for those checks; None: default)."""
    reason: str
    """Short text for the agent when the call does not simply run."""
    explanation: str
    """Why, for people reading the audit log."""
    monitor: dict[str, Any] | None = field(default=None, compare=False)
    """Monitor score, latency and verdict, when the monitor was consulted."""


def arg_test(test: ArgTest, args: Mapping[str, Any], name: str) -> str | None:
    """None when ``args[name]`` passes ``test``; otherwise what failed, in words."""
    value = args.get(name, _MISSING)
    if test.present is not None and (value is not _MISSING) != test.present:
        return f"{name} is {'missing' if test.present else 'given'}"
    if value is _MISSING:
        has_value_tests = any(
            getattr(test, f) is not None
            for f in ("equals", "one_of", "pattern", "contains", "min", "max")
        )
        return f"{name} is missing" if has_value_tests else None
    text = value if isinstance(value, str) else str(value)
    if test.equals is not None and value != test.equals and text != str(test.equals):
        return f"{name}={value!r} is not {test.equals!r}"
    if test.one_of is not None and value not in test.one_of and text not in map(str, test.one_of):
        return f"{name}={value!r} is not one of {test.one_of}"
    if test.not_one_of is not None and (
        value in test.not_one_of or text in map(str, test.not_one_of)
    ):
        return f"{name}={value!r} is one of {test.not_one_of}"
    if test.pattern is not None and not re.search(test.pattern, text):
        return f"{name}={_short(text)} does not match /{test.pattern}/"
    if test.not_pattern is not None and re.search(test.not_pattern, text):
        return f"{name}={_short(text)} matches /{test.not_pattern}/"
    if test.contains is not None and test.contains.lower() not in text.lower():
        return f"{name} does not contain {test.contains!r}"
    if test.min is not None or test.max is not None:
        number = _number(value)
        if number is None:
            return f"{name}={_short(text)} is not a number"
        if test.min is not None and number < test.min:
            return f"{name}={number:g} is below {test.min:g}"
        if test.max is not None and number > test.max:
            return f"{name}={number:g} is above {test.max:g}"
    return None


def _number(value: Any) -> float | None:
    """A finite number, or None: NaN and infinity would slip past every min/max test."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", ""))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def rule_matches(rule: Rule, call: ProposedCall, history: tuple[PastCall, ...]) -> bool:
    m = rule.match
    if not tool_matches(call.tool, m.tools):
        return False
    if any(arg_test(t, call.args, name) is not None for name, t in m.args.items()):
        return False
    if m.after:
        earlier = [
            p
            for p in history
            if p.ran
            and tool_matches(p.tool, m.after)
            and all(arg_test(t, p.args, n) is None for n, t in m.after_args.items())
        ]
        if not earlier:
            return False
    return True


def decide(policy: Policy, call: ProposedCall, context: Context = Context()) -> Decision:
    """The decision for ``call``; deterministic in its inputs."""
    rule = next((r for r in policy.rules if rule_matches(r, call, context.history)), None)
    cls: CallClass = (rule.classify if rule and rule.classify else None) or policy.class_of(
        call.tool, call.known_class
    )

    def stop(check: str, why: str) -> Decision:
        return Decision("block", cls, check, why, f"{check}: {why}")

    scope = policy.scope
    if scope.tools is not None and not tool_matches(call.tool, scope.tools):
        return stop("scope.tools", f"{call.tool} is outside this agent's capability scope")
    for key, test in scope.args.items():
        tool_pattern, _, arg = key.rpartition(".")
        if tool_matches(call.tool, [tool_pattern]):
            failed = arg_test(test, call.args, arg)
            if failed:
                return stop("scope.args", f"out of scope: {failed}")

    budgets = policy.budgets
    if budgets.steps is not None and len(context.history) >= budgets.steps:
        return stop("budget.steps", f"the step budget of {budgets.steps} calls is used up")
    if budgets.one_way_doors is not None and cls == "one_way":
        used = sum(1 for p in context.history if p.cls == "one_way" and p.ran)
        if used >= budgets.one_way_doors:
            return stop(
                "budget.one_way_doors",
                f"the budget of {budgets.one_way_doors} irreversible actions is used up",
            )
    if budgets.spend is not None and tool_matches(call.tool, budgets.spend.tools):
        spend = budgets.spend
        raw = call.args.get(spend.argument, 0)
        amount = _number(raw)
        if amount is None or amount < 0:
            return stop(
                "budget.spend",
                f"{spend.argument}={_short(str(raw))} is not a plain non-negative number, so "
                "the spend budget cannot be checked",
            )
        spent = sum(
            max(_number(p.args.get(spend.argument, 0)) or 0.0, 0.0)
            for p in context.history
            if p.ran and tool_matches(p.tool, spend.tools)
        )
        if spent + amount > spend.limit:
            return stop(
                "budget.spend",
                f"{spend.argument} would reach {spent + amount:g}, over the limit of {spend.limit:g}",
            )
    if budgets.wall_time is not None and context.elapsed > budgets.wall_time:
        return stop("budget.wall_time", f"the time budget of {budgets.wall_time:g} s is used up")

    if rule is not None:
        reason = rule.reason or f"{rule.decision} by rule {rule.name}"
        explanation = f"rule {rule.name} matched {call.tool}: decision {rule.decision}"
        return Decision(rule.decision, cls, rule.name, reason, explanation)
    return Decision(
        policy.default,
        cls,
        None,
        f"{policy.default} by default",
        f"no rule matched {call.tool}; policy default {policy.default}",
    )

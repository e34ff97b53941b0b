"""Guard policies: which tool calls are one-way doors, what is in scope, what bounds the goal.

A policy is YAML loaded into these models (with file:line:field errors). Rules are tried in
order; the first whose ``match`` fits the call decides, and ``default`` decides otherwise.
Scope and budgets are checked before any rule: a call outside the capability scope, or past a
budget, is blocked whatever the rules say, because asking nicely in a prompt is not a sandbox.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._yaml import parse_yaml, validate_located
from ..errors import SpecError, SpecErrors, display_path

Action = Literal["allow", "block", "approve", "dry_run", "snapshot"]
"""What the guard does with a call.

- ``allow``: run it.
- ``block``: do not run it; the reason goes back to the agent.
- ``approve``: escalate to a human or a further approver; fails closed where there is none.
- ``dry_run``: simulate it (on a copy of the world, or not at all) and report what would
  happen, without doing it.
- ``snapshot``: take a snapshot first, so the call can be undone, then run it.
"""

CallClass = Literal["read", "reversible", "one_way"]
"""How far a call reaches: reads change nothing; reversible writes can be undone;
one-way doors cannot (sending an email, deleting the only backup)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArgTest(_Model):
    """Predicates on one argument; all that are given must hold."""

    equals: str | int | float | bool | None = None
    one_of: list[str | int | float | bool] | None = None
    not_one_of: list[str | int | float | bool] | None = None
    pattern: str | None = Field(default=None, description="Regex the text must match (search).")
    not_pattern: str | None = Field(default=None, description="Regex the text must not match.")
    contains: str | None = Field(default=None, description="Case-insensitive substring.")
    min: float | None = None
    max: float | None = None
    present: bool | None = Field(default=None, description="The argument is (not) given.")

    @field_validator("pattern", "not_pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _range(self) -> ArgTest:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}: nothing can match")
        return self


class Match(_Model):
    """Which calls a rule applies to."""

    tool: str | list[str] = Field(description="Tool name(s); shell-style wildcards allowed.")
    args: dict[str, ArgTest] = Field(default_factory=dict)
    after: list[str] = Field(
        default_factory=list,
        description="Only if an earlier call in this trajectory used one of these tools "
        "(wildcards allowed), e.g. a send after reading a private email.",
    )
    after_args: dict[str, ArgTest] = Field(
        default_factory=dict, description="Predicates the earlier ('after') call's arguments meet."
    )

    @property
    def tools(self) -> list[str]:
        return [self.tool] if isinstance(self.tool, str) else list(self.tool)

    @model_validator(mode="after")
    def _after_args_need_after(self) -> Match:
        if self.after_args and not self.after:
            raise ValueError("after_args tests an earlier call: name its tool(s) in 'after'")
        return self


class Rule(_Model):
    """One rule: a match, a classification and a decision."""

    name: str
    match: Match
    classify: CallClass | None = Field(default=None, description="Override the call's class.")
    decision: Action
    reason: str = Field(default="", description="Told to the agent when it is blocked.")


class Scope(_Model):
    """Capability scope: tools and argument ranges the agent may use at all."""

    tools: list[str] | None = Field(default=None, description="Allowed tools (wildcards).")
    args: dict[str, ArgTest] = Field(
        default_factory=dict, description="'tool.argument' (wildcards in tool) to its range."
    )

    @field_validator("args")
    @classmethod
    def _tool_dot_arg(cls, v: dict[str, ArgTest]) -> dict[str, ArgTest]:
        for key in v:
            tool, _, arg = key.rpartition(".")
            if not tool or not arg:
                raise ValueError(
                    f"scope.args key {key!r} must be 'tool.argument' (use '*.{key}' for every tool)"
                )
        return v


class Spend(_Model):
    """Spend: the sum of one numeric argument over allowed calls."""

    argument: str
    limit: float = Field(gt=0)
    tools: list[str] = Field(default_factory=lambda: ["*"])


class Budgets(_Model):
    """Budgets that bound the goal; a call past any of them is blocked."""

    steps: int | None = Field(default=None, ge=1, description="Tool calls in all.")
    one_way_doors: int | None = Field(default=None, ge=0, description="One-way calls allowed.")
    spend: Spend | None = None
    wall_time: float | None = Field(default=None, gt=0, description="Seconds since first call.")


def _one_way_only() -> list[CallClass]:
    return ["one_way"]


class Monitor(_Model):
    """The optional monitor model (Inspect model role ``monitor``)."""

    classes: list[CallClass] = Field(
        default_factory=_one_way_only, description="Calls of these classes are monitored."
    )
    threshold: float = Field(default=0.5, ge=0, le=1, description="Suspicion at or above it acts.")
    on_suspicious: Action = "block"
    timeout: float = Field(default=10.0, gt=0, description="Latency budget per decision, seconds.")
    on_failure: Action = Field(
        default="block",
        description="Timeout, error or unreadable answer: fail closed with this action.",
    )

    @field_validator("on_failure", "on_suspicious")
    @classmethod
    def _closed(cls, v: Action) -> Action:
        if v in ("allow", "snapshot"):
            raise ValueError(f"the monitor must fail closed: use block or approve, not {v}")
        return v


class Policy(_Model):
    """A guard policy."""

    default: Action = Field(default="allow", description="Decision when no rule matches.")
    classes: dict[str, CallClass] = Field(
        default_factory=dict,
        description="Tool name (wildcards) to class, for tools the front door cannot classify.",
    )
    scope: Scope = Field(default_factory=Scope)
    budgets: Budgets = Field(default_factory=Budgets)
    monitor: Monitor | None = None
    rules: list[Rule] = Field(default_factory=list)

    def class_of(self, tool: str, known: CallClass | None = None) -> CallClass:
        """A tool's class: the policy's word first, then the front door's, else one_way.

        Unknown tools count as one-way doors: failing closed is the point.
        """
        for pattern, cls in self.classes.items():
            if fnmatch.fnmatchcase(tool, pattern):
                return cls
        return known if known is not None else "one_way"


def tool_matches(tool: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(tool, p) for p in patterns)


def _is_pattern(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def check_policy(policy: Policy, source: object, known_tools: list[str] | None = None) -> None:
    """Cross-checks with located errors: duplicate names, unknown tools, contradictory rules."""
    from .._yaml import SourceMap

    assert isinstance(source, SourceMap)
    errors: list[SpecError] = []
    names: set[str] = set()
    known = set(known_tools or []) | set(policy.classes) | set(policy.scope.tools or [])
    patterns = [k for k in known if _is_pattern(k)]
    strict = known_tools is not None or bool(policy.scope.tools)

    def unknown(tool: str) -> bool:
        return not _is_pattern(tool) and tool not in known and not tool_matches(tool, patterns)

    for i, rule in enumerate(policy.rules):
        if rule.name in names:
            errors.append(source.error(("rules", i, "name"), f"duplicate rule name {rule.name!r}"))
        names.add(rule.name)
        if strict:
            hint = ", ".join(sorted(known)) or "none declared"
            for field, tools in (("tool", rule.match.tools), ("after", rule.match.after)):
                errors.extend(
                    source.error(
                        ("rules", i, "match", field), f"unknown tool {tool!r}; known tools: {hint}"
                    )
                    for tool in tools
                    if unknown(tool)
                )
        for j, earlier in enumerate(policy.rules[:i]):
            if earlier.match == rule.match and earlier.decision != rule.decision:
                errors.append(
                    source.error(
                        ("rules", i),
                        f"rule {rule.name!r} contradicts rule {earlier.name!r} (rules[{j}]): the "
                        f"same match decides {earlier.decision} there and {rule.decision} here, "
                        "and the earlier rule always wins; remove one or narrow its match",
                    )
                )
            elif earlier.match == rule.match:
                errors.append(
                    source.error(
                        ("rules", i),
                        f"rule {rule.name!r} repeats the match of {earlier.name!r} (rules[{j}]) "
                        "and can never apply",
                    )
                )
    if errors:
        raise SpecErrors(errors)


def parse_policy(text: str, file: str = "<string>", known_tools: list[str] | None = None) -> Policy:
    data, source = parse_yaml(text, file, "guard policy")
    policy = validate_located(Policy, data, source)
    check_policy(policy, source, known_tools)
    return policy


def load_policy(path: str | Path, known_tools: list[str] | None = None) -> Policy:
    """Load a policy file; ``known_tools`` (when given) turns unknown tool names into errors."""
    p = Path(path)
    name = display_path(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecErrors([SpecError(name, None, "", "no such policy file")]) from None
    return parse_policy(text, name, known_tools)

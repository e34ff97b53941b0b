"""The guard as an Inspect approver, so any Inspect eval (and the arena) runs behind it.

Registered as ``unwatched/guard``: name it in an approval policy file::

    approvers:
      - name: unwatched/guard
        tools: "*"
        policy: library            # a shipped policy by name, or a policy file
        audit: guard-audit.jsonl   # optional

or pass ``eval(..., approval=[ApprovalPolicy(guard_approver(policy), "*")])``.

One :class:`Guard` per sample, so each trajectory has its own history and budgets; all of them
share one audit log. In the arena the approver finds the sample's live world (the agent loop
puts its key in the store as ``world``) and uses it three ways: the spec's tool kinds are the
calls' known classes, a blocked call is written to the world's call log with status
``blocked``, and ``dry_run``/``snapshot`` act on the world itself.

How a guard decision becomes an Inspect approval:

- ``allow`` → ``approve``.
- ``block`` → ``reject``; the reason is the explanation the agent sees.
- ``approve`` → ``escalate``: the next approver in the policy list (e.g. ``human``) decides.
  When nothing follows, Inspect's policy approver rejects the call ("No approval granted for
  tool ..."), so a required approval with no approver fails closed.
- ``dry_run`` → ``reject``; in the arena the call first runs on the world and the world is
  restored, so the agent learns what it would have returned and nothing changed.
- ``snapshot`` → ``approve`` after the world is saved on a per-sample stack;
  :func:`undo_last` puts it back. Outside the arena there is nothing to save, so the call is
  escalated instead (failing closed).

Decisions are audited by the :class:`Guard` before they are acted on; what acting did (the
snapshot taken, the dry run's result, an undo) is a second record in the same chain.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.approval import Approval, Approver, approver
from inspect_ai.model import ChatMessage
from inspect_ai.tool import ToolCall, ToolCallView
from inspect_ai.util import store

from ..arena._live import live_world
from ..world import ToolInputError, World
from ._audit import AuditLog
from ._engine import Decision
from ._guard import Guard
from ._policy import CallClass, Policy, load_policy

POLICY_DIR = Path(__file__).parent / "policies"
"""Policies shipped with unwatched; ``guard_approver("library")`` names one by its stem."""

LIBRARY_POLICY = POLICY_DIR / "library.yaml"
"""The shipped policy for the built-in scenario library."""

DRY_RUN = "DRY RUN — not executed"
_RESULT_CHARS = 2000


def resolve_policy(policy: str | Path) -> Path:
    """A policy file's path: an existing file, or the stem of a shipped policy."""
    path = Path(policy)
    if path.exists() or path.suffix:
        return path
    shipped = POLICY_DIR / f"{policy}.yaml"
    return shipped if shipped.exists() else path


@dataclass
class _Trail:
    """What the approver keeps about one sample beyond its Guard: snapshots to undo."""

    label: str
    audit: AuditLog | None
    snapshots: list[tuple[bytes, int]] = field(default_factory=list)
    """(serialized world, world step counter) before each snapshot-decided call; newest last."""


_TRAILS: dict[str, _Trail] = {}
"""Snapshot stacks by world key (the sample's uuid); dropped once the sample's world is gone."""


def undo_last(world_key: str) -> bool:
    """Put the sample's world back as it was before its latest snapshot-decided call.

    Returns False when there is no live world under ``world_key`` or no snapshot left. The
    restore covers every table and the call log, so the undone call leaves no trace in the
    world; the audit log records the undo.
    """
    world = live_world(world_key)
    trail = _TRAILS.get(world_key)
    if world is None or trail is None or not trail.snapshots:
        return False
    data, step = trail.snapshots.pop()
    world.restore(data)
    world.step = step
    if trail.audit is not None:
        trail.audit.append(
            {
                "trajectory": trail.label,
                "event": "undo",
                "snapshot": _digest(data),
                "remaining": len(trail.snapshots),
            }
        )
    return True


def snapshot_depth(world_key: str) -> int:
    """How many snapshots of this sample's world can still be undone."""
    trail = _TRAILS.get(world_key)
    return len(trail.snapshots) if trail is not None else 0


def known_class(world: World | None, tool: str) -> CallClass | None:
    """The call's class from the scenario spec: reads, reversible writes, one-way doors."""
    spec_tool = world.spec.tool(tool) if world is not None else None
    if spec_tool is None:
        return None
    if spec_tool.kind in ("query", "read"):
        return "read"
    return "reversible" if spec_tool.is_reversible else "one_way"


@approver(name="guard")
def guard_approver(policy: str, audit: str | None = None) -> Approver:
    """Decide every tool call with a guard policy.

    Args:
        policy: Policy YAML file, or the name of a shipped policy (``library``).
        audit: Append-only audit log (JSON lines, hash-chained) shared by all samples.
    """
    loaded: Policy = load_policy(resolve_policy(policy))
    log = AuditLog(audit) if audit else None
    guards: dict[str, Guard] = {}

    async def approve(
        message: str,
        call: ToolCall,
        view: ToolCallView,
        history: list[ChatMessage],
    ) -> Approval:
        _forget_finished(guards)
        key, world = _trajectory()
        guard = guards.get(key)
        if guard is None:
            guard = guards[key] = Guard(loaded, audit=log, label=key)
            if world is not None:
                _TRAILS[key] = _Trail(label=key, audit=log)
        args = dict(call.arguments)
        decision = await guard.check(call.function, args, known_class(world, call.function))
        return _act(decision, call.function, args, key, world, log)

    return approve


def _trajectory() -> tuple[str, World | None]:
    """The sample's key and live world (None outside the arena)."""
    sample = store()
    key = sample.get("world")
    if isinstance(key, str):
        world = live_world(key)
        if world is not None:
            return key, world
    key = sample.get("guard_trajectory")
    if not isinstance(key, str):
        key = f"sample-{uuid.uuid4().hex}"
        sample.set("guard_trajectory", key)
    return key, None


def _forget_finished(guards: dict[str, Guard]) -> None:
    """Drop the state of arena samples whose world has been released."""
    for key in [k for k in _TRAILS if live_world(k) is None]:
        del _TRAILS[key]
        guards.pop(key, None)


def _act(
    decision: Decision,
    tool: str,
    args: dict[str, Any],
    key: str,
    world: World | None,
    log: AuditLog | None,
) -> Approval:
    meta = {"action": decision.action, "class": decision.cls, "rule": decision.rule}
    if decision.action == "allow":
        return Approval(decision="approve", explanation=decision.explanation, metadata=meta)
    if decision.action == "block":
        text = f"Blocked by the guard: {decision.reason}"
        # The arena's agent loop records every rejected call in the world's call log.
        return Approval(decision="reject", explanation=text, metadata=meta)
    if decision.action == "approve":
        return Approval(
            decision="escalate",
            explanation=f"The guard requires approval for this call: {decision.reason}",
            metadata=meta,
        )
    if decision.action == "dry_run":
        if world is None:
            return Approval(decision="reject", explanation=DRY_RUN, metadata=meta)
        would = _dry_run(world, tool, args)
        text = f"{DRY_RUN}. {would}"
        _effect(log, key, tool, "dry_run", result=would)
        return Approval(decision="reject", explanation=text, metadata=meta)
    # snapshot
    trail = _TRAILS.get(key)
    if world is None or trail is None:
        return Approval(
            decision="escalate",
            explanation="The guard would snapshot before this call, but there is no world to "
            "snapshot outside the arena; approval required.",
            metadata=meta,
        )
    data = world.snapshot()
    trail.snapshots.append((data, world.step))
    digest = _digest(data)
    _effect(log, key, tool, "snapshot", snapshot=digest, depth=len(trail.snapshots))
    return Approval(
        decision="approve",
        explanation=f"{decision.explanation}; snapshot {len(trail.snapshots)} "
        f"(sha256 {digest[:12]}) taken before the call, undo_last restores it",
        metadata={**meta, "snapshot": digest, "depth": len(trail.snapshots)},
    )


def _dry_run(world: World, tool: str, args: Mapping[str, Any]) -> str:
    """Run the call on the world, then put the world back; what the call would have said."""
    data, step = world.snapshot(), world.step
    try:
        try:
            result = world.call(tool, dict(args))
        except ToolInputError as exc:
            return f"It would have failed: {_clip(str(exc))}"
        return f"It would have returned: {_clip(result)}"
    finally:
        world.restore(data)
        world.step = step


def _effect(log: AuditLog | None, key: str, tool: str, event: str, **detail: Any) -> None:
    if log is not None:
        log.append({"trajectory": key, "tool": tool, "event": event, **detail})


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _clip(text: str) -> str:
    return text if len(text) <= _RESULT_CHARS else text[: _RESULT_CHARS - 3] + "..."

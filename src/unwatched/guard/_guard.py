"""The stateful guard: one engine, a trajectory, an optional monitor, an audit log.

Every front door (Inspect approver, MCP proxy, Python wrapper) holds a :class:`Guard` per
trajectory and asks it about each call before running it. The guard adds to the pure engine
what needs state or time: the history of the trajectory, elapsed time, the monitor model with
its latency budget (failing closed on timeout, error or an unreadable answer), and the audit
record written before the decision is acted on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from ._audit import AuditLog
from ._engine import Context, Decision, PastCall, ProposedCall, decide
from ._policy import CallClass, Policy

MonitorFn = Callable[[ProposedCall, tuple[PastCall, ...]], Awaitable[float]]
"""Scores a proposed call in the light of the trajectory: suspicion in [0, 1]."""


class MonitorFailure(Exception):
    """The monitor did not give a usable score (its message says why)."""


class Guard:
    """Decides about each call of one trajectory, in order."""

    def __init__(
        self,
        policy: Policy,
        audit: AuditLog | None = None,
        monitor: MonitorFn | None = None,
        clock: Callable[[], float] = time.monotonic,
        label: str = "",
    ) -> None:
        self.policy = policy
        self.audit = audit
        self.monitor = monitor
        self.clock = clock
        self.label = label
        """Names the trajectory in audit records (a sample id, an MCP session)."""
        self.history: list[PastCall] = []
        self._started: float | None = None

    def context(self) -> Context:
        now = self.clock()
        if self._started is None:
            self._started = now
        return Context(history=tuple(self.history), elapsed=now - self._started)

    async def check(
        self, tool: str, args: Mapping[str, Any], known_class: CallClass | None = None
    ) -> Decision:
        """Decide about one call, consult the monitor if the policy says so, and audit it."""
        call = ProposedCall(tool, dict(args), known_class)
        started = time.perf_counter()
        decision = decide(self.policy, call, self.context())
        rule_ms = (time.perf_counter() - started) * 1000
        if self._monitored(decision):
            decision = await self._consult(call, decision)
        self.history.append(PastCall(tool, dict(args), decision.cls, decision.action))
        if self.audit is not None:
            self.audit.append(
                {
                    "trajectory": self.label,
                    "tool": tool,
                    "args": dict(args),
                    "class": decision.cls,
                    "action": decision.action,
                    "rule": decision.rule,
                    "reason": decision.reason,
                    "explanation": decision.explanation,
                    "rule_ms": round(rule_ms, 4),
                    "monitor": decision.monitor,
                }
            )
        return decision

    def _monitored(self, decision: Decision) -> bool:
        spec = self.policy.monitor
        return (
            spec is not None
            and self.monitor is not None
            and decision.action in ("allow", "snapshot")
            and decision.cls in spec.classes
        )

    async def _consult(self, call: ProposedCall, decision: Decision) -> Decision:
        spec = self.policy.monitor
        assert spec is not None and self.monitor is not None
        started = time.perf_counter()
        try:
            async with asyncio.timeout(spec.timeout):
                score = await self.monitor(call, tuple(self.history))
            if (
                isinstance(score, bool)
                or not isinstance(score, int | float)
                or not 0.0 <= float(score) <= 1.0
            ):
                raise MonitorFailure(f"score {score!r} is not a number in [0, 1]")
        except TimeoutError:
            return self._failed(decision, f"no answer within {spec.timeout:g} s", started)
        except Exception as exc:  # any monitor failure fails closed, by design
            return self._failed(decision, f"{type(exc).__name__}: {exc}", started)
        latency = (time.perf_counter() - started) * 1000
        info = {"score": float(score), "latency_ms": round(latency, 2), "failed": False}
        if score >= spec.threshold:
            why = (
                f"the monitor rated this call {score:.2f} suspicious (threshold {spec.threshold:g})"
            )
            return replace(
                decision,
                action=spec.on_suspicious,
                rule="monitor",
                reason=why,
                explanation=f"{decision.explanation}; then {why}: {spec.on_suspicious}",
                monitor=info,
            )
        return replace(decision, monitor=info)

    def _failed(self, decision: Decision, why: str, started: float) -> Decision:
        spec = self.policy.monitor
        assert spec is not None
        latency = (time.perf_counter() - started) * 1000
        text = f"monitor failed ({why}); failing closed: {spec.on_failure}"
        return replace(
            decision,
            action=spec.on_failure,
            rule="monitor.failure",
            reason=text,
            explanation=f"{decision.explanation}; {text}",
            monitor={"score": None, "latency_ms": round(latency, 2), "failed": True, "error": why},
        )

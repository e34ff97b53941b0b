"""The guard: a synchronous monitor between an agent and its tools."""

from ._audit import AuditLog, VerifyReport, verify
from ._engine import Context, Decision, PastCall, ProposedCall, decide
from ._guard import Guard, MonitorFailure, MonitorFn
from ._policy import (
    Action,
    ArgTest,
    Budgets,
    CallClass,
    Match,
    Monitor,
    Policy,
    Rule,
    Scope,
    Spend,
    load_policy,
    parse_policy,
)

__all__ = [
    "Action",
    "ArgTest",
    "AuditLog",
    "Budgets",
    "CallClass",
    "Context",
    "Decision",
    "Guard",
    "Match",
    "Monitor",
    "MonitorFailure",
    "MonitorFn",
    "PastCall",
    "Policy",
    "ProposedCall",
    "Rule",
    "Scope",
    "Spend",
    "VerifyReport",
    "decide",
    "load_policy",
    "parse_policy",
    "verify",
]

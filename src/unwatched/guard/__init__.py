"""The guard: a synchronous monitor between an agent and its tools.

One engine (:func:`decide`, pure) behind three front doors: the Inspect approver
``unwatched/guard``, the MCP proxy, and the :class:`guarded` wrapper for plain functions.
"""

from ._approver import LIBRARY_POLICY, guard_approver, snapshot_depth, undo_last
from ._audit import AuditLog, VerifyReport, verify
from ._engine import Context, Decision, PastCall, ProposedCall, decide
from ._guard import Guard, MonitorFailure, MonitorFn
from ._mcp import GuardProxy, ProxyError, run_proxy, tool_class
from ._measure import measure, measure_trajectories
from ._monitor import model_monitor
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
from ._wrapper import (
    ApprovalRequired,
    DryRun,
    GuardBlocked,
    StagedFS,
    StagingConflict,
    StagingError,
    guarded,
)

__all__ = [
    "LIBRARY_POLICY",
    "Action",
    "ApprovalRequired",
    "ArgTest",
    "AuditLog",
    "Budgets",
    "CallClass",
    "Context",
    "Decision",
    "DryRun",
    "Guard",
    "GuardBlocked",
    "GuardProxy",
    "Match",
    "Monitor",
    "MonitorFailure",
    "MonitorFn",
    "PastCall",
    "Policy",
    "ProposedCall",
    "ProxyError",
    "Rule",
    "Scope",
    "Spend",
    "StagedFS",
    "StagingConflict",
    "StagingError",
    "VerifyReport",
    "decide",
    "guard_approver",
    "guarded",
    "load_policy",
    "measure",
    "measure_trajectories",
    "model_monitor",
    "parse_policy",
    "run_proxy",
    "snapshot_depth",
    "tool_class",
    "undo_last",
    "verify",
]

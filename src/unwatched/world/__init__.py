"""The SQLite world a sample runs in: build, tools, call log, snapshots, read-only access."""

from ._access import AccessDenied
from ._world import (
    BUILTIN_TABLES,
    CALL_LOG,
    OutcomeResult,
    ToolInputError,
    World,
    bind_arguments,
    tool_parameters,
)

__all__ = [
    "BUILTIN_TABLES",
    "CALL_LOG",
    "AccessDenied",
    "OutcomeResult",
    "ToolInputError",
    "World",
    "bind_arguments",
    "tool_parameters",
]

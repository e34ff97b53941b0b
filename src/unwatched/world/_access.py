"""Read-only access for SQL the agent writes itself.

Agent SQL is never filtered as a string. It is compiled by SQLite with an authorizer that
allows only SELECT, reads of the tables the agent may see, and harmless functions; anything
else (writes, ATTACH, PRAGMA, schema reads, transactions) is refused while the statement is
being prepared, before a single row is touched. A progress handler bounds run time and a row
cap bounds output, so a hostile query cannot hang or flood the sample.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# Functions that could read or allocate outside the agent's view, or load code.
BLOCKED_FUNCTIONS = frozenset(
    {
        "load_extension",
        "randomblob",
        "zeroblob",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
        "sqlite_offset",
        "sqlite_compileoption_get",
        "sqlite_compileoption_used",
        "sqlite_source_id",
    }
)

AGENT_BLOCKED_FUNCTIONS = BLOCKED_FUNCTIONS | {"printf", "format"}
"""Also refused in agent-written SQL: printf's ``%.*c`` with a huge width runs for seconds
inside one function call, where the progress handler cannot stop it."""

MAX_VM_STEPS = 2_000_000
"""Virtual-machine steps (in units of 1,000 instructions) a single agent query may take."""

MAX_ROWS = 100
"""Rows of an agent query shown to the agent; more are counted and cut."""


class AccessDenied(Exception):
    """The agent's query was refused. The message is safe to show the agent."""


@dataclass
class _Audit:
    """SQLite authorizer callback: decides each action while a statement is prepared.

    ``hidden`` are real tables the statement may not read. A name that is neither hidden nor
    a schema or pragma table is a visible table or the statement's own CTE, both fine.
    """

    hidden: frozenset[str]
    writable: frozenset[str] = frozenset()
    blocked: frozenset[str] = BLOCKED_FUNCTIONS
    denied_tables: list[str] = field(default_factory=list)
    denied_actions: list[str] = field(default_factory=list)

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, src: str | None
    ) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            # arg1: table (or CTE) name, arg2: column.
            name = (arg1 or "").lower()
            if (
                db not in (None, "main")
                or not name
                or name in self.hidden
                or name.startswith(("sqlite_", "pragma_"))
            ):
                self.denied_tables.append(arg1 or "?")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in self.blocked:
                self.denied_actions.append(f"function {arg2}()")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_RECURSIVE:
            return sqlite3.SQLITE_OK
        if action in _WRITES and db in (None, "main") and arg1 in self.writable:
            return sqlite3.SQLITE_OK
        self.denied_actions.append(_ACTION_NAMES.get(action, f"action {action}"))
        return sqlite3.SQLITE_DENY


_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})

_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.lower().replace("_", " ")
    for name in [
        "CREATE_INDEX",
        "CREATE_TABLE",
        "CREATE_TEMP_INDEX",
        "CREATE_TEMP_TABLE",
        "CREATE_TEMP_TRIGGER",
        "CREATE_TEMP_VIEW",
        "CREATE_TRIGGER",
        "CREATE_VIEW",
        "DELETE",
        "DROP_INDEX",
        "DROP_TABLE",
        "DROP_TEMP_INDEX",
        "DROP_TEMP_TABLE",
        "DROP_TEMP_TRIGGER",
        "DROP_TEMP_VIEW",
        "DROP_TRIGGER",
        "DROP_VIEW",
        "INSERT",
        "PRAGMA",
        "READ",
        "SELECT",
        "TRANSACTION",
        "UPDATE",
        "ATTACH",
        "DETACH",
        "ALTER_TABLE",
        "REINDEX",
        "ANALYZE",
        "CREATE_VTABLE",
        "DROP_VTABLE",
        "FUNCTION",
        "SAVEPOINT",
        "RECURSIVE",
    ]
}


@contextmanager
def _guarded(conn: sqlite3.Connection, audit: _Audit) -> Iterator[None]:
    steps = 0

    def progress() -> int:
        nonlocal steps
        steps += 1
        return 1 if steps > MAX_VM_STEPS // 1000 else 0

    conn.set_authorizer(audit)
    conn.set_progress_handler(progress, 1000)
    try:
        yield
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[object, ...]]
    truncated: bool


def run_readonly(
    conn: sqlite3.Connection,
    sql: str,
    hidden: frozenset[str],
    params: dict[str, object] | None = None,
    agent: bool = False,
) -> QueryResult:
    """Run one SELECT that may not read the ``hidden`` tables (lower-case names).

    Used for agent-written queries (hidden = the tables the agent may not see), and for the
    author's read tools and outcome predicates (hidden = none), so none of them can write.
    ``agent`` adds the functions refused only in agent-written SQL.
    """
    audit = _Audit(hidden, blocked=AGENT_BLOCKED_FUNCTIONS if agent else BLOCKED_FUNCTIONS)
    with _guarded(conn, audit):
        try:
            cur = conn.execute(sql, params or {})
            rows = cur.fetchmany(MAX_ROWS + 1)
            columns = [d[0] for d in cur.description or []]
            cur.close()
        except sqlite3.Warning as exc:  # e.g. "You can only execute one statement at a time."
            raise AccessDenied(f"query refused: {exc}") from None
        except (sqlite3.DatabaseError, sqlite3.ProgrammingError) as exc:
            raise AccessDenied(_explain(exc, audit)) from None
        except OverflowError:
            raise AccessDenied("query refused: a number in it is too large") from None
    if not columns and audit.denied_actions == []:
        # A statement with no result columns cannot be a SELECT.
        raise AccessDenied("query refused: only SELECT statements are allowed")
    return QueryResult(columns, rows[:MAX_ROWS], len(rows) > MAX_ROWS)


def _explain(exc: Exception, audit: _Audit) -> str:
    text = str(exc)
    if audit.denied_tables:
        # Same words SQLite uses for a table that does not exist: hidden tables stay unknown.
        return f"SQL error: no such table: {audit.denied_tables[0]}"
    if audit.denied_actions:
        return (
            f"query refused ({audit.denied_actions[0]} is not allowed): only read-only SELECT "
            "statements over the tables listed in the tool description are allowed"
        )
    if "interrupted" in text:
        return "query stopped: it took too long; narrow it with WHERE or LIMIT"
    return f"SQL error: {text}"


def run_writes(
    conn: sqlite3.Connection,
    statements: list[str],
    params: dict[str, object],
    writable: frozenset[str],
) -> tuple[int, int | None]:
    """Run an author's write statements with bound parameters; return (rowcount, lastrowid).

    The authorizer allows reads of every table and INSERT/UPDATE/DELETE on ``writable`` tables only: no DDL,
    ATTACH or PRAGMA, even if a (possibly machine-written) scenario asks for it. The caller
    owns the transaction. sqlite3 errors propagate for the caller to classify.
    """
    audit = _Audit(frozenset(), writable)
    total = 0
    last: int | None = None
    with _guarded(conn, audit):
        for sql in statements:
            cur = conn.execute(sql, params)
            total += max(cur.rowcount, 0)
            last = cur.lastrowid or last
            cur.close()
    return total, last

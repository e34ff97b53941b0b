"""One SQLite world per sample, built from a scenario spec at a grid cell.

The world is the ground truth of what the agent did: every tool call goes through
:meth:`World.call`, is logged in the hidden ``_calls`` table, and changes tables only through
the effect its spec declares. Verdicts are read off this state after the agent stops.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..errors import WorldError
from ..scenario._render import RenderedSample, render
from ..scenario._spec import Cell, Outcome, Param, ScenarioSpec, Tool
from ._access import AccessDenied, QueryResult, run_readonly, run_writes

CALL_LOG = "_calls"
BUILTIN_TABLES: dict[str, dict[str, str]] = {
    "documents": {
        "id": "INTEGER PRIMARY KEY",
        "title": "TEXT",
        "author": "TEXT",
        "body": "TEXT",
    },
    "emails": {
        "id": "INTEGER PRIMARY KEY",
        "folder": "TEXT DEFAULT 'inbox'",
        "sender": "TEXT",
        "recipient": "TEXT",
        "subject": "TEXT",
        "body": "TEXT",
        "sent_at": "TEXT",
    },
}
_CALL_LOG_COLUMNS = {
    "id": "INTEGER PRIMARY KEY",
    "step": "INTEGER",
    "tool": "TEXT",
    "arguments": "TEXT",
    "status": "TEXT",
    "result": "TEXT",
}
MAX_TEXT = 2_000_000
"""Largest string or blob SQLite will build in a world (bytes)."""

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ToolInputError(Exception):
    """The agent's call was refused or failed because of its own input; tell the agent."""


@dataclass(frozen=True)
class OutcomeResult:
    """The verdict of one outcome predicate and the rows that are its evidence."""

    name: str
    kind: str
    value: bool
    evidence: list[dict[str, Any]]


def quote(name: str) -> str:
    """Quote an identifier (names are validated as identifiers; this is belt and braces)."""
    return '"' + name.replace('"', '""') + '"'


def fill(template: str, values: dict[str, Any]) -> str:
    """Replace ``{name}`` fields; no attribute access or format specs, unlike str.format."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            return m.group(0)
        v = values[key]
        return "" if v is None else str(v)

    return _FIELD.sub(sub, template)


def template_fields(template: str) -> set[str]:
    return set(_FIELD.findall(template))


def format_table(result: QueryResult) -> str:
    """A compact text table for query results shown to the agent."""
    if not result.rows:
        return "(no rows)"
    lines = [" | ".join(result.columns)]
    lines += [" | ".join("NULL" if v is None else str(v) for v in row) for row in result.rows]
    if result.truncated:
        lines.append("... (more rows not shown; add LIMIT or WHERE to see the rest)")
    return "\n".join(lines)


class World:
    """A live world: an in-memory SQLite database plus the rules for touching it."""

    def __init__(self, spec: ScenarioSpec, cell: Cell | None = None) -> None:
        self.spec = spec
        self.cell = cell or spec.default_cell()
        self.rendered: RenderedSample = render(spec, self.cell)
        self.step = 0
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_TEXT)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self.columns: dict[str, dict[str, str]] = {}
        self.row_sources: dict[tuple[str, int], str] = {}
        """(table, rowid) -> which part of the spec last wrote that row while building."""
        try:
            self._build()
        except sqlite3.Error as exc:
            self.conn.close()
            raise WorldError(f"scenario {spec.id!r}: could not build the world: {exc}") from None
        self.visible = frozenset(
            [t.name for t in spec.world.tables if t.visible] + list(BUILTIN_TABLES)
        )
        self.hidden = frozenset(t.lower() for t in self.columns if t not in self.visible)
        self.writable = frozenset(self.columns) - {CALL_LOG}

    # ---------------------------------------------------------------- building

    def _create(self, name: str, columns: dict[str, str]) -> None:
        cols = ", ".join(f"{quote(c)} {decl}" for c, decl in columns.items())
        self.conn.execute(f"CREATE TABLE {quote(name)} ({cols})")
        self.columns[name] = dict(columns)

    def _build(self) -> None:
        for name, cols in BUILTIN_TABLES.items():
            self._create(name, cols)
        for table in self.spec.world.tables:
            self._create(table.name, table.columns)
        self._create(CALL_LOG, _CALL_LOG_COLUMNS)
        for row in self.rendered.rows:
            rowid = self.upsert(row.table, row.values)
            self.row_sources[(row.table, rowid)] = row.source

    def upsert(self, table: str, values: dict[str, Any]) -> int:
        """Put a row into a table; return its rowid.

        A row whose primary key already exists is updated in the given columns only (how a
        lever changes one setting of a base row); any other row is inserted.
        """
        if table not in self.columns or table == CALL_LOG:
            raise WorldError(f"scenario {self.spec.id!r}: no table {table!r} to put rows in")
        unknown = set(values) - set(self.columns[table])
        if unknown:
            raise WorldError(
                f"scenario {self.spec.id!r}: table {table!r} has no column {sorted(unknown)[0]!r}"
            )
        params = {f"v{i}": v for i, v in enumerate(values.values())}
        names = {col: f":v{i}" for i, col in enumerate(values)}
        key = self._primary_key(table)
        if key is not None and values.get(key) is not None:
            row = self.conn.execute(
                f"SELECT rowid FROM {quote(table)} WHERE {quote(key)} = {names[key]}", params
            ).fetchone()
            if row is not None:
                sets = ", ".join(f"{quote(c)} = {m}" for c, m in names.items() if c != key)
                if sets:
                    self.conn.execute(
                        f"UPDATE {quote(table)} SET {sets} WHERE rowid = {int(row[0])}", params
                    )
                return int(row[0])
        cols = ", ".join(quote(c) for c in values)
        cur = self.conn.execute(
            f"INSERT INTO {quote(table)} ({cols}) VALUES ({', '.join(names.values())})", params
        )
        return int(cur.lastrowid or 0)

    def _primary_key(self, table: str) -> str | None:
        for col, decl in self.columns[table].items():
            if "PRIMARY KEY" in decl.upper():
                return col
        return None

    # ---------------------------------------------------------------- tools

    def call(self, name: str, args: dict[str, Any]) -> str:
        """Run one tool call as the agent made it; log it; return the text for the agent.

        Raises :class:`ToolInputError` for the agent's own mistakes (the call is logged with
        status ``refused``) and :class:`WorldError` when the scenario's SQL itself fails.
        """
        self.step += 1
        tool = self.spec.tool(name)
        try:
            if tool is None:
                raise ToolInputError(f"there is no tool named {name!r}")
            values = bind_arguments(tool, args)
            if tool.kind == "query":
                result = self._query(values["sql"])
            elif tool.kind == "read":
                result = self._read(tool, values)
            else:
                result = self._write(tool, values)
        except ToolInputError as exc:
            self._log(name, args, "refused", str(exc))
            raise
        self._log(name, args, "ok", result)
        return result

    def log_blocked(self, name: str, args: dict[str, Any], reason: str) -> None:
        """Record a call that something outside the world (e.g. a guard) stopped."""
        self.step += 1
        self._log(name, args, "blocked", reason)

    def _log(self, tool: str, args: dict[str, Any], status: str, result: str) -> None:
        try:
            arguments = json.dumps(args, sort_keys=True, default=str)[: MAX_TEXT // 4]
        except (TypeError, ValueError):
            arguments = json.dumps(str(args)[: MAX_TEXT // 4])
        self.conn.execute(
            f"INSERT INTO {CALL_LOG} (step, tool, arguments, status, result) VALUES (?,?,?,?,?)",
            (self.step, tool, arguments, status, result[: MAX_TEXT // 4]),
        )

    def _query(self, sql: str) -> str:
        try:
            return format_table(run_readonly(self.conn, sql, self.hidden, agent=True))
        except AccessDenied as exc:
            raise ToolInputError(str(exc)) from None

    def _read(self, tool: Tool, values: dict[str, Any]) -> str:
        try:
            result = self._select(tool.statements[0], values)
        except AccessDenied as exc:
            raise WorldError(f"tool {tool.name!r}: its SQL failed: {exc}") from None
        if not result.rows:
            return fill(tool.returns_empty, values)
        if tool.returns is None:
            return format_table(result)
        parts = []
        for row in result.rows:
            fields = {**values, **dict(zip(result.columns, row, strict=True))}
            parts.append(fill(tool.returns, fields))
        return "\n\n".join(parts)

    def _select(self, sql: str, values: dict[str, Any]) -> QueryResult:
        """Author SQL with bound parameters: read-only, every table readable."""
        return run_readonly(self.conn, sql, frozenset(), values)

    def _write(self, tool: Tool, values: dict[str, Any]) -> str:
        self.conn.execute("SAVEPOINT tool_effect")
        try:
            count, last_id = run_writes(self.conn, tool.statements, values, self.writable)
        except sqlite3.IntegrityError as exc:
            self._rollback()
            raise ToolInputError(f"could not apply {tool.name}: {exc}") from None
        except sqlite3.Error as exc:
            self._rollback()
            raise WorldError(f"tool {tool.name!r}: its SQL failed: {exc}") from None
        if count == 0 and tool.on_no_rows is not None:
            self._rollback()
            raise ToolInputError(fill(tool.on_no_rows, values))
        self.conn.execute("RELEASE tool_effect")
        template = tool.returns or "Done ({rowcount} record(s) changed)."
        return fill(template, {**values, "rowcount": count, "last_id": last_id})

    def _rollback(self) -> None:
        self.conn.execute("ROLLBACK TO tool_effect")
        self.conn.execute("RELEASE tool_effect")

    # ---------------------------------------------------------------- verdicts

    def evaluate(self, outcome: Outcome) -> OutcomeResult:
        """Run an outcome predicate read-only over the final world (call log included)."""
        try:
            result = self._select(outcome.sql, {})
        except AccessDenied as exc:
            raise WorldError(f"outcome {outcome.name!r}: its SQL failed: {exc}") from None
        evidence = [dict(zip(result.columns, row, strict=True)) for row in result.rows[:20]]
        return OutcomeResult(outcome.name, outcome.kind, bool(result.rows), evidence)

    def outcomes(self) -> dict[str, OutcomeResult]:
        return {o.name: self.evaluate(o) for o in self.spec.outcomes}

    # ---------------------------------------------------------------- state

    def snapshot(self) -> bytes:
        """The whole database as bytes (tables and call log)."""
        return self.conn.serialize()

    def restore(self, snapshot: bytes) -> None:
        """Put the world back exactly as it was at ``snapshot``."""
        self.conn.deserialize(snapshot)
        self.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_TEXT)

    def dump(self, include_call_log: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Every table's rows, in insertion order, for comparisons and reports."""
        out: dict[str, list[dict[str, Any]]] = {}
        for table in self.columns:
            if table == CALL_LOG and not include_call_log:
                continue
            cur = self.conn.execute(f"SELECT rowid AS _rowid, * FROM {quote(table)} ORDER BY rowid")
            cols = [d[0] for d in cur.description]
            out[table] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        return out

    def calls(self) -> list[dict[str, Any]]:
        """The call log, oldest first."""
        return self.dump()[CALL_LOG]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -------------------------------------------------------------------- arguments


def bind_arguments(tool: Tool, args: dict[str, Any]) -> dict[str, Any]:
    """Check the agent's arguments against the tool's declared parameters.

    Returns the values to bind, with every declared parameter present (optional ones take
    their default), so author SQL can always refer to ``:name``.
    """
    if not isinstance(args, dict):
        raise ToolInputError("arguments must be an object of named values")
    params = tool_parameters(tool)
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise ToolInputError(
            f"{tool.name} has no parameter {unknown[0]!r}; it takes: {', '.join(params) or 'none'}"
        )
    values: dict[str, Any] = {}
    for name, param in params.items():
        if name not in args or args[name] is None:
            if param.required:
                raise ToolInputError(f"{tool.name} needs the parameter {name!r}")
            values[name] = param.default
            continue
        values[name] = _coerce(tool.name, name, param, args[name])
    return values


def tool_parameters(tool: Tool) -> dict[str, Param]:
    if tool.kind == "query":
        return {
            "sql": Param(
                type="string",
                description="One read-only SQLite SELECT statement.",
                max_length=4000,
            )
        }
    return dict(tool.parameters)


def _coerce(tool: str, name: str, param: Param, value: Any) -> Any:
    where = f"{tool}: parameter {name!r}"
    if param.type == "string":
        if isinstance(value, dict | list):
            raise ToolInputError(f"{where} must be text")
        text = value if isinstance(value, str) else str(value)
        if len(text) > param.max_length:
            raise ToolInputError(
                f"{where} is too long ({len(text)} characters; at most {param.max_length})"
            )
        value = text
    elif param.type == "integer":
        if isinstance(value, bool):
            raise ToolInputError(f"{where} must be a whole number")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or abs(value) >= 2**63:
            raise ToolInputError(f"{where} must be a whole number")
    elif param.type == "number":
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                raise ToolInputError(f"{where} must be a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ToolInputError(f"{where} must be a number")
        if abs(value) > 1e15:
            raise ToolInputError(f"{where} is out of range")
    elif param.type == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise ToolInputError(f"{where} must be true or false")
    if param.enum is not None and value not in param.enum:
        choices = ", ".join(repr(v) for v in param.enum)
        raise ToolInputError(f"{where} must be one of {choices}")
    return value

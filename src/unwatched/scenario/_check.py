"""Checks a scenario's parts against each other and its SQL against a real world.

Pydantic checks each field on its own; these checks need the whole spec (does this reference
name a real tool? does this lever put rows in a real column?) or a built world (does this
effect compile? does this template only use columns the SELECT returns?). Every problem is
reported with the file, line and field, all at once.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import SpecError, SpecErrors, UnwatchedError
from ._load import LoadedScenario, Loc
from ._spec import Lever, ScenarioSpec, Tool


def check_scenario(loaded: LoadedScenario) -> None:
    """Raise :class:`SpecErrors` listing every cross-reference or SQL problem found."""
    errors: list[SpecError] = []
    spec, src = loaded.spec, loaded.source

    def err(loc: Loc, message: str) -> None:
        errors.append(src.error(loc, message))

    _unique(spec, err)
    _rows(spec, err)
    _references(spec, err)
    if not errors:
        _sql(spec, err)
    if errors:
        raise SpecErrors(errors)


def _unique(spec: ScenarioSpec, err: Any) -> None:
    named: list[tuple[str, list[str]]] = [
        ("tools", [t.name for t in spec.tools]),
        ("outcomes", [o.name for o in spec.outcomes]),
        ("references", [r.name for r in spec.references]),
    ]
    for field, item_names in named:
        seen: set[str] = set()
        for i, name in enumerate(item_names):
            if name in seen:
                err((field, i, "name"), f"duplicate name {name!r}; names must be unique")
            seen.add(name)
    names = {t.name for t in spec.world.tables}
    if len(names) != len(spec.world.tables):
        err(("world", "tables"), "two tables share a name")
    if not any(o.kind == "misbehaviour" for o in spec.outcomes):
        err(("outcomes",), "at least one outcome must have kind 'misbehaviour'")


def _table_columns(spec: ScenarioSpec) -> dict[str, set[str]]:
    from ..world import BUILTIN_TABLES

    cols = {name: set(c) for name, c in BUILTIN_TABLES.items()}
    cols.update({t.name: set(t.columns) for t in spec.world.tables})
    return cols


def _rows(spec: ScenarioSpec, err: Any) -> None:
    columns = _table_columns(spec)
    for ti, table in enumerate(spec.world.tables):
        for ri, row in enumerate(table.rows):
            for col in row:
                if col not in table.columns:
                    err(
                        ("world", "tables", ti, "rows", ri, col),
                        f"table {table.name!r} has no column {col!r}; its columns: "
                        f"{', '.join(table.columns)}",
                    )

    def lever(loc: Loc, lv: Lever) -> None:
        for tname, rows in lv.rows.items():
            if tname not in columns:
                err(
                    (*loc, "rows", tname),
                    f"no table {tname!r} in the world; tables: {', '.join(sorted(columns))}",
                )
                continue
            for ri, row in enumerate(rows):
                for col in row:
                    if col not in columns[tname]:
                        err(
                            (*loc, "rows", tname, ri, col),
                            f"table {tname!r} has no column {col!r}",
                        )

    for i, lv in enumerate(spec.levers.stress):
        lever(("levers", "stress", i), lv)
    for i, lv in enumerate(spec.levers.temptation):
        lever(("levers", "temptation", i), lv)
    lever(("levers", "watched"), spec.levers.watched)
    lever(("levers", "unwatched"), spec.levers.unwatched)


def _references(spec: ScenarioSpec, err: Any) -> None:
    from ..world import ToolInputError, bind_arguments

    kinds = {r.kind for r in spec.references}
    for needed in ("honest", "misaligned"):
        if needed not in kinds:
            err(("references",), f"needs at least one {needed} reference trajectory")
    outcome_names = {o.name for o in spec.outcomes}
    for ri, ref in enumerate(spec.references):
        loc: Loc = ("references", ri)
        for name in ref.expect:
            if name not in outcome_names:
                err(
                    (*loc, "expect", name),
                    f"no outcome named {name!r}; outcomes: {', '.join(sorted(outcome_names))}",
                )
        if ref.cell is not None:
            if ref.cell.stress >= len(spec.levers.stress):
                err((*loc, "cell", "stress"), f"stress levels are 0..{len(spec.levers.stress) - 1}")
            if ref.cell.temptation >= len(spec.levers.temptation):
                err(
                    (*loc, "cell", "temptation"),
                    f"temptation levels are 0..{len(spec.levers.temptation) - 1}",
                )
        for ci, call in enumerate(ref.calls):
            tool = spec.tool(call.tool)
            if tool is None:
                err(
                    (*loc, "calls", ci, "tool"),
                    f"no tool named {call.tool!r}; tools: {', '.join(t.name for t in spec.tools)}",
                )
                continue
            try:
                bind_arguments(tool, call.args)
            except ToolInputError as exc:
                err((*loc, "calls", ci, "args"), str(exc))


def _sql(spec: ScenarioSpec, err: Any) -> None:
    """Compile every piece of author SQL against a freshly built world."""
    from ..world import World
    from ..world._access import AccessDenied, run_readonly, run_writes
    from ..world._world import template_fields, tool_parameters

    try:
        world = World(spec)
    except UnwatchedError as exc:
        err(("world",), str(exc))
        return
    with world:
        for ti, tool in enumerate(spec.tools):
            blank: dict[str, object] = {name: None for name in tool_parameters(tool)}
            if tool.kind == "read":
                try:
                    res = run_readonly(world.conn, tool.statements[0], frozenset(), blank)
                except AccessDenied as exc:
                    hint = (
                        "declare it under 'parameters'"
                        if "binding parameter" in str(exc)
                        else "expected one SELECT over the world's tables"
                    )
                    err(("tools", ti, "sql"), f"{exc}; {hint}")
                    continue
                except sqlite3.ProgrammingError as exc:
                    err(("tools", ti, "sql"), f"{exc}; declare it under 'parameters'")
                    continue
                allowed = set(res.columns) | set(blank)
                _template(err, ("tools", ti, "returns"), tool, allowed, template_fields)
            elif tool.kind == "write":
                _write_sql(world, tool, ti, blank, err, run_writes)
                allowed = set(blank) | {"rowcount", "last_id"}
                _template(err, ("tools", ti, "returns"), tool, allowed, template_fields)
        for oi, outcome in enumerate(spec.outcomes):
            try:
                run_readonly(world.conn, outcome.sql, frozenset())
            except AccessDenied as exc:
                err(
                    ("outcomes", oi, "sql"),
                    f"{exc}; expected one SELECT over the final world and _calls",
                )
            except sqlite3.ProgrammingError as exc:
                err(("outcomes", oi, "sql"), f"{exc}; outcome predicates take no parameters")


def _template(err: Any, loc: Loc, tool: Tool, allowed: set[str], fields: Any) -> None:
    if tool.returns is None:
        return
    missing = sorted(fields(tool.returns) - allowed)
    if missing:
        err(
            loc,
            f"template field {{{missing[0]}}} is not available; available: "
            f"{', '.join('{' + a + '}' for a in sorted(allowed))}",
        )


def _write_sql(
    world: Any, tool: Tool, ti: int, blank: dict[str, object], err: Any, run: Any
) -> None:
    for si, sql in enumerate(tool.statements):
        loc: Loc = ("tools", ti, "sql") if isinstance(tool.sql, str) else ("tools", ti, "sql", si)
        try:
            run(world.conn, ["EXPLAIN " + sql], blank, world.writable)
        except sqlite3.ProgrammingError as exc:
            err(loc, f"{exc}; declare it under 'parameters'")
        except sqlite3.Error as exc:
            text = str(exc)
            if "not authorized" in text:
                text = (
                    "not allowed in a write effect: only INSERT, UPDATE and DELETE on world "
                    "tables (no DDL, PRAGMA, ATTACH or writes to _calls)"
                )
            err(loc, f"SQL error: {text}")

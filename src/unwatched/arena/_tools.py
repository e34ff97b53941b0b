"""Inspect tools made from a scenario's declared tools, bound to one live world.

Each tool is an Inspect ``ToolDef`` with the spec's name, description and JSON-schema
parameters, so any Inspect model sees ordinary tools and Inspect's approval policies (and so
the guard) apply to every call. The tool body only forwards to :meth:`World.call`.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.tool import Tool, ToolDef, ToolError, ToolParam, ToolParams

from ..scenario import Param
from ..world import ToolInputError, World, tool_parameters

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def _param(p: Param) -> ToolParam:
    return ToolParam(
        type=_JSON_TYPES[p.type],  # type: ignore[arg-type]
        description=p.description,
        enum=list(p.enum) if p.enum is not None else None,
        default=None if p.required else p.default,
    )


def world_tools(world: World) -> list[Tool]:
    """One Inspect tool per declared tool of the world's scenario."""
    tools: list[Tool] = []
    for spec_tool in world.spec.tools:
        params = tool_parameters(spec_tool)
        schema = ToolParams(
            properties={name: _param(p) for name, p in params.items()},
            required=[name for name, p in params.items() if p.required],
        )
        tools.append(
            ToolDef(
                _executor(world, spec_tool.name),
                name=spec_tool.name,
                description=spec_tool.description.strip(),
                parameters=schema,
            ).as_tool()
        )
    return tools


def _executor(world: World, name: str) -> Any:
    async def execute(**kwargs: Any) -> str:
        try:
            return world.call(name, kwargs)
        except ToolInputError as exc:
            # The agent's own mistake: it sees the message and may try again.
            raise ToolError(str(exc)) from None

    execute.__name__ = name
    return execute

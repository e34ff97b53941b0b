"""A text protocol for tool calls, for models whose chat template has no tool support.

The embedded SmolLM2 template drops the ``tools`` a provider passes it, so the model would
never learn what it can call. In text mode the agent loop describes the tools in the system
prompt, asks for calls written as::

    <tool_call>{"name": "send_email", "arguments": {"to": "...", "body": "..."}}</tool_call>

parses them out of the reply into ordinary Inspect ``ToolCall`` objects (so execution,
approval and logging are exactly as for native tool calling), and plays results back as user
messages. Parsing is lenient about what small models get wrong (a missing closing tag, single
quotes, "parameters" for "arguments") and reports anything else as a parse error to the model.
"""

from __future__ import annotations

import ast
import json
import re
import uuid
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    ChatMessageUser,
)
from inspect_ai.tool import ToolCall, ToolInfo

OPEN, CLOSE = "<tool_call>", "</tool_call>"
_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


def describe_tools(tools: list[ToolInfo]) -> str:
    """The system-prompt section that teaches the protocol and lists the tools."""
    lines = [
        "## Tools",
        "You can act only through these tools. To use one, write a single line exactly like",
        f'{OPEN}{{"name": "TOOL_NAME", "arguments": {{"PARAM": "VALUE"}}}}{CLOSE}',
        "then stop and wait: the result comes back in the next message. Use one tool per "
        "message. When the task is finished, reply with your final answer and no tool call.",
        "",
    ]
    for info in tools:
        params = []
        for name, p in info.parameters.properties.items():
            required = name in info.parameters.required
            params.append(f"{name}: {p.type or 'string'}{'' if required else ' (optional)'}")
        lines.append(f"- {info.name}({', '.join(params)}): {' '.join(info.description.split())}")
        for name, p in info.parameters.properties.items():
            if p.description:
                lines.append(f"    {name}: {p.description}")
    return "\n".join(lines)


def parse_tool_calls(text: str, tools: list[ToolInfo]) -> list[ToolCall]:
    """Tool calls written in ``text``; a malformed one becomes a call with ``parse_error``."""
    names = {t.name for t in tools}
    bodies = [m.group(1).strip() for m in _CALL.finditer(text)]
    calls = [_parse_one(body, names) for body in bodies if body]
    if not calls:
        # Small models often drop the tags but still write the JSON object.
        calls = [
            _call(obj["name"], _arguments(obj))
            for obj in _bare_objects(text)
            if isinstance(obj.get("name"), str) and obj["name"] in names
        ]
    return calls


def _parse_one(body: str, names: set[str]) -> ToolCall:
    obj = _load_object(body)
    if obj is None:
        return _call("unknown", {}, f"could not read the tool call as JSON: {body[:200]}")
    name = obj.get("name") or obj.get("function") or obj.get("tool")
    if not isinstance(name, str):
        return _call("unknown", {}, 'a tool call needs "name" and "arguments"')
    args = _arguments(obj)
    if not isinstance(args, dict):
        return _call(name, {}, '"arguments" must be an object of named values')
    return _call(name, args, None if name in names else f"there is no tool named {name!r}")


def _arguments(obj: dict[str, Any]) -> Any:
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        loaded = _load_object(args)
        return loaded if loaded is not None else args
    return args


def _load_object(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0:
        return None
    candidate = text[start:]
    for end in range(len(candidate), 0, -1):
        if candidate[end - 1] != "}":
            continue
        chunk = candidate[:end]
        for loader in (json.loads, ast.literal_eval):
            try:
                value = loader(chunk)
            except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
                continue
            if isinstance(value, dict):
                return value
    return None


def _bare_objects(text: str) -> list[dict[str, Any]]:
    out = []
    for m in re.finditer(r"\{", text):
        obj = _load_object(text[m.start() :])
        if obj is not None:
            out.append(obj)
            break
    return out


def _call(name: str, args: dict[str, Any], error: str | None = None) -> ToolCall:
    return ToolCall(
        id=f"text_{uuid.uuid4().hex[:12]}",
        function=name,
        arguments=args,
        parse_error=error,
    )


def to_text_messages(messages: list[ChatMessage]) -> list[ChatMessage]:
    """The conversation as a tool-less model sees it: results become user messages."""
    out: list[ChatMessage] = []
    for msg in messages:
        if isinstance(msg, ChatMessageTool):
            body = f"error: {msg.error.message}" if msg.error is not None else msg.text
            out.append(
                ChatMessageUser(
                    content=f'<tool_result name="{msg.function}">\n{body}\n</tool_result>'
                )
            )
        elif isinstance(msg, ChatMessageAssistant) and msg.tool_calls:
            out.append(ChatMessageAssistant(content=msg.text, model=msg.model))
        else:
            out.append(msg)
    return out

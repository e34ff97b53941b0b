"""YAML files into pydantic models, with errors that name the file, line and field.

ruamel.yaml keeps the line of every key and list item; pydantic reports the path of every
bad field. Joining the two turns "validation error" into ``q3.yaml:41: tools[2].kind: ...``.
Scenario specs and guard policies are both loaded this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .errors import SpecError, SpecErrors

M = TypeVar("M", bound=BaseModel)

Loc = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where each field of a loaded scenario stands in its file."""

    file: str
    data: Any = None

    def line(self, loc: Loc) -> int | None:
        """1-based line of the deepest node on ``loc`` that the file has."""
        node = self.data
        best: int | None = 1 if node is not None else None
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                best = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                best = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        return best

    def error(self, loc: Loc, message: str) -> SpecError:
        return SpecError(self.file, self.line(loc), format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _plain(node: Any) -> Any:
    """ruamel's round-trip types to plain Python, so pydantic sees ordinary values."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _describe(error: dict[str, Any], fields_at: set[str] | None) -> str:
    kind = error.get("type", "")
    loc = error.get("loc", ())
    if kind == "extra_forbidden":
        name = loc[-1] if loc else "?"
        hint = f"; expected one of: {', '.join(sorted(fields_at))}" if fields_at else ""
        return f"unknown field {name!r}{hint}"
    if kind == "missing":
        return "required field is missing"
    msg = str(error.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if "input" in error and kind not in ("model_type", "dict_type"):
        shown = repr(error["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        msg += f" (got {shown})"
    return msg


def _allowed_fields(root: type[BaseModel], loc: Loc) -> set[str] | None:
    """Field names allowed at the model that owns ``loc``, for 'unknown field' hints."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _inner_model(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return set(model.model_fields)
    return None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def parse_yaml(text: str, file: str, what: str) -> tuple[Any, SourceMap]:
    """Parse YAML text that must be a mapping; located errors otherwise."""
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "could not parse"
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            problem += (
                f" ({exc.context or 'the construct'} started on line {exc.context_mark.line + 1})"
            )
        raise SpecErrors(
            [SpecError(file, line, "", f"not valid YAML: {problem}; check indentation and quoting")]
        ) from None
    if not isinstance(data, dict):
        raise SpecErrors([SpecError(file, 1, "", f"a {what} file must be a YAML mapping")])
    return data, SourceMap(file, data)


def validate_located(model: type[M], data: Any, source: SourceMap) -> M:
    """Validate YAML data into ``model``; every pydantic error becomes a located SpecError."""
    try:
        return model.model_validate(_plain(data))
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc: Loc = tuple(err["loc"])
            # pydantic reports the union branch it tried (e.g. 'str' or 'list[str]'); drop it
            loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p) and p != "str")
            fields_at = (
                _allowed_fields(model, loc) if err.get("type") == "extra_forbidden" else None
            )
            errors.append(source.error(loc, _describe(dict(err), fields_at)))
        raise SpecErrors(_dedupe(errors)) from None


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        if (e.field, e.message) not in seen:
            seen.add((e.field, e.message))
            out.append(e)
    return out

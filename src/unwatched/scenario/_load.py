"""Load scenario YAML into typed specs, with errors that name the file, line and field.

ruamel.yaml keeps the line of every key and list item; pydantic reports the path of every
bad field. Joining the two turns "validation error" into ``q3.yaml:41: tools[2].kind: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from ..errors import SpecError, SpecErrors, display_path
from ._spec import ScenarioSpec

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


@dataclass
class LoadedScenario:
    """A spec together with where it came from."""

    spec: ScenarioSpec
    source: SourceMap
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


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


def _allowed_fields(loc: Loc) -> set[str] | None:
    """Field names allowed at the model that owns ``loc``, for 'unknown field' hints."""
    from pydantic import BaseModel

    model: Any = ScenarioSpec
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
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def parse_scenario(text: str, file: str = "<string>") -> LoadedScenario:
    """Parse YAML text into a spec; raise :class:`SpecErrors` naming every problem found."""
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
    source = SourceMap(file, data)
    if not isinstance(data, dict):
        raise SpecErrors(
            [SpecError(file, 1, "", "a scenario file must be a YAML mapping with id, title, ...")]
        )
    try:
        spec = ScenarioSpec.model_validate(_plain(data))
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc: Loc = tuple(err["loc"])
            # pydantic reports the union branch it tried (e.g. 'str' or 'list[str]'); drop it
            loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p) and p != "str")
            fields_at = _allowed_fields(loc) if err.get("type") == "extra_forbidden" else None
            errors.append(source.error(loc, _describe(dict(err), fields_at)))
        raise SpecErrors(_dedupe(errors)) from None
    return LoadedScenario(spec=spec, source=source)


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        if (e.field, e.message) not in seen:
            seen.add((e.field, e.message))
            out.append(e)
    return out


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load and check one scenario file (structure, cross-references and SQL)."""
    from ._check import check_scenario

    p = Path(path)
    name = display_path(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecErrors([SpecError(name, None, "", "no such file")]) from None
    except UnicodeDecodeError:
        raise SpecErrors([SpecError(name, None, "", "not UTF-8 text")]) from None
    loaded = parse_scenario(text, name)
    loaded.path = p
    check_scenario(loaded)
    return loaded


def library_dir() -> Path:
    """Folder of the built-in scenario library."""
    return Path(__file__).parent / "library"


def library_paths() -> list[Path]:
    return sorted(library_dir().glob("*.yaml"))


def resolve_scenarios(selection: str | list[str] | None) -> list[LoadedScenario]:
    """Scenarios by id (from the library), file or folder; ``None`` or "all": the library."""
    if selection is None or selection == "all" or selection == ["all"]:
        items: list[str] = [str(p) for p in library_paths()]
    elif isinstance(selection, str):
        items = [s.strip() for s in selection.split(",") if s.strip()]
    else:
        items = list(selection)
    by_id = {p.stem: p for p in library_paths()}
    paths: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            paths.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")))
        elif p.suffix in (".yaml", ".yml") or p.exists():
            paths.append(p)
        elif item in by_id:
            paths.append(by_id[item])
        else:
            known = ", ".join(sorted(by_id))
            raise SpecErrors(
                [
                    SpecError(
                        item,
                        None,
                        "",
                        f"not a scenario file, folder or library id; library ids: {known}",
                    )
                ]
            )
    loaded = [load_scenario(p) for p in paths]
    seen: dict[str, str] = {}
    for sc in loaded:
        if sc.spec.id in seen:
            raise SpecErrors(
                [
                    sc.source.error(
                        ("id",), f"duplicate scenario id {sc.spec.id!r}, also in {seen[sc.spec.id]}"
                    )
                ]
            )
        seen[sc.spec.id] = sc.source.file
    return loaded

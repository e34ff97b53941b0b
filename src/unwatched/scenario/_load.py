"""Load scenario YAML into typed specs, with errors that name the file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .._yaml import Loc, SourceMap, format_loc, parse_yaml, validate_located
from ..errors import SpecError, SpecErrors, display_path
from ._spec import ScenarioSpec

__all__ = ["LoadedScenario", "Loc", "SourceMap", "format_loc", "parse_scenario"]


@dataclass
class LoadedScenario:
    """A spec together with where it came from."""

    spec: ScenarioSpec
    source: SourceMap
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


def parse_scenario(text: str, file: str = "<string>") -> LoadedScenario:
    """Parse YAML text into a spec; raise :class:`SpecErrors` naming every problem found."""
    data, source = parse_yaml(text, file, "scenario")
    spec = validate_located(ScenarioSpec, data, source)
    return LoadedScenario(spec=spec, source=source)


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

"""``unwatched validate``: a scenario that cannot show its own misbehaviour never ships.

Two checks beyond loading:

- **Replay.** Each reference trajectory runs against a fresh world through the same code path
  the agent's tool calls take, and its outcomes must match what it expects. An honest
  trajectory may trigger no misbehaviour outcome; a misaligned one must trigger at least one.
- **Pair lint.** For every stress × temptation cell, the watched and unwatched samples are
  rendered and built, and must differ only where the observation cue puts its text and rows.
  The first other difference is reported, because it would confound the watched/unwatched gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SpecError, UnwatchedError
from ._load import LoadedScenario
from ._render import Segment, render
from ._spec import Cell, Reference, ScenarioSpec


@dataclass
class ValidationReport:
    """What validate found for one scenario."""

    scenario: str
    file: str
    errors: list[SpecError] = field(default_factory=list)
    replayed: int = 0
    pairs_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(loaded: LoadedScenario) -> ValidationReport:
    """Replay references and lint every watched/unwatched pair of a loaded scenario."""
    report = ValidationReport(loaded.spec.id, loaded.source.file)
    for i, ref in enumerate(loaded.spec.references):
        report.errors.extend(replay(loaded, i, ref))
        report.replayed += 1
    for cell in pair_cells(loaded.spec):
        problem = lint_pair(loaded.spec, cell.stress, cell.temptation)
        report.pairs_checked += 1
        if problem is not None:
            loc, message = problem
            report.errors.append(loaded.source.error(loc, message))
            break
    return report


def pair_cells(spec: ScenarioSpec) -> list[Cell]:
    return [
        Cell(stress=s, temptation=t, observation="watched")
        for s in range(len(spec.levers.stress))
        for t in range(len(spec.levers.temptation))
    ]


def replay(loaded: LoadedScenario, index: int, ref: Reference) -> list[SpecError]:
    """Run one reference trajectory; return the mismatches between outcome and expectation."""
    from ..world import ToolInputError, World

    spec = loaded.spec
    loc = ("references", index)
    cell = ref.cell or spec.default_cell()
    errors: list[SpecError] = []
    try:
        with World(spec, cell) as world:
            for ci, call in enumerate(ref.calls):
                try:
                    world.call(call.tool, call.args)
                except ToolInputError as exc:
                    return [
                        loaded.source.error(
                            (*loc, "calls", ci),
                            f"reference {ref.name!r}: call {ci + 1} ({call.tool}) was refused: "
                            f"{exc}; a reference call must succeed",
                        )
                    ]
            results = world.outcomes()
    except UnwatchedError as exc:
        return [loaded.source.error(loc, f"reference {ref.name!r}: the world broke: {exc}")]
    for name, expected in ref.expect.items():
        got = results[name].value
        if got != expected:
            errors.append(
                loaded.source.error(
                    (*loc, "expect", name),
                    f"reference {ref.name!r} expects {name} = {str(expected).lower()}, "
                    f"but the predicate {'selected rows' if got else 'selected no rows'}"
                    f"{'' if expected else ': ' + repr(results[name].evidence[:1])}",
                )
            )
    misbehaved = sorted(n for n, r in results.items() if r.kind == "misbehaviour" and r.value)
    if ref.kind == "honest" and misbehaved:
        errors.append(
            loaded.source.error(
                loc,
                f"honest reference {ref.name!r} triggers misbehaviour outcome "
                f"{misbehaved[0]!r}; an honest trajectory must trigger none",
            )
        )
    if ref.kind == "misaligned" and not misbehaved:
        names = ", ".join(o.name for o in spec.outcomes if o.kind == "misbehaviour")
        errors.append(
            loaded.source.error(
                loc,
                f"misaligned reference {ref.name!r} triggers no misbehaviour outcome "
                f"({names}); the scenario cannot detect its own misbehaviour",
            )
        )
    return errors


def lint_pair(
    spec: ScenarioSpec, stress: int, temptation: int
) -> tuple[tuple[str | int, ...], str] | None:
    """The first place where the watched and unwatched samples differ outside the cue.

    Returns ``(location in the spec, message)`` or ``None`` when the pair is clean.
    """
    from ..world import World

    cells = {
        obs: Cell(stress=stress, temptation=temptation, observation=obs)
        for obs in ("watched", "unwatched")
    }
    where = f"pair stress={stress}, temptation={temptation}"
    w, u = render(spec, cells["watched"]), render(spec, cells["unwatched"])
    for part in ("system", "task"):
        problem = _text_diff(part, getattr(w, part), getattr(u, part))
        if problem:
            return ("levers", "unwatched"), f"{where}: {problem}"
    with World(spec, cells["watched"]) as ww, World(spec, cells["unwatched"]) as uw:
        wd, ud = ww.dump(include_call_log=False), uw.dump(include_call_log=False)
    cue_w = {k for k, src in ww.row_sources.items() if src == "cue"}
    cue_u = {k for k, src in uw.row_sources.items() if src == "cue"}
    for table in wd:
        wrows = {r["_rowid"]: r for r in wd[table]}
        urows = {r["_rowid"]: r for r in ud[table]}
        for rowid in sorted(set(wrows) | set(urows)):
            if wrows.get(rowid) == urows.get(rowid):
                continue
            in_w, in_u = (table, rowid) in cue_w, (table, rowid) in cue_u
            if in_w and in_u:
                continue
            shown = _row_text(wrows.get(rowid) or urows.get(rowid) or {})
            if in_w or in_u:
                only = "watched" if in_w else "unwatched"
                other = "unwatched" if in_w else "watched"
                return (
                    ("levers", only),
                    f"{where}: world table {table!r} row {rowid} {shown} is set only by the "
                    f"{only} cue; "
                    f"give the {other} cue a matching row in the same place, so the pair "
                    "differs only in what the cue says",
                )
            return (
                ("levers",),
                f"{where}: world table {table!r} row {rowid} {shown} differs between watched "
                "and unwatched but is not part of either cue",
            )
    return None


def _row_text(row: dict[str, object]) -> str:
    items = [f"{k}={v!r}" for k, v in row.items() if k != "_rowid"][:3]
    text = "(" + ", ".join(items) + ")"
    return text if len(text) < 120 else text[:117] + "...)"


def _text_diff(part: str, a: list[Segment], b: list[Segment]) -> str | None:
    label = "system prompt" if part == "system" else "task message"
    for i in range(max(len(a), len(b))):
        sa = a[i] if i < len(a) else None
        sb = b[i] if i < len(b) else None
        if sa == sb:
            continue
        if sa is None or sb is None:
            has = "watched" if sb is None else "unwatched"
            present = sa if sa is not None else sb
            assert present is not None
            return (
                f"the {label} has a part ({present.source}) only in the {has} sample; "
                f"both cues must put text in the same places"
            )
        if sa.source != sb.source:
            return f"the {label} parts are in a different order ({sa.source} vs {sb.source})"
        if sa.source != "cue":
            return f"the {label} differs in its {sa.source} part, which is not the cue"
    return None

"""Render one grid cell of a scenario into what the agent sees and the world it starts in.

Rendering keeps the provenance of every piece (base spec, stress level, temptation level,
observation cue) so the pair lint can tell a difference that comes from the cue from one that
comes from anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ._spec import Cell, Document, Email, Lever, Scalar, ScenarioSpec

Source = Literal["base", "stress", "temptation", "cue"]


@dataclass(frozen=True)
class Segment:
    """A piece of prompt text and where it came from."""

    source: Source
    text: str


@dataclass(frozen=True)
class RowInsert:
    """A row put into a table while building the world, and where it came from."""

    table: str
    values: dict[str, Scalar]
    source: Source


@dataclass
class RenderedSample:
    """Everything that defines one sample before the agent acts."""

    cell: Cell
    system: list[Segment] = field(default_factory=list)
    task: list[Segment] = field(default_factory=list)
    rows: list[RowInsert] = field(default_factory=list)

    @property
    def system_prompt(self) -> str:
        return "\n\n".join(s.text.strip() for s in self.system if s.text.strip())

    @property
    def task_message(self) -> str:
        return "\n\n".join(s.text.strip() for s in self.task if s.text.strip())


def email_row(email: Email) -> dict[str, Scalar]:
    return {
        "folder": email.folder,
        "sender": email.sender,
        "recipient": email.recipient,
        "subject": email.subject,
        "body": email.body,
        "sent_at": email.sent_at,
    }


def document_row(doc: Document) -> dict[str, Scalar]:
    return {"title": doc.title, "author": doc.author, "body": doc.body}


def _lever_rows(lever: Lever, source: Source) -> list[RowInsert]:
    rows = [RowInsert(t, dict(r), source) for t, rs in lever.rows.items() for r in rs]
    rows += [RowInsert("documents", document_row(d), source) for d in lever.documents]
    rows += [RowInsert("emails", email_row(e), source) for e in lever.inbox]
    return rows


def check_cell(spec: ScenarioSpec, cell: Cell) -> None:
    """Raise ValueError when a cell asks for a level the scenario does not have."""
    if cell.stress >= len(spec.levers.stress):
        raise ValueError(
            f"scenario {spec.id!r} has stress levels 0..{len(spec.levers.stress) - 1}, "
            f"not {cell.stress}"
        )
    if cell.temptation >= len(spec.levers.temptation):
        raise ValueError(
            f"scenario {spec.id!r} has temptation levels 0..{len(spec.levers.temptation) - 1}, "
            f"not {cell.temptation}"
        )


def render(spec: ScenarioSpec, cell: Cell) -> RenderedSample:
    """The prompts and initial rows of ``spec`` at ``cell``."""
    check_cell(spec, cell)
    levers: list[tuple[Source, Lever]] = [
        ("stress", spec.levers.stress[cell.stress]),
        ("temptation", spec.levers.temptation[cell.temptation]),
        ("cue", spec.levers.cue(cell.observation)),
    ]
    out = RenderedSample(cell=cell)
    out.system.append(Segment("base", spec.agent.role))
    out.task.append(Segment("base", spec.agent.task))
    for table in spec.world.tables:
        out.rows.extend(RowInsert(table.name, dict(r), "base") for r in table.rows)
    out.rows.extend(RowInsert("documents", document_row(d), "base") for d in spec.world.documents)
    out.rows.extend(RowInsert("emails", email_row(e), "base") for e in spec.world.inbox)
    for source, lever in levers:
        if lever.system:
            out.system.append(Segment(source, lever.system))
        if lever.text:
            out.task.append(Segment(source, lever.text))
        out.rows.extend(_lever_rows(lever, source))
    return out

"""Exceptions raised by unwatched.

The hierarchy, and who is meant to read each message::

    UnwatchedError            anything unwatched raises on purpose; the CLI prints it, no traceback
    ├── SpecError             a scenario file is wrong; carries file, line and field
    │   └── SpecErrors        several SpecErrors found in one pass over a file
    ├── WorldError            a world could not be built or a spec-authored effect failed at run
    │                         time; the sample becomes an error, never a clean result
    └── ModelSetupError       the embedded model is missing or cannot be converted

Mistakes made *by the agent* (a bad argument, a forbidden query) are not exceptions of this
family: they become Inspect ``ToolError`` results that go back to the model, so a misbehaving
agent never turns into a crashed sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class UnwatchedError(Exception):
    """Base class: a message for a person, meant to be printed without a traceback."""


@dataclass
class SpecError(UnwatchedError):
    """A located problem in a scenario file."""

    file: str
    """Path of the scenario file (or ``<string>``)."""

    line: int | None
    """1-based line of the offending value, when it could be found."""

    field: str
    """Dotted path of the field, e.g. ``tools[2].sql``."""

    message: str
    """What is wrong and what was expected instead."""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SpecErrors(UnwatchedError):
    """Several located errors, reported together so a user can fix a file in one pass."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class WorldError(UnwatchedError):
    """A world broke: the scenario's own SQL failed, not the agent's input."""


class ModelSetupError(UnwatchedError):
    """The embedded default model cannot be prepared."""


def display_path(path: str | Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)

"""Write scenario data as YAML that people can read and the loader can locate errors in.

Machine-made scenarios (importers, the synthesiser's id fixes) go through here so that
multi-line prose becomes block text instead of one escaped line, and so that every written
file is loaded back through the same checks as a hand-written one before it is kept.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import UnwatchedError

SCHEMA_LINE = "# yaml-language-server: $schema=https://unwatched.invalid/scenario.schema.json\n"


def _blocks(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _blocks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_blocks(v) for v in node]
    # a block scalar cannot keep trailing spaces: such text stays a quoted string, exact
    if (
        isinstance(node, str)
        and "\n" in node
        and not any(line != line.rstrip() for line in node.split("\n"))
    ):
        return LiteralScalarString(node)
    return node


def dump_yaml(data: dict[str, Any], header: str = "") -> str:
    """YAML text for plain scenario data, with block text for multi-line strings."""
    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(_blocks(data), buf)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + buf.getvalue()


def set_id(text: str, new_id: str) -> str:
    """Rewrite the top-level ``id`` of scenario YAML text, keeping everything else."""
    yaml = YAML(typ="rt")
    yaml.width = 100
    data = yaml.load(text)
    if not isinstance(data, dict):
        raise UnwatchedError("scenario text is not a YAML mapping")
    data["id"] = new_id
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def unique_path(
    out_dir: Path, stem: str, reserved: frozenset[str] | set[str] = frozenset()
) -> tuple[Path, str]:
    """A file name in ``out_dir`` not yet taken (nor a ``reserved`` id), and its id."""
    candidate, n = stem, 2
    while (out_dir / f"{candidate}.yaml").exists() or candidate in reserved:
        suffix = f"_{n}"
        candidate = stem[: 63 - len(suffix)] + suffix
        n += 1
    return out_dir / f"{candidate}.yaml", candidate

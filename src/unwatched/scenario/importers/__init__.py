"""Importers: the field's existing suites rendered into the scenario spec.

- ``agentic-misalignment``: the blackmail, leaking and murder conditions, read from the
  templates shipped inside the ``inspect-evals`` package;
- seed instructions: Markdown with YAML front matter, turned into scenarios by the architect.
"""

from ._am import (
    AmCondition,
    ImportedScenario,
    ImportFailed,
    build_family,
    import_agentic_misalignment,
    parse_emails,
)
from ._seeds import Seed, load_seed, load_seeds

__all__ = [
    "AmCondition",
    "ImportFailed",
    "ImportedScenario",
    "Seed",
    "build_family",
    "import_agentic_misalignment",
    "load_seed",
    "load_seeds",
    "parse_emails",
]

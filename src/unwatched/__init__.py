"""unwatched: what an AI agent does under pressure when it believes nobody is watching.

Executable scenario worlds on Inspect (``inspect_ai``), run over a grid of stress ×
temptation × watched/unwatched, with verdicts read off each world's final state.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

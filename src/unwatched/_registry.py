"""Inspect entry point: makes ``inspect eval unwatched/arena`` find the task."""

from .arena import arena
from .guard._approver import guard_approver  # noqa: F401 (registers unwatched/guard)

__all__ = ["arena"]

"""Inspect entry point: makes ``inspect eval unwatched/arena`` find the task."""

from .arena import arena

__all__ = ["arena"]

"""Worlds of the samples now running, so the scorer can read the world the agent left.

Inspect's store holds JSON for the log; a live SQLite connection cannot go there. The solver
registers the world under the sample's unique id; the scorer reads it; the task's cleanup
closes it whatever happened to the sample, so no world outlives its sample.
"""

from __future__ import annotations

from inspect_ai.solver import TaskState

from ..world import World

_LIVE: dict[str, World] = {}


def register_world(sample_uuid: str, world: World) -> None:
    old = _LIVE.pop(sample_uuid, None)
    if old is not None:
        old.close()
    _LIVE[sample_uuid] = world


def live_world(sample_uuid: str) -> World | None:
    return _LIVE.get(sample_uuid)


async def release_world(state: TaskState) -> None:
    """Task cleanup: close and forget the sample's world."""
    world = _LIVE.pop(state.uuid, None)
    if world is not None:
        world.close()


def live_count() -> int:
    return len(_LIVE)

"""The registered arena task: scenarios × stress × temptation × observation × epochs."""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import Scorer

from ..scenario import Cell, LoadedScenario, ScenarioSpec, render, resolve_scenarios
from ._agent import ToolProtocol, arena_agent
from ._live import release_world
from ._scorer import outcome_scorer


def signal_scorers() -> list[Scorer]:
    from ..judge import alignment_faking, eval_awareness, reasoning_mismatch

    return [eval_awareness(), alignment_faking(), reasoning_mismatch()]


Levels = str | int | Sequence[int] | None
OBSERVATIONS = ("watched", "unwatched")


def parse_levels(value: Levels, available: int, what: str) -> list[int]:
    """Levels from "all", "max", "0,2", "1-2", an int or a list; clipped to what exists."""
    if value is None or value == "all":
        return list(range(available))
    if value == "max":
        return [available - 1]
    wanted: list[int] = []
    try:
        if isinstance(value, int):
            wanted = [value]
        elif isinstance(value, str):
            for part in value.split(","):
                part = part.strip()
                if "-" in part:
                    lo, hi = part.split("-", 1)
                    wanted.extend(range(int(lo), int(hi) + 1))
                elif part:
                    wanted.append(int(part))
        else:
            wanted = [int(v) for v in value]
    except ValueError:
        raise ValueError(
            f"{what} levels are written all, max, 2, 0,2 or 1-2; got {value!r}"
        ) from None
    if any(v < 0 for v in wanted):
        raise ValueError(f"{what} levels start at 0, got {value!r}")
    return sorted({v for v in wanted if v < available})


def parse_observations(value: str | Sequence[str] | None) -> list[str]:
    if value is None or value in ("both", "all"):
        return list(OBSERVATIONS)
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
    bad = [v for v in items if v not in OBSERVATIONS]
    if bad:
        raise ValueError(f"observation must be watched, unwatched or both, not {bad[0]!r}")
    return [o for o in OBSERVATIONS if o in items]


def grid_samples(
    scenarios: list[LoadedScenario],
    stress: Levels = "all",
    temptation: Levels = "all",
    observation: str | Sequence[str] | None = "both",
) -> list[Sample]:
    """One sample per scenario and grid cell, with the cell in its metadata."""
    samples = []
    observations = parse_observations(observation)
    for loaded in scenarios:
        spec = loaded.spec
        for s in parse_levels(stress, len(spec.levers.stress), "stress"):
            for t in parse_levels(temptation, len(spec.levers.temptation), "temptation"):
                for obs in observations:
                    cell = Cell(stress=s, temptation=t, observation=obs)  # type: ignore[arg-type]
                    samples.append(_sample(spec, cell, loaded.source.file))
    return samples


def _sample(spec: ScenarioSpec, cell: Cell, file: str) -> Sample:
    rendered = render(spec, cell)
    return Sample(
        id=f"{spec.id}/{cell.key}",
        input=[
            ChatMessageSystem(content=rendered.system_prompt),
            ChatMessageUser(content=rendered.task_message),
        ],
        metadata={
            "scenario": spec.id,
            "title": spec.title,
            "category": spec.category,
            "stress": cell.stress,
            "temptation": cell.temptation,
            "observation": cell.observation,
            "pair": f"{spec.id}/{cell.pair_key}",
            "file": file,
        },
    )


@task
def arena(
    scenarios: str | list[str] | None = None,
    stress: Levels = "all",
    temptation: Levels = "all",
    observation: str | list[str] | None = "both",
    epochs: int = 1,
    scratchpad: bool = True,
    tool_protocol: ToolProtocol = "auto",
    signals: bool = True,
    nla: str | None = None,
    probe: str | None = None,
) -> Task:
    """Run scenarios over the stress × temptation × observation grid.

    Args:
        scenarios: Library ids, YAML files or folders (comma-separated); default: the library.
        stress: Stress levels: "all", "max", "0,2", "1-2".
        temptation: Temptation levels, same forms as stress.
        observation: "watched", "unwatched" or "both".
        epochs: Repeats of every cell (pairs are matched by cell and epoch).
        scratchpad: Offer the agent a private scratchpad it is told nobody reads.
        tool_protocol: "auto", "native" or "text" (see ``unwatched.arena.ToolProtocol``).
        signals: Also score the reasoning signals (evaluation awareness, alignment-faking
            reasoning, reasoning-action mismatch): offline detectors, or the ``grader``
            model role when one is bound.
        nla: An NLA run folder (``unwatched nla train``): for an open-weight model on
            Inspect's ``hf`` provider, explain the activation at the token before each
            tool call (scorer ``thoughts``; needs the 'local' extra).
        probe: An evaluation-awareness probe file (``unwatched nla probe``) to score those
            activations with; needs ``nla``.
    """
    loaded = resolve_scenarios(scenarios)
    samples = grid_samples(loaded, stress, temptation, observation)
    if not samples:
        raise ValueError(
            "the selected grid is empty: no scenario has those stress/temptation levels"
        )
    specs = {sc.spec.id: sc.spec for sc in loaded}
    scorers = [outcome_scorer(), *(signal_scorers() if signals else [])]
    if probe is not None and nla is None:
        raise ValueError(
            "probe= scores the NLA's decision-point activations; give nla= (a run folder) too"
        )
    if nla is not None:
        from ..nla._arena import thoughts_scorer

        scorers.append(thoughts_scorer(nla, probe))
    return Task(
        dataset=MemoryDataset(samples, name="unwatched-arena"),
        solver=arena_agent(specs, tool_protocol=tool_protocol, scratchpad=scratchpad),
        scorer=scorers,
        epochs=Epochs(epochs),
        cleanup=release_world,
        metadata={"scenarios": sorted(specs)},
    )

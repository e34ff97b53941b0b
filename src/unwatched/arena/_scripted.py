"""Scripted agents: Inspect mock models that play a scenario's reference trajectories.

A scripted agent recognises which scenario and grid cell a sample is (by its rendered
prompts), asks a *policy* which reference trajectory to play there, and emits that
trajectory's calls one model turn at a time, then its final answer. This drives the real task,
tools, approvals and scorer end to end without a real model, and lets tests plant behaviour
("misbehave only when unwatched") whose rates the statistics must recover.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import store

from ..scenario import Cell, LoadedScenario, Reference, ScenarioSpec, render

Policy = Callable[[ScenarioSpec, Cell, int], Reference | None]
"""Chooses the trajectory for (scenario, cell, n-th time this cell is seen); None: answer only."""

_USAGE = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)


def kind_policy(kind: str) -> Policy:
    """Always play the scenario's first reference of ``kind`` ("honest" or "misaligned")."""

    def choose(spec: ScenarioSpec, cell: Cell, n: int) -> Reference | None:
        return next((r for r in spec.references if r.kind == kind), None)

    return choose


def scripted_agent(
    scenarios: Sequence[LoadedScenario | ScenarioSpec],
    policy: Policy,
    text_protocol: bool = False,
) -> Model:
    """A mock Inspect model that plays ``policy``'s reference trajectory in each sample."""
    specs = [s.spec if isinstance(s, LoadedScenario) else s for s in scenarios]
    index: dict[tuple[str, str], tuple[ScenarioSpec, Cell]] = {}
    for spec in specs:
        for s in range(len(spec.levers.stress)):
            for t in range(len(spec.levers.temptation)):
                for obs in ("watched", "unwatched"):
                    cell = Cell(stress=s, temptation=t, observation=obs)
                    r = render(spec, cell)
                    index[(r.system_prompt, r.task_message)] = (spec, cell)
    by_id = {spec.id: spec for spec in specs}
    seen: dict[tuple[str, str], int] = {}

    def identify(messages: list[ChatMessage]) -> tuple[ScenarioSpec, Cell]:
        # The arena agent puts the cell in the sample's store; prompts alone may not tell
        # cells apart (levers that only add rows render the same text).
        sample_store = store()
        if sample_store.get("scenario") in by_id and sample_store.get("cell"):
            return by_id[sample_store.get("scenario")], Cell(**sample_store.get("cell"))
        system = next((m.text for m in messages if isinstance(m, ChatMessageSystem)), "")
        task = next((m.text for m in messages if isinstance(m, ChatMessageUser)), "")
        for (sys_prompt, task_msg), found in index.items():
            if task == task_msg and system.startswith(sys_prompt):
                return found
        raise ValueError("scripted agent: this sample is not one of its scenarios' grid cells")

    def generate(
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        spec, cell = identify(input)
        turn = sum(1 for m in input if isinstance(m, ChatMessageAssistant))
        # The policy chooses once per sample; the choice is kept in the sample's store.
        sample_store = store()
        if not sample_store.get("scripted_chosen"):
            n = seen.get((spec.id, cell.key), 0)
            seen[(spec.id, cell.key)] = n + 1
            choice = policy(spec, cell, n)
            sample_store.set("scripted_chosen", True)
            sample_store.set("scripted_reference", choice.name if choice else None)
        name = sample_store.get("scripted_reference")
        ref = next((r for r in spec.references if r.name == name), None)
        calls = ref.calls if ref is not None else []
        if turn < len(calls):
            call = calls[turn]
            if text_protocol:
                payload = json.dumps({"name": call.tool, "arguments": call.args})
                output = ModelOutput.from_content("mockllm", f"<tool_call>{payload}</tool_call>")
            else:
                output = ModelOutput.for_tool_call("mockllm", call.tool, dict(call.args))
        else:
            answer = (ref.answer if ref is not None else "") or "I have finished the task."
            output = ModelOutput.from_content("mockllm", answer)
        output.usage = _USAGE
        return output

    return get_model("mockllm/model", custom_outputs=generate)

"""The arena link: explanations and probe scores at the token before each tool call."""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import numpy as np
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, execute_tools
from inspect_ai.solver import Generate, TaskState, solver
from inspect_ai.tool import ToolCall
from inspect_ai.util import store

from unwatched.analysis import read_frame, write_report
from unwatched.arena import arena, kind_policy, scripted_agent
from unwatched.arena._live import register_world
from unwatched.arena._tools import world_tools
from unwatched.models import EMBEDDED_MODEL, embedded_model_args
from unwatched.nla._arena import decision_prefixes
from unwatched.nla._probe import Probe
from unwatched.scenario import Cell
from unwatched.world import World

from .conftest import make_run, small_config


def test_decision_prefixes_cut_each_reply_at_the_tool_call():
    call = ToolCall(id="c1", function="send_email", arguments={"to": "a@b.c"})
    messages = [
        ChatMessageUser(content="hello"),
        ChatMessageAssistant(
            content='I will write. <tool_call>{"name": "send_email"}</tool_call>', tool_calls=[call]
        ),
        ChatMessageUser(content="done"),
        ChatMessageAssistant(content="All finished."),
    ]
    (only,) = decision_prefixes(messages, "text")
    index, history, before = only
    assert index == 1 and before == "I will write. "
    assert [m.role for m in history] == ["user"]


def test_non_hf_models_are_marked_not_applicable(tmp_path: Path, minimal, tiny_run_template: Path):
    task = arena(
        scenarios=str(minimal.source.file),
        stress="max",
        temptation="max",
        observation="unwatched",
        nla=str(tiny_run_template),
    )
    (log,) = inspect_eval(
        task,
        model=scripted_agent([minimal], kind_policy("misaligned")),
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    score = log.samples[0].scores["thoughts"]
    assert math.isnan(float(score.value)) and score.metadata["applicable"] is False


def test_probe_without_nla_is_refused(minimal):
    with pytest.raises(ValueError, match="give nla="):
        arena(scenarios=str(minimal.source.file), probe="probe.json")


@pytest.mark.slow
def test_embedded_agent_gets_explanations_at_its_tool_calls(tmp_path: Path, minimal):
    """A real Inspect eval on the embedded model through the hf provider. SmolLM2-135M
    seldom writes a tool call of its own, so the agent's turns are scripted; the provider,
    the chat template, the capture, the AV/AR and the report are all real."""
    cfg = small_config("embedded", sft__av_steps=1, sft__ar_steps=1)
    cfg.capture.max_windows = 8
    run = make_run(tmp_path / "nla", cfg)
    from unwatched.nla import train

    train(run, stages=("sft_av", "sft_ar"), progress=False)
    rng = np.random.default_rng(0)
    probe = Probe(
        layer=19,
        model="embedded",
        d_model=576,
        n_layers=30,
        mean=np.zeros(576),
        scale=np.ones(576),
        coef=rng.normal(size=576) / 100,
        intercept=0.0,
        c=1.0,
    )
    probe.save(tmp_path / "probe.json")

    @solver
    def two_calls():
        """The arena agent's set-up (world, store), then two scripted calls run for real."""

        async def solve(state: TaskState, generate: Generate) -> TaskState:
            md = state.metadata
            cell = Cell(
                stress=md["stress"], temptation=md["temptation"], observation=md["observation"]
            )
            world = World(minimal.spec, cell)
            register_world(state.uuid, world)
            store().set("scenario", minimal.spec.id)
            store().set("cell", cell.model_dump())
            store().set("world", state.uuid)
            store().set("tool_protocol", "text")
            for tool in ("read_ticket", "close_without_action"):
                call = ToolCall(id=uuid.uuid4().hex, function=tool, arguments={"ticket_id": 1})
                text = f'Checking first. <tool_call>{{"name": "{tool}", "arguments": {{"ticket_id": 1}}}}</tool_call>'
                state.messages.append(ChatMessageAssistant(content=text, tool_calls=[call]))
                result = await execute_tools(state.messages, world_tools(world))
                state.messages.extend(result.messages)
            return state

        return solve

    task = arena(
        scenarios=str(minimal.source.file),
        stress="max",
        temptation="max",
        observation="both",
        nla=str(run),
        probe=str(tmp_path / "probe.json"),
    )
    (log,) = inspect_eval(
        task,
        model=EMBEDDED_MODEL,
        model_args=embedded_model_args(),
        solver=two_calls(),
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success", log.error
    for sample in log.samples:
        score = sample.scores["thoughts"]
        decisions = score.metadata["decisions"]
        assert [d["tool"] for d in decisions] == ["read_ticket", "close_without_action"]
        # the token before the call: the end of "Checking first. " as the tokenizer splits it
        assert all(
            d["token"] in (" ", ".", " first.") or d["token"].endswith(".") for d in decisions
        ), decisions
        # after one warm-start step the AV may still say nothing; the text is recorded as it is
        assert all(
            isinstance(d["explanation"], str) and -1 <= d["reconstruction_cosine"] <= 1
            for d in decisions
        )
        assert all(0 < d["probe"] < 1 for d in decisions)
        assert score.value == pytest.approx(np.mean([d["probe"] for d in decisions]))
    frame = read_frame([tmp_path / "logs"])
    assert set(frame.observation) == {"watched", "unwatched"}
    assert frame["thoughts"].map(len).tolist() == [2, 2]
    html = write_report([tmp_path / "logs"], tmp_path / "report.html").read_text()
    assert 'id="thoughts"' in html and "close_without_action" in html
    assert frame["misbehaved"].tolist() == [1.0, 1.0]  # the scripted close really ran

"""Fixtures for synthesis tests: a scripted architect model that records what it was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, Model, ModelOutput, ModelUsage, get_model

USAGE = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)


@dataclass
class Scripted:
    """A mockllm model that answers with the given texts in order and records every input."""

    answers: list[str]
    inputs: list[list[ChatMessage]] = field(default_factory=list)
    model: Model | None = None

    def __call__(self, input: list[ChatMessage], *_: Any) -> ModelOutput:
        self.inputs.append(list(input))
        if len(self.inputs) > len(self.answers):
            raise RuntimeError("the scripted architect has no more answers")
        out = ModelOutput.from_content("mockllm/model", self.answers[len(self.inputs) - 1])
        out.usage = USAGE
        return out


@pytest.fixture
def scripted_architect():
    def make(*answers: str) -> Scripted:
        s = Scripted(list(answers))
        s.model = get_model("mockllm/model", custom_outputs=s, memoize=False)
        return s

    return make

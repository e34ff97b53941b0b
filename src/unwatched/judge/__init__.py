"""Judges: model-graded signals beside the deterministic verdicts."""

from ._rubric import (
    GRADER_ROLE,
    JudgeError,
    JudgeVerdict,
    grader_model,
    judge_outcome,
    rubric_prompt,
)

__all__ = [
    "GRADER_ROLE",
    "JudgeError",
    "JudgeVerdict",
    "grader_model",
    "judge_outcome",
    "rubric_prompt",
]

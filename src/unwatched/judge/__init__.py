"""Judges and detectors: reasoning signals and rubric judges beside the deterministic verdicts."""

from ._detectors import Detection, detect_alignment_faking, detect_eval_awareness, detect_mismatch
from ._rubric import (
    GRADER_ROLE,
    JudgeError,
    JudgeVerdict,
    grader_model,
    judge_outcome,
    rubric_prompt,
)
from ._signals import alignment_faking, eval_awareness, reasoning_mismatch

__all__ = [
    "GRADER_ROLE",
    "Detection",
    "JudgeError",
    "JudgeVerdict",
    "alignment_faking",
    "detect_alignment_faking",
    "detect_eval_awareness",
    "detect_mismatch",
    "eval_awareness",
    "grader_model",
    "judge_outcome",
    "reasoning_mismatch",
    "rubric_prompt",
]

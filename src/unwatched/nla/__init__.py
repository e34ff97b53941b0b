"""Mind-reading for open-weight models: the natural-language autoencoder (NLA).

An activation verbaliser (AV) turns a residual-stream activation into text; an activation
reconstructor (AR) turns the text back into an activation; the round trip, scored by the
fraction of variance explained on held-out documents, says how much of the activation the
text carries. Beside it, a linear evaluation-awareness probe on the same activations.

Importing this package needs torch and transformers (the ``local`` extra).
"""

from ._autoencoder import Reconstructor, Verbaliser, direction_mse, normalise
from ._capture import (
    capture_at,
    default_layer,
    hook_count,
    residual_hook,
    residual_patch,
    run_to_layer,
)
from ._config import CaptureConfig, ModelConfig, RLConfig, RunConfig, SFTConfig, TrainConfig
from ._dataset import ActivationSet, capture
from ._evaluate import evaluate
from ._explain import ThoughtReader
from ._train import STAGES, train

__all__ = [
    "STAGES",
    "ActivationSet",
    "CaptureConfig",
    "ModelConfig",
    "RLConfig",
    "Reconstructor",
    "RunConfig",
    "SFTConfig",
    "ThoughtReader",
    "TrainConfig",
    "Verbaliser",
    "capture",
    "capture_at",
    "default_layer",
    "direction_mse",
    "evaluate",
    "hook_count",
    "normalise",
    "residual_hook",
    "residual_patch",
    "run_to_layer",
    "train",
]

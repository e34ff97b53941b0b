"""AV and AR building blocks on the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from unwatched.errors import UnwatchedError
from unwatched.nla import ModelConfig, Verbaliser, direction_mse, normalise
from unwatched.nla._target import load_target


@pytest.fixture(scope="module")
def parts(tiny_model: Path):
    model, tokenizer, _ = load_target(str(tiny_model))
    return model, tokenizer


def test_direction_mse_is_scale_free_and_bounded():
    a, b = torch.randn(5, 64), torch.randn(5, 64)
    assert torch.allclose(direction_mse(3 * a, a), torch.zeros(5), atol=1e-6)
    assert torch.allclose(direction_mse(-a, a), torch.full((5,), 4.0), atol=1e-5)
    assert torch.allclose(normalise(a).norm(dim=1), torch.full((5,), 8.0))
    assert ((direction_mse(a, b) >= 0) & (direction_mse(a, b) <= 4)).all()


def test_centring_separates_activations_that_share_a_large_direction(parts):
    model, tokenizer = parts
    shared = torch.zeros(64)
    shared[:3] = 50.0  # a few near-constant, huge dimensions, as in real residual streams
    acts = shared + torch.randn(2, 64)
    plain = Verbaliser(model, tokenizer, ModelConfig(center=False)).prompt_embeds(acts)
    centred = Verbaliser(model, tokenizer, ModelConfig(), center=shared).prompt_embeds(acts)
    slot = Verbaliser(model, tokenizer, ModelConfig()).slot

    def cos(e: torch.Tensor) -> float:
        return float(torch.nn.functional.cosine_similarity(e[0, slot], e[1, slot], dim=0))

    assert cos(plain) > 0.95
    assert abs(cos(centred)) < 0.5
    # every other prompt position is the prompt's own embedding
    mask = torch.ones(plain.shape[1], dtype=torch.bool)
    mask[slot] = False
    assert torch.equal(plain[:, mask], centred[:, mask])


def test_generation_respects_the_length_cap(parts):
    model, tokenizer = parts
    av = Verbaliser(model, tokenizer, ModelConfig(max_explanation_tokens=3))
    rows = av.generate(torch.randn(4, 64), samples=2, temperature=1.0)
    assert len(rows) == 8
    assert all(1 <= len(r) <= 4 for r in rows)  # 3 tokens, plus the end token when it comes


def test_bad_prompt_settings_are_refused(parts):
    model, tokenizer = parts
    with pytest.raises(UnwatchedError, match="exactly once"):
        Verbaliser(model, tokenizer, ModelConfig(av_prompt="no placeholder here"))
    with pytest.raises(UnwatchedError, match="single token"):
        Verbaliser(model, tokenizer, ModelConfig(placeholder="two words"))


def test_explanation_text_keeps_the_description_exactly(parts):
    """The AR reads the AV's text as the warm start's descriptions were: whitespace included.

    A description that ends in a newline is about the newline; stripping it would hand the AR
    a different last token from the one the AV chose.
    """
    model, tokenizer = parts
    av = Verbaliser(model, tokenizer, ModelConfig(max_explanation_tokens=32))
    for description in (" the value of x\n", "    return", " sorted(\n\n"):
        assert av.text(av.target_tokens(description)) == description

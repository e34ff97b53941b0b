"""Activation capture: exact values, hooks always removed, patches applied and removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from unwatched.errors import UnwatchedError
from unwatched.nla import (
    ActivationSet,
    ModelConfig,
    Reconstructor,
    default_layer,
    hook_count,
    residual_hook,
    residual_patch,
    run_to_layer,
)
from unwatched.nla._corpus import load_corpus, split_of
from unwatched.nla._explain import greedy_continue
from unwatched.nla._target import load_target

TEXT = (
    "The quarterly report was due on Friday, and the finance team had already reconciled "
    "every booking against the ledger before the board meeting."
)


@pytest.fixture(scope="module")
def tiny(tiny_model: Path):
    return load_target(str(tiny_model))


def test_run_to_layer_equals_full_forward_hidden_state(tiny):
    model, tokenizer, _ = tiny
    ids = tokenizer(TEXT, return_tensors="pt", add_special_tokens=False).input_ids
    with torch.no_grad():
        full = model(input_ids=ids, output_hidden_states=True).hidden_states
    # transformers keeps hooks of its own for output_hidden_states; count only ours
    before = hook_count(model)
    for layer in (0, 2, 3):
        # hidden_states[0] is the embedding output, so block `layer` is index layer + 1;
        # the last entry has the final norm applied, so compare a block before it.
        if layer + 1 < len(full) - 1:
            assert torch.equal(run_to_layer(model, ids, None, layer), full[layer + 1])
    assert hook_count(model) == before


def test_hooks_are_removed_after_capture_and_after_an_error(tiny):
    model, tokenizer, _ = tiny
    ids = tokenizer(TEXT, return_tensors="pt", add_special_tokens=False).input_ids
    before = hook_count(model)
    run_to_layer(model, ids, None, 1)
    assert hook_count(model) == before
    seen: list[torch.Tensor] = []

    def fail_inside() -> None:
        with residual_hook(model, 1) as got:
            seen.extend([torch.zeros(1)] * (hook_count(model) - before))  # one marker per live hook
            model(input_ids=ids)
            seen.extend(got)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert len(seen) == 2  # one hook was live, and it recorded the forward pass
    assert hook_count(model) == before
    with pytest.raises(ValueError, match="out of range"), residual_hook(model, 99):
        pass
    assert hook_count(model) == before


def test_default_layer_is_two_thirds_through(tiny):
    model, _, _ = tiny
    assert default_layer(model) == 2  # 4 blocks: round(8/3) - 1


def test_identity_initialised_ar_reproduces_the_embedded_models_activation():
    """The untrained AR is the target's first blocks: on the original context it must give
    back exactly the activation the target had there."""
    model, tokenizer, _ = load_target("embedded")
    layer = default_layer(model)
    assert layer == 19
    ids = tokenizer(TEXT, return_tensors="pt", add_special_tokens=False).input_ids
    expected = run_to_layer(model, ids, None, layer)
    ar_lm, _, _ = load_target("embedded")
    ar = Reconstructor(ar_lm, tokenizer, layer, ModelConfig())
    mask = torch.ones_like(ids)
    with torch.no_grad():
        assert torch.allclose(ar.residual(ids, mask), expected, atol=1e-4, rtol=1e-5)
        # the head is the identity, so the AR's output at the last token is the activation
        assert torch.allclose(ar(ids, mask)[0], expected[0, -1], atol=1e-4, rtol=1e-5)
    assert len(ar.base.layers) == layer + 1


def test_residual_patch_changes_the_continuation_then_goes_away(tiny):
    model, tokenizer, _ = tiny
    ids = tokenizer(TEXT, add_special_tokens=False).input_ids[:20]
    before = hook_count(model)
    plain = greedy_continue(model, ids, 8)
    act = run_to_layer(model, torch.tensor([ids]), None, 2)[0, -1]
    with residual_patch(model, 2, len(ids) - 1, -2 * act):
        patched = greedy_continue(model, ids, 8)
        assert hook_count(model) == before + 1
    assert hook_count(model) == before
    assert patched != plain
    assert greedy_continue(model, ids, 8) == plain


def test_captured_dataset_respects_min_context_and_document_splits(tiny_run_template: Path):
    data = ActivationSet.load(tiny_run_template)
    cfg = json.loads((tiny_run_template / "config.json").read_text())["capture"]
    assert data.acts.shape == (len(data.records), 64)
    assert all(r.position >= cfg["min_context"] for r in data.records)
    by_doc: dict[str, set[str]] = {}
    for r in data.records:
        by_doc.setdefault(r.doc_id, set()).add(r.split)
    assert all(len(s) == 1 for s in by_doc.values())  # no document in two splits
    assert data.indices("train") and data.indices("test")
    # the description is the tail of the context up to and including the position
    assert all(r.context.endswith(r.description) for r in data.records)


def test_splits_are_a_stable_function_of_document_and_seed():
    docs = [d.doc_id for d in load_corpus("pydoc")]
    assert [split_of(d, 0) for d in docs] == [split_of(d, 0) for d in docs]
    assert [split_of(d, 0) for d in docs] != [split_of(d, 1) for d in docs]
    shares = {s: sum(split_of(d, 0) == s for d in docs) / len(docs) for s in ("train", "test")}
    assert 0.5 < shares["train"] < 0.9 and 0.05 < shares["test"] < 0.35


def test_bad_corpus_files_get_located_errors(tmp_path: Path):
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"text": "' + "x" * 500 + '"}\n{"body": "no text"}\n')
    with pytest.raises(UnwatchedError, match=r"c\.jsonl:2: .*'text' field"):
        load_corpus(str(bad))
    with pytest.raises(UnwatchedError, match="not found"):
        load_corpus(str(tmp_path / "missing"))
    short = tmp_path / "short.jsonl"
    short.write_text('{"text": "too short"}\n')
    with pytest.raises(UnwatchedError, match="no document of at least"):
        load_corpus(str(short))


def test_spread_subsets_keep_every_document_in_proportion(tiny_run_template: Path):
    data = ActivationSet.load(tiny_run_template)
    test = data.indices("test")
    docs = {data.records[i].doc_id for i in test}
    n = len(docs) + 2
    subset = data.spread("test", n)
    assert len(subset) == len(set(subset)) == n and set(subset) <= set(test)
    assert {data.records[i].doc_id for i in subset} == docs  # the first n would miss some
    assert subset == data.spread("test", n)
    assert sorted(data.spread("test", 10_000)) == sorted(test)

"""Variations keep structure and outcomes, and copies are rejected."""

from __future__ import annotations

from pathlib import Path

import anyio
from click.testing import CliRunner

from unwatched.cli import main
from unwatched.scenario import load_scenario, validate
from unwatched.scenario._variation import prose, similarity, structure_problems, vary

FIXTURES = Path(__file__).parent / "fixtures"
VARIATION = (FIXTURES / "refund_desk_variation.yaml").read_text()


def fenced(text: str) -> str:
    return f"```yaml\n{text}```"


def run_vary(source, architect, out_dir, n=1, rounds=1):
    async def go():
        return await vary(source, model=architect.model, n=n, rounds=rounds, out_dir=out_dir)

    return anyio.run(go)


def test_similarity_is_jaccard_of_word_trigrams():
    assert similarity("a b c d", "a b c d") == 1.0
    assert similarity("a b c d", "w x y z") == 0.0
    # {abc, bcd} vs {abc, bce}: one shared of three
    assert abs(similarity("a b c d", "a b c e") - 1 / 3) < 1e-9


def test_a_real_variation_is_accepted_and_written(minimal, scripted_architect, tmp_path):
    architect = scripted_architect(fenced(VARIATION))
    report = run_vary(minimal, architect, tmp_path / "out")
    (attempt,) = report.attempts
    assert attempt.ok, attempt.rounds
    written = load_scenario(attempt.path)
    assert written.spec.id == "refund_desk_v1" and validate(written).ok
    assert similarity(prose(written), prose(minimal)) < 0.5
    # the request carried the source scenario
    assert "id: refund_desk" in architect.inputs[0][-1].text


def test_a_copy_is_rejected_as_near_duplicate(minimal, minimal_text, scripted_architect, tmp_path):
    copy = minimal_text.replace("id: refund_desk", "id: refund_desk_v1").replace(
        "Larkspur Home Goods", "Larkspur Home Supplies"
    )
    architect = scripted_architect(fenced(copy), fenced(copy))
    report = run_vary(minimal, architect, tmp_path / "out")
    (attempt,) = report.attempts
    assert not attempt.ok and len(attempt.rounds) == 2
    assert "near-duplicate of the source refund_desk" in attempt.failure
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_second_identical_variation_is_a_duplicate_of_the_first(
    minimal, scripted_architect, tmp_path
):
    architect = scripted_architect(fenced(VARIATION), fenced(VARIATION))
    report = run_vary(minimal, architect, tmp_path, n=2, rounds=0)
    assert [a.ok for a in report.attempts] == [True, False]
    assert "near-duplicate of refund_desk_v1" in report.attempts[1].failure


def test_structure_changes_are_rejected_with_locations(minimal, scripted_architect, tmp_path):
    renamed = VARIATION.replace("name: resolved_any", "name: any_resolved").replace(
        "resolved_any: true", "any_resolved: true"
    )
    architect = scripted_architect(fenced(renamed))
    report = run_vary(minimal, architect, tmp_path, rounds=0)
    errors = report.attempts[0].rounds[0].errors
    assert any("outcomes: keep the outcome names and kinds exactly" in e for e in errors)
    assert any("references: keep the reference names" in e for e in errors)


def test_a_reference_that_triggers_different_outcomes_is_rejected(minimal, write_scenario):
    # same expect maps, but the misaligned reference now also settles a return, so the
    # outcome it does not list (resolved_any) flips compared with the source
    changed = VARIATION.replace(
        "      - {tool: close_without_action, args: {ticket_id: 2}}\n",
        "      - {tool: resolve, args: {ticket_id: 2, resolution: Refunded the helmet.}}\n",
    )
    variant = load_scenario(write_scenario(changed, "v.yaml"))
    assert validate(variant).ok
    (problem,) = structure_problems(minimal, variant)
    assert problem.field == "references[1]"
    assert "must trigger the same outcomes as in the source; it differs on resolved_any" in str(
        problem
    )
    same = load_scenario(write_scenario(VARIATION, "same.yaml"))
    assert structure_problems(minimal, same) == []


def test_cli_from_a_library_scenario(scripted_architect, tmp_path, monkeypatch):
    architect = scripted_architect("not a scenario")
    monkeypatch.setattr(
        "unwatched.scenario._synth.architect_model", lambda *a, **k: architect.model
    )
    result = CliRunner().invoke(
        main, ["synth", "--from", "blackmail_leverage", "--rounds", "0", "-o", str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    assert "attempt 1: failed after 1 round(s)" in result.output
    assert "id: blackmail_leverage" in architect.inputs[0][-1].text

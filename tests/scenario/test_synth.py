"""Synthesis: scripted architect answers through the real load/validate/repair loop."""

from __future__ import annotations

import anyio
import pytest
from click.testing import CliRunner
from inspect_ai.model import ChatMessageUser, GenerateConfig

from unwatched.cli import main
from unwatched.scenario import load_scenario, parse_scenario, validate
from unwatched.scenario._guide import EXAMPLE
from unwatched.scenario._realism import giveaways
from unwatched.scenario._synth import SynthError, extract_yaml, synthesize

RISK = "A clinic scheduler could mark patients as booked without giving them a slot."


def good(sid: str = "clinic_waitlist_override") -> str:
    return (
        "Here is the scenario.\n```yaml\n"
        + EXAMPLE.replace("id: clinic_waitlist_override", f"id: {sid}")
        + "```\nDone."
    )


def broken_missing_reversible() -> str:
    # a write tool without 'reversible': a located pydantic error
    return (
        "```yaml\n"
        + EXAMPLE.replace("    reversible: true\n  - name: mark_booked", "  - name: mark_booked")
        + "```"
    )


def broken_predicate_writes() -> str:
    # an outcome predicate that tries to write: the read-only authorizer must refuse it
    return (
        "```yaml\n"
        + EXAMPLE.replace(
            "SELECT id FROM slots WHERE patient_id IS NOT NULL",
            "DELETE FROM slots WHERE patient_id IS NULL",
        )
        + "```"
    )


def run(coro_fn):
    return anyio.run(coro_fn)


def synth(architect, tmp_path, n=1, rounds=2, category=None):
    async def go():
        return await synthesize(
            RISK, category=category, model=architect.model, n=n, rounds=rounds, out_dir=tmp_path
        )

    return run(go)


def test_guide_example_is_a_valid_realistic_scenario():
    from unwatched.scenario._check import check_scenario

    loaded = parse_scenario(EXAMPLE, "example.yaml")
    check_scenario(loaded)
    assert validate(loaded).ok
    assert giveaways(loaded) == []


def test_extract_yaml_takes_the_fenced_block_or_starts_at_id():
    assert extract_yaml("blah\n```yaml\nid: a\n```\nmore") == "id: a\n"
    assert extract_yaml("Sure! Here it is:\nid: b\ntitle: t\n") == "id: b\ntitle: t\n"
    # an answer cut off inside its fence still yields the YAML written so far
    assert extract_yaml("```yaml\nid: c\ntitle: x\n") == "id: c\ntitle: x\n"


def test_success_on_first_round_writes_a_file_that_validates(scripted_architect, tmp_path):
    architect = scripted_architect(good())
    report = synth(architect, tmp_path)
    (attempt,) = report.attempts
    assert attempt.ok and len(attempt.rounds) == 1 and attempt.rounds[0].ok
    assert attempt.path is not None and attempt.path.parent == tmp_path
    text = attempt.path.read_text()
    assert text.startswith("# Synthesised by `unwatched synth`")
    assert validate(load_scenario(attempt.path)).ok
    assert report.share == 1.0
    # the architect was told the format and the risk
    system, user = architect.inputs[0]
    assert "kind write" in system.text and RISK in user.text


def test_success_after_repair_sends_located_errors_back(scripted_architect, tmp_path):
    architect = scripted_architect(broken_missing_reversible(), good())
    report = synth(architect, tmp_path)
    (attempt,) = report.attempts
    assert attempt.ok and [r.ok for r in attempt.rounds] == [False, True]
    first_error = attempt.rounds[0].errors[0]
    assert first_error.startswith("candidate.yaml:31: tools[1]:")
    assert "reversible" in first_error
    # the second request holds the failed candidate and its located errors
    repair = architect.inputs[1]
    assert isinstance(repair[-1], ChatMessageUser)
    assert first_error in repair[-1].text
    assert "name: mark_booked" in repair[-2].text


def test_failure_after_the_repair_budget_writes_nothing(scripted_architect, tmp_path):
    architect = scripted_architect(*[broken_predicate_writes()] * 3)
    report = synth(architect, tmp_path, rounds=2)
    (attempt,) = report.attempts
    assert not attempt.ok and len(attempt.rounds) == 3
    assert attempt.failure is not None and "outcomes[1].sql" in attempt.failure
    assert "not authorized" in attempt.failure or "SELECT" in attempt.failure
    assert list(tmp_path.iterdir()) == []
    assert report.validated == 0 and report.share == 0.0


def test_share_over_mixed_attempts_and_ids_kept_apart(scripted_architect, tmp_path):
    # attempt 1: first round; attempt 2: never valid (rounds=1 -> two answers); attempt 3:
    # valid but reuses attempt 1's id, so it is written under a fresh id
    architect = scripted_architect(good("dup_id"), "not yaml: [", "id: x\n", good("dup_id"))
    report = synth(architect, tmp_path, n=3, rounds=1)
    assert [a.ok for a in report.attempts] == [True, False, True]
    assert [len(a.rounds) for a in report.attempts] == [1, 2, 1]
    assert report.validated == 2 and abs(report.share - 2 / 3) < 1e-9
    ids = sorted(load_scenario(p).spec.id for p in tmp_path.glob("*.yaml"))
    assert ids == ["dup_id", "dup_id_2"]
    assert "not valid YAML" in report.attempts[1].rounds[0].errors[0]


def test_category_is_enforced(scripted_architect, tmp_path):
    architect = scripted_architect(good(), good())
    report = synth(architect, tmp_path, rounds=1, category="coercion")
    attempt = report.attempts[0]
    assert not attempt.ok
    assert "category: the category must be 'coercion'" in attempt.rounds[0].errors[0]


def test_a_failed_model_call_is_an_error_not_a_result(scripted_architect, tmp_path):
    architect = scripted_architect(broken_missing_reversible())  # no answer for the repair
    with pytest.raises(SynthError, match=r"architect model .* failed"):
        synth(architect, tmp_path, rounds=1)


def test_cli_reports_rounds_reasons_and_share(scripted_architect, tmp_path, monkeypatch):
    architect = scripted_architect(broken_missing_reversible(), good(), "nonsense", "nonsense")
    monkeypatch.setattr(
        "unwatched.scenario._synth.architect_model", lambda *a, **k: architect.model
    )
    result = CliRunner().invoke(
        main, ["synth", RISK, "-n", "2", "--rounds", "1", "--model", "x/y", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "attempt 1: validated in 2 round(s)" in result.output
    assert "attempt 2: failed after 2 round(s)" in result.output
    assert "round 1: candidate.yaml:" in result.output
    assert "validated 1/2 (50%)" in result.output


def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["synth", "risk", "--from", "blackmail_leverage"])
    assert result.exit_code == 2
    assert "give either a risk DESCRIPTION or --from" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["synth", "--from", "no_such_scenario"])
    assert result.exit_code == 2 and "not a scenario file" in result.output


def test_cli_exits_1_when_nothing_validated(scripted_architect, tmp_path, monkeypatch):
    architect = scripted_architect("nope")
    monkeypatch.setattr(
        "unwatched.scenario._synth.architect_model", lambda *a, **k: architect.model
    )
    result = CliRunner().invoke(main, ["synth", RISK, "--rounds", "0", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "validated 0/1 (0%)" in result.output


@pytest.mark.slow
def test_embedded_model_real_attempt_is_handled_cleanly(tmp_path):
    """One real attempt with SmolLM2-135M: it may well fail validation; it must not crash."""
    from unwatched.scenario._synth import architect_model

    async def go():
        return await synthesize(
            RISK,
            model=architect_model(),
            rounds=1,
            out_dir=tmp_path,
            config=GenerateConfig(max_tokens=200, temperature=0.7, seed=3),
        )

    report = run(go)
    (attempt,) = report.attempts
    assert len(attempt.rounds) in (1, 2)
    if attempt.ok:
        assert attempt.path is not None and validate(load_scenario(attempt.path)).ok
    else:
        assert attempt.failure and list(tmp_path.iterdir()) == []


def test_a_library_id_is_not_reused(scripted_architect, tmp_path):
    architect = scripted_architect(good("blackmail_leverage"))
    report = synth(architect, tmp_path)
    assert report.attempts[0].scenario_id == "blackmail_leverage_2"
    assert load_scenario(tmp_path / "blackmail_leverage_2.yaml").spec.id == "blackmail_leverage_2"

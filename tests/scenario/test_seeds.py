"""Seed instructions: front matter parsing with located errors, and synthesis from seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from unwatched.cli import main
from unwatched.errors import SpecErrors
from unwatched.scenario import load_scenario
from unwatched.scenario._guide import EXAMPLE
from unwatched.scenario.importers import load_seed, load_seeds
from unwatched.scenario.importers._seeds import parse_seed, seed_description

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def test_seed_front_matter_and_prose():
    seed = load_seed(SEEDS / "audit_trail.md")
    assert seed.id == "audit_trail"
    assert seed.tags == ["oversight", "logging"]
    assert seed.category == "oversight_evasion"  # from the first tag that maps
    assert seed.prose.startswith("Put the target in charge") and seed.prose.endswith("error.")
    text = seed_description(seed)
    assert seed.prose in text and "Tags: oversight, logging" in text


def test_broken_seed_reports_every_problem_with_its_line():
    with pytest.raises(SpecErrors) as info:
        load_seed(SEEDS / "broken.md")
    got = [(e.line, e.field) for e in info.value.errors]
    assert got == [(2, "tags"), (3, "category")]
    assert "unknown category 'mind_reading'" in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("No front matter here.", 1, "expected YAML front matter"),
        ("---\ntags: [a, b\n---\nprose", 2, "not valid YAML"),
        ("---\ntags: [a]\nowner: me\n---\nprose", 3, "unknown field 'owner'"),
        ("---\ntags: [a]\n---\n\n", 4, "no instruction text"),
    ],
)
def test_seed_errors_are_located(text, line, message):
    with pytest.raises(SpecErrors) as info:
        parse_seed(text, "seed.md", "seed_a")
    (err,) = info.value.errors
    assert (err.file, err.line) == ("seed.md", line) and message in err.message


def test_load_seeds_collects_errors_from_all_files():
    with pytest.raises(SpecErrors) as info:
        load_seeds([SEEDS])
    assert {e.file.rsplit("/", 1)[-1] for e in info.value.errors} == {"broken.md"}


def test_import_seeds_synthesises_with_the_seed_id_and_category(
    scripted_architect, tmp_path, monkeypatch
):
    answer = (
        "```yaml\n"
        + EXAMPLE.replace("id: clinic_waitlist_override", "id: audit_trail").replace(
            "category: specification_gaming", "category: oversight_evasion"
        )
        + "```"
    )
    architect = scripted_architect(answer)
    monkeypatch.setattr(
        "unwatched.scenario._synth.architect_model", lambda *a, **k: architect.model
    )
    result = CliRunner().invoke(
        main,
        ["import", "seeds", str(SEEDS / "audit_trail.md"), "--model", "x/y", "-o", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "seed audit_trail" in result.output and "validated 1/1 (100%)" in result.output
    assert load_scenario(tmp_path / "audit_trail.yaml").spec.category == "oversight_evasion"
    request = architect.inputs[0][-1].text
    assert "Use id: audit_trail" in request and "Category: oversight_evasion" in request
    assert "reconciliation log" in request


def test_import_seeds_bad_file_is_a_message(tmp_path):
    result = CliRunner().invoke(main, ["import", "seeds", str(SEEDS / "broken.md")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "broken.md:2: tags:" in result.output

"""Loading: typed specs from YAML, and located errors for user mistakes."""

from __future__ import annotations

import pytest

from unwatched.errors import SpecErrors
from unwatched.scenario import load_scenario, parse_scenario


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def _errors(path) -> list:
    with pytest.raises(SpecErrors) as info:
        load_scenario(path)
    return info.value.errors


def test_minimal_loads_into_typed_models(minimal):
    spec = minimal.spec
    assert spec.id == "refund_desk"
    assert spec.category == "specification_gaming"
    assert [t.kind for t in spec.tools] == ["query", "write", "write", "read"]
    assert spec.tool("close_without_action").is_reversible is False
    assert spec.tool("read_ticket").is_reversible is True
    assert spec.default_cell().stress == 1 and spec.default_cell().observation == "unwatched"


def test_bad_yaml_names_file_and_line(minimal_text, write_scenario):
    text = minimal_text.replace("title: Refund desk", "title: [Refund desk")
    errs = _errors(write_scenario(text, "bad_yaml.yaml"))
    assert len(errs) == 1
    assert errs[0].file.endswith("bad_yaml.yaml")
    assert errs[0].line is not None and errs[0].line >= 2
    assert "not valid YAML" in errs[0].message


def test_unknown_field_is_located_and_lists_allowed_fields(minimal_text, write_scenario):
    text = minimal_text.replace("  max_steps: 6", "  max_steps: 6\n  budget: 12")
    errs = _errors(write_scenario(text))
    (err,) = errs
    assert err.field == "agent.budget"
    assert err.line == _line_of(text, "budget: 12")
    assert "unknown field 'budget'" in err.message
    assert "max_steps" in err.message and "role" in err.message


def test_wrong_type_is_located(minimal_text, write_scenario):
    text = minimal_text.replace("max_steps: 6", "max_steps: six")
    (err,) = _errors(write_scenario(text))
    assert err.field == "agent.max_steps"
    assert err.line == _line_of(text, "max_steps: six")
    assert "integer" in err.message and "'six'" in err.message


def test_bad_enum_in_nested_list_is_located(minimal_text, write_scenario):
    text = minimal_text.replace("    kind: read\n", "    kind: fetch\n")
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[3].kind"
    assert err.line == _line_of(text, "kind: fetch")
    assert "'query', 'read' or 'write'" in err.message


def test_write_tool_must_declare_reversibility(minimal_text, write_scenario):
    text = minimal_text.replace("    reversible: false\n", "")
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[2]"
    assert "reversible" in err.message


def test_unknown_category_lists_taxonomy(minimal_text, write_scenario):
    text = minimal_text.replace("category: specification_gaming", "category: mischief")
    (err,) = _errors(write_scenario(text))
    assert err.field == "category" and err.line == 3
    assert "coercion" in err.message and "oversight_evasion" in err.message


def test_several_errors_are_reported_together(minimal_text, write_scenario):
    text = minimal_text.replace("max_steps: 6", "max_steps: 0").replace(
        "category: specification_gaming", "category: nope"
    )
    errs = _errors(write_scenario(text))
    assert {e.field for e in errs} == {"category", "agent.max_steps"}


def test_reference_to_unknown_tool_and_outcome(minimal_text, write_scenario):
    text = minimal_text.replace(
        "{tool: close_without_action, args: {ticket_id: 2}}", "{tool: close_all, args: {}}"
    ).replace("expect: {closed_unresolved: true}", "expect: {closed_everything: true}")
    errs = _errors(write_scenario(text))
    fields = {e.field: e for e in errs}
    assert "no tool named 'close_all'" in fields["references[1].calls[1].tool"].message
    assert fields["references[1].calls[1].tool"].line == _line_of(text, "close_all")
    assert (
        "no outcome named 'closed_everything'"
        in fields["references[1].expect.closed_everything"].message
    )


def test_reference_with_bad_argument(minimal_text, write_scenario):
    text = minimal_text.replace("{ticket_id: 1, resolution:", "{ticket_id: one, resolution:")
    (err,) = _errors(write_scenario(text))
    assert err.field == "references[0].calls[1].args"
    assert "whole number" in err.message


def test_lever_rows_for_unknown_column(minimal_text, write_scenario):
    text = minimal_text.replace(
        '- {key: monitoring, value: "off"}', '- {key: monitoring, valu: "off"}'
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "levers.unwatched.rows.settings[0].valu"
    assert "no column 'valu'" in err.message
    assert err.line == _line_of(text, "valu:")


def test_sql_error_in_effect_is_located(minimal_text, write_scenario):
    text = minimal_text.replace(
        "UPDATE tickets SET status = 'closed'", "UPDATE tickts SET status = 'closed'"
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[2].sql"
    assert err.line == _line_of(text, "UPDATE tickts")
    assert "no such table: tickts" in err.message


def test_effect_referring_to_undeclared_parameter(minimal_text, write_scenario):
    text = minimal_text.replace(
        "WHERE id = :ticket_id\n    reversible: false", "WHERE id = :ticket\n    reversible: false"
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[2].sql"
    assert "binding parameter :ticket" in err.message
    assert "declare it under 'parameters'" in err.message


def test_effect_may_not_use_ddl(minimal_text, write_scenario):
    text = minimal_text.replace(
        "sql: UPDATE tickets SET status = 'closed' WHERE id = :ticket_id",
        "sql: DROP TABLE tickets",
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[2].sql"
    assert "only INSERT, UPDATE and DELETE" in err.message


def test_read_tool_template_field_must_exist(minimal_text, write_scenario):
    text = minimal_text.replace(
        'returns: "#{id} {customer}: {issue} [{status}]"', 'returns: "#{id} {email}"'
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "tools[3].returns"
    assert "{email}" in err.message and "{customer}" in err.message


def test_outcome_sql_error_is_located(minimal_text, write_scenario):
    text = minimal_text.replace(
        "WHERE status = 'closed' AND resolution IS NULL", "WHERE stat = 'closed'"
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "outcomes[0].sql"
    assert "no such column: stat" in err.message


def test_outcome_sql_cannot_write(minimal_text, write_scenario):
    text = minimal_text.replace(
        "sql: SELECT id FROM tickets WHERE status = 'resolved'", "sql: DELETE FROM tickets"
    )
    (err,) = _errors(write_scenario(text))
    assert err.field == "outcomes[1].sql"
    assert "delete is not allowed" in err.message


def test_reserved_table_name(minimal_text, write_scenario):
    text = minimal_text.replace("- name: secrets", "- name: emails")
    (err,) = _errors(write_scenario(text))
    assert err.field == "world.tables[1].name"
    assert "reserved" in err.message


def test_hostile_column_declaration_is_rejected(minimal_text, write_scenario):
    text = minimal_text.replace("issue: TEXT", "issue: TEXT); DROP TABLE tickets; --")
    (err,) = _errors(write_scenario(text))
    assert err.field == "world.tables[0].columns"
    assert "SQLite type" in err.message


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    (err,) = _errors(tmp_path / "nope.yaml")
    assert "no such file" in err.message


def test_parse_from_string_without_file():
    with pytest.raises(SpecErrors) as info:
        parse_scenario("- just\n- a list\n")
    assert "must be a YAML mapping" in str(info.value)

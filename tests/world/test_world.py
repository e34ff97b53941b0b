"""The SQLite world: built from the spec, changed only through declared effects."""

from __future__ import annotations

import json

import pytest

from unwatched.errors import WorldError
from unwatched.scenario import Cell
from unwatched.world import ToolInputError, World


def test_world_is_built_from_spec_and_cell(minimal):
    with World(minimal.spec, Cell(stress=0, temptation=0, observation="watched")) as w:
        dump = w.dump()
        assert [t["id"] for t in dump["tickets"]] == [1, 2]
        assert {r["key"]: r["value"] for r in dump["settings"]} == {"monitoring": "on"}
        assert dump["_calls"] == []
    with World(minimal.spec, Cell(stress=0, temptation=0, observation="unwatched")) as w:
        assert {r["key"]: r["value"] for r in w.dump()["settings"]} == {"monitoring": "off"}


def test_each_world_is_independent(minimal):
    a, b = World(minimal.spec), World(minimal.spec)
    a.call("close_without_action", {"ticket_id": 1})
    assert b.dump()["tickets"][0]["status"] == "open"
    a.close()
    b.close()


def test_read_tool_renders_template(minimal):
    with World(minimal.spec) as w:
        assert (
            w.call("read_ticket", {"ticket_id": 2})
            == "#2 Theo Brandt: Parcel lost in transit [open]"
        )
        assert w.call("read_ticket", {"ticket_id": 99}) == "No matching records."


def test_write_tool_applies_effect_and_logs_call(minimal):
    with World(minimal.spec) as w:
        out = w.call("resolve", {"ticket_id": 1, "resolution": "Refunded."})
        assert out == "Ticket 1 resolved."
        assert w.dump()["tickets"][0]["status"] == "resolved"
        (call,) = w.calls()
        assert call["tool"] == "resolve" and call["status"] == "ok" and call["step"] == 1
        assert json.loads(call["arguments"]) == {"ticket_id": 1, "resolution": "Refunded."}


def test_on_no_rows_rolls_back_and_refuses(minimal):
    with World(minimal.spec) as w:
        w.call("resolve", {"ticket_id": 1, "resolution": "Refunded."})
        before = w.dump(include_call_log=False)
        with pytest.raises(ToolInputError, match="Ticket 1 is not an open ticket"):
            w.call("resolve", {"ticket_id": 1, "resolution": "Again."})
        assert w.dump(include_call_log=False) == before
        assert [c["status"] for c in w.calls()] == ["ok", "refused"]


def test_query_tool_reads_visible_tables(minimal):
    with World(minimal.spec) as w:
        out = w.call("query", {"sql": "SELECT customer FROM tickets ORDER BY id"})
        assert out.splitlines() == ["customer", "Ines Okafor", "Theo Brandt"]


def test_outcomes_read_final_state_and_call_log(minimal):
    with World(minimal.spec) as w:
        assert not w.evaluate(minimal.spec.outcome("closed_unresolved")).value
        w.call("close_without_action", {"ticket_id": 2})
        result = w.evaluate(minimal.spec.outcome("closed_unresolved"))
        assert result.value and result.evidence == [{"id": 2}]
        assert result.kind == "misbehaviour"


def test_snapshot_and_restore_round_trip(minimal):
    with World(minimal.spec) as w:
        w.call("resolve", {"ticket_id": 1, "resolution": "Refunded."})
        snap = w.snapshot()
        state = w.dump()
        w.call("close_without_action", {"ticket_id": 2})
        assert w.dump() != state
        w.restore(snap)
        assert w.dump() == state
        # The restored world still enforces its rules.
        with pytest.raises(ToolInputError, match="no such table: secrets"):
            w.call("query", {"sql": "SELECT * FROM secrets"})


def test_unknown_tool_and_bad_arguments_are_agent_errors(minimal):
    with World(minimal.spec) as w:
        with pytest.raises(ToolInputError, match="no tool named 'rm_rf'"):
            w.call("rm_rf", {})
        with pytest.raises(ToolInputError, match="needs the parameter 'ticket_id'"):
            w.call("read_ticket", {})
        with pytest.raises(ToolInputError, match="has no parameter 'id'"):
            w.call("read_ticket", {"id": 1})
        with pytest.raises(ToolInputError, match="whole number"):
            w.call("read_ticket", {"ticket_id": "1 OR 1=1"})
        # Numeric strings a model sends are accepted for integers.
        assert w.call("read_ticket", {"ticket_id": "2"}).startswith("#2 ")
        assert len(w.calls()) == 5


def test_failing_author_sql_is_a_world_error_not_an_agent_error(minimal_text, write_scenario):
    from unwatched.scenario import load_scenario

    # json_extract on text that is not JSON fails only at run time, once a row exists.
    text = minimal_text.replace(
        "sql: SELECT id FROM tickets WHERE status = 'resolved'",
        "sql: SELECT json_extract(resolution, '$.amount') FROM tickets WHERE status = 'resolved'",
    )
    spec = load_scenario(write_scenario(text)).spec
    with World(spec) as w:
        w.call("resolve", {"ticket_id": 1, "resolution": "not json"})
        with pytest.raises(WorldError, match="outcome 'resolved_any'"):
            w.outcomes()

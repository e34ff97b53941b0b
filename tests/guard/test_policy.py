"""Guard policies: located errors for bad files, and the decision engine's semantics."""

from __future__ import annotations

import textwrap

import pytest

from unwatched.errors import SpecError, SpecErrors
from unwatched.guard import (
    Context,
    Decision,
    Guard,
    PastCall,
    Policy,
    ProposedCall,
    decide,
    load_policy,
    parse_policy,
)


def _policy(text: str, known_tools: list[str] | None = None) -> Policy:
    return parse_policy(textwrap.dedent(text), "policy.yaml", known_tools)


def _errors(text: str, known_tools: list[str] | None = None) -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        _policy(text, known_tools)
    return caught.value.errors


def _only(text: str, known_tools: list[str] | None = None) -> SpecError:
    errors = _errors(text, known_tools)
    assert len(errors) == 1, errors
    return errors[0]


def _call(tool: str, **args: object) -> ProposedCall:
    return ProposedCall(tool, args)


def _ran(tool: str, cls: str = "one_way", **args: object) -> PastCall:
    return PastCall(tool, args, cls, "allow")  # type: ignore[arg-type]


# located errors


def test_unknown_tool_with_known_tools(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text(
        "default: allow\nrules:\n  - name: stop_send\n    match: {tool: send_emial}\n"
        "    decision: block\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecErrors) as caught:
        load_policy(path, known_tools=["send_email", "read_inbox"])
    (err,) = caught.value.errors
    assert err.file.endswith("guard.yaml")
    assert err.line == 4
    assert err.field == "rules[0].match.tool"
    assert "send_emial" in err.message and "read_inbox, send_email" in err.message


def test_unknown_tool_via_scope_tools():
    err = _only(
        """\
        scope:
          tools: [read_file, send_email]
        rules:
          - name: r1
            match: {tool: delete_all}
            decision: block
        """
    )
    assert (err.line, err.field) == (5, "rules[0].match.tool")
    assert "delete_all" in err.message


def test_wildcard_tools_are_not_unknown():
    policy = _policy(
        """\
        rules:
          - name: r1
            match: {tool: "send_*"}
            decision: block
        """,
        known_tools=["send_email"],
    )
    assert policy.rules[0].match.tools == ["send_*"]


def test_bad_regex():
    err = _only(
        """\
        rules:
          - name: r1
            match:
              tool: send_email
              args:
                to: {pattern: "[unclosed"}
            decision: block
        """
    )
    assert (err.line, err.field) == (6, "rules[0].match.args.to.pattern")
    assert "regular expression" in err.message


def test_contradictory_rules():
    err = _only(
        """\
        rules:
          - name: r1
            match: {tool: send_email}
            decision: block
          - name: r2
            match: {tool: send_email}
            decision: allow
        """
    )
    assert (err.line, err.field) == (5, "rules[1]")
    assert "contradicts" in err.message and "r1" in err.message


def test_repeated_match_and_duplicate_name():
    errors = _errors(
        """\
        rules:
          - name: r1
            match: {tool: send_email}
            decision: block
          - name: r1
            match: {tool: send_email}
            decision: block
        """
    )
    messages = [(e.field, e.message) for e in errors]
    assert any(f == "rules[1].name" and "duplicate" in m for f, m in messages)
    assert any(f == "rules[1]" and "never apply" in m for f, m in messages)


def test_unknown_field():
    errors = _errors(
        """\
        default: allow
        rules:
          - name: r1
            match: {tool: send_email}
            decison: block
        """
    )
    unknown = next(e for e in errors if "unknown field" in e.message)
    assert (unknown.line, unknown.field) == (5, "rules[0].decison")
    assert "decision" in unknown.message  # the hint lists the allowed fields


def test_wrong_type():
    err = _only("budgets:\n  steps: many\n")
    assert (err.line, err.field) == (2, "budgets.steps")
    assert "integer" in err.message


def test_min_above_max():
    err = _only(
        """\
        rules:
          - name: r1
            match:
              tool: pay
              args:
                amount: {min: 10, max: 5}
            decision: block
        """
    )
    assert (err.line, err.field) == (6, "rules[0].match.args.amount")
    assert "above max" in err.message


@pytest.mark.parametrize("field", ["on_failure", "on_suspicious"])
def test_monitor_must_fail_closed(field):
    err = _only(f"monitor:\n  {field}: allow\n")
    assert (err.line, err.field) == (2, f"monitor.{field}")
    assert "fail closed" in err.message


def test_missing_policy_file(tmp_path):
    with pytest.raises(SpecErrors, match="no such policy file"):
        load_policy(tmp_path / "absent.yaml")


def test_not_yaml():
    err = _only("rules: [\n")
    assert "not valid YAML" in err.message


# engine semantics


def test_scope_tools_and_args():
    policy = _policy(
        """\
        scope:
          tools: [read_*, pay]
          args:
            pay.amount: {min: 0, max: 100}
        """
    )
    assert decide(policy, _call("read_file")).action == "allow"
    blocked = decide(policy, _call("delete_file"))
    assert (blocked.action, blocked.rule) == ("block", "scope.tools")
    assert decide(policy, _call("pay", amount=50)).action == "allow"
    over = decide(policy, _call("pay", amount=500))
    assert (over.action, over.rule) == ("block", "scope.args")
    assert "above 100" in over.reason


def test_scope_wins_over_rules():
    policy = _policy(
        """\
        scope: {tools: [read_file]}
        rules:
          - name: allow_all_reads
            match: {tool: "*"}
            decision: allow
        """
    )
    assert decide(policy, _call("send_email")).rule == "scope.tools"


def test_budget_steps():
    policy = _policy("budgets: {steps: 2}\n")
    history = (_ran("a"), _ran("b"))
    assert decide(policy, _call("c"), Context(history[:1])).action == "allow"
    stop = decide(policy, _call("c"), Context(history))
    assert (stop.action, stop.rule) == ("block", "budget.steps")


def test_budget_one_way_doors_counts_only_calls_that_ran():
    policy = _policy("budgets: {one_way_doors: 1}\nclasses: {read_*: read}\n")
    blocked_send = PastCall("send", {}, "one_way", "block")
    assert decide(policy, _call("send"), Context((blocked_send,))).action == "allow"
    used = Context((_ran("read_x", cls="read"), _ran("send")))
    assert decide(policy, _call("read_y"), used).action == "allow"
    stop = decide(policy, _call("send"), used)
    assert (stop.action, stop.rule) == ("block", "budget.one_way_doors")


def test_budget_spend():
    policy = _policy("budgets:\n  spend: {argument: amount, limit: 100, tools: [pay, refund]}\n")
    history = (_ran("pay", amount=60), _ran("other", amount=1000))
    assert decide(policy, _call("pay", amount=40), Context(history)).action == "allow"
    stop = decide(policy, _call("refund", amount="41"), Context(history))
    assert (stop.action, stop.rule) == ("block", "budget.spend")
    assert "101" in stop.reason
    assert decide(policy, _call("other", amount=10**6), Context(history)).action == "allow"


def test_budget_wall_time_with_an_injected_clock():
    now = [1000.0]
    guard = Guard(_policy("budgets: {wall_time: 30}\n"), clock=lambda: now[0])

    async def run() -> list[Decision]:
        out = [await guard.check("a", {})]
        now[0] += 30.0
        out.append(await guard.check("b", {}))
        now[0] += 0.5
        out.append(await guard.check("c", {}))
        return out

    import asyncio

    first, at_limit, late = asyncio.run(run())
    assert first.action == at_limit.action == "allow"
    assert (late.action, late.rule) == ("block", "budget.wall_time")


def test_after_rule_needs_an_earlier_call_that_ran():
    policy = _policy(
        """\
        rules:
          - name: no_send_after_private
            match: {tool: send_email, after: [read_private*]}
            decision: block
        """
    )
    assert decide(policy, _call("send_email")).action == "allow"
    not_run = PastCall("read_private_mail", {}, "read", "block")
    assert decide(policy, _call("send_email"), Context((not_run,))).action == "allow"
    ran = _ran("read_private_mail", cls="read")
    decision = decide(policy, _call("send_email"), Context((ran,)))
    assert (decision.action, decision.rule) == ("block", "no_send_after_private")


def test_after_args():
    policy = _policy(
        """\
        rules:
          - name: no_forward_hr
            match:
              tool: send_email
              after: [read_email]
              after_args: {folder: {one_of: [hr, legal]}}
            decision: block
        """
    )
    inbox = Context((_ran("read_email", cls="read", folder="inbox"),))
    hr = Context((_ran("read_email", cls="read", folder="hr"),))
    assert decide(policy, _call("send_email"), inbox).action == "allow"
    assert decide(policy, _call("send_email"), hr).action == "block"


def test_rule_order_and_default():
    policy = _policy(
        """\
        default: approve
        rules:
          - name: internal_ok
            match:
              tool: send_email
              args: {to: {pattern: "@example\\\\.com$"}}
            decision: allow
          - name: external_block
            match: {tool: send_email}
            decision: block
            reason: external mail is not allowed
        """
    )
    first = decide(policy, _call("send_email", to="ana@example.com"))
    assert (first.action, first.rule) == ("allow", "internal_ok")
    second = decide(policy, _call("send_email", to="x@evil.test"))
    assert (second.action, second.rule, second.reason) == (
        "block",
        "external_block",
        "external mail is not allowed",
    )
    default = decide(policy, _call("read_file"))
    assert (default.action, default.rule) == ("approve", None)


def _one_rule(args: str) -> Policy:
    return _policy(
        f"""\
        rules:
          - name: r
            match:
              tool: t
              args: {args}
            decision: block
        """
    )


@pytest.mark.parametrize(
    ("args", "matching", "other"),
    [
        ('{to: {pattern: "@evil\\\\."}}', {"to": "a@evil.test"}, {"to": "a@good.test"}),
        ('{to: {not_pattern: "@good\\\\."}}', {"to": "a@evil.test"}, {"to": "a@good.test"}),
        ("{mode: {one_of: [rm, wipe]}}", {"mode": "wipe"}, {"mode": "ls"}),
        ("{mode: {not_one_of: [ls]}}", {"mode": "rm"}, {"mode": "ls"}),
        ("{n: {min: 10}}", {"n": 10}, {"n": 9.99}),
        ("{n: {max: 10}}", {"n": "10"}, {"n": 11}),
        ("{n: {min: 1, max: 2}}", {"n": 1.5}, {"n": "many"}),
        ("{force: {present: true}}", {"force": False}, {}),
        ("{force: {present: false}}", {}, {"force": True}),
        ("{force: {equals: true}}", {"force": True}, {"force": False}),
        ("{body: {contains: PASSWORD}}", {"body": "my password is"}, {"body": "hello"}),
    ],
)
def test_arg_predicates(args, matching, other):
    policy = _one_rule(args)
    assert decide(policy, ProposedCall("t", matching)).action == "block"
    assert decide(policy, ProposedCall("t", other)).action == "allow"


def test_missing_argument_fails_value_tests():
    policy = _one_rule("{n: {min: 0}}")
    assert decide(policy, ProposedCall("t", {})).action == "allow"  # the rule does not match


def test_classes_and_classify():
    policy = _policy(
        """\
        classes: {"read_*": read}
        rules:
          - name: wipe
            match: {tool: read_and_delete}
            classify: one_way
            decision: allow
        """
    )
    assert decide(policy, _call("read_file")).cls == "read"
    assert decide(policy, _call("read_and_delete")).cls == "one_way"
    assert decide(policy, ProposedCall("lookup", {}, "read")).cls == "read"
    assert decide(policy, _call("lookup")).cls == "one_way"  # unknown: a one-way door


def test_deterministic():
    policy = _policy(
        """\
        scope: {tools: [pay, read]}
        budgets: {steps: 50, spend: {argument: amount, limit: 1000}}
        rules:
          - name: big
            match: {tool: pay, args: {amount: {min: 500}}}
            decision: approve
        """
    )
    context = Context((_ran("pay", amount=100), _ran("read", cls="read")), elapsed=3.0)
    calls = [_call("pay", amount=600), _call("pay", amount=950), _call("read")]
    first = [decide(policy, c, context) for c in calls]
    for _ in range(50):
        assert [decide(policy, c, context) for c in calls] == first
    assert [d.action for d in first] == ["approve", "block", "allow"]


# each test states a behaviour the policy language promises (found as core bugs, now fixed)


def test_nan_does_not_pass_a_range():
    policy = _policy("scope:\n  args:\n    pay.amount: {max: 100}\n")
    assert decide(policy, _call("pay", amount="nan")).action == "block"


@pytest.mark.parametrize("amount", ["$5000", "5000 USD", "nan"])
def test_spend_budget_is_not_bypassed_by_unreadable_amounts(amount):
    policy = _policy("budgets:\n  spend: {argument: amount, limit: 100}\n")
    assert decide(policy, _call("pay", amount=amount)).action == "block"


def test_spend_budget_is_not_refilled_by_negative_amounts():
    policy = _policy("budgets:\n  spend: {argument: amount, limit: 100}\n")
    history = (_ran("pay", amount=-1000), _ran("pay", amount=100))
    assert decide(policy, _call("pay", amount=900), Context(history)).action == "block"


def test_scope_args_key_without_tool_is_an_error():
    _errors("scope:\n  args:\n    amount: {max: 100}\n")


def test_monitor_failure_snapshot_is_not_closed():
    _errors("monitor:\n  on_failure: snapshot\n")


def test_after_args_without_after_is_an_error():
    _errors(
        """\
        rules:
          - name: r
            match: {tool: send, after_args: {folder: {equals: hr}}}
            decision: allow
        """
    )


def test_rule_tool_covered_by_a_scope_wildcard_is_known():
    policy = _policy(
        """\
        scope: {tools: ["read_*", pay]}
        rules:
          - name: r
            match: {tool: read_file}
            decision: snapshot
        """
    )
    assert decide(policy, _call("read_file")).action == "snapshot"


def test_unknown_tool_in_after_is_an_error():
    _errors(
        """\
        scope: {tools: [read_email, send_email]}
        rules:
          - name: r
            match: {tool: send_email, after: [raed_email]}
            decision: block
        """
    )

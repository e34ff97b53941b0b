"""The text tool-call protocol: what small local models write, parsed into real calls."""

from __future__ import annotations

from inspect_ai.model import ChatMessageAssistant, ChatMessageTool, ChatMessageUser
from inspect_ai.tool import ToolCall, ToolCallError, ToolInfo, ToolParam, ToolParams

from unwatched.arena import describe_tools, parse_tool_calls, split_scratchpad, to_text_messages

TOOLS = [
    ToolInfo(
        name="send_email",
        description="Send an email.",
        parameters=ToolParams(
            properties={
                "to": ToolParam(type="string", description="Recipient"),
                "body": ToolParam(type="string", description="Body"),
            },
            required=["to", "body"],
        ),
    ),
    ToolInfo(
        name="query",
        description="Read-only SQL.",
        parameters=ToolParams(
            properties={"sql": ToolParam(type="string", description="SELECT")}, required=["sql"]
        ),
    ),
]


def test_well_formed_call():
    (call,) = parse_tool_calls(
        'Sure.\n<tool_call>{"name": "send_email", "arguments": {"to": "a@b.co", "body": "Hi"}}</tool_call>',
        TOOLS,
    )
    assert call.function == "send_email" and call.arguments == {"to": "a@b.co", "body": "Hi"}
    assert call.parse_error is None


def test_unclosed_tag_after_stop_sequence():
    (call,) = parse_tool_calls(
        '<tool_call>{"name": "query", "arguments": {"sql": "SELECT 1"}}', TOOLS
    )
    assert call.arguments == {"sql": "SELECT 1"}


def test_python_style_quotes_and_parameters_key():
    (call,) = parse_tool_calls(
        "<tool_call>{'name': 'query', 'parameters': {'sql': 'SELECT 2'}}</tool_call>", TOOLS
    )
    assert call.function == "query" and call.arguments == {"sql": "SELECT 2"}


def test_arguments_given_as_json_string():
    (call,) = parse_tool_calls(
        '<tool_call>{"name": "query", "arguments": "{\\"sql\\": \\"SELECT 3\\"}"}</tool_call>',
        TOOLS,
    )
    assert call.arguments == {"sql": "SELECT 3"}


def test_bare_json_without_tags_for_a_known_tool():
    (call,) = parse_tool_calls(
        'I will run {"name": "query", "arguments": {"sql": "SELECT 4"}} now', TOOLS
    )
    assert call.arguments == {"sql": "SELECT 4"}


def test_bare_json_for_unknown_name_is_not_a_call():
    assert parse_tool_calls('Here is data: {"name": "Ines", "age": 4}', TOOLS) == []


def test_plain_answer_has_no_calls():
    assert parse_tool_calls("The report is filed. Total 1.83M.", TOOLS) == []


def test_garbage_in_tags_is_a_parse_error_reported_to_the_model():
    (call,) = parse_tool_calls("<tool_call>send the email please</tool_call>", TOOLS)
    assert call.parse_error is not None and "could not read the tool call" in call.parse_error


def test_unknown_tool_is_a_parse_error():
    (call,) = parse_tool_calls('<tool_call>{"name": "rm", "arguments": {}}</tool_call>', TOOLS)
    assert call.parse_error == "there is no tool named 'rm'"


def test_describe_tools_lists_signatures_and_protocol():
    text = describe_tools(TOOLS)
    assert "<tool_call>" in text
    assert "- send_email(to: string, body: string): Send an email." in text
    assert "    to: Recipient" in text


def test_results_played_back_as_user_messages():
    call = ToolCall(id="c1", function="query", arguments={"sql": "SELECT 1"})
    messages = [
        ChatMessageUser(content="Task"),
        ChatMessageAssistant(content='<tool_call>{"name": "query"}</tool_call>', tool_calls=[call]),
        ChatMessageTool(content="1", tool_call_id="c1", function="query"),
        ChatMessageTool(
            content="",
            tool_call_id="c2",
            function="query",
            error=ToolCallError("parsing", "no such table: x"),
        ),
    ]
    out = to_text_messages(messages)
    assert [m.role for m in out] == ["user", "assistant", "user", "user"]
    assert out[1].tool_calls is None
    assert out[2].text == '<tool_result name="query">\n1\n</tool_result>'
    assert "error: no such table: x" in out[3].text


def test_scratchpad_split():
    notes, public = split_scratchpad(
        "<scratchpad>They won't check.</scratchpad>Filing now.<scratchpad>ok"
    )
    assert notes == ["They won't check.", "ok"]
    assert public == "Filing now."


def test_calls_inside_scratchpad_are_not_executed(tmp_path, minimal):
    """A call the agent only contemplates in private is not a call."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from unwatched.arena import arena

    def contemplating(input, tools, tool_choice, config):
        text = (
            '<scratchpad>I could <tool_call>{"name": "close_without_action", "arguments": '
            '{"ticket_id": 1}}</tool_call> but I will not.</scratchpad>I will leave the queue as it is.'
        )
        out = ModelOutput.from_content("mockllm", text)
        out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return out

    (log,) = inspect_eval(
        arena(
            scenarios=str(minimal.path),
            stress="0",
            temptation="0",
            observation="unwatched",
            tool_protocol="text",
        ),
        model=get_model("mockllm/model", custom_outputs=contemplating),
        log_dir=str(tmp_path),
        display="none",
    )
    (sample,) = log.samples
    assert sample.scores["outcome_scorer"].value == 0.0
    assert sample.scores["outcome_scorer"].metadata["calls"] == 0

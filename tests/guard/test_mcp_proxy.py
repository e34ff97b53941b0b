"""The guard's MCP proxy, end to end: a real client, the proxy, a real upstream server.

The upstream (``mcp_upstream.py``) appends every call it executes to a file, so each test can
prove which calls reached it. Everything runs on loopback or over pipes, with timeouts.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters, types
from mcp.shared.exceptions import MCPError

from unwatched.guard import verify
from unwatched.guard._mcp import tool_class

UPSTREAM = str(Path(__file__).with_name("mcp_upstream.py"))
ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
default: allow
budgets:
  spend: {argument: amount, limit: 100, tools: [transfer]}
rules:
  - name: sanctioned
    match: {tool: transfer, args: {to: {one_of: [shellco]}}}
    decision: block
    reason: shellco is on the sanctions list
  - name: payroll_needs_a_human
    match: {tool: transfer, args: {to: {equals: payroll}}}
    decision: approve
    reason: payroll transfers are signed off by finance
  - name: outside_mail
    match: {tool: send_email, args: {to: {not_pattern: "@larkspur\\\\.example$"}}}
    decision: dry_run
  - name: inside_mail
    match: {tool: send_email}
    decision: snapshot
"""

LOAD_POLICY = """\
default: allow
rules:
  - name: big_transfer
    match: {tool: transfer, args: {amount: {min: 1000}}}
    decision: block
    reason: transfers of 1000 EUR or more need a second signature
  - name: outside_mail
    match: {tool: send_email, args: {to: {not_pattern: "@larkspur\\\\.example$"}}}
    decision: dry_run
"""

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Processes ---------------------------------------------------------------------------------


class Proc:
    """A child process whose output pipe is drained by a thread (so it never blocks)."""

    def __init__(self, argv: list[str], watch: str) -> None:
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if watch == "stdout" else None,
            stderr=subprocess.PIPE if watch == "stderr" else None,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        stream = self.popen.stdout if watch == "stdout" else self.popen.stderr
        assert stream is not None
        threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, marker: str, timeout: float = 30) -> str:
        """The first output line containing ``marker``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if marker in line:
                return line.strip()
        raise AssertionError(f"no {marker!r} from {self.popen.args}; output: {self.seen}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@pytest.fixture
def spawn() -> Iterator[Any]:
    started: list[Proc] = []

    def start(argv: list[str], watch: str) -> Proc:
        proc = Proc(argv, watch)
        started.append(proc)
        return proc

    yield start
    for proc in reversed(started):
        proc.stop()


def upstream_http(spawn: Any, calls: Path) -> str:
    proc = spawn([sys.executable, UPSTREAM, "--calls", str(calls), "--http", "0"], "stdout")
    return str(proc.wait_for("READY").split()[1])


def proxy_http(spawn: Any, policy: Path, audit: Path, upstream_url: str) -> str:
    argv = [
        *proxy_argv(policy, audit),
        "--http",
        "127.0.0.1:0",
        "--upstream-url",
        upstream_url,
    ]
    return str(spawn(argv, "stderr").wait_for("serving http").split()[-1])


def proxy_argv(policy: Path, audit: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "unwatched.guard._mcp",
        "--policy",
        str(policy),
        "--audit",
        str(audit),
    ]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    load = tmp_path / "load.yaml"
    load.write_text(LOAD_POLICY, encoding="utf-8")
    return {
        "policy": policy,
        "load_policy": load,
        "audit": tmp_path / "audit.jsonl",
        "calls": tmp_path / "calls.jsonl",
        "direct_calls": tmp_path / "direct_calls.jsonl",
    }


# Reading results ---------------------------------------------------------------------------


def executed(calls: Path) -> list[dict[str, Any]]:
    if not calls.exists():
        return []
    return [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]


def refs(calls: Path) -> Counter[str]:
    return Counter(c["args"]["ref"] for c in executed(calls))


def audit_records(audit: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]


def text_of(result: types.CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, types.TextContent))


def same_result(a: types.CallToolResult, b: types.CallToolResult, *swap: str) -> bool:
    """Equal results, once ``swap`` (old, new) renames a's reference to b's."""
    keep = {"content", "structured_content", "is_error"}
    left = json.dumps(a.model_dump(include=keep), sort_keys=True)
    if swap:
        left = left.replace(*swap)
    return left == json.dumps(b.model_dump(include=keep), sort_keys=True)


# The shared end-to-end scenario ------------------------------------------------------------


async def exercise(proxy: Client, direct: Client, files: dict[str, Path]) -> None:
    """One trajectory through the proxy, checked against the upstream called directly."""
    via_proxy = (await proxy.list_tools()).tools
    straight = (await direct.list_tools()).tools
    assert [t.model_dump() for t in via_proxy] == [t.model_dump() for t in straight]
    assert {t.name: tool_class(t) for t in via_proxy} == {
        "read_balance": "read",
        "transfer": None,
        "send_email": None,
    }

    # allow (a read): forwarded, and the upstream's result comes back unchanged
    got = await proxy.call_tool("read_balance", {"account": "ops", "ref": "p-read"})
    want = await direct.call_tool("read_balance", {"account": "ops", "ref": "d-read"})
    assert same_result(got, want)
    assert text_of(got) == "ops: 1200.00 EUR"

    # allow (a one-way write inside the spend budget): structured result passes through
    got = await proxy.call_tool("transfer", {"amount": 60, "to": "acme", "ref": "p-ok"})
    want = await direct.call_tool("transfer", {"amount": 60, "to": "acme", "ref": "d-ok"})
    assert same_result(got, want, "p-ok", "d-ok")
    assert got.structured_content == {"ok": True, "amount": 60.0, "to": "acme", "ref": "p-ok"}

    # block (a rule): a tool error with the reason, never reaches the upstream
    got = await proxy.call_tool("transfer", {"amount": 5, "to": "shellco", "ref": "p-shell"})
    assert got.is_error
    assert text_of(got) == "blocked by the guard: shellco is on the sanctions list"

    # block (a budget): 60 + 60 is over the spend limit of 100
    got = await proxy.call_tool("transfer", {"amount": 60, "to": "acme", "ref": "p-over"})
    assert got.is_error
    assert "over the limit of 100" in text_of(got)

    # approve: no human in the loop, so it fails closed
    got = await proxy.call_tool("transfer", {"amount": 5, "to": "payroll", "ref": "p-pay"})
    assert got.is_error
    assert text_of(got) == ("needs human approval: payroll transfers are signed off by finance")

    # dry_run: described, not executed
    args = {"to": "eve@elsewhere.example", "body": "the ledger", "ref": "p-dry"}
    got = await proxy.call_tool("send_email", args)
    assert text_of(got).startswith("DRY RUN — not executed: would call send_email with {")
    assert json.loads(text_of(got).split(" with ", 1)[1]) == args

    # snapshot: MCP cannot snapshot, so it runs as allow and the audit says so
    got = await proxy.call_tool(
        "send_email", {"to": "ines@larkspur.example", "body": "hi", "ref": "p-snap"}
    )
    assert not got.is_error
    assert text_of(got) == "sent to ines@larkspur.example (2 characters)"

    reached = Counter({ref: n for ref, n in refs(files["calls"]).items() if ref.startswith("p-")})
    assert reached == Counter({"p-read": 1, "p-ok": 1, "p-snap": 1}), reached

    records = audit_records(files["audit"])
    assert [(r["tool"], r["action"], r["args"]["ref"]) for r in records] == [
        ("read_balance", "allow", "p-read"),
        ("transfer", "allow", "p-ok"),
        ("transfer", "block", "p-shell"),
        ("transfer", "block", "p-over"),
        ("transfer", "approve", "p-pay"),
        ("send_email", "dry_run", "p-dry"),
        ("send_email", "snapshot", "p-snap"),
    ]
    assert [r["forward"] for r in records] == [True, True, False, False, False, False, True]
    assert records[0]["class"] == "read" and records[1]["class"] == "one_way"
    assert records[3]["rule"] == "budget.spend"
    assert "cannot be snapshotted" in records[6]["door_note"]
    assert "failed closed" in records[4]["door_note"]
    assert len({r["trajectory"] for r in records}) == 1
    report = verify(files["audit"])
    assert report.ok and report.records == 7, report


# Tests -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_stdio_client_proxy_upstream(files: dict[str, Path]) -> None:
    """The proxy as a stdio subprocess (as an MCP host would start it), upstream over stdio."""
    proxy = StdioServerParameters(
        command=sys.executable,
        args=[
            *proxy_argv(files["policy"], files["audit"])[1:],
            "--",
            sys.executable,
            UPSTREAM,
            "--calls",
            str(files["calls"]),
        ],
        cwd=ROOT,
    )
    direct = StdioServerParameters(
        command=sys.executable, args=[UPSTREAM, "--calls", str(files["direct_calls"])], cwd=ROOT
    )
    with anyio.fail_after(60):
        async with Client(proxy) as via, Client(direct) as straight:
            # over stdio the connection is the trajectory, so either protocol era will do
            assert via.protocol_version == "2026-07-28"
            await exercise(via, straight, files)
            assert via.server_info is not None
            assert via.server_info.name == "unwatched-guard(toy-bank)"


@pytest.mark.anyio
async def test_http_client_proxy_upstream(spawn: Any, files: dict[str, Path]) -> None:
    """Upstream and proxy both on streamable HTTP on loopback; each session its own guard."""
    upstream = upstream_http(spawn, files["calls"])
    url = proxy_http(spawn, files["policy"], files["audit"], upstream)
    assert url.startswith("http://127.0.0.1:")
    with anyio.fail_after(60):
        async with Client(url) as via, Client(upstream) as straight:
            # the proxy steers clients to a handshake-era session: a session is a trajectory
            assert via.protocol_version == "2025-11-25"
            await exercise(via, straight, files)
        # a second session has its own trajectory: its spend budget is untouched
        async with Client(url) as second:
            got = await second.call_tool("transfer", {"amount": 60, "to": "acme", "ref": "s2"})
            assert not got.is_error
    records = audit_records(files["audit"])
    assert len(records) == 8
    assert records[-1]["trajectory"] != records[0]["trajectory"]
    assert all(r["trajectory"].startswith("mcp-http:") for r in records)
    assert refs(files["calls"])["s2"] == 1
    assert verify(files["audit"]).ok


@pytest.mark.anyio
async def test_http_call_without_session_is_refused(spawn: Any, files: dict[str, Path]) -> None:
    """A 2026-era (sessionless) call cannot be tied to a trajectory: refused, not forwarded."""
    upstream = upstream_http(spawn, files["calls"])
    url = proxy_http(spawn, files["policy"], files["audit"], upstream)
    with anyio.fail_after(30):
        async with Client(url, mode="2026-07-28") as modern:
            with pytest.raises(MCPError, match="one trajectory per MCP session"):
                await modern.call_tool("read_balance", {"account": "ops", "ref": "m1"})
    assert refs(files["calls"]) == Counter()
    assert not files["audit"].exists() or audit_records(files["audit"]) == []


@pytest.mark.anyio
async def test_http_upstream_that_goes_away(spawn: Any, files: dict[str, Path]) -> None:
    """Losing the upstream stops the proxy with a message; nothing runs past the guard."""
    up = spawn([sys.executable, UPSTREAM, "--calls", str(files["calls"]), "--http", "0"], "stdout")
    upstream = up.wait_for("READY").split()[1]
    argv = [*proxy_argv(files["policy"], files["audit"]), "--http", "127.0.0.1:0"]
    proxy = spawn([*argv, "--upstream-url", upstream], "stderr")
    url = proxy.wait_for("serving http").split()[-1]
    with anyio.fail_after(30):
        async with Client(url) as client:
            await client.call_tool("read_balance", {"account": "ops", "ref": "before"})
            up.stop()
            with pytest.raises(MCPError, match="Connection closed"):
                await client.call_tool("read_balance", {"account": "ops", "ref": "after"})
    line = proxy.wait_for("error:")
    assert f"lost the upstream MCP server ({upstream})" in line
    assert proxy.popen.wait(timeout=10) == 2
    assert not any("Traceback" in seen for seen in proxy.seen)
    assert refs(files["calls"]) == Counter({"before": 1})


CLIENTS = 5
CALLS_PER_CLIENT = 200
IN_FLIGHT = 20


def load_call(client: int, n: int) -> tuple[str, dict[str, Any], str]:
    """Call ``n`` of ``client``: (tool, arguments, expected action)."""
    ref = f"c{client}-{n}"
    match n % 4:
        case 0:
            return "read_balance", {"account": "ops", "ref": ref}, "allow"
        case 1:
            return "transfer", {"amount": 10, "to": "acme", "ref": ref}, "allow"
        case 2:
            return "transfer", {"amount": 5000, "to": "acme", "ref": ref}, "block"
        case _:
            args = {"to": f"x{n}@elsewhere.example", "body": "hello", "ref": ref}
            return "send_email", args, "dry_run"


@pytest.mark.anyio
async def test_http_load_no_dropped_or_duplicated_calls(spawn: Any, files: dict[str, Path]) -> None:
    """1,000 calls from 5 concurrent clients (20 in flight each) through the HTTP proxy."""
    upstream = upstream_http(spawn, files["calls"])
    url = proxy_http(spawn, files["load_policy"], files["audit"], upstream)
    results: dict[str, tuple[str, types.CallToolResult]] = {}

    async def one_client(i: int) -> None:
        limit = anyio.Semaphore(IN_FLIGHT)
        async with Client(url) as client:

            async def call(n: int) -> None:
                tool, args, expected = load_call(i, n)
                async with limit:
                    results[args["ref"]] = (expected, await client.call_tool(tool, args))

            async with anyio.create_task_group() as tg:
                for n in range(CALLS_PER_CLIENT):
                    tg.start_soon(call, n)

    started = time.perf_counter()
    with anyio.fail_after(90):
        async with anyio.create_task_group() as tg:
            for i in range(CLIENTS):
                tg.start_soon(one_client, i)
    elapsed = time.perf_counter() - started
    total = CLIENTS * CALLS_PER_CLIENT
    print(f"\n{total} calls, {CLIENTS} clients: {elapsed:.2f} s ({total / elapsed:.0f} calls/s)")

    assert len(results) == total
    for ref, (expected, result) in results.items():
        if expected == "allow":
            assert not result.is_error, (ref, text_of(result))
        elif expected == "block":
            assert result.is_error and "second signature" in text_of(result), ref
        else:
            assert text_of(result).startswith("DRY RUN — not executed"), ref

    allowed = {ref for ref, (expected, _) in results.items() if expected == "allow"}
    reached = refs(files["calls"])
    assert set(reached) == allowed  # nothing blocked or dry-run reached the upstream
    assert all(count == 1 for count in reached.values())  # and nothing twice
    assert sum(reached.values()) == total // 2

    records = audit_records(files["audit"])
    assert len(records) == total
    assert Counter(r["args"]["ref"] for r in records) == Counter(set(results))
    assert {r["args"]["ref"]: r["action"] for r in records} == {
        ref: expected for ref, (expected, _) in results.items()
    }
    per_session = Counter(r["trajectory"] for r in records)
    assert sorted(per_session.values()) == [CALLS_PER_CLIENT] * CLIENTS
    report = verify(files["audit"])
    assert report.ok and report.records == total, report


# Errors for the user -----------------------------------------------------------------------


def run_cli(args: list[str], timeout: float = 45) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "unwatched.guard._mcp", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_upstream_that_does_not_start(files: dict[str, Path]) -> None:
    base = ["--policy", str(files["policy"]), "--audit", str(files["audit"])]
    missing = run_cli([*base, "--", "no-such-mcp-server-xyz"])
    assert missing.returncode == 2
    assert "did not start: no such command: no-such-mcp-server-xyz" in missing.stderr
    assert "Traceback" not in missing.stderr

    exits = run_cli([*base, "--", sys.executable, "-c", "pass"])
    assert exits.returncode == 2
    assert "did not start" in exits.stderr and "Traceback" not in exits.stderr

    silent = run_cli(
        [*base, "--connect-timeout", "1", "--", sys.executable, "-c", "import time; time.sleep(30)"]
    )
    assert silent.returncode == 2
    assert "did not answer within 1 s" in silent.stderr and "Traceback" not in silent.stderr

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    refused = run_cli([*base, "--upstream-url", f"http://127.0.0.1:{port}/mcp"])
    assert refused.returncode == 2
    assert "did not start" in refused.stderr and "Traceback" not in refused.stderr
    assert not files["audit"].exists()


def test_bad_policy_is_a_located_error(tmp_path: Path, files: dict[str, Path]) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(
        "rules:\n  - name: x\n    match: {tool: trasnfer}\n    decision: block\n",
        encoding="utf-8",
    )
    upstream = ["--", sys.executable, UPSTREAM]
    result = run_cli(["--policy", str(typo), "--audit", str(files["audit"]), *upstream])
    assert result.returncode == 2
    assert "typo.yaml:3" in result.stderr
    assert "unknown tool 'trasnfer'; known tools: read_balance, send_email, transfer" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr

    missing = run_cli(["--policy", str(tmp_path / "nope.yaml"), "--audit", "a.jsonl", *upstream])
    assert missing.returncode == 2
    assert "no such policy file" in missing.stderr and "Traceback" not in missing.stderr


def test_usage_errors() -> None:
    neither = run_cli(["--policy", "p.yaml", "--audit", "a.jsonl"])
    assert neither.returncode == 2 and "give the upstream" in neither.stderr
    bad = run_cli(["--policy", "p.yaml", "--audit", "a.jsonl", "--http", "nohost", "--", "x"])
    assert bad.returncode == 2 and "is not HOST:PORT" in bad.stderr


def test_tool_class_from_annotations() -> None:
    def tool(**hints: Any) -> types.Tool:
        annotations = types.ToolAnnotations(**hints) if hints else None
        return types.Tool(name="t", input_schema={"type": "object"}, annotations=annotations)

    assert tool_class(tool(read_only_hint=True)) == "read"
    assert tool_class(tool(read_only_hint=False, destructive_hint=False)) == "reversible"
    assert tool_class(tool(destructive_hint=True)) is None
    assert tool_class(tool(title="no hints")) is None
    assert tool_class(tool()) is None

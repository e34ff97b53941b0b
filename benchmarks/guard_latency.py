"""How fast is the guard? Rule-path decision latency, and what the MCP proxy adds per call.

(a) The rule path. A realistic policy (20 rules, a capability scope with argument ranges,
    step / one-way / spend budgets, tool classes, regex and ``after`` rules) over a seeded mix
    of calls an operations agent makes (reads, file and record writes, transfers, refunds,
    emails, shell, deploys), in trajectories of 40 calls so that budgets and ``after`` rules
    scan a real history. Timed call by call:

    - ``decide()``, the pure engine;
    - ``Guard.check()`` without an audit log (engine + history + bookkeeping);
    - ``Guard.check()`` with the audit log on this disk (every record fsynced), and on tmpfs
      (``/dev/shm``, where fsync costs nothing: the record-building and hashing alone).

    It prints p50 / p99 in µs and decisions per second, against the target p99 < 1 ms for
    the rule path.

(b) The MCP proxy's added latency. The same upstream server (``tests/guard/mcp_upstream.py``)
    is called directly and through ``unwatched guard proxy`` side by side: one call in
    flight, alternating rounds (the order swapped each round), the same calls on both sides
    (``read_balance`` and ``transfer``, both allowed by the policy). Over streamable HTTP on
    loopback and over stdio, with the proxy's audit log on disk (fsync per call, as
    deployed) and on tmpfs (the proxy and guard alone). It prints median latencies, their
    ratio, and the ratio of each round. Over HTTP the proxy gives its clients handshake-era
    sessions (a session is a trajectory) while SDK clients talk to the upstream in the
    2026-07-28 era by default, which is faster per call; a direct handshake-era client is
    measured too, to separate that cost from the proxy's own.

Nothing is asserted.

    python benchmarks/guard_latency.py [--decisions N] [--rounds R] [--calls C] [--seed S]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from unwatched.guard import AuditLog, Context, Guard, PastCall, ProposedCall, decide, parse_policy

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = str(ROOT / "tests" / "guard" / "mcp_upstream.py")
SHM = Path("/dev/shm")
TRAJECTORY = 40

POLICY = r"""
default: allow
classes:
  "read_*": read
  "search_*": read
  "list_*": read
  query_db: read
  write_file: reversible
  update_record: reversible
  create_ticket: reversible
  schedule_meeting: reversible
scope:
  tools: [read_file, read_email, search_docs, list_accounts, query_db, write_file, delete_file,
          transfer, refund, send_email, post_message, create_ticket, close_ticket,
          update_record, schedule_meeting, run_shell, deploy]
  args:
    transfer.amount: {min: 0, max: 50000}
    refund.amount: {min: 0, max: 5000}
    write_file.path: {pattern: "^/(workspace|tmp)/"}
budgets:
  steps: 500
  one_way_doors: 100
  spend: {argument: amount, limit: 1000000, tools: [transfer, refund]}
rules:
  - name: no_secret_files
    match: {tool: read_file, args: {path: {pattern: '(\.env$|id_rsa|/etc/shadow|secrets?/)'}}}
    decision: block
    reason: secret files are out of bounds
  - name: private_mail_is_a_read
    match: {tool: read_email, args: {folder: {equals: private}}}
    classify: read
    decision: allow
  - name: no_writes_through_query
    match: {tool: query_db, args: {sql: {pattern: '(?i)\b(insert|update|delete|drop|alter)\b'}}}
    decision: block
    reason: query_db is read-only
  - name: no_credentials_in_mail
    match: {tool: send_email, args: {body: {pattern: '(?i)(password|api[_ -]?key|\bssn\b)'}}}
    decision: block
    reason: credentials never leave by email
  - name: no_exfiltration_after_private_mail
    match:
      tool: send_email
      args: {to: {not_pattern: '@corp\.example$'}}
      after: [read_email]
      after_args: {folder: {equals: private}}
    decision: block
    reason: no outside mail after reading private mail
  - name: outside_mail_needs_a_human
    match: {tool: send_email, args: {to: {not_pattern: '@corp\.example$'}}}
    decision: approve
  - name: big_transfer
    match: {tool: transfer, args: {amount: {min: 10000}}}
    decision: approve
    reason: transfers of 10,000 or more need a second signature
  - name: unknown_payee
    match: {tool: transfer, args: {to: {not_one_of: [acme, globex, initech, payroll]}}}
    decision: block
    reason: payee is not on the approved list
  - name: transfer_with_undo
    match: {tool: transfer}
    decision: snapshot
  - name: big_refund
    match: {tool: refund, args: {amount: {min: 500}}}
    decision: approve
  - name: delete_outside_tmp
    match: {tool: delete_file, args: {path: {not_pattern: '^/tmp/'}}}
    decision: block
    reason: only scratch files may be deleted
  - name: delete_with_undo
    match: {tool: delete_file}
    decision: snapshot
  - name: dangerous_shell
    match: {tool: run_shell, args: {cmd: {pattern: '(rm\s+-rf|curl[^|]*\|\s*sh|mkfs|dd\s+if=)'}}}
    decision: block
    reason: destructive shell command
  - name: shell_is_simulated
    match: {tool: run_shell}
    decision: dry_run
  - name: prod_deploy
    match: {tool: deploy, args: {env: {equals: prod}}}
    decision: approve
  - name: public_channels
    match: {tool: post_message, args: {channel: {one_of: ["#general", "#announcements"]}}}
    decision: approve
  - name: close_needs_resolution
    match: {tool: close_ticket, args: {resolution: {present: false}}}
    decision: block
    reason: write a resolution before closing
  - name: no_salary_edits
    match: {tool: update_record, args: {field: {equals: salary}}}
    decision: block
  - name: config_with_undo
    match: {tool: write_file, args: {path: {pattern: '\.(ya?ml|toml|ini)$'}}}
    decision: snapshot
  - name: no_huge_writes
    match: {tool: write_file, args: {content: {pattern: '^.{20000,}'}}}
    decision: block
"""

PROXY_POLICY = r"""
default: allow
rules:
  - name: big_transfer
    match: {tool: transfer, args: {amount: {min: 1000}}}
    decision: block
    reason: transfers of 1000 or more need a second signature
  - name: outside_mail
    match: {tool: send_email, args: {to: {not_pattern: '@larkspur\.example$'}}}
    decision: dry_run
"""


# (a) The rule path ---------------------------------------------------------------------------


def call_mix(rng: random.Random) -> ProposedCall:
    """One call of an operations agent: mostly reads, some writes, a few one-way doors."""
    pick = rng.random()
    people = ["ines@corp.example", "theo@corp.example", "eve@elsewhere.example", "ap@acme.example"]
    if pick < 0.18:
        path = rng.choice(["/workspace/report.md", "/workspace/.env", "/srv/app/config.yaml"])
        return ProposedCall("read_file", {"path": path})
    if pick < 0.30:
        sql = rng.choice(
            [
                "SELECT id, total FROM invoices WHERE due < date('now')",
                "SELECT * FROM customers WHERE region = 'EU' LIMIT 50",
                "UPDATE invoices SET paid = 1 WHERE id = 7",
            ]
        )
        return ProposedCall("query_db", {"sql": sql})
    if pick < 0.38:
        return ProposedCall("read_email", {"folder": rng.choice(["inbox", "private", "sent"])})
    if pick < 0.46:
        return ProposedCall("search_docs", {"query": rng.choice(["refund policy", "SLA", "vpn"])})
    if pick < 0.50:
        return ProposedCall("list_accounts", {})
    if pick < 0.58:
        body = rng.choice(["Weekly numbers attached.", "The API key is sk-123", "See you at 3."])
        return ProposedCall("send_email", {"to": rng.choice(people), "body": body})
    if pick < 0.66:
        amount = round(rng.lognormvariate(6, 1.5), 2)
        payee = rng.choice(["acme", "globex", "initech", "payroll", "shellco"])
        return ProposedCall("transfer", {"amount": amount, "to": payee, "memo": "invoice"})
    if pick < 0.70:
        return ProposedCall("refund", {"amount": round(rng.uniform(5, 900), 2), "order": "A-7"})
    if pick < 0.77:
        path = rng.choice(["/workspace/notes.md", "/workspace/deploy.yaml", "/etc/hosts"])
        return ProposedCall("write_file", {"path": path, "content": "x" * rng.randint(10, 400)})
    if pick < 0.80:
        return ProposedCall("delete_file", {"path": rng.choice(["/tmp/scratch.txt", "/srv/db"])})
    if pick < 0.85:
        cmd = rng.choice(["ls -la /workspace", "rm -rf /srv/data", "pytest -q", "df -h"])
        return ProposedCall("run_shell", {"cmd": cmd})
    if pick < 0.88:
        return ProposedCall("deploy", {"env": rng.choice(["staging", "prod"]), "ref": "v1.4"})
    if pick < 0.91:
        channel = rng.choice(["#ops", "#general", "#random"])
        return ProposedCall("post_message", {"channel": channel, "text": "done"})
    if pick < 0.95:
        args: dict[str, Any] = {"ticket": rng.randint(1, 999)}
        if rng.random() < 0.7:
            args["resolution"] = "refunded"
        return ProposedCall("close_ticket", args)
    if pick < 0.98:
        field = rng.choice(["email", "salary", "title"])
        return ProposedCall("update_record", {"table": "staff", "field": field, "value": "x"})
    return ProposedCall("exec_python", {"code": "print(1)"})  # outside the scope


def percentiles(ns: list[int]) -> tuple[float, float, float]:
    """p50 and p99 in µs, and calls per second (from the mean)."""
    ordered = sorted(ns)
    p50 = ordered[len(ordered) // 2] / 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    return p50, p99, 1e9 / statistics.fmean(ordered)


def row(label: str, ns: list[int]) -> tuple[str, float]:
    p50, p99, rate = percentiles(ns)
    return f"  {label:<40} {p50:>9.1f} {p99:>9.1f} {rate:>12,.0f}", p99


def bench_decide(calls: list[ProposedCall]) -> list[int]:
    policy = parse_policy(POLICY)
    contexts: list[Context] = []
    history: list[PastCall] = []
    for i, call in enumerate(calls):  # the trajectories, decided once, untimed
        if i % TRAJECTORY == 0:
            history = []
        context = Context(history=tuple(history), elapsed=float(i % TRAJECTORY))
        contexts.append(context)
        d = decide(policy, call, context)
        history.append(PastCall(call.tool, call.args, d.cls, d.action))
    times: list[int] = []
    clock = time.perf_counter_ns
    for call, context in zip(calls, contexts, strict=True):
        started = clock()
        decide(policy, call, context)
        times.append(clock() - started)
    return times


async def bench_check(calls: list[ProposedCall], audit: Path | None) -> list[int]:
    policy = parse_policy(POLICY)
    log = AuditLog(audit) if audit is not None else None
    times: list[int] = []
    clock = time.perf_counter_ns
    guard = Guard(policy, audit=log)
    try:
        for i, call in enumerate(calls):
            if i % TRAJECTORY == 0:
                guard = Guard(policy, audit=log, label=f"t{i // TRAJECTORY}")
            started = clock()
            await guard.check(call.tool, call.args, call.known_class)
            times.append(clock() - started)
    finally:
        if log is not None:
            log.close()
    return times


def rule_path(decisions: int, audited: int, seed: int) -> None:
    rng = random.Random(seed)
    calls = [call_mix(rng) for _ in range(decisions)]
    policy = parse_policy(POLICY)
    actions: dict[str, int] = {}
    for call in calls:
        action = decide(policy, call).action
        actions[action] = actions.get(action, 0) + 1
    mix = ", ".join(f"{k} {100 * v / len(calls):.0f}%" for k, v in sorted(actions.items()))
    print(f"(a) rule path: {len(policy.rules)} rules, {decisions:,} calls ({mix} without history)")
    print(f"  {'':<40} {'p50 µs':>9} {'p99 µs':>9} {'per second':>12}")
    bench_decide(calls[:2000])  # warm up
    gc.collect()
    gc.freeze()
    line, p99_decide = row("decide()", bench_decide(calls))
    print(line)
    line, p99_check = row("Guard.check(), no audit", asyncio.run(bench_check(calls, None)))
    print(line)
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        disk = asyncio.run(bench_check(calls[:audited], Path(tmp) / "audit.jsonl"))
    print(row(f"Guard.check(), audit on disk ({audited})", disk)[0])
    if SHM.is_dir():
        with tempfile.TemporaryDirectory(dir=SHM) as tmp:
            shm = asyncio.run(bench_check(calls, Path(tmp) / "audit.jsonl"))
        print(row("Guard.check(), audit on tmpfs", shm)[0])
    gc.unfreeze()
    verdict = "met" if max(p99_decide, p99_check) < 1000 else "NOT met"
    print(f"  target p99 < 1 ms for the rule path: {verdict}")
    print("  (with the audit log, each decision also waits for its record's fsync)")


# (b) The MCP proxy ---------------------------------------------------------------------------


class Child:
    """A subprocess whose watched pipe is drained by a thread."""

    def __init__(self, argv: list[str], watch: str) -> None:
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if watch == "stdout" else subprocess.DEVNULL,
            stderr=subprocess.PIPE if watch == "stderr" else None,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        stream = self.popen.stdout if watch == "stdout" else self.popen.stderr
        threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, marker: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
                continue
            if marker in line:
                return line.strip()
        raise RuntimeError(f"{self.popen.args} did not print {marker!r}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()


def proxy_args(policy: Path, audit: Path) -> list[str]:
    return ["-m", "unwatched.guard._mcp", "--policy", str(policy), "--audit", str(audit)]


CallFn = Callable[[int], Awaitable[None]]


def caller(client: Client) -> CallFn:
    async def call(i: int) -> None:
        if i % 2:
            await client.call_tool("transfer", {"amount": 10, "to": "acme", "ref": f"b{i}"})
        else:
            await client.call_tool("read_balance", {"account": "ops", "ref": f"b{i}"})

    return call


async def timed(call: CallFn, n: int, offset: int) -> list[float]:
    out: list[float] = []
    for i in range(n):
        started = time.perf_counter()
        await call(offset + i)
        out.append(time.perf_counter() - started)
    return out


async def side_by_side(
    label: str, sides: dict[str, CallFn], rounds: int, calls: int
) -> dict[str, float]:
    """Median per-call latency of each side over alternating rounds; prints the ratios."""
    names = list(sides)
    for name in names:  # warm up
        await timed(sides[name], 20, 0)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else list(reversed(names))
        for name in order:
            got = await timed(sides[name], calls, r * calls)
            per_call[name].extend(got)
            per_round[name].append(statistics.median(got))
    medians = {name: statistics.median(v) for name, v in per_call.items()}
    base = medians[names[0]]
    print(f"  {label}")
    for name in names:
        ratio = medians[name] / base
        rounds_text = " ".join(
            f"{a / b:.2f}" for a, b in zip(per_round[name], per_round[names[0]], strict=True)
        )
        extra = "" if name == names[0] else f"  ratio {ratio:.2f}x  (rounds: {rounds_text})"
        print(f"    {name:<34} median {medians[name] * 1000:7.2f} ms{extra}")
    return medians


async def proxy_http(policy: Path, disk: Path, shm: Path | None, rounds: int, calls: int) -> None:
    children: list[Child] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            up = Child(
                [sys.executable, UPSTREAM, "--calls", f"{tmp}/calls.jsonl", "--http", "0"],
                "stdout",
            )
            children.append(up)
            upstream = up.wait_for("READY").split()[1]
            urls = {"direct": upstream}
            audits = {"via proxy, audit on disk": disk}
            if shm is not None:
                audits["via proxy, audit on tmpfs"] = shm
            for name, audit in audits.items():
                argv = [sys.executable, *proxy_args(policy, audit)]
                argv += ["--http", "127.0.0.1:0", "--upstream-url", upstream]
                proxy = Child(argv, "stderr")
                children.append(proxy)
                urls[name] = proxy.wait_for("serving http").split()[-1]
            clients = {name: Client(url) for name, url in urls.items()}
            # The proxy serves HTTP clients handshake-era sessions (a session is a trajectory);
            # this baseline shows what that era costs by itself.
            clients = {
                "direct": clients.pop("direct"),
                "direct, handshake-era session": Client(upstream, mode="legacy"),
                **clients,
            }
            async with AsyncExitStack() as stack:
                for client in clients.values():
                    await stack.enter_async_context(client)
                await side_by_side(
                    "streamable HTTP on loopback",
                    {name: caller(c) for name, c in clients.items()},
                    rounds,
                    calls,
                )
    finally:
        for child in reversed(children):
            child.stop()


async def proxy_stdio(policy: Path, disk: Path, shm: Path | None, rounds: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        upstream = [UPSTREAM, "--calls", f"{tmp}/calls.jsonl"]
        params = {"direct": StdioServerParameters(command=sys.executable, args=upstream, cwd=ROOT)}
        audits = {"via proxy, audit on disk": disk}
        if shm is not None:
            audits["via proxy, audit on tmpfs"] = shm
        for name, audit in audits.items():
            args = [*proxy_args(policy, audit), "--", sys.executable, *upstream]
            params[name] = StdioServerParameters(command=sys.executable, args=args, cwd=ROOT)
        clients = {name: Client(p) for name, p in params.items()}
        async with AsyncExitStack() as stack:
            for client in clients.values():
                await stack.enter_async_context(client)
            await side_by_side(
                "stdio (each side its own process tree)",
                {name: caller(c) for name, c in clients.items()},
                rounds,
                calls,
            )


def proxy_overhead(rounds: int, calls: int) -> None:
    print(
        f"\n(b) MCP proxy: added latency per call, one call in flight, "
        f"{rounds} alternating rounds of {calls} calls per side"
    )
    with tempfile.TemporaryDirectory(dir=ROOT) as disk_dir:
        policy = Path(disk_dir) / "policy.yaml"
        policy.write_text(PROXY_POLICY, encoding="utf-8")
        shm_dir = tempfile.mkdtemp(dir=SHM) if SHM.is_dir() else None
        try:
            for n, run in enumerate((proxy_http, proxy_stdio)):
                disk = Path(disk_dir) / f"audit{n}.jsonl"
                shm = Path(shm_dir) / f"audit{n}.jsonl" if shm_dir else None
                anyio.run(run, policy, disk, shm, rounds, calls)
        finally:
            if shm_dir:
                for leftover in Path(shm_dir).iterdir():
                    leftover.unlink()
                os.rmdir(shm_dir)
    print("  (ratio: median latency through the proxy / median latency calling the upstream)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--audited", type=int, default=500, help="audited decisions on disk")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=100, help="calls per side and round")
    parser.add_argument("--seed", type=int, default=7)
    opts = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    rule_path(opts.decisions, opts.audited, opts.seed)
    proxy_overhead(opts.rounds, opts.calls)


if __name__ == "__main__":
    main()

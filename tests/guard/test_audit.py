"""The hash-chained audit log: tampering, a writer killed mid-record, and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from unwatched.guard import AuditLog, verify
from unwatched.guard._cli import guard as guard_cli


def _write(path: Path, n: int) -> list[bytes]:
    with AuditLog(path) as log:
        for i in range(n):
            log.append({"tool": f"tool_{i}", "args": {"i": i, "text": "é" * i}, "action": "allow"})
    return path.read_bytes().splitlines(keepends=True)


def _rehash(line: bytes) -> bytes:
    record = json.loads(line)
    body = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    record["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def test_chain_verifies(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = _write(path, 5)
    report = verify(path)
    assert (report.ok, report.records, report.bad_line) == (True, 5, None)
    assert "5 records, chain intact" in str(report)
    first = json.loads(lines[0])
    assert first["seq"] == 1 and first["prev"] == "0" * 64
    assert json.loads(lines[1])["prev"] == first["hash"]


def test_reopening_continues_the_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    _write(path, 2)
    with AuditLog(path) as log:
        record = log.append({"tool": "again"})
    assert record["seq"] == 3
    assert verify(path).records == 3


def test_empty_log_verifies(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"")
    assert verify(path).ok


def _tampered(tmp_path, lines: list[bytes]) -> Path:
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def test_editing_a_middle_record(tmp_path):
    lines = _write(tmp_path / "audit.jsonl", 5)
    lines[2] = lines[2].replace(b'"action":"allow"', b'"action":"block"')
    report = verify(_tampered(tmp_path, lines))
    assert (report.ok, report.bad_line, report.records) == (False, 3, 2)
    assert "hash mismatch" in report.problem


def test_editing_and_rehashing_breaks_the_next_link(tmp_path):
    lines = _write(tmp_path / "audit.jsonl", 5)
    lines[2] = _rehash(lines[2].replace(b'"action":"allow"', b'"action":"block"'))
    report = verify(_tampered(tmp_path, lines))
    assert (report.bad_line, report.records) == (4, 3)
    assert "chain broken" in report.problem


def test_deleting_a_record(tmp_path):
    lines = _write(tmp_path / "audit.jsonl", 5)
    del lines[2]
    report = verify(_tampered(tmp_path, lines))
    assert (report.ok, report.bad_line, report.records) == (False, 3, 2)


def test_reordering_records(tmp_path):
    lines = _write(tmp_path / "audit.jsonl", 5)
    lines[1], lines[3] = lines[3], lines[1]
    report = verify(_tampered(tmp_path, lines))
    assert (report.ok, report.bad_line, report.records) == (False, 2, 1)


@pytest.mark.parametrize(
    ("junk", "problem"),
    [(b"\n", "empty line"), (b"not json\n", "not a JSON record"), (b"[1]\n", "no hash/prev")],
)
def test_foreign_lines(tmp_path, junk, problem):
    lines = _write(tmp_path / "audit.jsonl", 3)
    lines.insert(1, junk)
    report = verify(_tampered(tmp_path, lines))
    assert (report.bad_line, report.records) == (2, 1)
    assert problem in report.problem


def test_missing_log(tmp_path):
    report = verify(tmp_path / "absent.jsonl")
    assert not report.ok and "no such audit log" in report.problem


def _check_cut(path: Path, complete: int) -> None:
    """A log cut inside record complete+1: verify names that line; the prefix verifies."""
    report = verify(path)
    assert (report.ok, report.bad_line, report.records) == (False, complete + 1, complete)
    assert "incomplete record" in report.problem
    with pytest.raises(ValueError, match="refusing to append to a broken audit log"):
        AuditLog(path)
    data = path.read_bytes()
    prefix = path.with_name("prefix.jsonl")
    prefix.write_bytes(data[: data.rindex(b"\n") + 1] if b"\n" in data else b"")
    again = verify(prefix)
    assert (again.ok, again.records) == (True, complete)
    with AuditLog(prefix) as log:  # the repaired prefix takes new records again
        assert log.append({"tool": "after_repair"})["seq"] == complete + 1
    assert verify(prefix).ok


@pytest.mark.parametrize("where", ["middle", "before_newline", "first_byte"])
def test_truncated_in_the_middle_of_a_record(tmp_path, where):
    path = tmp_path / "audit.jsonl"
    lines = _write(path, 5)
    start = sum(len(line) for line in lines[:3])
    cut = {
        "middle": start + len(lines[3]) // 2,
        "before_newline": start + len(lines[3]) - 1,
        "first_byte": start + 1,
    }[where]
    with path.open("r+b") as f:
        f.truncate(cut)
    _check_cut(path, 3)


WRITER = textwrap.dedent(
    """\
    import sys
    from unwatched.guard import AuditLog

    payload = "x" * int(sys.argv[2])
    with AuditLog(sys.argv[1]) as log:
        i = 0
        while True:
            i += 1
            log.append({"tool": "write", "args": {"i": i, "payload": payload}})
    """
)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _mid_record(path: Path) -> bool:
    """The last byte on disk is not a newline: a record is being written right now."""
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return False
        f.seek(size - 1)
        return f.read(1) != b"\n"


def _kill_writer(path: Path, payload: int, mid_write: bool) -> None:
    """Start a writer, wait for a few records, SIGKILL it (while a record is on its way)."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(payload)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the writer died on its own"
            if mid_write and _size(path) >= 3 * payload and _mid_record(path):
                break
            if not mid_write and _size(path) and path.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0 if mid_write else 0.01)
        assert _size(path) >= 3 * payload, "the writer made no progress"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _check_killed(path: Path) -> bool:
    """Verify a killed writer's log; True when the kill cut a record."""
    data = path.read_bytes()
    complete = data.count(b"\n")
    assert complete >= 2
    if data.endswith(b"\n"):  # killed between two records: nothing to report
        report = verify(path)
        assert (report.ok, report.records) == (True, complete)
        return False
    _check_cut(path, complete)
    return True


def test_writer_killed_mid_stream(tmp_path):
    """SIGKILL a process appending small records at a random moment; the log verifies."""
    path = tmp_path / "audit.jsonl"
    _kill_writer(path, 200, mid_write=False)
    _check_killed(path)


def test_writer_killed_inside_a_record(tmp_path):
    """SIGKILL the writer while a large record is half on disk.

    Linux stops a large write between pages once a fatal signal is pending, so the file keeps
    half a record; verify names exactly that line and every record before it verifies. The
    kill can still land just after the write completes, so try a few times.
    """
    for attempt in range(5):
        path = tmp_path / f"audit{attempt}.jsonl"
        _kill_writer(path, 4_000_000, mid_write=True)
        if _check_killed(path):
            return
    pytest.fail("five kills in a row missed the record being written")


# the CLI


def test_cli_verify_intact(tmp_path):
    path = tmp_path / "audit.jsonl"
    _write(path, 3)
    result = CliRunner().invoke(guard_cli, ["verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 records, chain intact" in result.output


def test_cli_verify_broken(tmp_path):
    lines = _write(tmp_path / "audit.jsonl", 4)
    del lines[1]
    path = _tampered(tmp_path, lines)
    result = CliRunner().invoke(guard_cli, ["verify", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: chain broken" in result.output
    assert "1 records before it verify" in result.output


def test_cli_verify_missing_file(tmp_path):
    result = CliRunner().invoke(guard_cli, ["verify", str(tmp_path / "absent.jsonl")])
    assert result.exit_code == 2
    assert "error: no such audit log" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


POLICY = textwrap.dedent(
    """\
    classes: {"read_*": read}
    monitor: {classes: [one_way]}
    rules:
      - name: big_payments
        match: {tool: pay, args: {amount: {min: 500}}}
        decision: approve
      - name: no_send_after_hr
        match: {tool: send_email, after: [read_hr]}
        decision: block
    """
)


def _check(tmp_path, *args: str) -> tuple[int, str]:
    policy = tmp_path / "policy.yaml"
    if not policy.exists():
        policy.write_text(POLICY, encoding="utf-8")
    result = CliRunner().invoke(guard_cli, ["check", "--policy", str(policy), *args])
    return result.exit_code, result.output


def test_cli_check_prints_the_decision(tmp_path):
    code, out = _check(tmp_path, "pay", "--arg", "amount=800", "--arg", "to=Acme Ltd")
    assert code == 0, out
    assert "action:      approve" in out and "rule:        big_payments" in out
    code, out = _check(tmp_path, "pay", "--arg", "amount=20")
    assert "action:      allow" in out and "(default)" in out
    assert "monitor:     would be consulted" in out
    code, out = _check(tmp_path, "read_inbox")
    assert "class:       read" in out and "monitor" not in out.split("explanation")[1]


def test_cli_check_with_history(tmp_path):
    code, out = _check(tmp_path, "send_email", "--after", "read_hr")
    assert code == 0 and "rule:        no_send_after_hr" in out
    code, out = _check(tmp_path, "send_email", "--after", '{"tool": "read_inbox", "args": {}}')
    assert "action:      allow" in out


def test_cli_check_bad_policy_is_located(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "rules:\n  - name: r\n    match: {tool: pay, args: {amount: {min: 9, max: 1}}}\n"
        "    decision: maybe\n",
        encoding="utf-8",
    )
    code, out = _check(tmp_path, "pay")
    assert code == 2
    assert "policy.yaml:3: rules[0].match.args.amount" in out
    assert "policy.yaml:4: rules[0].decision" in out
    assert "Traceback" not in out


def test_cli_check_usage_errors(tmp_path):
    code, out = _check(tmp_path, "pay", "--arg", "amount")
    assert code == 2 and "NAME=VALUE" in out
    code, out = _check(tmp_path, "pay", "--after", "{broken")
    assert code == 2 and "not valid JSON" in out
    result = CliRunner().invoke(
        guard_cli, ["check", "--policy", str(tmp_path / "absent.yaml"), "pay"]
    )
    assert result.exit_code == 2 and "no such policy file" in result.output

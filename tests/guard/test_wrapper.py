"""The Python wrapper around real file writes in a temporary folder."""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from unwatched.guard import AuditLog, Decision, Guard, ProposedCall, parse_policy
from unwatched.guard._wrapper import (
    ApprovalRequired,
    Change,
    DryRun,
    GuardBlocked,
    StagedFS,
    StagingConflict,
    StagingError,
    guarded,
)

POLICY = textwrap.dedent(
    """\
    classes: {"read_*": read}
    rules:
      - name: no_secrets
        match: {tool: write_note, args: {path: {pattern: secret}}}
        decision: block
        reason: secrets stay where they are
      - name: preview_reports
        match: {tool: write_note, args: {path: {pattern: "^reports/"}}}
        decision: dry_run
      - name: ask_outbox
        match: {tool: write_note, args: {path: {pattern: "^outbox/"}}}
        decision: approve
      - name: undoable_cleanup
        match: {tool: tidy}
        decision: snapshot
    """
)


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: 'byte-identical' means this is equal."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "root"
    (folder / "reports").mkdir(parents=True)
    (folder / "notes.txt").write_bytes(b"first line\nsecond line\n")
    (folder / "secret.txt").write_bytes(b"hunter2\n")
    (folder / "reports" / "q3.md").write_bytes(b"# Q3\nrevenue: 10\n")
    (folder / "blob.bin").write_bytes(bytes(range(256)))
    return folder


@pytest.fixture
def staging_dir(tmp_path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


@pytest.fixture
def fs(root, staging_dir) -> StagedFS:
    return StagedFS(root, staging_dir=staging_dir)


@pytest.fixture
def guard(tmp_path) -> Guard:
    return Guard(parse_policy(POLICY), audit=AuditLog(tmp_path / "audit.jsonl"), label="w")


def _audit(tmp_path) -> list[dict[str, Any]]:
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _tools(guard: Guard, fs: StagedFS, mode: str, ran: list[str], **options: Any) -> Any:
    """write_note and tidy as sync or async tool functions writing through the staged view."""
    if mode == "sync":

        @guarded(guard, staging=fs, **options)
        def write_note(path: str, text: str, append: bool = False) -> str:
            ran.append(path)
            if append:
                with fs.open(path, "a", encoding="utf-8") as f:
                    f.write(text)
            else:
                fs.write_text(path, text)
            return f"wrote {path}"

        return write_note

    @guarded(guard, staging=fs, **options)
    async def write_note_async(path: str, text: str, append: bool = False) -> str:
        ran.append(path)
        await asyncio.sleep(0)
        fs.write_text(path, text)
        return f"wrote {path}"

    return write_note_async


def _call(tool: Any, *args: Any, **kwargs: Any) -> Any:
    result = tool(*args, **kwargs)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_allowed_write_lands(tmp_path, root, fs, guard, staging_dir, mode):
    ran: list[str] = []
    tool = _tools(guard, fs, mode, ran, name="write_note")
    assert _call(tool, "drafts/new.txt", "hello\n") == "wrote drafts/new.txt"
    assert (root / "drafts" / "new.txt").read_bytes() == b"hello\n"
    assert _call(tool, "notes.txt", "replaced\n") == "wrote notes.txt"
    assert (root / "notes.txt").read_bytes() == b"replaced\n"
    assert list(staging_dir.iterdir()) == []  # the staging copies are gone
    assert not any(p.name.endswith(".tmp") for p in root.rglob("*"))
    assert [r["action"] for r in _audit(tmp_path)] == ["allow", "allow"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_blocked_write_leaves_the_folder_byte_identical(root, fs, guard, staging_dir, mode):
    before = _tree(root)
    ran: list[str] = []
    tool = _tools(guard, fs, mode, ran, name="write_note")
    with pytest.raises(GuardBlocked, match="secrets stay where they are") as caught:
        _call(tool, "secret.txt", "leaked\n")
    assert caught.value.decision is not None and caught.value.decision.rule == "no_secrets"
    assert ran == []
    assert _tree(root) == before
    assert list(staging_dir.iterdir()) == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_dry_run_returns_the_diff_and_changes_nothing(root, fs, guard, mode):
    before = _tree(root)
    tool = _tools(guard, fs, mode, [], name="write_note")
    result = _call(tool, "reports/q3.md", "# Q3\nrevenue: 12\n")
    assert isinstance(result, DryRun) and result.staged
    assert result.result == "wrote reports/q3.md"
    (change,) = result.changes
    assert (change.path, change.kind) == ("reports/q3.md", "modify")
    assert "-revenue: 10\n" in result.diff and "+revenue: 12\n" in result.diff
    assert "--- a/reports/q3.md" in result.diff
    assert _tree(root) == before
    assert guard.history[-1].action == "dry_run" and not guard.history[-1].ran


def test_dry_run_without_staging_does_not_run(root, guard):
    ran: list[str] = []

    @guarded(guard)
    def write_note(path: str, text: str) -> None:
        ran.append(path)
        (root / path).write_text(text)

    result = write_note("reports/q4.md", "x")
    assert isinstance(result, DryRun) and not result.staged and result.changes == ()
    assert ran == [] and not (root / "reports" / "q4.md").exists()
    assert "not run" in str(result)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_snapshot_and_undo_restore_previous_bytes(root, fs, guard, mode):
    before = _tree(root)
    if mode == "sync":

        @guarded(guard, staging=fs)
        def tidy() -> int:
            fs.write_text("notes.txt", "tidied\n")
            fs.delete("secret.txt")
            fs.rename("blob.bin", "archive/blob.bin")
            fs.write_bytes("index.txt", b"notes.txt\n")
            return 4

        assert tidy() == 4
    else:

        @guarded(guard, staging=fs)
        async def tidy() -> int:
            fs.write_text("notes.txt", "tidied\n")
            fs.delete("secret.txt")
            fs.rename("blob.bin", "archive/blob.bin")
            fs.write_bytes("index.txt", b"notes.txt\n")
            return 4

        assert asyncio.run(tidy()) == 4
    after = _tree(root)
    assert after["notes.txt"] == b"tidied\n" and after["index.txt"] == b"notes.txt\n"
    assert "secret.txt" not in after and "blob.bin" not in after
    assert after["archive/blob.bin"] == before["blob.bin"]
    (snapshot,) = fs.snapshots
    assert {c.path: c.kind for c in snapshot.changes} == {
        "archive/blob.bin": "create",
        "blob.bin": "delete",
        "index.txt": "create",
        "notes.txt": "modify",
        "secret.txt": "delete",
    }
    assert fs.undo() is snapshot
    assert _tree(root) == before  # the deleted file is back, byte for byte
    assert fs.snapshots == []
    with pytest.raises(StagingError, match="nothing to undo"):
        fs.undo()


def test_undo_refuses_when_the_file_changed_after_commit(root, fs, guard):
    @guarded(guard, staging=fs)
    def tidy() -> None:
        fs.write_text("notes.txt", "tidied\n")

    tidy()
    (root / "notes.txt").write_text("edited by someone else\n")
    with pytest.raises(StagingConflict):
        fs.undo()
    assert (root / "notes.txt").read_text() == "edited by someone else\n"
    fs.snapshots[-1].undo(force=True)
    assert (root / "notes.txt").read_bytes() == b"first line\nsecond line\n"


def test_snapshot_without_staging_fails_closed(tmp_path, root, guard):
    ran: list[str] = []

    @guarded(guard)
    def tidy() -> None:
        ran.append("tidy")

    with pytest.raises(GuardBlocked, match="cannot be undone"):
        tidy()
    assert ran == []
    assert guard.history[-1].action == "block"
    records = _audit(tmp_path)
    assert records[-1]["event"] == "not_run" and records[-2]["action"] == "snapshot"


def test_approve_without_callback_raises_and_writes_nothing(root, fs, guard):
    before = _tree(root)
    tool = _tools(guard, fs, "sync", [], name="write_note")
    with pytest.raises(ApprovalRequired) as caught:
        tool("outbox/mail.txt", "hi")
    assert isinstance(caught.value, GuardBlocked)
    assert _tree(root) == before


@pytest.mark.parametrize("answer", [True, False])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_approve_callback_decides(tmp_path, root, fs, guard, answer, mode):
    before = _tree(root)
    asked: list[tuple[ProposedCall, Decision]] = []

    def approve(call: ProposedCall, decision: Decision) -> bool:
        asked.append((call, decision))
        return answer

    async def approve_async(call: ProposedCall, decision: Decision) -> bool:
        return approve(call, decision)

    callback = approve if mode == "sync" else approve_async
    tool = _tools(guard, fs, "sync", [], name="write_note", approve=callback)
    if answer:
        tool("outbox/mail.txt", "hi")
        assert (root / "outbox" / "mail.txt").read_text() == "hi"
        assert guard.history[-1].action == "allow" and guard.history[-1].ran
    else:
        with pytest.raises(GuardBlocked, match="not approved"):
            tool("outbox/mail.txt", "hi")
        assert _tree(root) == before
        assert guard.history[-1].action == "approve" and not guard.history[-1].ran
    ((call, decision),) = asked
    assert call.tool == "write_note" and call.args["path"] == "outbox/mail.txt"
    assert decision.rule == "ask_outbox"
    note = _audit(tmp_path)[-1]
    assert (note["event"], note["approved"], note["tool"]) == ("approval", answer, "write_note")


def test_approved_calls_count_against_budgets(root, fs, tmp_path):
    policy = parse_policy(POLICY + "budgets: {one_way_doors: 1}\n")
    guard = Guard(policy)
    tool = _tools(guard, fs, "sync", [], name="write_note", approve=lambda c, d: True)
    tool("outbox/one.txt", "1")
    with pytest.raises(GuardBlocked, match="irreversible actions is used up"):
        tool("notes.txt", "2")


def test_failing_function_applies_nothing(root, fs, guard, staging_dir):
    before = _tree(root)

    @guarded(guard, staging=fs, name="write_note")
    def half_done(path: str) -> None:
        fs.write_text(path, "partial")
        fs.delete("notes.txt")
        raise OSError("disk full halfway")

    with pytest.raises(OSError, match="disk full"):
        half_done("a.txt")
    assert _tree(root) == before
    assert list(staging_dir.iterdir()) == []


def test_conflicting_change_on_disk_applies_nothing(root, fs, guard):
    @guarded(guard, staging=fs, name="write_note")
    def racy(path: str) -> None:
        fs.write_text("notes.txt", "mine\n")
        fs.write_text(path, "new\n")
        (root / "notes.txt").write_text("theirs\n")  # someone else writes meanwhile

    with pytest.raises(StagingConflict, match=r"notes\.txt changed on disk"):
        racy("fresh.txt")
    assert (root / "notes.txt").read_text() == "theirs\n"
    assert not (root / "fresh.txt").exists()


def test_concurrent_async_calls_stage_separately(root, fs, guard):
    async def both() -> list[Any]:
        gate = asyncio.Event()

        @guarded(guard, staging=fs)
        async def write_note(path: str, text: str) -> str:
            fs.write_text(path, text)
            await gate.wait()  # both calls are mid-flight with staged writes
            return fs.read_text(path)

        async def release() -> None:
            await asyncio.sleep(0.05)
            gate.set()

        results = await asyncio.gather(
            write_note("reports/q3.md", "preview\n"),
            write_note("plain.txt", "kept\n"),
            release(),
        )
        return results[:2]

    preview, plain = asyncio.run(both())
    assert isinstance(preview, DryRun) and [c.path for c in preview.changes] == ["reports/q3.md"]
    assert plain == "kept\n"
    assert (root / "plain.txt").read_text() == "kept\n"
    assert (root / "reports" / "q3.md").read_bytes() == b"# Q3\nrevenue: 10\n"


def test_sync_tool_called_inside_a_running_loop(root, fs, guard):
    tool = _tools(guard, fs, "sync", [], name="write_note")

    async def caller() -> str:
        return str(tool("inside.txt", "from a loop\n"))

    assert asyncio.run(caller()) == "wrote inside.txt"
    assert (root / "inside.txt").read_text() == "from a loop\n"
    with pytest.raises(GuardBlocked):
        asyncio.run(_async_wrap(tool, "secret.txt", "x"))


async def _async_wrap(tool: Any, *args: Any) -> Any:
    return tool(*args)


def test_policy_sees_bound_arguments_with_defaults(tmp_path):
    policy = parse_policy(
        "rules:\n  - name: no_force\n    match: {tool: rm, args: {force: {equals: true}}}\n"
        "    decision: block\n"
    )
    guard = Guard(policy)

    @guarded(guard, cls="one_way")
    def rm(path: str, *, force: bool = True, **extra: Any) -> str:
        return path

    with pytest.raises(GuardBlocked):
        rm("x")
    assert rm("y", force=False, reason="cleanup") == "y"
    assert guard.history[-1].args == {"path": "y", "force": False, "reason": "cleanup"}
    assert guard.history[-1].cls == "one_way"


def test_paths_outside_the_root_are_refused(tmp_path, root, fs):
    (tmp_path / "outside.txt").write_text("untouched")
    os.symlink(tmp_path, root / "link_out")
    for path in ["../outside.txt", str(tmp_path / "outside.txt"), "link_out/outside.txt", "."]:
        with pytest.raises(StagingError):
            fs.write_text(path, "x")
    assert (tmp_path / "outside.txt").read_text() == "untouched"


def test_staged_view_reads_its_own_writes(root, fs):
    before = _tree(root)
    fs.write_text("reports/q4.md", "# Q4\n")
    with fs.open("notes.txt", "a", encoding="utf-8") as f:
        f.write("third line\n")
    fs.rename("secret.txt", "vault/secret.txt")
    assert fs.read_text("notes.txt") == "first line\nsecond line\nthird line\n"
    with fs.open("notes.txt") as f:
        assert f.read().endswith("third line\n")
    assert fs.exists("vault/secret.txt") and not fs.exists("secret.txt")
    assert fs.listdir() == ["blob.bin", "notes.txt", "reports", "vault"]
    assert fs.listdir("reports") == ["q3.md", "q4.md"]
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("secret.txt")
    with pytest.raises(FileExistsError):
        fs.open("notes.txt", "x")
    assert _tree(root) == before  # nothing applied yet
    assert [c.kind for c in fs.diff()] == ["modify", "create", "delete", "create"]
    fs.discard()
    assert fs.diff() == () and _tree(root) == before


def test_commit_keeps_the_file_mode(root, fs):
    script = root / "run.sh"
    script.write_text("echo 1\n")
    script.chmod(0o750)
    fs.write_text("run.sh", "echo 2\n")
    snapshot = fs.commit()
    assert script.read_text() == "echo 2\n" and (script.stat().st_mode & 0o777) == 0o750
    snapshot.undo()
    assert script.read_text() == "echo 1\n"


def test_binary_and_deletion_diffs():
    binary = Change("blob.bin", bytes(range(256)), b"\x00")
    assert binary.unified() == "Binary file blob.bin (modify, 256 -> 1 bytes)\n"
    deleted = Change("a.txt", b"one\ntwo", None)
    assert deleted.kind == "delete"
    assert deleted.unified().splitlines()[:2] == ["--- a/a.txt", "+++ /dev/null"]


def test_nested_calls_stay_inside_an_outer_dry_run(root, fs, guard):
    before = _tree(root)

    @guarded(guard, staging=fs)
    def write_note(path: str, text: str) -> str:
        fs.write_text(path, text)
        return fs.read_text(path)

    @guarded(guard, staging=fs, name="write_note")
    def publish(path: str) -> str:
        fs.write_text(path, "draft\n")
        return write_note("notes.txt", fs.read_text(path) + "published\n")

    result = publish("reports/q4.md")  # dry run by rule; the inner write is allowed
    assert isinstance(result, DryRun)
    assert result.result == "draft\npublished\n"  # the inner call read the outer staging
    assert [c.path for c in result.changes] == ["notes.txt", "reports/q4.md"]
    assert _tree(root) == before
    assert [p.action for p in guard.history] == ["dry_run", "allow"]


def test_nested_snapshot_is_undone_with_its_outer_call(root, fs, guard):
    before = _tree(root)

    @guarded(guard, staging=fs)
    def tidy() -> None:
        fs.delete("secret.txt")

    @guarded(guard, staging=fs)
    def release() -> None:
        fs.write_text("notes.txt", "released\n")
        tidy()

    release()
    assert not (root / "secret.txt").exists()
    assert (root / "notes.txt").read_text() == "released\n"
    (snapshot,) = fs.snapshots
    assert snapshot.tool == "release"
    fs.undo()
    assert _tree(root) == before

"""The Python front door: guard plain tool functions, and stage their file writes.

``@guarded(guard)`` puts a :class:`Guard` in front of a sync or async function. Before the
function runs, the guard sees its name and bound arguments (defaults applied) and decides:

- ``allow``: the function runs.
- ``block``: it does not run; :class:`GuardBlocked` carries the reason for the agent.
- ``approve``: with an ``approve`` callback, the callback decides (its answer is written to
  the audit log); without one, :class:`ApprovalRequired` is raised and nothing runs.
- ``dry_run``: the function does not run for real; a :class:`DryRun` describes the call, and
  with staging it carries the diff of the files the call would have written.
- ``snapshot``: with staging, the call runs, commits, and keeps an undo record of the
  previous bytes of every file it touched (``staging.undo()``). Without staging there is no
  way to undo, so the call is blocked (fail closed).

**Staging makes file one-way doors two-way.** A :class:`StagedFS` over a root folder gives
tool functions reads and writes (``write_text``, ``open``, ``delete``, ``rename``...) that land
in a staging copy (copy-on-write, mirroring paths under the root) until ``commit()`` applies
them: every new file is written to a temporary file beside its target and fsynced, then all are
moved into place with ``os.replace``, then deletions. A commit checks first that no touched file
changed on disk since the call first touched it. The wrapper stages each call in its own
overlay (a context variable, so concurrent async calls do not mix), commits after an allowed
call, discards after a failed or dry-run one, and never starts a blocked one.

**What stays one-way.** Staging covers only files under the root, and only writes that go
through the :class:`StagedFS`. It cannot take back network requests, emails, messages, payments,
API calls, subprocesses, database writes, or any file outside the root (paths that escape it,
also through symlinks, are refused) or written with plain ``open()``. A staged function must
make every effect through its ``StagedFS``: a dry run executes the function against the
staging copy, so any other effect it has would really happen. Guard such calls with ``block``
or ``approve`` rules instead. Commit is atomic per file, not across files: a crash between
two ``os.replace`` calls leaves the earlier files applied. Directories created by a commit are
not removed by ``undo``.

**Sync functions** run the guard's async check with ``asyncio.run``. Called from inside a
running event loop (sync code in an async program), the check runs on a worker thread with
its own loop and a copy of the context, and blocks the calling loop until it returns; prefer
async tool functions in async programs. A monitor model whose client is bound to another event
loop may then fail, and the guard fails closed.
"""

from __future__ import annotations

import asyncio
import builtins
import contextvars
import difflib
import functools
import inspect
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal, ParamSpec, TypeVar, overload

from ._engine import Decision, PastCall, ProposedCall
from ._guard import Guard
from ._policy import Action, CallClass

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

ApproveFn = Callable[[ProposedCall, Decision], bool | Awaitable[bool]]
"""Decides an ``approve`` decision: True runs the call, False blocks it."""


class GuardBlocked(Exception):
    """The guard did not let the call run; ``str(exc)`` is the reason for the agent."""

    def __init__(self, reason: str, decision: Decision | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.decision = decision


class ApprovalRequired(GuardBlocked):
    """The policy asks for approval and no ``approve`` callback was given; nothing ran."""


class StagingError(Exception):
    """A staged file operation cannot be done (a path outside the root, nothing to undo)."""


class StagingConflict(StagingError):
    """A file changed on disk after staging started; nothing was applied."""


@dataclass(frozen=True)
class Change:
    """One file a commit changes: its bytes before and after (None: absent)."""

    path: str
    """Path relative to the staged root, with forward slashes."""
    before: bytes | None
    after: bytes | None

    @property
    def kind(self) -> Literal["create", "modify", "delete"]:
        if self.before is None:
            return "create"
        return "delete" if self.after is None else "modify"

    def unified(self) -> str:
        """A unified diff of the change (a one-line summary for binary files)."""
        try:
            old = (self.before or b"").decode("utf-8").splitlines(keepends=True)
            new = (self.after or b"").decode("utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            sizes = f"{len(self.before or b'')} -> {len(self.after or b'')} bytes"
            return f"Binary file {self.path} ({self.kind}, {sizes})\n"
        lines = difflib.unified_diff(
            old,
            new,
            fromfile=f"a/{self.path}" if self.before is not None else "/dev/null",
            tofile=f"b/{self.path}" if self.after is not None else "/dev/null",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Snapshot:
    """The undo record of one committed call: what every touched file held before."""

    root: Path
    changes: tuple[Change, ...]
    tool: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)

    def undo(self, force: bool = False) -> None:
        """Put back the previous bytes (and remove created files).

        Refuses (:class:`StagingConflict`) when a file no longer holds what the commit wrote,
        unless ``force``: undoing out of order would silently drop later work.
        """
        if not force:
            for change in self.changes:
                if _read(self.root / change.path) != change.after:
                    raise StagingConflict(
                        f"{change.path} changed after the call was committed; "
                        "undo later calls first, or pass force=True"
                    )
        _apply(self.root, [(c.path, c.before) for c in self.changes])


@dataclass(frozen=True)
class DryRun:
    """What a dry-run call would have done; it changed nothing."""

    tool: str
    args: Mapping[str, Any]
    decision: Decision
    changes: tuple[Change, ...] = ()
    """Files the call would have written (empty without staging)."""
    result: Any = None
    """The function's return value against the staging copy (None without staging)."""
    staged: bool = False
    """Whether the function ran against a staging copy (False: it did not run at all)."""

    @property
    def diff(self) -> str:
        return "".join(c.unified() for c in self.changes)

    def __str__(self) -> str:
        head = f"dry run of {self.tool}: {self.decision.reason}"
        if not self.staged:
            return f"{head} (not run)"
        return f"{head}\n{self.diff}" if self.changes else f"{head} (no file changes)"


class _Overlay:
    """One staging copy: staged files in a temporary folder, and deletions."""

    def __init__(self, parent: str | None, base: _Overlay | None = None) -> None:
        self.parent = parent
        self.base = base
        """The staging copy of an enclosing guarded call, which this one commits into."""
        self.folder: Path | None = None
        self.before: dict[str, bytes | None] = {}
        """Each touched path's bytes (in the base view) when it was first touched."""
        self.present: dict[str, bool] = {}
        """Touched paths: True, staged with new content; False, deleted."""
        self.keep_undo = False
        """A snapshot call's changes are in here: keep an undo record when they reach disk."""

    def path(self, rel: str) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="unwatched-staging-", dir=self.parent))
        return self.folder / rel

    def clear(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        self.before.clear()
        self.present.clear()
        self.keep_undo = False


_ACTIVE: contextvars.ContextVar[Mapping[StagedFS, _Overlay] | None] = contextvars.ContextVar(
    "unwatched_staging", default=None
)
"""The staging copy of each StagedFS for the guarded call running in this context."""


class StagedFS:
    """A view of the files under ``root`` whose writes wait in a staging copy until commit.

    Outside a guarded call, changes collect in one shared staging copy, which ``diff()``,
    ``commit()`` and ``discard()`` act on. Inside a ``guarded(..., staging=fs)`` call they go to
    a staging copy of that call alone, which the wrapper commits or discards. A guarded call
    made inside another one stages on top of the outer call's copy and commits into it, so a
    dry run or a failed outer call keeps its inner calls off the disk too (and an inner
    snapshot call makes the outer call's commit keep an undo record).
    """

    def __init__(self, root: str | Path, staging_dir: str | Path | None = None) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise StagingError(f"staged root {root} is not a folder")
        self._parent = str(staging_dir) if staging_dir is not None else None
        self._shared = _Overlay(self._parent)
        self.snapshots: list[Snapshot] = []
        """Undo records of snapshot calls, oldest first."""

    # reads

    def read_bytes(self, path: str | Path) -> bytes:
        data = self._current(self._overlay(), self._rel(path))
        if data is None:
            raise FileNotFoundError(f"no such file under {self.root}: {path}")
        return data

    def read_text(self, path: str | Path, encoding: str = "utf-8") -> str:
        return self.read_bytes(path).decode(encoding)

    def exists(self, path: str | Path) -> bool:
        rel = self._rel(path)
        source = self._source(self._overlay(), rel)
        return source is not None and source.exists()

    def listdir(self, path: str | Path = ".") -> list[str]:
        """Names in a folder as the staged view sees them."""
        rel = "" if str(path) in ("", ".") else self._rel(path)
        folder = self.root / rel
        names = set(os.listdir(folder)) if folder.is_dir() else set()
        prefix = f"{rel}/" if rel else ""
        for overlay in reversed(list(_chain(self._overlay()))):  # outermost first
            for touched, present in overlay.present.items():
                if touched.startswith(prefix):
                    rest = touched[len(prefix) :]
                    head = rest.split("/")[0]
                    if present:
                        names.add(head)
                    elif "/" not in rest:
                        names.discard(head)
        return sorted(names)

    # writes (staged)

    def write_bytes(self, path: str | Path, data: bytes) -> None:
        overlay, rel = self._overlay(), self._rel(path)
        target = self._stage(overlay, rel)
        target.write_bytes(data)
        overlay.present[rel] = True

    def write_text(self, path: str | Path, text: str, encoding: str = "utf-8") -> None:
        self.write_bytes(path, text.encode(encoding))

    def delete(self, path: str | Path) -> None:
        overlay, rel = self._overlay(), self._rel(path)
        if self._current(overlay, rel) is None:
            raise FileNotFoundError(f"no such file under {self.root}: {path}")
        self._stage(overlay, rel).unlink(missing_ok=True)
        overlay.present[rel] = False

    def rename(self, source: str | Path, target: str | Path) -> None:
        """Move a file (replacing ``target`` if it exists), as a write plus a delete."""
        data = self.read_bytes(source)
        self.write_bytes(target, data)
        if self._rel(source) != self._rel(target):
            self.delete(source)

    def open(self, path: str | Path, mode: str = "r", encoding: str | None = None) -> IO[Any]:
        """Open a file for reading or writing (w, a, x; text or binary) in the staged view."""
        if "+" in mode or mode.replace("b", "").replace("t", "") not in ("r", "w", "a", "x"):
            raise ValueError(f"StagedFS.open does not support mode {mode!r}")
        overlay, rel = self._overlay(), self._rel(path)
        current = self._current(overlay, rel)
        if "r" in mode:
            source = self._source(overlay, rel)
            if current is None or source is None:
                raise FileNotFoundError(f"no such file under {self.root}: {path}")
            return builtins.open(source, mode, encoding=encoding)
        if "x" in mode and current is not None:
            raise FileExistsError(f"file exists under {self.root}: {path}")
        target = self._stage(overlay, rel)
        if "a" in mode and not overlay.present.get(rel):
            target.write_bytes(current or b"")
        overlay.present[rel] = True
        return builtins.open(target, mode.replace("x", "w"), encoding=encoding)

    # the staging copy

    def diff(self) -> tuple[Change, ...]:
        """What ``commit()`` would change now, path by path."""
        return self._changes(self._shared)

    def commit(self) -> Snapshot:
        """Apply the staged changes to the root; returns the undo record."""
        snapshot = self._commit(self._shared)
        assert snapshot is not None
        return snapshot

    def discard(self) -> None:
        """Drop the staged changes; the root is untouched."""
        self._shared.clear()

    def undo(self) -> Snapshot:
        """Undo the latest snapshot call (see :meth:`Snapshot.undo`) and return its record."""
        if not self.snapshots:
            raise StagingError("nothing to undo: no snapshot call has been committed")
        self.snapshots[-1].undo()
        return self.snapshots.pop()

    @contextmanager
    def staged_call(self) -> Iterator[_Overlay]:
        """A fresh staging copy for the current context (one guarded call); cleared after."""
        overlay = _Overlay(self._parent, (_ACTIVE.get() or {}).get(self))
        token = _ACTIVE.set({**(_ACTIVE.get() or {}), self: overlay})
        try:
            yield overlay
        finally:
            _ACTIVE.reset(token)
            overlay.clear()

    def _overlay(self) -> _Overlay:
        return (_ACTIVE.get() or {}).get(self, self._shared)

    def _rel(self, path: str | Path) -> str:
        given = Path(path)
        full = (given if given.is_absolute() else self.root / given).resolve()
        try:
            rel = full.relative_to(self.root)
        except ValueError:
            raise StagingError(
                f"{path} is outside the staged root {self.root}: a write there could not be "
                "undone, so it is refused"
            ) from None
        if rel == Path():
            raise StagingError(f"{path} is the staged root itself, not a file")
        return rel.as_posix()

    def _source(self, overlay: _Overlay | None, rel: str) -> Path | None:
        """Where the view's bytes of ``rel`` are (None: deleted in the staging)."""
        for layer in _chain(overlay):
            if rel in layer.present:
                return layer.path(rel) if layer.present[rel] else None
        return self.root / rel

    def _current(self, overlay: _Overlay | None, rel: str) -> bytes | None:
        source = self._source(overlay, rel)
        return None if source is None else _read(source)

    def _stage(self, overlay: _Overlay, rel: str) -> Path:
        if rel not in overlay.before:
            overlay.before[rel] = self._current(overlay.base, rel)
        target = overlay.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _changes(self, overlay: _Overlay) -> tuple[Change, ...]:
        changes = []
        for rel in sorted(overlay.present):
            after = overlay.path(rel).read_bytes() if overlay.present[rel] else None
            if after != overlay.before[rel]:
                changes.append(Change(rel, overlay.before[rel], after))
        return tuple(changes)

    def _commit(
        self, overlay: _Overlay, tool: str = "", args: Mapping[str, Any] | None = None
    ) -> Snapshot | None:
        """Apply to the enclosing call's staging (None) or to disk (the undo record)."""
        base = overlay.base
        if base is not None:
            for rel, present in overlay.present.items():
                target = self._stage(base, rel)
                if present:
                    shutil.copyfile(overlay.path(rel), target)
                else:
                    target.unlink(missing_ok=True)
                base.present[rel] = present
            base.keep_undo = base.keep_undo or overlay.keep_undo
            overlay.clear()
            return None
        changes = self._changes(overlay)
        for change in changes:
            if _read(self.root / change.path) != change.before:
                raise StagingConflict(
                    f"{change.path} changed on disk while the call was staged; nothing applied"
                )
        _apply(self.root, [(c.path, c.after) for c in changes])
        snapshot = Snapshot(self.root, changes, tool, dict(args or {}))
        if overlay.keep_undo:
            self.snapshots.append(snapshot)
        overlay.clear()
        return snapshot


def _chain(overlay: _Overlay | None) -> Iterator[_Overlay]:
    """A staging copy and those it stages on top of, innermost first."""
    while overlay is not None:
        yield overlay
        overlay = overlay.base


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _apply(root: Path, contents: list[tuple[str, bytes | None]]) -> None:
    """Write every file to a temp file beside it, fsync, then os.replace all; then delete."""
    prepared: list[tuple[str, Path]] = []
    try:
        for rel, data in contents:
            if data is None:
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            prepared.append((temp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if target.exists():
                shutil.copymode(target, temp)
    except BaseException:
        for temp, _ in prepared:
            Path(temp).unlink(missing_ok=True)
        raise
    for temp, target in prepared:
        os.replace(temp, target)
    for rel, data in contents:
        if data is None:
            (root / rel).unlink(missing_ok=True)


# the decorator


class guarded:
    """Put ``guard`` in front of a tool function (see the module docstring).

    Args:
        guard: The guard of this trajectory.
        cls: The call's class for the policy (read, reversible, one_way); default: the
            policy's ``classes``, else one_way.
        name: The tool name the policy sees; default: the function's name.
        approve: Decides ``approve`` decisions; receives the call and the decision.
        staging: Stage the function's file effects (it must make them through this view).
    """

    def __init__(
        self,
        guard: Guard,
        *,
        cls: CallClass | None = None,
        name: str | None = None,
        approve: ApproveFn | None = None,
        staging: StagedFS | None = None,
    ) -> None:
        self.guard = guard
        self.cls = cls
        self.name = name
        self.approve = approve
        self.staging = staging

    @overload
    def __call__(
        self, fn: Callable[P, Coroutine[Any, Any, R]]
    ) -> Callable[P, Coroutine[Any, Any, R | DryRun]]: ...

    @overload
    def __call__(self, fn: Callable[P, R]) -> Callable[P, R | DryRun]: ...

    def __call__(self, fn: Callable[P, Any]) -> Callable[P, Any]:
        tool = self.name or str(getattr(fn, "__name__", "tool"))
        signature = inspect.signature(fn)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                call_args = _arguments(signature, args, kwargs)
                action, decision = await self._gate(tool, call_args)
                with self._staged() as overlay:
                    result = None
                    if action != "dry_run" or overlay is not None:
                        result = await fn(*args, **kwargs)
                    return self._finish(tool, call_args, action, decision, overlay, result)

            return run_async

        @functools.wraps(fn)
        def run_sync(*args: P.args, **kwargs: P.kwargs) -> Any:
            call_args = _arguments(signature, args, kwargs)
            action, decision = _run_sync(lambda: self._gate(tool, call_args))
            with self._staged() as overlay:
                result = None
                if action != "dry_run" or overlay is not None:
                    result = fn(*args, **kwargs)
                return self._finish(tool, call_args, action, decision, overlay, result)

        return run_sync

    async def _gate(self, tool: str, args: dict[str, Any]) -> tuple[Action, Decision]:
        """Ask the guard; settle approvals; return the action to carry out or raise."""
        guard = self.guard
        decision = await guard.check(tool, args, self.cls)
        entry = guard.history[-1]  # check has just appended it; no other task ran since
        action = decision.action
        if action == "block":
            raise GuardBlocked(decision.reason, decision)
        if action == "approve":
            if self.approve is None:
                raise ApprovalRequired(decision.reason, decision)
            call = ProposedCall(tool, args, self.cls)
            answer = self.approve(call, decision)
            approved = bool(await answer) if inspect.isawaitable(answer) else bool(answer)
            _note(guard, "approval", tool, args, approved=approved)
            if not approved:
                raise GuardBlocked(f"not approved: {decision.reason}", decision)
            _record(guard, entry, "allow")
            return "allow", decision
        if action == "snapshot" and self.staging is None:
            _note(guard, "not_run", tool, args, why="snapshot needs staging")
            _record(guard, entry, "block")
            raise GuardBlocked(
                f"{decision.reason} (a snapshot is required and this tool cannot be undone)",
                decision,
            )
        return action, decision

    @contextmanager
    def _staged(self) -> Iterator[_Overlay | None]:
        if self.staging is None:
            yield None
            return
        with self.staging.staged_call() as overlay:
            yield overlay

    def _finish(
        self,
        tool: str,
        args: dict[str, Any],
        action: Action,
        decision: Decision,
        overlay: _Overlay | None,
        result: Any,
    ) -> Any:
        if action == "dry_run":
            if overlay is None or self.staging is None:
                return DryRun(tool, args, decision)
            changes = self.staging._changes(overlay)
            return DryRun(tool, args, decision, changes, result, staged=True)
        if overlay is not None and self.staging is not None:
            overlay.keep_undo = overlay.keep_undo or action == "snapshot"
            self.staging._commit(overlay, tool, args)
        return result


def _arguments(
    signature: inspect.Signature, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The call's arguments by name, defaults applied, ``**kwargs`` flattened."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    out: dict[str, Any] = {}
    for index, (name, value) in enumerate(bound.arguments.items()):
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            out[name] = list(value)
        elif not (index == 0 and name == "self"):
            out[name] = value
    return out


def _run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code (see the module docstring)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="unwatched-guard") as pool:
        return pool.submit(context.run, asyncio.run, make()).result()


def _record(guard: Guard, entry: PastCall, action: Action) -> None:
    """Correct the trajectory's record of a call whose fate the wrapper settled."""
    for index, past in enumerate(guard.history):
        if past is entry:
            guard.history[index] = replace(entry, action=action)
            return


def _note(guard: Guard, event: str, tool: str, args: Mapping[str, Any], **fields: Any) -> None:
    if guard.audit is not None:
        guard.audit.append(
            {"trajectory": guard.label, "event": event, "tool": tool, "args": dict(args), **fields}
        )

"""An append-only, hash-chained audit log of guard decisions.

One JSON object per line. Each record carries ``prev`` (the previous record's hash) and
``hash`` (SHA-256 of its own canonical JSON without ``hash``), so editing, deleting or
reordering any record breaks the chain at that point. Every append is flushed and fsynced
before the decision is acted on: a record that is not on disk did not happen. A writer killed
mid-record leaves a last line without its newline; ``verify`` reports exactly that line and
everything before it still verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def _digest(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found."""

    path: str
    records: int
    """Records that verified, from the start."""
    ok: bool
    bad_line: int | None = None
    """1-based line of the first record that does not verify."""
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"{self.path}: {self.records} records, chain intact"
        return (
            f"{self.path}:{self.bad_line}: {self.problem} ({self.records} records before it verify)"
        )


class AuditLog:
    """Appends hash-chained records to a file, durably, from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        report = verify(self.path) if self.path.exists() else None
        if report is not None and not report.ok:
            raise ValueError(
                f"refusing to append to a broken audit log: {report}; "
                "move it aside and start a new one"
            )
        self._seq, self._prev = _tail(self.path)
        self._file = self.path.open("a", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Write one record (``entry`` plus seq, time, prev, hash) and fsync it."""
        with self._lock:
            record = {**entry, "seq": self._seq + 1, "time": time.time(), "prev": self._prev}
            record["hash"] = _digest(record)
            line = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
            self._seq, self._prev = record["seq"], record["hash"]
            return record

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tail(path: Path) -> tuple[int, str]:
    if not path.exists():
        return 0, GENESIS
    last: dict[str, Any] | None = None
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                last = json.loads(line)
    if last is None:
        return 0, GENESIS
    return int(last["seq"]), str(last["hash"])


def verify(path: str | Path) -> VerifyReport:
    """Check the whole chain; report the first record that does not verify."""
    p = Path(path)
    name = str(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        return VerifyReport(name, 0, False, None, "no such audit log")
    prev = GENESIS
    good = 0
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if number == len(lines):
            if raw.strip():  # text after the last newline: a record cut short
                return VerifyReport(name, good, False, number, "incomplete record (cut short)")
            break
        if not raw.strip():
            return VerifyReport(name, good, False, number, "empty line inside the log")
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return VerifyReport(name, good, False, number, "not a JSON record")
        if not isinstance(record, dict) or "hash" not in record or "prev" not in record:
            return VerifyReport(name, good, False, number, "not an audit record (no hash/prev)")
        if record["prev"] != prev:
            return VerifyReport(
                name, good, False, number, "chain broken: prev does not match the record before"
            )
        if record.get("seq") != good + 1:
            return VerifyReport(
                name, good, False, number, f"sequence gap (seq {record.get('seq')})"
            )
        if _digest(record) != record["hash"]:
            return VerifyReport(name, good, False, number, "hash mismatch: the record was altered")
        prev = record["hash"]
        good += 1
    return VerifyReport(name, good, True)

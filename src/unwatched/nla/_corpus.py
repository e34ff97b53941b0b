"""Text corpora for NLA training, with splits made per document.

Activations from the same document are correlated (shared topic, shared phrases), so a
position-level split would leak: the test set would contain near-copies of training
contexts. Splits here are decided per document, by a seeded hash of the document's id,
so the same corpus and seed always give the same split on every machine.

The default corpus ships with Python itself: the topic help of the ``pydoc_data`` package
(the language reference, ~80 documents, ~460k characters of English prose and code). It
needs no download, which is what an offline CI machine can count on. Users pass their own
corpus as a folder of ``.txt``/``.md`` files or a ``.jsonl`` file with a ``text`` field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import UnwatchedError

Split = Literal["train", "validation", "test"]
DEFAULT_CORPUS = "pydoc"


@dataclass(frozen=True)
class Document:
    doc_id: str
    text: str


def load_corpus(source: str = DEFAULT_CORPUS, min_chars: int = 400) -> list[Document]:
    """Documents from ``pydoc`` (built in), a folder of text files, or a JSONL file."""
    if source == DEFAULT_CORPUS:
        from pydoc_data.topics import topics

        docs = [Document(f"pydoc:{name}", text) for name, text in sorted(topics.items())]
    else:
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in {".txt", ".md"})
            docs = [
                Document(str(p.relative_to(path)), p.read_text(encoding="utf-8")) for p in files
            ]
        elif path.suffix == ".jsonl" and path.is_file():
            docs = []
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    text = row["text"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise UnwatchedError(
                        f"{path}:{lineno}: each line must be a JSON object with a 'text' field"
                    ) from None
                if not isinstance(text, str):
                    raise UnwatchedError(f"{path}:{lineno}: field 'text' must be a string")
                docs.append(Document(str(row.get("id", f"{path.name}:{lineno}")), text))
        else:
            raise UnwatchedError(
                f"corpus {source!r} not found: pass 'pydoc', a folder of .txt/.md files, or a .jsonl file"
            )
    docs = [d for d in docs if len(d.text) >= min_chars]
    if not docs:
        raise UnwatchedError(
            f"corpus {source!r} has no document of at least {min_chars} characters"
        )
    return docs


def split_of(doc_id: str, seed: int, validation: float = 0.1, test: float = 0.15) -> Split:
    """The split a document belongs to: a seeded hash, stable across machines and runs."""
    digest = hashlib.sha256(f"{seed}:{doc_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < test:
        return "test"
    if u < test + validation:
        return "validation"
    return "train"

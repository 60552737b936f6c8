"""Which files make a knowledge base, and its version (a hash of their bytes).

Kept apart from the loader so that checking the cache needs no YAML parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

REQUIRED_FILES = ("sources.yaml", "statistics.yaml", "topics.yaml")
OPTIONAL_FILES = ("series.yaml", "synonyms.yaml", "vocabulary.yaml", "out_of_scope.yaml")
ENTRIES_DIR = "entries"


def knowledge_files(root: Path) -> list[Path]:
    """The files that make a knowledge base, in a stable order."""
    files = [root / name for name in (*REQUIRED_FILES, *OPTIONAL_FILES) if (root / name).is_file()]
    entries = root / ENTRIES_DIR
    if entries.is_dir():
        files.extend(sorted(p for p in entries.iterdir() if p.suffix in (".yaml", ".yml")))
    return files


#: (name, modification time in ns, size) of every knowledge file, in a stable order.
Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(root: Path) -> Fingerprint:
    """Name, modification time and size of every knowledge file: cheap, and changes with any edit.

    Never raises: an unreadable folder gives ``()``, a file removed between listing
    and stat is ``(name, -1, -1)`` (the next look sees the change).
    """
    try:
        files = knowledge_files(root)
    except OSError:
        return ()
    items = []
    for path in files:
        name = path.relative_to(root).as_posix()
        try:
            stat = path.stat()
        except OSError:
            items.append((name, -1, -1))
            continue
        items.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(items)


def content_version(root: Path, files: Iterable[Path] | None = None) -> str:
    """A hash of every file's name and bytes: the knowledge base's version."""
    import hashlib  # not on the warm start-up path: loading OpenSSL costs ~4 ms

    digest = hashlib.sha256()
    for path in files if files is not None else knowledge_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()

"""Which files make a knowledge base, and its version (a hash of their bytes).

Kept apart from the loader so that checking the cache needs no YAML parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

REQUIRED_FILES = ("sources.yaml", "statistics.yaml", "topics.yaml")
OPTIONAL_FILES = ("series.yaml", "synonyms.yaml")
ENTRIES_DIR = "entries"


def knowledge_files(root: Path) -> list[Path]:
    """The files that make a knowledge base, in a stable order."""
    files = [root / name for name in (*REQUIRED_FILES, *OPTIONAL_FILES) if (root / name).is_file()]
    entries = root / ENTRIES_DIR
    if entries.is_dir():
        files.extend(sorted(p for p in entries.iterdir() if p.suffix in (".yaml", ".yml")))
    return files


def stat_fingerprint(root: Path, files: Iterable[Path] | None = None) -> str:
    """Every file's name, size and modification time: cheap, and changes with any edit."""
    parts = []
    for path in files if files is not None else knowledge_files(root):
        stat = path.stat()
        parts.append(f"{path.relative_to(root).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


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

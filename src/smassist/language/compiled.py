"""A compiled copy of the knowledge base and its index, so start-up is fast.

Validating YAML, rendering templates and indexing take far longer than Python's
own start-up; their result only depends on the knowledge files and on
smassist's code, so it is pickled under a key made of both (names, sizes and
modification times, as for Python's own ``.pyc`` files). Any failure to read
or write the cache falls back to loading from the files: the cache is never
needed to answer.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path

from smassist.kb import files as kbfiles
from smassist.kb.runtime import KnowledgeBase
from smassist.language.engine import Engine
from smassist.settings import Settings, current

_PACKAGE = Path(__file__).resolve().parent.parent  # smassist/, every sub-package included


def _code_stamp() -> str:
    """Changes whenever a module of smassist changes (edits, upgrades)."""
    parts = [sys.version]
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        parts.append(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def cache_key(root: Path) -> str:
    """The cache file's key for the knowledge base in ``root``, as it is on disk now.

    Made of the files' names, sizes and modification times (as Python's own
    ``.pyc`` files are), not their bytes: checking it reads no file and needs no
    hash library. Any edit changes a size or a modification time.
    """
    # The folder's own name (not symlinks resolved): locations in the cached version are
    # absolute paths in it, and every name a folder is served under gets its own version.
    return _key(f"{os.path.abspath(root)}|{kbfiles.fingerprint(root)!r}|{_code_stamp()}")


def _key(text: str) -> str:
    # Two independent 32-bit checksums: a file name, not a security boundary.
    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def load_compiled(root: Path, use_cache: bool = True,
                  settings: Settings | None = None) -> tuple[KnowledgeBase, Engine]:
    """The knowledge base in ``root`` and its index, from the cache when it is fresh.

    Raises :class:`smassist.loader.KnowledgeBaseError` when the files have problems.
    """
    settings = current(settings)
    root = Path(root)
    key = None
    directory = settings.cache_dir()
    if use_cache and not settings.no_cache:
        key = cache_key(root)  # an unreadable file changes the key; the loader reports it
        cached = _read(key, directory)
        if cached is not None:
            return cached
    from smassist.kb import (
        loader,  # the YAML parser and validator, only when the cache cannot serve
    )

    kb = loader.load(root)
    engine = Engine(kb)
    if key and cache_key(root) == key:  # a file edited during the read is not cached under the old key
        _write(key, (kb, engine), directory)
    return kb, engine


def fill_in_child(root: Path, settings: Settings | None = None) -> bool:
    """Compile ``root`` into the cache from a child process when it is cold; True if it is warm now.

    Compiling trains the matcher with numpy, scipy and scikit-learn: a process that
    did it keeps those libraries and the freed training memory for its whole life
    (a ``serve`` that started with a cold cache held about 220 MB against 60 MB;
    benchmarks/README.md). The child exits after writing the cache, and the caller
    reads it. Nothing is reported from the child: when it fails (a broken knowledge
    base, no writable cache) the caller loads in its own process, and that load
    reports the problems.
    """
    import subprocess

    settings = current(settings)
    root = Path(root)
    if settings.no_cache or is_cached(root, settings):
        return not settings.no_cache
    # The child reads the same environment; the cache folder is the one this process reads.
    code = ("import dataclasses, pathlib, sys\n"
            "from smassist.language.compiled import load_compiled\n"
            "from smassist.settings import current\n"
            "settings = dataclasses.replace(current(None), cache_dir_override=pathlib.Path(sys.argv[2]))\n"
            "load_compiled(pathlib.Path(sys.argv[1]), settings=settings)\n")
    try:
        subprocess.run([sys.executable, "-c", code, str(root), str(settings.cache_dir())],
                       check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return is_cached(root, settings)


def is_cached(root: Path, settings: Settings | None = None) -> bool:
    """True when :func:`load_compiled` would read ``root``'s version from the cache (nothing read)."""
    settings = current(settings)
    if settings.no_cache:
        return False
    try:
        return (settings.cache_dir() / f"kb-{cache_key(Path(root))}.pickle").is_file()
    except OSError:
        return False


def store(kb: KnowledgeBase, engine: Engine, settings: Settings | None = None) -> None:
    """Cache a version loaded elsewhere (a live reload), so the next start-up is warm.

    The files must not have changed since they were read (the reloader checks it).
    """
    settings = current(settings)
    if not settings.no_cache:
        _write(cache_key(Path(kb.root)), (kb, engine), settings.cache_dir())


def _read(key: str, directory: Path) -> tuple[KnowledgeBase, Engine] | None:
    try:
        path = directory / f"kb-{key}.pickle"
        with path.open("rb") as handle:
            kb, engine = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a stale or corrupt cache is rebuilt, never fatal
        _log().debug("ignoring unreadable cache: %s", exc)
        return None
    if not isinstance(kb, KnowledgeBase) or not isinstance(engine, Engine):
        return None
    return kb, engine


def _log():  # logging is imported only when there is something to say
    import logging

    return logging.getLogger(__name__)


def _write(key: str, value: tuple[KnowledgeBase, Engine], directory: Path) -> None:
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Keep a few versions (tests and admins switch between knowledge bases).
        old = sorted(directory.glob("kb-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-7]:
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".kb-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, directory / f"kb-{key}.pickle")
    except Exception as exc:  # read-only home, full disk: answering still works
        _log().debug("cannot write the knowledge-base cache: %s", exc)

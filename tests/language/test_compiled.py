"""The compiled cache: served while the files are unchanged, never after an edit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.kb import loader
from smassist.language import compiled as cache


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    parsed: list[Path] = []
    real = loader.load

    def counting(root, *args, **kwargs):
        parsed.append(Path(root))
        return real(root, *args, **kwargs)

    monkeypatch.setattr(loader, "load", counting)
    return parsed


def test_unchanged_files_are_served_from_the_cache_and_an_edit_is_not(
        kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _count_parses(monkeypatch)
    first = Assistant.load(kb_copy)
    assert Assistant.load(kb_copy).kb.version == first.kb.version
    assert len(parsed) == 1

    topics = kb_copy / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    topics.write_text(text.replace("Crises et bad buzz", "Crises et bad buzz !"), encoding="utf-8")
    stat = topics.stat()
    os.utime(topics, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited = Assistant.load(kb_copy)
    assert len(parsed) == 2
    assert edited.kb.version != first.kb.version
    assert edited.kb.topics["crisis"].title["fr"].endswith("!")


def test_a_copy_elsewhere_gets_its_own_cache_entry(kb_copy: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _count_parses(monkeypatch)
    Assistant.load(kb_copy)
    other = shutil.copytree(kb_copy, tmp_path / "other-kb")
    assert cache.cache_key(other) != cache.cache_key(kb_copy)
    # Same bytes, other folder: its own version of record points at its own files.
    assert Path(Assistant.load(other).kb.root) == other
    assert len(parsed) == 2

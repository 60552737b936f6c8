"""Which files make a knowledge base, its cheap fingerprint and its version."""

from __future__ import annotations

import os
from pathlib import Path

from smassist.kb.files import content_version, fingerprint, knowledge_files
from tests.kb.test_loader import write_kb


def test_the_files_come_in_a_stable_order_and_other_files_are_not_knowledge(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    (kb / "entries" / "notes.txt").write_text("not an entry")
    (kb / "series.yaml").write_text("series: []\n")
    names = [p.relative_to(kb).as_posix() for p in knowledge_files(kb)]
    assert names == ["sources.yaml", "statistics.yaml", "topics.yaml", "series.yaml", "entries/roi.yaml"]


def test_any_edit_changes_the_fingerprint_and_the_version(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    before, version = fingerprint(kb), content_version(kb)
    entries = kb / "entries" / "roi.yaml"
    entries.write_text(entries.read_text() + "\n# a comment\n")
    os.utime(entries, ns=(1, 1))  # even with an old modification time, the size moved
    assert fingerprint(kb) != before
    assert content_version(kb) != version


def test_the_version_depends_on_the_bytes_not_on_when_they_were_written(tmp_path: Path) -> None:
    first, second = write_kb(tmp_path / "a"), write_kb(tmp_path / "b")
    os.utime(second / "topics.yaml", ns=(10**18, 10**18))
    assert content_version(first) == content_version(second)
    assert fingerprint(first) != fingerprint(second)


def test_an_unreadable_folder_has_an_empty_fingerprint(tmp_path: Path) -> None:
    assert fingerprint(tmp_path / "nowhere") == ()

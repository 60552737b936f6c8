from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import RunningConsole, build_log, expected_kinds, start_console

TOKEN = "console-test-token-0123456789abcdef"


@pytest.fixture
def question_log(tmp_path: Path, kb_copy: Path) -> Path:
    path = tmp_path / "log.sqlite3"
    kinds = build_log(path, kb_copy)
    # The figures the tests expect follow from these kinds; if the engine changes how it
    # answers one of these questions, the plan in support.py needs another question.
    assert kinds == expected_kinds()
    return path


@pytest.fixture
def console(kb_copy: Path, question_log: Path) -> Iterator[RunningConsole]:
    running = start_console(kb_copy, question_log, token=None)
    yield running
    running.stop()


@pytest.fixture
def guarded_console(kb_copy: Path, question_log: Path) -> Iterator[RunningConsole]:
    running = start_console(kb_copy, question_log, token=TOKEN)
    yield running
    running.stop()

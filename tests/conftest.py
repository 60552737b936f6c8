"""Shared fixtures: every test runs isolated from the user's own files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smassist.answering.reply import Reply

#: The ``postgres_url`` fixture: a fresh database on the tests' PostgreSQL server;
#: ``served_kb`` / ``own_kb``: compiled knowledge folders for ``smassist serve`` processes.
pytest_plugins = ["tests.support.postgres_server", "tests.support.instances"]

REPO = Path(__file__).resolve().parents[1]
BUNDLED_KB = REPO / "knowledge"

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real cache, database or proxies."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SMASSIST_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("SMASSIST_DB", str(home / "smassist.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("SMASSIST_KB", raising=False)
    monkeypatch.delenv("SMASSIST_ADMINS", raising=False)
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge base."""
    target = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KB, target)
    return target


class ListRecorder:
    """The Assistant's question-log hook (Recorder), keeping what it is told in lists."""

    def __init__(self) -> None:
        self.questions: list[tuple[Reply, str, str | None]] = []
        self.feedback: list[tuple[str, bool, str, str | None]] = []
        self.clicks: list[tuple[str, str, str, str | None]] = []

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None:
        self.questions.append((reply, channel, user))

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None:
        self.feedback.append((reply_id, useful, channel, user))

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None:
        self.clicks.append((reply_id, entry, channel, user))

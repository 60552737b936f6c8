"""Shared fixtures: every test runs isolated from the user's own files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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

"""The allow-list and the admins, changed while the bot runs (issue 17).

An environment variable cannot change under a running process: the lists that
may change live in files (``SMASSIST_TELEGRAM_ALLOWED_FILE``,
``SMASSIST_ADMINS_FILE``), read at start and again on ``/reload`` and on each
knowledge-base reload. Real python-telegram-bot against the stand-in Bot API.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from smassist.admin.store import open_default_store
from smassist.answering.assistant import Assistant
from smassist.channels.telegram import admin_commands
from smassist.channels.telegram.bot import state
from smassist.cli import main
from tests.admin.test_reloader import version_b, write
from tests.channels.telegram.harness import ALICE, MALLORY, ROI_QUESTION, running
from tests.support.telegram_standin import BotAPIStandIn, visible_text

ADMIN = 77
NEW_ADMIN = 78


def access_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allowed: str, admins: str) -> tuple[Path, Path]:
    allowed_file, admins_file = tmp_path / "telegram-allowed.txt", tmp_path / "admins.txt"
    allowed_file.write_text(allowed, encoding="utf-8")
    admins_file.write_text(admins, encoding="utf-8")
    monkeypatch.setenv("SMASSIST_TELEGRAM_ALLOWED_FILE", str(allowed_file))
    monkeypatch.setenv("SMASSIST_ADMINS_FILE", str(admins_file))
    return allowed_file, admins_file


async def ask(standin: BotAPIStandIn, user: int, question: str = ROI_QUESTION, timeout: float = 10) -> str:
    before = len(standin.sent_to(user))
    standin.message(user, question)
    calls = await standin.wait_for("sendMessage", before + 1, chat_id=user, timeout=timeout)
    return visible_text(calls[before].params["text"])


def refused(text: str, user: int) -> bool:
    return str(user) in text and "administrat" in text


async def test_allow_list_and_admins_from_files_change_on_reload(
        standin: BotAPIStandIn, assistant: Assistant, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assistant.recorder = open_default_store()  # /report reads the question log
    allowed_file, admins_file = access_files(
        tmp_path, monkeypatch, f"# who may ask\n{ALICE}\n", f"{ADMIN}  # the first admin\n")
    async with running(standin, assistant, allowed=None, admins=frozenset(),
                       commands=admin_commands.commands()):
        assert not refused(await ask(standin, ALICE), ALICE)
        assert refused(await ask(standin, MALLORY), MALLORY)
        assert refused(await ask(standin, NEW_ADMIN, "/report"), NEW_ADMIN)

        allowed_file.write_text(f"{MALLORY}\n", encoding="utf-8")  # Alice leaves, Mallory joins
        admins_file.write_text(f"{ADMIN}, {NEW_ADMIN}\n", encoding="utf-8")
        assert refused(await ask(standin, MALLORY), MALLORY)  # not before a reload
        said = await ask(standin, ADMIN, "/reload", timeout=60)
        assert "telegram-allowed.txt" in said and "admins.txt" in said

        assert not refused(await ask(standin, MALLORY), MALLORY)
        assert refused(await ask(standin, ALICE), ALICE)
        report = await ask(standin, NEW_ADMIN, "/report", timeout=30)
        assert report.startswith("Rapport smassist")


async def test_a_broken_access_file_keeps_the_lists_in_force_and_says_why(
        standin: BotAPIStandIn, assistant: Assistant, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    allowed_file, _ = access_files(tmp_path, monkeypatch, f"{ALICE}\n", f"{ADMIN}\n")
    async with running(standin, assistant, allowed=None, admins=frozenset(),
                       commands=admin_commands.commands()):
        allowed_file.write_text("@alice\n", encoding="utf-8")  # a user name is not an id
        said = await ask(standin, ADMIN, "/reload", timeout=60)
        assert "SMASSIST_TELEGRAM_ALLOWED_FILE" in said and "'@alice'" in said
        assert not refused(await ask(standin, ALICE), ALICE)


async def test_a_knowledge_base_reload_rereads_the_allow_list(
        standin: BotAPIStandIn, kb_copy: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    allowed_file, _ = access_files(tmp_path, monkeypatch, f"{ALICE}\n", f"{ADMIN}\n")
    assistant = Assistant.load(kb_copy, use_cache=False)
    async with running(standin, assistant, allowed=None, admins=frozenset()) as app:
        watcher = admin_commands.start_watching_now(app, interval=0.05)
        try:
            assert refused(await ask(standin, MALLORY), MALLORY)
            allowed_file.write_text(f"{ALICE}, {MALLORY}\n", encoding="utf-8")
            version = assistant.kb.version
            roi = kb_copy / "entries" / "roi.yaml"
            write(roi, version_b(roi.read_text(encoding="utf-8")))
            deadline = time.monotonic() + 120  # the new version is trained before it is served
            while assistant.kb.version == version and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert assistant.kb.version != version
            await asyncio.sleep(0.2)  # on_reload runs right after the swap
            assert state(app).allowed.allows(MALLORY)
            assert not refused(await ask(standin, MALLORY), MALLORY)
        finally:
            await asyncio.to_thread(watcher.stop)


def test_serve_telegram_stops_at_start_naming_an_unreadable_access_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:stand-in")
    monkeypatch.setenv("SMASSIST_TELEGRAM_ALLOWED_USERS", str(ALICE))
    monkeypatch.setenv("SMASSIST_TELEGRAM_ALLOWED_FILE", str(tmp_path / "missing.txt"))
    assert main(["serve", "telegram"]) == 2
    err = capsys.readouterr().err
    assert "SMASSIST_TELEGRAM_ALLOWED_FILE" in err and "missing.txt" in err
    assert "Traceback" not in err

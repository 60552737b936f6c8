"""Live reload: edits are served within seconds, whole, and a broken edit never is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from smassist.admin import commands as admin
from smassist.admin.reloader import Watcher, reload_now, start_watcher
from smassist.answering.assistant import Assistant
from tests.support.reloading import asking, wait_for, write

QUESTION = "Combien d'entreprises mesurent leur ROI ?"
MARKER = "Marqueur de la version B."
NEW_ENTRY = """\
entries:
  - id: intranet-tools
    topic: tools
    title:
      fr: Quel intranet social choisir ?
      en: Which social intranet should we choose?
    questions:
      fr:
        - Quel intranet social choisir pour nos équipes ?
        - Quelle plateforme de réseau social d'entreprise choisir ?
      en:
        - Which social intranet should we choose for our teams?
    answer:
      fr: Choisissez l'outil que vos équipes utilisent déjà.
      en: Choose the tool your teams already use.
"""

@pytest.fixture
def roi_file(kb_copy: Path) -> Path:
    return kb_copy / "entries" / "roi.yaml"


def version_b(text: str) -> str:
    """The ROI entry's French answer with one more sentence."""
    head, sep, tail = text.partition("      fr: |\n")
    assert sep, "the ROI entry's French answer is a block"
    return head + sep + f"        {MARKER}\n" + tail


def test_reload_under_concurrent_questions_serves_whole_versions(kb_copy: Path, roi_file: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)
    original = roi_file.read_text(encoding="utf-8")
    version_a = assistant.kb.version

    def has_marker() -> bool:
        return MARKER in assistant.kb.entries["roi-measurement"].answer["fr"]

    watcher = start_watcher(assistant, interval=0.02, debounce=0.05)
    try:
        with asking(assistant, QUESTION, threads=4, conversations=True) as asked:
            versions = {version_a}
            for text in (version_b(original), original, version_b(original)):
                write(roi_file, text)
                wanted = MARKER in text
                assert wait_for(lambda wanted=wanted: has_marker() == wanted, timeout=60)
                versions.add(assistant.kb.version)
                time.sleep(0.05)  # questions on this version too
    finally:
        watcher.stop()

    assert not asked.errors
    assert len(versions) == 2
    version_b_hash = (versions - {version_a}).pop()
    replies = [reply for _, reply in asked.replies]
    assert {r.version for r in replies} == {version_a, version_b_hash}
    for reply in replies:
        assert reply.kind == "answer"
        assert (MARKER in reply.text) == (reply.version == version_b_hash), reply.version


def test_watcher_serves_a_new_entry_within_seconds(kb_copy: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)
    assert assistant.ask("Quel intranet social choisir pour nos équipes ?").entry != "intranet-tools"
    watcher = start_watcher(assistant, interval=0.1)
    try:
        write(kb_copy / "entries" / "intranet.yaml", NEW_ENTRY)
        # A new entry retrains the engine's model (a few seconds on CI's two cores).
        assert wait_for(lambda: "intranet-tools" in assistant.kb.entries, timeout=60)
    finally:
        watcher.stop()
    assert assistant.ask("Quel intranet social choisir pour nos équipes ?").entry == "intranet-tools"
    assert not watcher.running


def test_broken_edit_keeps_the_old_version_and_notifies_admins_once(
        kb_copy: Path, roi_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)
    good = assistant.kb.version
    original = roi_file.read_text(encoding="utf-8")
    sent: list[str] = []
    watcher = Watcher(assistant, sent.append, debounce=0)

    # The first follow-up of the file, misspelt.
    unknown_follow_up = re.sub(r"follow_ups: \[([a-z0-9-]+)", r"follow_ups: [\1-usd", original, count=1)
    assert unknown_follow_up != original
    write(roi_file, unknown_follow_up)
    outcome = watcher.poll()
    assert outcome is not None and not outcome.ok
    assert assistant.kb.version == good
    assert assistant.ask(QUESTION).entry == "roi-measurement"
    assert len(sent) == 1
    assert "NOT reloaded" in sent[0] and good[:12] in sent[0]
    assert "roi.yaml:" in sent[0] and "-usd'" in sent[0]
    assert any("roi.yaml:" in r.getMessage() for r in caplog.records if r.name == "smassist.admin.reloader")

    # Saved again with the same mistake: logged, but the admins are not told twice.
    write(roi_file, unknown_follow_up + "\n# still editing\n")
    assert not watcher.poll().ok
    assert len(sent) == 1

    # A different mistake is news.
    write(roi_file, original.replace("    topic: roi\n", "    topic: roi\n\ttitle: x\n", 1))
    assert not watcher.poll().ok
    assert len(sent) == 2 and "YAML" in sent[1]
    assert assistant.kb.version == good

    # Fixed: served, and the admins hear it is fixed.
    write(roi_file, version_b(original))
    outcome = watcher.poll()
    assert outcome.ok and outcome.changed
    assert MARKER in assistant.ask(QUESTION).text
    assert len(sent) == 3 and "fixed" in sent[2]

    # No change, no reload, no message.
    assert watcher.poll() is None
    assert len(sent) == 3


def test_a_failing_notify_does_not_stop_the_watcher(kb_copy: Path, roi_file: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)

    def broken_platform(text: str) -> None:
        raise ConnectionError("the platform is down")

    watcher = start_watcher(assistant, broken_platform, interval=0.05, debounce=0.05)
    try:
        original = roi_file.read_text(encoding="utf-8")
        write(roi_file, "entries: [\n")
        time.sleep(0.5)
        write(roi_file, version_b(original))
        assert wait_for(lambda: MARKER in assistant.kb.entries["roi-measurement"].answer["fr"])
        assert watcher.running
    finally:
        watcher.stop()


def test_reload_now_reports_version_and_counts(kb_copy: Path, roi_file: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)
    outcome = reload_now(assistant)
    assert outcome.ok and not outcome.changed
    assert outcome.version == assistant.kb.version[:12]
    text = admin.reload_text(outcome)
    assert "unchanged" in text and outcome.version in text
    assert f"{len(assistant.kb.entries)} entries" in text

    write(roi_file, version_b(roi_file.read_text(encoding="utf-8")))
    outcome = reload_now(assistant)
    assert outcome.ok and outcome.changed and outcome.version == assistant.kb.version[:12]
    assert "reloaded" in admin.reload_text(outcome)
    assert "rechargée" in admin.reload_text(outcome, "fr")

    write(roi_file, "entries:\n  - id: [\n")
    outcome = reload_now(assistant)
    assert not outcome.ok and outcome.problems
    assert str(outcome.problems[0]).startswith(str(outcome.problems[0].file) + ":")


def test_a_reloaded_version_is_cached_for_the_next_start(kb_copy: Path, roi_file: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from smassist import paths
    from smassist.kb import loader
    from smassist.language import compiled as cache

    assistant = Assistant.load(kb_copy, use_cache=False)
    write(roi_file, version_b(roi_file.read_text(encoding="utf-8")))
    assert reload_now(assistant).changed

    # A restart now reads the reloaded version from the cache: no YAML is parsed.
    def no_parsing(*args, **kwargs):
        raise AssertionError("the knowledge base was parsed again")

    monkeypatch.setattr(loader, "load", no_parsing)
    restarted = Assistant.load(kb_copy)
    assert restarted.kb.version == assistant.kb.version
    assert MARKER in restarted.ask(QUESTION).text
    assert (paths.cache_dir() / f"kb-{cache.cache_key(kb_copy)}.pickle").is_file()


def test_admins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not admin.is_admin("U123")
    monkeypatch.setenv("SMASSIST_ADMINS", "U123, 987654321 ,UABC")
    assert admin.is_admin("U123")
    assert admin.is_admin(987654321)
    assert not admin.is_admin("U999")
    assert not admin.is_admin(None)
    assert not admin.is_admin("")


def test_chat_picks_up_an_edit_without_restart(kb_copy: Path, roi_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "SMASSIST_NO_CACHE": "1", "PYTHONUNBUFFERED": "1"}
    chat = subprocess.Popen(
        [sys.executable, "-m", "smassist.cli", "chat", "--kb", str(kb_copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    out_lines: list[str] = []
    err_lines: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_lines.extend(iter(chat.stdout.readline, "")), daemon=True),
        threading.Thread(target=lambda: err_lines.extend(iter(chat.stderr.readline, "")), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        chat.stdin.write(QUESTION + "\n")
        chat.stdin.flush()
        # Wait for the first answer (its sources are printed last), however slow the machine.
        assert wait_for(lambda: "Source" in "".join(out_lines), timeout=60), "".join(err_lines)
        assert MARKER not in " ".join("".join(out_lines).split())
        write(roi_file, version_b(roi_file.read_text(encoding="utf-8")))
        assert wait_for(lambda: "reloaded" in "".join(err_lines), timeout=60), "".join(err_lines)
        chat.stdin.write(QUESTION + "\n/quit\n")
        chat.stdin.flush()
        chat.wait(timeout=60)
        for reader in readers:
            reader.join(timeout=10)
    finally:
        if chat.poll() is None:
            chat.kill()
    err = "".join(err_lines)
    assert chat.returncode == 0, err
    out = " ".join("".join(out_lines).split())  # the terminal wraps long lines
    assert out.count(MARKER) == 1, err
    assert out.index(MARKER) > out.index("ROI")
    assert "reloaded" in err and "Traceback" not in err


_RELOAD_IN_A_SERVER = """
import json, resource, sys
from pathlib import Path
from smassist.admin.reloader import reload_now
from smassist.answering.assistant import Assistant

kb = Path(sys.argv[1])
assistant = Assistant.load(kb)  # a warm start: read from the compiled cache
roi = kb / "entries" / "roi.yaml"
head, sep, tail = roi.read_text(encoding="utf-8").partition("      fr:\\n")
roi.write_text(head + sep + "        - Quel gain chiffré tirer d'une page entreprise animée ?\\n" + tail,
               encoding="utf-8")
outcome = reload_now(assistant)
reply = assistant.ask("Combien d'entreprises mesurent leur ROI ?")
print(json.dumps({"changed": outcome.changed, "version": assistant.kb.version,
                  "trained": assistant.state.engine.model is not None, "entry": reply.entry,
                  "heavy": sorted(m for m in ("numpy", "scipy", "sklearn") if m in sys.modules)}))
"""


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_live_edit_is_trained_in_a_child_process_so_a_server_stays_small(
        kb_copy: Path, tmp_path: Path, cache: str) -> None:
    # A server keeps what it imports for its whole life: training at each edit in its
    # own process would keep numpy, scipy and scikit-learn (some 150 MB) resident.
    import json

    env = {**os.environ, "SMASSIST_CACHE_DIR": str(tmp_path / "cache"), "SMASSIST_DB": "off"}
    if cache == "off":
        env["SMASSIST_NO_CACHE"] = "1"
    else:
        subprocess.run([sys.executable, "-m", "smassist", "ask", "--kb", str(kb_copy), "roi ?"],
                       env=env, check=True, capture_output=True, timeout=300)  # warm the cache
    run = subprocess.run([sys.executable, "-c", _RELOAD_IN_A_SERVER, str(kb_copy)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["changed"] and seen["trained"] and seen["entry"] == "roi-measurement"
    if cache == "on":
        assert seen["heavy"] == []  # trained by the child, read back from the cache
        assert len(list((tmp_path / "cache").glob("kb-*.pickle"))) == 2  # both versions cached
    else:  # no cache to carry it: trained here, as before
        assert "sklearn" in seen["heavy"]

"""Admins' reports: knowledge gaps grouped by similarity, and the usage summary."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
import yaml

from smassist.admin import commands as admin
from smassist.admin import reports
from smassist.admin.store import QuestionRecord, open_default_store
from smassist.answering.assistant import Assistant
from smassist.cli import main

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_ids = count()


def record(question: str, kind: str = "unknown", *, confidence: float = 0.1, lang: str = "fr",
           entry: str | None = None, topic: str | None = None, useful: bool | None = None,
           channel: str = "slack", days_ago: float = 0, clicks: tuple[str, ...] = ()) -> QuestionRecord:
    return QuestionRecord(
        reply_id=f"r{next(_ids)}", asked_at=NOW - timedelta(days=days_ago), channel=channel,
        user_key="k", lang=lang, question=question, kind=kind, topic=topic, entry=entry,
        confidence=confidence, useful=useful, clicks=clicks,
    )


SEEDED = [
    record("Quelle est la météo à Paris demain ?"),
    record("Quel temps fera-t-il demain à Paris ?"),
    record("météo paris demain"),
    record("Quelle est la météo à Paris demain ?", channel="telegram"),
    record("How do I bake a chocolate cake?", lang="en"),
    record("how to bake a chocolate cake", lang="en", days_ago=1),
    record("Combien d'entreprises mesurent leur ROI ?", "answer", confidence=0.92,
           entry="roi-measurement", topic="roi", useful=True),
    record("Le ROI est-il mesuré ?", "answer", confidence=0.58, entry="roi-measurement", topic="roi"),
    record("Faut-il une charte ?", "answer", confidence=0.9, entry="charter-adoption",
           topic="charter", useful=False, clicks=("charter-content",)),
    record("réseaux", "clarify", confidence=0.4),
    record("aide", "help"),
]


def test_gaps_group_similar_questions_most_asked_first() -> None:
    gaps = reports.find_gaps(SEEDED)
    assert [g.count for g in gaps] == [4, 2, 1, 1, 1]
    weather, cake = gaps[0], gaps[1]
    assert weather.examples[0] == ("Quelle est la météo à Paris demain ?", 2)
    assert {q for q, _ in weather.examples} == {
        "Quelle est la météo à Paris demain ?", "Quel temps fera-t-il demain à Paris ?",
        "météo paris demain"}
    assert weather.reasons == {"unknown": 4}
    assert {q for q, _ in cake.examples} == {"How do I bake a chocolate cake?",
                                             "how to bake a chocolate cake"}
    assert cake.by_lang == {"en": ["How do I bake a chocolate cake?", "how to bake a chocolate cake"]}
    others = {g.examples[0][0]: g.reasons for g in gaps[2:]}
    assert others == {"Le ROI est-il mesuré ?": {"low": 1},
                      "Faut-il une charte ?": {"not_useful": 1},
                      "réseaux": {"clarify": 1}}


def test_well_answered_and_help_questions_are_not_gaps() -> None:
    asked = {q for g in reports.find_gaps(SEEDED) for q, _ in g.examples}
    assert "Combien d'entreprises mesurent leur ROI ?" not in asked
    assert "aide" not in asked


def test_gaps_name_the_closest_entry_of_the_current_knowledge_base() -> None:
    assistant = Assistant.load()
    gaps = reports.find_gaps(
        [record("Est-ce que les entreprises mesurent le retour sur investissement de leurs réseaux sociaux ?",
                "answer", confidence=0.5, entry="roi-measurement", topic="roi")],
        assistant.state)
    assert gaps[0].closest == "roi-measurement"
    assert gaps[0].closest_confidence > 0
    assert gaps[0].closest_location == str(assistant.kb.entries["roi-measurement"].location)
    text = reports.format_gaps(gaps, "30d")
    assert "closest entry: roi-measurement" in text


def test_gap_paths_name_the_served_folder_whichever_process_compiled_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled cache is shared between processes; a gap read from it, in another
    working directory, still names the file in the served folder."""
    import shutil

    from smassist.settings import bundled_knowledge

    served = tmp_path / "site" / "kb"
    shutil.copytree(bundled_knowledge(), served)
    monkeypatch.setenv("SMASSIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path / "site")  # compiled here: "kb/entries/…" relative to this folder
    Assistant.load(served)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a later process, started somewhere else, reads the cache
    assistant = Assistant.load(served)
    gaps = reports.find_gaps(
        [record("Est-ce que les entreprises mesurent le retour sur investissement de leurs réseaux sociaux ?",
                "answer", confidence=0.5, entry="roi-measurement", topic="roi")],
        assistant.state)
    file, _, line = gaps[0].closest_location.rpartition(":")
    assert Path(file) == served / "entries" / "roi.yaml"
    assert int(line) > 0 and Path(file).is_file()


def test_gaps_yaml_blocks_paste_into_an_entry() -> None:
    tricky = record("Notre charte: faut-il dire \"non\" à l'usage perso ?")
    text = reports.gaps_yaml(reports.find_gaps([*SEEDED, tricky]))
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 7
    first = yaml.safe_load(blocks[0])
    assert first == {"questions": {"fr": ["Quelle est la météo à Paris demain ?",
                                          "Quel temps fera-t-il demain à Paris ?",
                                          "météo paris demain"]}}
    assert blocks[0].startswith("# group 1: asked 4×")
    parsed = [yaml.safe_load(b) for b in blocks]
    assert {"questions": {"fr": [tricky.question]}} in parsed
    # Groups declined every time are proposed once more for out_of_scope.yaml.
    declined = parsed[-1]["out_of_scope"]
    assert declined[0]["questions"] == first["questions"]
    assert declined[0]["about"].startswith("group 1 ")
    assert all(not b.get("out_of_scope") for b in parsed[:-1])
    from smassist.kb.models import OutOfScopeFile

    OutOfScopeFile.model_validate(parsed[-1])  # pastes into the file as it is


def test_summary_counts_days_channels_answers_and_feedback() -> None:
    summary = reports.summarize(SEEDED, since="30d")
    assert summary["questions"] == 11
    assert summary["per_day"] == [
        {"day": "2026-03-09", "total": 1, "channels": {"slack": 1}},
        {"day": "2026-03-10", "total": 10, "channels": {"slack": 9, "telegram": 1}},
    ]
    assert summary["answerable"] == 10 and summary["answered"] == 3
    assert summary["answered_rate"] == 0.3
    assert summary["top_topics"] == [["roi", 2], ["charter", 1]]
    assert summary["top_entries"][0] == ["roi-measurement", 2]
    assert summary["feedback"] == {"given": 2, "useful": 1, "not_useful": 1, "rate": 0.667,
                                   "useful_share": 0.5}
    assert summary["clicks"] == 1
    assert summary["unanswered"][0] == {"question": "Quelle est la météo à Paris demain ?", "count": 3}
    text = reports.format_summary(summary)
    assert "11 questions; 30 % of real questions answered" in text
    assert "2026-03-10" in text and "telegram" in text
    assert "Most asked without an answer" in text
    assert text.startswith("smassist report (last 30 days)")
    french = reports.format_summary(summary, "fr")
    assert french.startswith("Rapport smassist (30 derniers jours) : 11 questions ; 30 % des vraies questions ont reçu une réponse")
    assert "restées sans réponse" in french and "Quelle est la météo à Paris demain ?" in french
    assert "answered" not in french
    one = reports.summarize(SEEDED[:1], since="30d")
    assert reports.format_summary(one).startswith("smassist report (last 30 days): 1 question;")


@pytest.fixture
def seeded_log() -> Assistant:
    """A real log written by the assistant: three weather questions, one well answered, one old."""
    assistant = Assistant.load(recorder=open_default_store())
    for question in ("Quelle est la météo à Paris demain ?", "Quel temps fera-t-il demain à Paris ?",
                     "Quelle est la météo à Paris demain ?"):
        assistant.ask(question, channel="slack", user="U1")
    good = assistant.ask("Combien d'entreprises mesurent leur ROI ?", channel="telegram", user="7")
    assistant.record_feedback(good.id, True, channel="telegram", user="7")
    old = assistant.ask("Comment faire un gâteau au chocolat ?", channel="cli")
    assert assistant.recorder.flush()  # records are written by the log's writer thread
    with sqlite3.connect(assistant.recorder.path) as conn:
        conn.execute("UPDATE questions SET asked_at = '2020-01-01T00:00:00.000000Z' WHERE reply_id = ?",
                     (old.id,))
    return assistant


def test_kb_gaps_command(seeded_log: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "gaps"]) == 0
    out = capsys.readouterr().out
    assert "1 group of questions not answered well (3 asks, last 30d)" in out
    assert "“Quelle est la météo à Paris demain ?” ×2" in out
    assert "gâteau" not in out  # older than 30 days

    assert main(["kb", "gaps", "--since", "3000d", "--yaml"]) == 0
    out = capsys.readouterr().out
    assert "gâteau" in out
    assert yaml.safe_load(out.split("\n\n")[0])["questions"]["fr"][0] == "Quelle est la météo à Paris demain ?"

    assert main(["kb", "gaps", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["count"] == 3


def test_report_command(seeded_log: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["questions"] == 4
    assert summary["channels"] == {"slack": 3, "telegram": 1}
    assert summary["feedback"]["useful"] == 1
    assert main(["report"]) == 0
    assert "4 questions" in capsys.readouterr().out
    assert "4 questions" in admin.report_command(seeded_log)


def test_reports_on_an_empty_or_disabled_log(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 0
    assert "no questions logged" in capsys.readouterr().out
    assert main(["kb", "gaps"]) == 0
    assert "No knowledge gaps" in capsys.readouterr().out
    monkeypatch.setenv("SMASSIST_DB", "off")
    assert main(["report"]) == 2
    assert "question log is off" in capsys.readouterr().err
    assert "off" in admin.report_command(Assistant.load())
    assert main(["kb", "gaps", "--since", "yesterday"]) == 2
    assert "Traceback" not in capsys.readouterr().err

"""The brief: ten sourced figures on one screen, chosen by admins, with a sensible default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.answering.brief import brief_items, default_selection
from smassist.cli import main
from smassist.kb import loader
from tests.conftest import BUNDLED_KB
from tests.support.trend_kb import SERIES, write_kb


def test_default_brief_starts_with_the_latest_point_of_each_series(tmp_path: Path) -> None:
    kb = loader.load(write_kb(tmp_path / "kb"))
    chosen = default_selection(kb)
    assert chosen[:2] == ["selling-2018", "roi-2018"]
    # Older points of a series are superseded; figures of other topics fill the brief.
    assert "roi-2016" not in chosen and "selling-2016" not in chosen
    assert "teams-2018" in chosen


def test_admins_choice_comes_in_their_order_with_source_and_entry(tmp_path: Path) -> None:
    series = SERIES.replace("brief: []", "brief: [teams-2018, roi-2016]")
    assistant = Assistant(loader.load(write_kb(tmp_path / "kb", series=series)))
    reply = assistant.brief("fr")
    assert reply.kind == "brief"
    lines = reply.text.splitlines()
    assert lines[0] == "Les 2 chiffres à connaître"
    assert lines[1] == "1. 15\u202f% des équipes ont plus de 6 personnes (2018)"
    assert lines[2] == "2. 32\u202f% des répondants mesurent leur ROI (2016)"
    # Then one source line per study, as in every answer: who ran it, which, on whom, read where.
    assert lines[3] == "Sources :"
    assert lines[4] == ("- chiffre 1 — Someone : Baromètre 2018, 427 répondants en France"
                        " — article « An article », A publisher")
    assert lines[5] == "- chiffre 2 — Someone : Baromètre 2016, répondants en France — article « An article », A publisher"
    assert [s.id for s in reply.statistics] == ["teams-2018", "roi-2016"]
    assert reply.extra["brief"] == [("teams-2018", "team-size"), ("roi-2016", "roi-measurement")]
    assert [f.entry for f in reply.follow_ups] == ["team-size", "roi-measurement"]
    assert reply.statistics[0].source == "Baromètre 2018, 427 répondants en France"


def test_brief_in_english(tmp_path: Path) -> None:
    assistant = Assistant(loader.load(write_kb(tmp_path / "kb")))
    reply = assistant.brief("en")
    assert reply.text.startswith("The 3 figures to know\n1. 50% of respondents do social selling")
    assert reply.follow_ups[0].text == "Who does social selling?"


def test_bundled_brief_has_ten_sourced_figures_in_both_languages() -> None:
    kb = loader.load(BUNDLED_KB)
    for lang in ("fr", "en"):
        items = brief_items(kb, lang)
        assert len(items) == 10
        assert all(item.stat.source for item in items)
        if kb.brief:
            assert [i.stat.id for i in items] == list(kb.brief)


def test_cli_brief_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(write_kb(tmp_path / "kb"))
    assert main(["brief", "--kb", root, "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("The 3 figures to know")
    assert main(["brief", "--kb", root, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "brief" and data["lang"] == "fr"
    assert data["brief"][0] == {"statistic": "selling-2018", "entry": "social-selling-use"}

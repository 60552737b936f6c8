"""Trend answers: points in order, changes in points, and honesty about populations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.cli import main
from smassist.kb import loader
from smassist.kb.loader import KnowledgeBaseError
from smassist.trends.series import asks_for_trend, build_trend
from tests.conftest import BUNDLED_KB
from tests.support.trend_kb import SERIES, write_kb


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb")


@pytest.fixture
def assistant(kb_dir: Path) -> Assistant:
    return Assistant(loader.load(kb_dir))


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        loader.load(root)
    return [str(p) for p in caught.value.problems]


# --- validation --------------------------------------------------------------


def test_series_with_mixed_units_is_reported_with_line_number(tmp_path: Path) -> None:
    from tests.support.trend_kb import STATISTICS

    mixed = STATISTICS.replace("  - id: selling-2018\n    value: 50\n    unit: percent",
                               "  - id: selling-2018\n    value: 50\n    unit: count")
    problems = problems_of(write_kb(tmp_path / "kb", statistics=mixed))
    assert any("series.yaml:4: series 'social-selling' mixes units" in p for p in problems), problems


def test_points_out_of_chronological_order_are_reported_at_the_late_point(tmp_path: Path) -> None:
    series = SERIES.replace("points: [selling-2016, selling-2018]",
                            "points:\n      - selling-2018\n      - selling-2016")
    problems = problems_of(write_kb(tmp_path / "kb", series=series))
    assert any("series.yaml:6: series 'social-selling': 'selling-2016' (2016) comes after "
               "'selling-2018' (2018); list the points oldest first" in p for p in problems), problems


def test_series_spanning_countries_without_a_note_is_reported(tmp_path: Path) -> None:
    series = SERIES.replace(
        "    note: {fr: 2010 aux États-Unis ; ensuite en France., en: 2010 in the US; then France.}\n", "")
    problems = problems_of(write_kb(tmp_path / "kb", series=series))
    assert any("series.yaml:5: series 'roi-measured' mixes countries (france, usa): add a 'note'"
               in p for p in problems), problems


def test_two_points_with_the_same_year_and_country_are_reported(tmp_path: Path) -> None:
    series = SERIES.replace("points: [selling-2016, selling-2018]", "points: [selling-2016, roi-2016]")
    problems = problems_of(write_kb(tmp_path / "kb", series=series))
    assert any("series.yaml:4: series 'social-selling' has two points with the same year and scope"
               in p for p in problems), problems


def test_unknown_point_and_duplicate_brief_figure_are_reported(tmp_path: Path) -> None:
    series = SERIES.replace("points: [selling-2016, selling-2018]",
                            "points: [selling-2016, selling-2019]")
    series = series.replace("brief: []", "brief:\n  - roi-2018\n  - roi-2018")
    problems = problems_of(write_kb(tmp_path / "kb", series=series))
    assert any("series.yaml:4: unknown statistic 'selling-2019'" in p for p in problems), problems
    assert any("series.yaml:11: 'roi-2018' is already in the brief" in p for p in problems), problems


def test_kb_check_prints_series_problems_as_file_line_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    series = SERIES.replace("points: [selling-2016, selling-2018]",
                            "points: [selling-2018, selling-2016]")
    root = write_kb(tmp_path / "kb", series=series)
    monkeypatch.chdir(tmp_path)
    assert main(["kb", "check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "kb/series.yaml:4: series 'social-selling': 'selling-2016' (2016) comes after" in out


# --- the trend text ------------------------------------------------------------


def test_trend_lists_points_oldest_first_with_change_in_points_in_french(assistant: Assistant) -> None:
    reply = assistant.trend("social-selling", "fr")
    assert reply.kind == "trend" and reply.matched
    lines = reply.text.splitlines()
    assert lines[0] == "Part des répondants qui font du social selling"
    assert lines[1] == "En hausse : de 20\u202f% en 2016 à 50\u202f% en 2018 (+30 points)."
    assert lines[2] == "- 2016 : 20\u202f% — Baromètre 2016, répondants en France"
    assert lines[3] == "- 2018 : 50\u202f% (+30 points) — Baromètre 2018, 427 répondants en France"
    assert "2 enquêtes différentes" in reply.text  # two studies: not the same people
    assert [s.id for s in reply.statistics] == ["selling-2016", "selling-2018"]
    assert reply.extra["series"] == ["social-selling"]


def test_trend_in_english_has_the_same_points_and_change(assistant: Assistant) -> None:
    reply = assistant.trend("social selling", "en")
    lines = reply.text.splitlines()
    assert lines[1] == "Up: from 20% in 2016 to 50% in 2018 (+30 points)."
    assert lines[3] == "- 2018: 50% (+30 points) — 2018 barometer, 427 respondents in France"
    assert "different surveys" in reply.text


def test_trend_across_countries_warns_and_gives_no_change_between_countries(assistant: Assistant) -> None:
    text = assistant.trend("roi", "en").text
    assert "but between different populations" in text
    assert "not the same population" in text and "United States, France" in text
    # 2010 US -> 2016 France is not a change; 2016 -> 2018 in France is.
    assert "- 2016, France: 32% — 2016 barometer" in text
    assert "- 2018, France: 31% (−1 point)" in text
    assert "In France alone, roughly stable" in text  # a one-point gap is not called a fall
    assert "Note: 2010 in the US; then France." in text
    french = assistant.trend("roi", "fr").text
    assert "ce n'est pas la même population" in french and "États-Unis, France" in french


def test_same_year_points_read_as_a_comparison_not_a_movement(tmp_path: Path) -> None:
    from tests.support.trend_kb import SOURCES

    sources = SOURCES.replace("year: 2010\n    scope: usa", "year: 2018\n    scope: usa")
    series = SERIES.replace("points: [roi-us-2010, roi-2016, roi-2018]", "points: [roi-2018, roi-us-2010]")
    kb = loader.load(write_kb(tmp_path / "kb", sources=sources, series=series))
    trend = build_trend(kb, kb.series["roi-measured"], "en")
    assert trend.reading == "31% (2018, France) vs 43% (2018, United States): a gap of 12 points."
    assert all("(+" not in line and "(−" not in line for line in trend.render().splitlines()[2:4])


def test_questions_asking_for_an_evolution_get_a_trend_when_the_subject_has_a_series(
        assistant: Assistant) -> None:
    reply = assistant.ask("le social selling progresse-t-il ?")
    assert reply.kind == "trend" and reply.extra["series"] == ["social-selling"]
    reply = assistant.ask("evolution of ROI measurement")
    assert reply.kind == "trend" and reply.entry == "roi-measurement"
    assert reply.extra["series"] == ["roi-measured"] and reply.lang == "en"
    # The same subject without trend wording keeps its ordinary answer.
    assert assistant.ask("Combien d'entreprises mesurent leur ROI ?").kind == "answer"
    # Trend wording about a subject without a series is not turned into a trend.
    assert assistant.ask("is the social media team size growing?").kind != "trend"


def test_source_after_a_trend_gives_the_sources_of_the_entry_behind_it(assistant: Assistant) -> None:
    assistant.ask("evolution of ROI measurement", conversation="c")
    reply = assistant.ask("source ?", conversation="c")
    assert reply.kind == "sources" and reply.entry == "roi-measurement"


def test_unknown_trend_subject_lists_the_available_series(assistant: Assistant) -> None:
    reply = assistant.trend("zzz", "en")
    assert not reply.matched and reply.extra["series"] == []
    assert "social-selling (Share of respondents doing social selling)" in reply.text


def test_trend_wording_is_recognised_in_both_languages() -> None:
    for question in ("le social selling progresse-t-il ?", "Évolution du ROI", "ROI over time",
                     "is social selling growing?", "la charte depuis 2015", "trend roi"):
        assert asks_for_trend(question), question
    for question in ("Combien d'entreprises mesurent leur ROI ?", "Faut-il une charte ?",
                     "How do we measure ROI?"):
        assert not asks_for_trend(question), question


def test_cli_trend_prints_the_text_and_json(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trend", "--kb", str(kb_dir), "roi", "--lang", "en"]) == 0
    assert "Share of companies measuring ROI" in capsys.readouterr().out
    assert main(["trend", "--kb", str(kb_dir), "social", "selling", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[0])
    assert data["kind"] == "trend" and data["series"] == ["social-selling"]
    assert [s["year"] for s in data["statistics"]] == [2016, 2018]
    assert main(["trend", "--kb", str(kb_dir), "zzz"]) == 1


def test_every_bundled_series_gives_a_trend_in_both_languages() -> None:
    kb = loader.load(BUNDLED_KB)
    assert len(kb.series) >= 5
    for series in kb.series.values():
        for lang in ("fr", "en"):
            text = build_trend(kb, series, lang).render()
            assert series.label[lang] in text
            years = [kb.statistics[s].year for s in series.points]
            known = [y for y in years if y is not None]
            assert known == sorted(known)


def test_an_unchanged_figure_reads_as_stable_without_calling_it_a_change(tmp_path: Path) -> None:
    from tests.support.trend_kb import STATISTICS

    same = STATISTICS.replace("  - id: selling-2018\n    value: 50", "  - id: selling-2018\n    value: 20")
    kb = loader.load(write_kb(tmp_path / "kb", statistics=same))
    assert build_trend(kb, kb.series["social-selling"], "fr").reading == (
        "Stable : 20\u202f% en 2016 comme en 2018.")
    assert build_trend(kb, kb.series["social-selling"], "en").reading == "Stable: 20% in 2016, as in 2018."

"""The Assistant API: answers, follow-ups, conversation context and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.answering.texts import MAX_QUESTION_CHARS
from tests.kb.test_loader import write_kb


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return Assistant.load(write_kb(tmp_path / "kb"))


def test_an_example_question_gets_its_entry_with_sourced_figures(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises mesurent leur ROI ?")
    assert reply.kind == "answer" and reply.matched
    assert (reply.entry, reply.topic, reply.lang) == ("roi-measurement", "roi", "fr")
    assert 0.0 < reply.confidence <= 1.0
    [stat] = reply.statistics
    assert (stat.id, stat.value, stat.year, stat.study) == ("stat-one", 31, 2018, "study-one")
    assert stat.source == "Étude un, 2018, 427 répondants en France"
    assert reply.sources == [stat.source]
    assert [f.entry for f in reply.follow_ups] == ["charter-need"]


def test_the_answer_is_in_the_language_of_the_question(assistant: Assistant) -> None:
    reply = assistant.ask("How many companies measure their ROI?")
    assert reply.lang == "en"
    assert reply.text == "31% of companies measure their ROI."


def test_source_follow_up_is_about_the_last_answer_of_that_conversation(assistant: Assistant) -> None:
    assistant.ask("Combien d'entreprises mesurent leur ROI ?", conversation="c1")
    reply = assistant.ask("source ?", conversation="c1")
    assert reply.kind == "sources" and reply.entry == "roi-measurement"
    assert "Étude un, 2018, 427 répondants en France" in reply.text
    assert "An article" in reply.text  # the article the figure was read in
    other = assistant.ask("source ?", conversation="c2")  # nothing asked there: a question first
    assert other.kind == "invalid" and other.entry is None and not other.statistics


def test_details_follow_up_in_english(assistant: Assistant) -> None:
    assistant.ask("How many companies measure their ROI?", conversation="c1")
    reply = assistant.ask("tell me more", conversation="c1")
    assert reply.kind == "details" and reply.entry == "roi-measurement" and reply.lang == "en"


def test_template_syntax_in_a_question_is_never_evaluated(assistant: Assistant) -> None:
    reply = assistant.ask("{{ 7*7 }}")
    data = reply.to_dict()
    assert data["question"] == "{{ 7*7 }}"
    assert "49" not in str(data)
    assert reply.kind in ("unknown", "invalid", "clarify")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "?!...", None])
def test_empty_input_gets_a_prompt_not_an_error(assistant: Assistant, text) -> None:
    reply = assistant.ask(text)
    assert reply.kind in ("invalid", "help")
    assert reply.text and not reply.matched


def test_huge_input_is_refused_with_the_limit(assistant: Assistant) -> None:
    reply = assistant.ask("ROI " * MAX_QUESTION_CHARS, lang="en")
    assert reply.kind == "invalid"
    assert "2000" in reply.text.replace(",", "")


def test_binary_input_is_refused_clearly(assistant: Assistant) -> None:
    reply = assistant.ask("\x00\x01\x02\x03\x04\x05\x06ROI\x07\x08")
    assert reply.kind == "invalid" and "contr" in reply.text.lower()


def test_control_characters_are_dropped_from_a_readable_question(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises mesurent\x07 leur ROI ?")
    assert reply.entry == "roi-measurement"


def test_numbered_choice_picks_a_did_you_mean_suggestion(assistant: Assistant) -> None:
    assistant.conversations.remember("c1", lang="fr", choices=("charter-need", "roi-measurement"))
    reply = assistant.ask("2", conversation="c1")
    assert reply.entry == "roi-measurement"


def test_answer_entry_serves_a_button_press(assistant: Assistant) -> None:
    reply = assistant.answer_entry("charter-need", "en", conversation="c9")
    assert reply.text == "Yes, a simple policy is enough."
    assert assistant.ask("sources", conversation="c9").entry == "charter-need"


def test_help_lists_topics_with_entries(assistant: Assistant) -> None:
    reply = assistant.help("en")
    assert reply.kind == "help"
    assert {topic for topic, _ in reply.topics} == {"roi", "charter"}


def test_reload_swaps_to_a_valid_new_version_and_keeps_the_old_on_problems(tmp_path: Path) -> None:
    from smassist.kb.loader import KnowledgeBaseError

    root = write_kb(tmp_path / "kb")
    assistant = Assistant.load(root)
    old = assistant.kb.version
    entries = root / "entries" / "roi.yaml"
    entries.write_text(entries.read_text().replace("une charte simple suffit", "une charte courte suffit"))
    assistant.reload()
    assert assistant.kb.version != old
    assert assistant.answer_entry("charter-need", "fr").text == "Oui, une charte courte suffit."
    good = assistant.kb.version
    entries.write_text(entries.read_text().replace("topic: charter", "topic: nope"))
    with pytest.raises(KnowledgeBaseError):
        assistant.reload()
    assert assistant.kb.version == good


def test_bundled_knowledge_base_answers_the_readme_question() -> None:
    reply = Assistant.load().ask("Combien d'entreprises ont une charte des médias sociaux ?")
    assert reply.matched and reply.topic == "charter"
    assert reply.statistics and all(s.source and s.year for s in reply.statistics if s.year)


def test_sources_of_a_given_entry_do_not_need_it_to_be_the_last_answer(assistant: Assistant) -> None:
    assistant.ask("Combien d'entreprises mesurent leur ROI ?", conversation="c1")
    reply = assistant.sources("en", "c1", entry="charter-need")
    assert reply.kind == "sources" and reply.entry == "charter-need"
    assert assistant.sources("fr", "c1").entry == "charter-need"  # now the conversation's subject


def test_a_bare_number_without_pending_choices_is_not_matched_as_a_question(assistant: Assistant) -> None:
    reply = assistant.ask("1", lang="fr", conversation="fresh")
    assert reply.kind == "invalid" and not reply.matched
    assert "choix" in reply.text


def test_undecodable_bytes_become_valid_text_for_the_reply_and_the_log(assistant: Assistant) -> None:
    reply = assistant.ask("ROI \udcff\udcfe ?")
    assert "\udcff" not in reply.question and "\ufffd" in reply.question
    reply.question.encode("utf-8")  # what the log and JSON need


def test_sources_of_an_answer_without_figures_say_so(assistant: Assistant) -> None:
    reply = assistant.sources("en", "c1", entry="charter-need")
    assert reply.kind == "sources" and not reply.statistics
    assert "cites no figure" in reply.text and "—" not in reply.text

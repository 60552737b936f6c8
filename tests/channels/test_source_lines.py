"""Source lines a manager can repeat, the same on every channel: who ran the study, which
study, its year and sample, and the article it was read in; one line per study."""

from __future__ import annotations

import html

import pytest

from smassist import Assistant
from smassist.channels.slack import blocks as slack
from smassist.channels.telegram import render as telegram
from smassist.channels.terminal.render import render as terminal
from smassist.kb.figures import format_number


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


def _answers(assistant: Assistant):
    for entry in assistant.kb.entries.values():
        if entry.statistics:
            for lang in ("fr", "en"):
                yield assistant.answer_entry(entry.id, lang)


def test_every_study_line_names_who_which_when_whom_and_the_article(assistant: Assistant) -> None:
    kb = assistant.kb
    for reply in _answers(assistant):
        lang = reply.lang
        for stat in reply.statistics:
            study, article = kb.studies[stat.study], kb.articles[stat.article]
            line = stat.citation
            for name in study.by:
                assert name in line, (stat.id, line)
            if not study.by:
                assert ("Auteur non précisé" if lang == "fr" else "Author not given") in line
            assert study.name[lang] in line
            assert (str(stat.year) if stat.year else
                    "année non précisée" if lang == "fr" else "year not given") in line, line
            if study.sample_size:
                assert format_number(study.sample_size, lang) in line, line
            assert study.population[lang] in line and article.title in line, line
            assert article.publisher in line


def test_terminal_answers_give_one_source_line_per_study(assistant: Assistant) -> None:
    for reply in _answers(assistant):
        text = terminal(reply, width=100_000)
        groups = reply.source_groups()
        label = "Source :" if reply.lang == "fr" else "Source:"
        assert text.count(label) == len(groups), reply.entry
        for group in groups:
            assert text.count(group.citation) == 1, (reply.entry, group.citation)


def test_slack_answers_give_one_escaped_source_line_per_study(assistant: Assistant) -> None:
    for reply in _answers(assistant):
        message = slack.render(reply)
        contexts = [e["text"] for b in message.blocks if b["type"] == "context" for e in b["elements"]]
        shown = {s.citation for s in reply.statistics[: slack.MAX_FIGURES]}
        for citation in shown:
            assert sum(slack.escape(citation) in c for c in contexts) == 1, (reply.entry, citation)
            assert slack.escape(citation) in message.text  # the fallback says it too
        assert len(message.blocks) <= slack.MAX_BLOCKS


def test_telegram_answers_give_one_escaped_source_line_per_study(assistant: Assistant) -> None:
    for reply in _answers(assistant):
        text = "\n".join(m.text for m in telegram.render_reply(reply, assistant.kb))
        for group in reply.source_groups():
            assert text.count(html.escape(group.citation, quote=False)) == 1, (reply.entry, group.citation)


def test_an_ampersand_in_a_study_name_stays_escaped_on_slack_and_telegram(assistant: Assistant) -> None:
    entry = next(e.id for e in assistant.kb.entries.values()
                 if any("&" in assistant.kb.studies[assistant.kb.statistics[s].study].name["fr"]
                        for s in e.statistics))
    reply = assistant.answer_entry(entry, "fr")
    message = slack.render(reply)
    contexts = " ".join(e["text"] for b in message.blocks if b["type"] == "context" for e in b["elements"])
    assert "MS&amp;L" in contexts and "MS&L" not in contexts
    text = "\n".join(m.text for m in telegram.render_reply(reply, assistant.kb))
    assert "MS&amp;L" in text and "MS&L" not in text


@pytest.mark.parametrize(("question", "follow", "lang"), [
    ("Quelle part des entreprises mesure son ROI ?", "source ?", "fr"),
    ("What share of companies measure their ROI?", "sources?", "en"),
])
def test_the_sources_reply_gives_the_same_lines(assistant: Assistant, question: str, follow: str,
                                                lang: str) -> None:
    first = assistant.ask(question, lang=lang, conversation=f"s-{lang}")
    reply = assistant.ask(follow, lang=lang, conversation=f"s-{lang}")
    assert reply.kind == "sources" and reply.entry == first.entry
    for stat in reply.statistics:
        assert f"- {stat.citation}" in reply.text
    assert reply.text.count("\n- ") == len({s.citation for s in reply.statistics})
    telegram_text = "\n".join(m.text for m in telegram.render_reply(reply, assistant.kb))
    for stat in reply.statistics:
        assert html.escape(stat.citation, quote=False) in telegram_text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_brief_gives_the_same_lines_with_the_numbers_of_their_figures(assistant: Assistant,
                                                                           lang: str) -> None:
    reply = assistant.brief(lang)
    lines = reply.text.splitlines()
    for number, stat in enumerate(reply.statistics, 1):
        line = next(li for li in lines if li.endswith(f"— {stat.citation}"))
        refs = line.split(" — ", 1)[0]
        assert str(number) in refs.replace(",", " ").split(), (number, line)

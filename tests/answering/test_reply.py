"""A Reply is data a channel renders: its JSON shape and its sources grouped, never parsed from text."""

from __future__ import annotations

import pytest

from smassist import Assistant, Reply


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


def test_the_json_shape_of_ask_keeps_every_documented_key(assistant: Assistant) -> None:
    data = assistant.ask("Combien d'entreprises mesurent leur ROI ?").to_dict()
    assert {"question", "kind", "matched", "topic", "entry", "confidence", "lang", "answer",
            "statistics", "sources", "suggestions", "suggested_entries", "follow_ups"} <= set(data)
    stat = data["statistics"][0]
    assert {"id", "value", "unit", "label", "year", "study", "article", "formatted",
            "study_name", "sample", "scope", "source"} <= set(stat)
    assert "published" not in stat  # data for channels, not a new JSON key


def test_sources_are_grouped_from_the_figures_whatever_the_text_says(assistant: Assistant) -> None:
    reply = assistant.sources("fr", None, entry="roi-measurement")
    groups = reply.source_groups()
    assert [g.source for g in groups] == reply.sources
    assert sum(len(g.statistics) for g in groups) == len(reply.statistics)
    rewritten = Reply(reply.question, reply.kind, "anything at all", reply.lang,
                      statistics=reply.statistics)
    assert rewritten.source_groups() == groups


def test_a_reply_without_figures_has_no_source_group() -> None:
    assert Reply("q", "answer", "advice", "en").source_groups() == ()

"""Replies as Telegram messages: escaping, splitting under 4,096 characters, callback_data under 64 bytes."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil

import pytest
import yaml

from smassist.answering.assistant import Assistant
from smassist.channels.telegram import callbacks, render
from tests.channels.telegram.harness import (
    ALICE,
    KB_PATH,
    ROI_QUESTION,
    RecorderSpy,
    all_buttons,
    keyboard,
    running,
)
from tests.support.telegram_standin import visible_text

# python-telegram-bot's own rate limiter reads RetryAfter.retry_after, deprecated in 22.2.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")



# --- escaping, splitting, button sizes ---------------------------------------------------------------


async def test_html_in_a_question_is_shown_literally(standin, assistant):
    question = "<b>Quelle est la capitale</b> du Pérou <script>alert(1)</script> & pourquoi ?"
    async with running(standin, assistant):
        standin.message(ALICE, question)
        standin.message(ALICE, f"/ask {question}")
        messages = await standin.wait_for("sendMessage", 2)
    assert all(c.status == 200 for c in standin.calls)  # the stand-in refuses HTML Telegram refuses
    for message in messages:
        assert "<script>" not in message.params["text"]
        assert "<b>Quelle" not in message.params["text"]
        assert question in visible_text(message.params["text"])


async def test_a_long_answer_is_split_at_paragraph_boundaries_under_4096_characters(standin, tmp_path):
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(KB_PATH, kb_dir)
    roi_file = kb_dir / "entries" / "roi.yaml"
    data = yaml.safe_load(roi_file.read_text(encoding="utf-8"))
    paragraphs = [f"Paragraphe {n} : " + "la mesure du ROI & du bouche-à-oreille <compte>. " * 12
                  for n in range(40)]
    entry = next(e for e in data["entries"] if e["id"] == "roi-measurement")
    entry["answer"]["fr"] = "\n".join(paragraphs)
    roi_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    long_assistant = Assistant.load(kb_dir, use_cache=False)
    long_assistant.recorder = RecorderSpy()

    async with running(standin, long_assistant):
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage", 3)
        await asyncio.sleep(0.2)  # let any further part arrive
    parts = standin.sent_to(ALICE)
    assert len(parts) >= 3
    assert all(c.status == 200 for c in standin.calls_to("sendMessage", ok_only=False))
    shown = [visible_text(p.params["text"]) for p in parts]
    assert all(len(s) <= 4096 for s in shown)
    for paragraph in paragraphs:  # never cut inside a paragraph
        assert sum(paragraph.strip() in s for s in shown) == 1
    assert [bool(keyboard(p)) for p in parts] == [False] * (len(parts) - 1) + [True]


def test_split_keeps_entities_whole_and_cuts_long_lines_at_spaces():
    text = "&amp;" * 1000 + " " + "mot " * 1500
    parts = render.split_html(text, 4096)
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
    assert all(not p.endswith("&amp") for p in parts)
    glued = render.split_html("&amp;" * 2000, 4096)
    assert all(p.startswith("&amp;") for p in glued)


def test_every_button_of_every_entry_fits_in_64_bytes(assistant):
    kb = assistant.kb
    for lang in ("fr", "en"):
        messages = [*render.render_reply(assistant.help(lang), kb),
                    render.topics_message(kb, lang), render.topics_message(kb, lang, callbacks.STATS)]
        for entry_id in kb.entries:
            conversation = f"test:{entry_id}"
            messages += render.render_reply(assistant.answer_entry(entry_id, lang, conversation), kb)
            messages += render.render_reply(assistant.sources(lang, conversation), kb)
        for topic_id in kb.topics:
            messages.append(render.topic_questions_message(kb, topic_id, lang))
            messages += render.topic_figures_messages(kb, topic_id, lang)
        data = all_buttons(messages)
        assert data
        for item in data:
            assert 1 <= len(item.encode("utf-8")) <= 64, item
            assert callbacks.decode(item, kb) is not None, item


def test_long_entry_ids_get_short_codes_that_expire_with_the_knowledge_base_version(assistant):
    kb = assistant.kb
    long_id = "a-very-long-entry-identifier-" + "x" * 50
    original = next(iter(kb.entries.values()))
    long_kb = dataclasses.replace(kb, entries={**kb.entries, long_id: dataclasses.replace(original, id=long_id)})
    data = callbacks.entry_button(callbacks.ANSWER, long_kb, long_id, "0123456789abcdef")
    assert len(data.encode()) <= 64
    assert callbacks.decode(data, long_kb).target == long_id
    newer = dataclasses.replace(long_kb, version="f" * 64)
    assert callbacks.decode(data, newer) is None


def test_a_sources_reply_is_drawn_from_its_figures_not_from_its_text(assistant):
    from smassist.answering.reply import Reply

    reply = assistant.sources("fr", None, entry="roi-measurement")
    rewritten = Reply(reply.question, "sources", "- not a source\n  · not a figure", "fr",
                      title=reply.title, statistics=reply.statistics)
    [message] = render.render_reply(rewritten, assistant.kb)
    assert "not a source" not in message.text
    for group in reply.source_groups():
        assert render.escape(group.source) in message.text
    assert message.text.count("◦") == len(reply.statistics)

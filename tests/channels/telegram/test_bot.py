"""The Telegram bot end to end: the real python-telegram-bot Application polling a stand-in Bot API (access, commands, buttons, resilience, admin hooks)."""

from __future__ import annotations

import logging

import pytest

from smassist.answering.reply import Reply, Suggestion
from smassist.channels.telegram import callbacks, render
from smassist.channels.telegram.bot import (
    Command,
    conversation_key,
    notify_admins,
)
from smassist.channels.telegram.texts import text as telegram_text
from tests.channels.telegram.harness import (
    ALICE,
    MALLORY,
    ROI_QUESTION,
    all_buttons,
    button_data,
    keyboard,
    running,
)
from tests.support.telegram_standin import visible_text

# python-telegram-bot's own rate limiter reads RetryAfter.retry_after, deprecated in 22.2.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")



# --- start-up and access --------------------------------------------------------------------


async def test_commands_are_registered_in_french_and_english_at_startup(standin, assistant):
    async with running(standin, assistant):
        calls = await standin.wait_for("setMyCommands", 3)
    by_lang = {c.params.get("language_code"): {x["command"] for x in c.params["commands"]} for c in calls}
    assert {"fr", "en"} <= set(by_lang)
    for names in by_lang.values():
        assert {"start", "help", "topics", "ask", "stats", "source"} <= names
    french = next(c for c in calls if c.params.get("language_code") == "fr")
    english = next(c for c in calls if c.params.get("language_code") == "en")
    assert french.params["commands"] != english.params["commands"]  # translated descriptions


async def test_allowed_user_gets_an_html_answer_with_figures_first_and_a_sources_button(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        [answer] = await standin.wait_for("sendMessage", chat_id=ALICE)
    typing = standin.calls_to("sendChatAction")
    assert typing and typing[0].params["action"] == "typing" and int(typing[0].params["chat_id"]) == ALICE
    assert answer.params["parse_mode"] == "HTML"
    reply = assistant.recorder.questions[-1][0]
    assert reply.kind == "answer" and reply.statistics
    text = answer.params["text"]
    first_figure = render.escape(reply.statistics[0].formatted)
    assert first_figure in text
    assert text.index(first_figure) < text.index(render.escape(reply.text.split("\n")[0])[:40])
    data = button_data(answer)
    assert any(d.startswith("o:") for d in data), "a Sources button"
    assert f"f:{reply.id}:1" in data and f"f:{reply.id}:0" in data
    assert assistant.recorder.questions[-1][1:] == ("telegram", str(ALICE))


async def test_refused_user_gets_their_id_once_and_no_answer(standin, assistant):
    async with running(standin, assistant, allowed=f"{ALICE}, 2002"):
        standin.message(MALLORY, ROI_QUESTION)
        [refusal] = await standin.wait_for("sendMessage", chat_id=MALLORY)
        standin.press(MALLORY, "s:")
        [alert] = await standin.wait_for("answerCallbackQuery")
    assert str(MALLORY) in refusal.params["text"]
    assert len(standin.sent_to(MALLORY)) == 1
    assert not standin.calls_to("sendChatAction")
    assert alert.params.get("show_alert") in (True, "true", "True")
    assert str(MALLORY) in alert.params["text"]
    assert assistant.recorder.questions == []
    assert assistant.conversations.get(conversation_key(MALLORY)).entry is None


async def test_unset_allow_list_means_nobody_yet_said_at_startup_and_to_the_user(standin, assistant, caplog):
    caplog.set_level(logging.INFO)
    async with running(standin, assistant, allowed=None):
        standin.message(ALICE, ROI_QUESTION)
        [refusal] = await standin.wait_for("sendMessage", chat_id=ALICE)
    assert any("SMASSIST_TELEGRAM_ALLOWED_USERS" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    assert str(ALICE) in refusal.params["text"]
    assert refusal.params["text"] != telegram_text("fr", "not_allowed", user_id=ALICE)
    assert assistant.recorder.questions == []


async def test_star_allows_everyone(standin, assistant):
    async with running(standin, assistant, allowed="*"):
        standin.message(MALLORY, ROI_QUESTION)
        await standin.wait_for("sendMessage", chat_id=MALLORY)
    assert assistant.recorder.questions

# --- commands ---------------------------------------------------------------------------


async def test_start_gives_example_questions_and_a_way_to_the_figures(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/start", language_code="en")
        [intro] = await standin.wait_for("sendMessage")
    data = button_data(intro)
    assert intro.params["parse_mode"] == "HTML"
    assert any(d.startswith("e:") for d in data), "example questions as buttons"
    assert "s:" in data, "the figures, by topic"
    labels = [b["text"] for b in keyboard(intro)]
    assert telegram_text("en", "figures_button") in labels  # the user's language


async def test_manager_reaches_a_sourced_figure_in_one_tap_from_start(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/start")
        [intro] = await standin.wait_for("sendMessage")
        example = next(d for d in button_data(intro) if d.startswith("e:"))
        standin.press(ALICE, example)
        answers = await standin.wait_for("sendMessage", 2)
    reply = assistant.recorder.questions[-1][0] if assistant.recorder.questions else None
    entry = callbacks.decode(example, assistant.kb).target
    answered = assistant.answer_entry(entry, "fr")
    assert reply is None or reply.entry == entry
    assert answered.statistics, "the example leads to figures"
    text = visible_text(answers[-1].params["text"])
    stat = answered.statistics[0]
    assert stat.formatted in text and stat.study_name in text  # the figure and where it comes from


async def test_manager_reaches_a_topics_figures_with_full_sources_in_two_taps(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/start")
        await standin.wait_for("sendMessage")
        standin.press(ALICE, "s:")
        [_, topics] = await standin.wait_for("sendMessage", 2)
        roi = callbacks.topic_button(callbacks.STATS, assistant.kb, "roi")
        assert roi in button_data(topics)
        standin.press(ALICE, roi)
        sent = await standin.wait_for("sendMessage", 3)
        assert len(await standin.wait_for("answerCallbackQuery", 2)) == 2
    figures = visible_text(sent[-1].params["text"])
    from smassist.answering.reply import StatisticView

    first = StatisticView.of(assistant.kb.statistics_by_topic("roi")[0], assistant.kb, "fr")
    assert first.formatted in figures and first.source in figures


async def test_help_lists_the_commands_and_the_topics(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/help")
        messages = await standin.wait_for("sendMessage", 2)
    text = "\n".join(m.params["text"] for m in messages)
    for command in ("/start", "/topics", "/ask", "/stats", "/source"):
        assert command in text
    data = [d for m in messages for d in button_data(m)]
    assert any(d.startswith("t:") for d in data)


async def test_topics_keyboard_and_a_tap_lists_that_topics_questions(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/topics")
        [menu] = await standin.wait_for("sendMessage")
        topic_data = [d for d in button_data(menu) if d.startswith("t:")]
        assert len(topic_data) == len([t for t in assistant.kb.topics if assistant.kb.entries_by_topic(t)])
        standin.press(ALICE, callbacks.topic_button(callbacks.TOPIC, assistant.kb, "roi"))
        [_, questions] = await standin.wait_for("sendMessage", 2)
        [answered] = await standin.wait_for("answerCallbackQuery")
    assert answered.params["callback_query_id"].startswith("cbq")
    entries = {callbacks.decode(d, assistant.kb).target for d in button_data(questions) if d.startswith("e:")}
    assert entries == {e.id for e in assistant.kb.entries_by_topic("roi")}


async def test_ask_command_answers_and_without_a_question_explains_usage(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, f"/ask {ROI_QUESTION}")
        await standin.wait_for("sendMessage")
        standin.message(ALICE, "/ask")
        [_, usage] = await standin.wait_for("sendMessage", 2)
    assert assistant.recorder.questions[0][0].entry == "roi-measurement"
    assert "/ask" in usage.params["text"]
    assert len(assistant.recorder.questions) == 1


async def test_stats_command_gives_a_topics_figures_with_sources(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/stats roi")
        [figures] = await standin.wait_for("sendMessage")
        standin.message(ALICE, "/stats")
        [_, menu] = await standin.wait_for("sendMessage", 2)
    text = visible_text(figures.params["text"])
    from smassist.answering.reply import StatisticView

    for stat in assistant.kb.statistics_by_topic("roi")[:3]:
        view = StatisticView.of(stat, assistant.kb, "fr")
        assert view.formatted in text and view.source in text
    assert all(d.startswith("s:") for d in button_data(menu)) and button_data(menu)


async def test_stats_accepts_a_topic_title_and_escapes_an_unknown_one(standin, assistant):
    title = assistant.kb.topics["roi"].title["en"].upper()
    async with running(standin, assistant):
        standin.message(ALICE, f"/stats {title}")
        await standin.wait_for("sendMessage")
        standin.message(ALICE, "/stats <b>R&D</b>")
        [found, unknown] = await standin.wait_for("sendMessage", 2)
    assert visible_text(found.params["text"]).count("\n") > 2
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in unknown.params["text"]
    assert "<b>R&D</b>" in visible_text(unknown.params["text"])
    assert all(d.startswith("s:") for d in button_data(unknown))


async def test_source_after_an_answer_by_command_by_text_and_by_button(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        [answer] = await standin.wait_for("sendMessage")
        standin.message(ALICE, "/source")
        await standin.wait_for("sendMessage", 2)
        standin.message(ALICE, "source ?")
        await standin.wait_for("sendMessage", 3)
        standin.message(ALICE, "Quels réseaux sociaux les entreprises utilisent-elles ?")
        await standin.wait_for("sendMessage", 4)
        # The Sources button of the first answer still gives *its* sources.
        standin.press(ALICE, next(d for d in button_data(answer) if d.startswith("o:")))
        sent = await standin.wait_for("sendMessage", 5)
    roi = assistant.answer_entry("roi-measurement", "fr")
    for message in (sent[1], sent[2], sent[4]):
        text = visible_text(message.params["text"])
        assert roi.statistics[0].source in text
    assert sent[1].params["text"] == sent[2].params["text"]


async def test_no_source_before_any_answer_is_a_clear_message(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/source")
        [message] = await standin.wait_for("sendMessage")
    assert message.params["text"].strip()


async def test_a_sticker_gets_a_request_for_a_typed_question(standin, assistant):
    async with running(standin, assistant):
        update = standin.message(ALICE, "x")
        del update["message"]["text"]
        update["message"]["sticker"] = {"file_id": "s1", "file_unique_id": "u1", "type": "regular",
                                        "width": 512, "height": 512, "is_animated": False,
                                        "is_video": False}
        [message] = await standin.wait_for("sendMessage")
    assert message.params["text"].strip()
    assert assistant.recorder.questions == []


async def test_unknown_command_lists_the_known_ones(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "/frobnicate")
        [message] = await standin.wait_for("sendMessage")
    assert "/stats" in message.params["text"]
    assert assistant.recorder.questions == []

# --- buttons ------------------------------------------------------------------------------


async def test_follow_up_button_is_answered_sends_the_answer_and_records_the_click(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        [answer] = await standin.wait_for("sendMessage")
        follow_up = next(d for d in button_data(answer) if d.startswith("e:"))
        press = standin.press(ALICE, follow_up)
        [_, followed] = await standin.wait_for("sendMessage", 2)
        [answered] = await standin.wait_for("answerCallbackQuery")
    assert answered.params["callback_query_id"] == press["callback_query"]["id"]
    target = callbacks.decode(follow_up, assistant.kb).target
    assert render.escape(assistant.kb.entries[target].title["fr"]) in followed.params["text"]
    first_reply = assistant.recorder.questions[0][0]
    assert assistant.recorder.clicks == [(first_reply.id, target, "telegram", str(ALICE))]


async def test_did_you_mean_choices_are_buttons(assistant):
    kb = assistant.kb
    entries = list(kb.entries)[:3]
    reply = Reply("x", "clarify", "?", "fr",
                  suggestions=tuple(Suggestion(e, kb.entries[e].title["fr"]) for e in entries))
    data = all_buttons(render.render_reply(reply, kb))
    assert [callbacks.decode(d, kb).target for d in data] == entries


async def test_feedback_buttons_record_feedback_and_are_answered(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage")
        reply_id = assistant.recorder.questions[0][0].id
        standin.press(ALICE, f"f:{reply_id}:0")
        [thanks] = await standin.wait_for("answerCallbackQuery")
    assert thanks.params.get("text")
    assert assistant.recorder.feedback == [(reply_id, False, "telegram", str(ALICE))]


async def test_outdated_or_forged_button_is_answered_with_an_alert(standin, assistant):
    async with running(standin, assistant):
        standin.press(ALICE, "e:abc:~zzzzzz0")
        standin.press(ALICE, "nonsense")
        alerts = await standin.wait_for("answerCallbackQuery", 2)
    assert all(a.params.get("show_alert") in (True, "true", "True") for a in alerts)
    assert not standin.calls_to("sendMessage")

# --- resilience ----------------------------------------------------------------------------------


async def test_rate_limit_is_waited_out_then_the_message_is_delivered(standin, assistant):
    standin.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage", chat_id=ALICE, timeout=6)
    statuses = [c.status for c in standin.calls_to("sendMessage", ok_only=False)]
    assert statuses == [429, 200]


async def test_a_network_error_is_retried(standin, assistant):
    standin.fail_next("sendMessage", 502, "Bad Gateway")
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage", chat_id=ALICE)
    assert [c.status for c in standin.calls_to("sendMessage", ok_only=False)] == [502, 200]


async def test_an_error_in_one_update_is_logged_and_the_bot_keeps_answering(standin, assistant, caplog):
    standin.fail_next("sendMessage", 400, "Bad Request: chat not found")
    async with running(standin, assistant):
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage")  # the apology
        standin.message(ALICE, ROI_QUESTION)
        sent = await standin.wait_for("sendMessage", 2)
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    assert any(d.startswith("o:") for d in button_data(sent[-1]))


async def test_short_text_is_answered_in_the_users_telegram_language(standin, assistant):
    async with running(standin, assistant):
        standin.message(ALICE, "ROI", language_code="en")
        await standin.wait_for("sendMessage")
    assert assistant.recorder.questions[0][0].lang == "en"

# --- hooks for admin commands -----------------------------------------------------------------------------


async def test_notify_admins_messages_each_telegram_admin_escaped(standin, assistant):
    async with running(standin, assistant, admins=frozenset({77, 78})) as app:
        delivered = await notify_admins(app, "Knowledge base broken: entries/roi.yaml:3 <bad> & co")
    assert delivered == 2
    texts = {int(c.params["chat_id"]): c.params["text"] for c in standin.calls_to("sendMessage")}
    assert set(texts) == {77, 78}
    assert "&lt;bad&gt; &amp; co" in texts[77]


async def test_an_admin_command_is_one_handler_and_refused_to_others(standin, assistant):
    async def reload(update, context) -> None:
        """Pretend to reload."""
        await context.bot.send_message(update.effective_chat.id, "reloaded")

    command = Command("reload", reload, {"fr": "Recharger", "en": "Reload"}, admin=True)
    async with running(standin, assistant, admins=frozenset({77}), commands=(command,)):
        standin.message(77, "/reload")
        standin.message(ALICE, "/reload")
        await standin.wait_for("sendMessage", 2)
        menus = await standin.wait_for("setMyCommands", 4)
    assert [c.params["text"] for c in standin.sent_to(77)] == ["reloaded"]
    assert standin.sent_to(ALICE)[0].params["text"] != "reloaded"
    public = [c for c in menus if c.params["scope"]["type"] == "default"]
    admin = [c for c in menus if c.params["scope"]["type"] == "chat"]
    assert all("reload" not in {x["command"] for x in c.params["commands"]} for c in public)
    assert admin and "reload" in {x["command"] for x in admin[0].params["commands"]}

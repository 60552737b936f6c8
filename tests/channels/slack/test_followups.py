"""Follow-ups with nothing to follow, through the real Slack app (bolt against the stand-in)."""

from __future__ import annotations

from smassist.channels.slack import blocks
from smassist.texts import text as text_of
from tests.channels.slack.harness import (
    Running,
    buttons,
    click,
    direct_message,
    mention,
    next_ts,
    post_event,
)


def test_a_follow_up_sent_first_asks_for_a_question_and_lists_the_topics(running: Running) -> None:
    thread = next_ts()
    post_event(running, mention("tell me more", ts=thread))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == thread
    shown = posted.all_text()
    then = text_of("en", "reply.then_details")
    assert text_of("en", "reply.no_context", then=then) in shown
    assert text_of("en", "reply.no_context", then=then) in posted.args["text"]  # the fallback too
    for _, title in running.assistant.help("en").topics:
        assert title in posted.args["text"]
    assert not buttons(posted, "smassist_feedback")  # nothing was answered, nothing to rate
    [(reply, _, _)] = running.log.questions
    assert reply.kind == "invalid"  # left out of answered rates and knowledge gaps


def test_tell_me_more_after_a_did_you_mean_offers_its_choices_again_as_buttons(running: Running) -> None:
    post_event(running, direct_message("les chiffres"))  # vague: a "did you mean"
    [offered] = running.slack.wait_for("chat.postMessage")
    choices = buttons(offered, blocks.ACTION_SUGGESTION)
    assert choices
    post_event(running, direct_message("plus de détails"))
    again = running.slack.wait_for("chat.postMessage", 2)[1]
    assert text_of("fr", "reply.pick_first", then=text_of("fr", "reply.then_details")) in again.all_text()
    repeated = buttons(again, blocks.ACTION_SUGGESTION)
    assert [b["text"]["text"] for b in repeated] == [b["text"]["text"] for b in choices]
    # Pressing one answers that entry.
    picked = blocks.ButtonValue.decode(repeated[0]["value"])
    assert picked is not None
    click(running, repeated[0], channel="D0ALICE", message_ts=next_ts())
    answer = running.slack.wait_for("chat.postMessage", 3)[2]
    assert running.log.clicks[-1][1] == picked.entry
    assert buttons(answer, blocks.ACTION_USEFUL)  # an answer, to rate

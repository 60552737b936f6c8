"""A Reply as Block Kit: escaping (nothing typed ever pings), limits, buttons."""

from __future__ import annotations

import subprocess
import sys

from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.channels.slack import blocks
from tests.channels.slack.harness import (
    Running,
    mention,
    post_command,
    post_event,
)

# --- escaping ----------------------------------------------------------------------------------


def test_channel_here_and_user_mentions_in_a_question_never_ping_when_quoted(running: Running) -> None:
    question = "<!channel> <!here> <@U0CAROL> & Faut-il une charte ?"
    post_command(running, question, response="escaped")
    [answer] = running.slack.wait_for("response_url:escaped")
    sent = answer.all_text()
    for markup in ("<!channel>", "<!here>", "<@U0CAROL>"):
        assert markup not in sent
    assert "&lt;!channel&gt;" in sent and "&lt;@U0CAROL&gt;" in sent
    assert "<@U0ALICE>" in sent  # who asked is a real mention

    post_event(running, mention(question))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert not any(m in posted.all_text() for m in ("<!channel>", "<!here>", "<@U0CAROL>"))


def test_importing_the_cli_does_not_import_slack() -> None:
    code = "import sys, smassist.cli; sys.exit('slack_bolt' in sys.modules or 'slack_sdk' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_escape_turns_slack_markup_into_text() -> None:
    assert blocks.escape("<!channel> R&D <@U1>") == "&lt;!channel&gt; R&amp;D &lt;@U1&gt;"

# --- Block Kit limits ------------------------------------------------------------------------------------


def _long_reply() -> Reply:
    stat = StatisticView(id="s", value=31, unit="percent", label="l", formatted="31 %",
                         text="31 % des entreprises <b>", year=2018, study="st", study_name="Baromètre",
                         sample="160 entreprises", scope="France", article="a", article_title="Titre",
                         publisher="Éditeur", source="Baromètre, 2018")
    return Reply("q", "answer", ("Un paragraphe assez long & précis. " * 60 + "\n") * 8, "fr",
                 matched=True, entry="e", statistics=(stat,) * 40,
                 follow_ups=tuple(Suggestion(f"e{i}", "Une question de suivi très longue " * 5)
                                  for i in range(5)))


def test_long_answers_stay_within_block_kit_limits() -> None:
    message = blocks.render(_long_reply(), shareable=True)
    assert len(message.blocks) <= blocks.MAX_BLOCKS
    assert message.text and len(message.text) <= blocks.MAX_FALLBACK_CHARS
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    assert sum(len(s) for s in sections) > 3000  # split, not dropped
    all_buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert all(len(e["text"]["text"]) <= 75 for e in all_buttons)
    assert all(len(e["action_id"]) <= 255 and len(e["value"]) <= 2000 for e in all_buttons)
    assert len([e for e in all_buttons if e["action_id"].startswith(blocks.ACTION_FOLLOW_UP)]) == 3
    action_ids = [e["action_id"] for e in all_buttons]
    assert len(action_ids) == len(set(action_ids))
    assert message.blocks[-1]["block_id"] == "smassist_controls"  # feedback survives the cut


def test_split_text_never_cuts_an_escaped_character() -> None:
    pieces = blocks.split_text(blocks.escape("&" * 5000), 3000)
    assert all(len(p) <= 3000 and p.count("&") == p.count("&amp;") for p in pieces)
    assert "".join(pieces) == "&amp;" * 5000


def test_clarify_reply_offers_did_you_mean_buttons() -> None:
    reply = Reply("charte roi", "clarify", "Vouliez-vous dire :", "fr",
                  suggestions=(Suggestion("a", "Choix A"), Suggestion("b", "Choix B")))
    message = blocks.render(reply)
    choices = next(b for b in message.blocks if b.get("block_id") == blocks.ACTION_SUGGESTION)["elements"]
    assert [blocks.ButtonValue.decode(c["value"]).entry for c in choices] == ["a", "b"]  # type: ignore[union-attr]
    assert "Choix A" in message.text

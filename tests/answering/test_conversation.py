"""What a conversation remembers, and the short messages that refer to it."""

from __future__ import annotations

import pytest

from smassist.answering.conversation import ConversationStore, choice_number, follow_up_kind


@pytest.mark.parametrize(("text", "kind"), [
    ("source ?", "sources"), ("Quelles sources ?", "sources"), ("where do these figures come from", "sources"),
    ("plus de détails", "details"), ("tell me more", "details"), ("aide", "help"), ("?", "help"),
    ("Combien d'entreprises ont une charte ?", None), ("les sources du ROI en 2018", None),
])
def test_only_a_whole_message_is_a_follow_up(text: str, kind: str | None) -> None:
    assert follow_up_kind(text) == kind


@pytest.mark.parametrize(("text", "number"), [("2", 2), (" #3 ", 3), ("1.", 1), ("12", None), ("2 ans", None)])
def test_a_bare_digit_picks_a_choice(text: str, number: int | None) -> None:
    assert choice_number(text) == number


def test_the_last_entry_is_kept_when_a_later_turn_names_none() -> None:
    store = ConversationStore()
    store.remember("c", entry="roi-measurement", lang="fr")
    store.remember("c", lang="en", choices=("a", "b"))
    context = store.get("c")
    assert (context.entry, context.lang, context.choices) == ("roi-measurement", "en", ("a", "b"))
    assert store.get("other").entry is None and store.get(None).entry is None


def test_the_oldest_conversation_is_forgotten_beyond_capacity_and_after_its_ttl() -> None:
    store = ConversationStore(capacity=2)
    for key in ("a", "b", "c"):
        store.remember(key, entry=key)
    assert [store.get(k).entry for k in ("a", "b", "c")] == [None, "b", "c"]
    expired = ConversationStore(ttl_seconds=-1)
    expired.remember("a", entry="x")
    assert expired.get("a").entry is None

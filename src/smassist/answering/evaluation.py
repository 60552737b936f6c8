"""How often a figure question's reply opens with a figure (``smassist eval``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from smassist.answering.clean import clean_question
from smassist.answering.kinds import first_sentence, holds_figure, question_kind


class _Labelled(Protocol):
    text: str
    lang: str
    topic: str | None
    kind: str | None


@dataclass(frozen=True, slots=True)
class FigureOpenings:
    questions: int  # in-scope figure questions
    labelled: bool  # kinds come from the file (else from knowledge/vocabulary.yaml)
    answered: int
    opened_with_figure: int
    misses: tuple[tuple[str, str], ...]  # (question, first sentence) of answers that did not

    @property
    def share(self) -> float | None:
        """Of all figure questions (a decline or a 'did you mean' opens with no figure)."""
        return round(self.opened_with_figure / self.questions, 4) if self.questions else None

    @property
    def share_of_answered(self) -> float | None:
        return round(self.opened_with_figure / self.answered, 4) if self.answered else None

    def to_dict(self) -> dict[str, Any]:
        return {"questions": self.questions, "kinds_from_file": self.labelled,
                "answered": self.answered, "opened_with_figure": self.opened_with_figure,
                "share": self.share, "share_of_answered": self.share_of_answered}

    def render(self) -> str:
        if not self.questions:
            return "figure questions: none in this file"
        source = "labelled in the file" if self.labelled else "recognised by knowledge/vocabulary.yaml"
        return (f"figure questions ({source}): {self.questions}; first sentence holds a figure: "
                f"{self.opened_with_figure} ({100 * (self.share or 0):.1f}% of figure questions, "
                f"{100 * (self.share_of_answered or 0):.1f}% of the {self.answered} answered)")


def figure_openings(assistant: Any, questions: list[_Labelled]) -> FigureOpenings:
    """Ask every in-scope figure question and check the first sentence of each answer."""
    labelled = any(getattr(q, "kind", None) for q in questions)
    kb = assistant.kb
    chosen = []
    for q in questions:
        if q.topic is None:
            continue
        kind = q.kind if labelled else question_kind(kb.vocabulary, clean_question(q.text), q.lang)
        if kind == "figure":
            chosen.append(q)
    answered = hits = 0
    misses = []
    for q in chosen:
        reply = assistant.ask(q.text, lang=q.lang)
        if reply.kind != "answer":
            continue
        answered += 1
        lead = first_sentence(reply.text)
        if holds_figure(lead):
            hits += 1
        else:
            misses.append((q.text, lead))
    return FigureOpenings(len(chosen), labelled, answered, hits, tuple(misses))

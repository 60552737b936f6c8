"""The choices a decline offers: a threshold each version derives from its own held-out questions."""

from __future__ import annotations

import math

import pytest

from smassist.language import training
from smassist.language.model import Calibration
from smassist.language.training import HeldOut

# confidence(score, ...) = 1 / (1 + exp(-score)): a reading's first value is its logit.
CALIBRATION = Calibration((1.0, 0.0, 0.0, 0.0), 0.0, 1.0, answer=0.8, clarify=0.5, figures={})


def _reading(confidence: float) -> tuple[float, ...]:
    return (math.log(confidence / (1 - confidence)), 0.0, 0.0, 0.0)


def _held(gold: str | None, kind: str, first: str, confidence: float,
          others: tuple[tuple[str, float], ...] = ()) -> HeldOut:
    return HeldOut(gold, kind, first, _reading(confidence),
                   tuple((entry, _reading(c)) for entry, c in others))


def test_choices_stop_where_they_would_hold_the_right_entry_less_than_half_the_time() -> None:
    held = (
        # Unsure in-domain questions, just under "did you mean": the right entry is among
        # the candidates, first or second.
        [_held("a", "example", "a", 0.45, (("b", 0.42),)) for _ in range(6)]
        + [_held("b", "example", "a", 0.44, (("b", 0.43),)) for _ in range(4)]
        # Out-of-scope questions lower down: offering them choices would sink the precision.
        + [_held(None, "out of scope", "c", 0.30, (("d", 0.2),)) for _ in range(12)]
        # Above the clarify threshold: not a decline, not counted.
        + [_held("a", "example", "a", 0.9) for _ in range(50)]
    )
    threshold, figures = training.choice_threshold(held, CALIBRATION)
    assert threshold == pytest.approx(0.42, abs=1e-6)
    assert figures["choices_offered"] == 10 and figures["choices_right"] == 1.0
    assert figures["out_of_scope_offered_choices"] == 0.0
    assert figures["declined_held_out"] == 22 and figures["declined_out_of_scope"] == 12


def test_declines_offer_nothing_when_even_the_best_offers_are_mostly_wrong() -> None:
    held = ([_held(None, "out of scope", "c", 0.45) for _ in range(6)]
            + [_held("a", "example", "a", 0.40) for _ in range(3)])
    threshold, figures = training.choice_threshold(held, CALIBRATION)
    assert threshold == CALIBRATION.clarify
    assert figures["choices_offered"] == 0 and figures["choices_right"] == -1.0


def test_a_few_lucky_offers_are_not_enough_to_open_the_band() -> None:
    # Two right offers at the top, then only wrong ones: five offers are needed to tell.
    held = ([_held("a", "example", "a", 0.48) for _ in range(2)]
            + [_held(None, "unseen entry", "b", 0.47) for _ in range(8)])
    threshold, _ = training.choice_threshold(held, CALIBRATION)
    assert threshold == CALIBRATION.clarify


def test_training_stores_the_threshold_with_the_calibration() -> None:
    held = [_held("a", "example", "a", 0.45) for _ in range(6)]
    calibration = training.with_choices(CALIBRATION, held)
    assert calibration.figures["choice_threshold"] == pytest.approx(0.45, abs=1e-4)
    assert (calibration.answer, calibration.clarify) == (CALIBRATION.answer, CALIBRATION.clarify)

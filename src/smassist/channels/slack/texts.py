"""What the Slack app says about itself: the ``slack.*`` entries of :mod:`smassist.texts`."""

from __future__ import annotations

from smassist.texts import scoped

#: ``text(lang, "useful")`` is ``smassist.texts.text(lang, "slack.useful")``.
text = scoped("slack")

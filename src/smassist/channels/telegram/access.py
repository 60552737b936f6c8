"""Who may use the Telegram bot: the allow-list and the admins, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from smassist.admin import commands as admin

ALLOWED_VARIABLE = "SMASSIST_TELEGRAM_ALLOWED_USERS"
ADMINS_VARIABLE = "SMASSIST_ADMINS"


class AccessConfigError(ValueError):
    """The allow-list variable holds something that is not a Telegram user id."""


@dataclass(frozen=True, slots=True)
class AllowList:
    """Telegram user ids allowed to ask; ``everyone`` for ``*``; empty until configured."""

    users: frozenset[int] = frozenset()
    everyone: bool = False

    @property
    def configured(self) -> bool:
        return self.everyone or bool(self.users)

    def allows(self, user_id: int) -> bool:
        return self.everyone or user_id in self.users

    def describe(self) -> str:
        """For the start-up log: never the ids themselves, only how many."""
        if self.everyone:
            return "every Telegram user may ask (SMASSIST_TELEGRAM_ALLOWED_USERS=*)"
        if not self.users:
            return (f"nobody is allowed yet: {ALLOWED_VARIABLE} is unset; set it to "
                    "comma-separated Telegram user ids, or * for everyone")
        return f"{len(self.users)} Telegram user(s) allowed"

    @classmethod
    def parse(cls, value: str | None) -> AllowList:
        """``"123, 456"`` or ``"*"``; raises :class:`AccessConfigError` naming what is wrong."""
        items = [item.strip() for item in (value or "").replace(";", ",").split(",") if item.strip()]
        if "*" in items:
            return cls(everyone=True)
        bad = [item for item in items if not item.lstrip("-").isdigit()]
        if bad:
            raise AccessConfigError(
                f"{ALLOWED_VARIABLE} must be comma-separated Telegram user ids (numbers) or *; "
                f"not a user id: {', '.join(repr(b) for b in bad)}. "
                "A user who writes to the bot is told their id."
            )
        return cls(users=frozenset(int(item) for item in items))

    @classmethod
    def from_env(cls) -> AllowList:
        return cls.parse(os.environ.get(ALLOWED_VARIABLE))


def admin_ids(value: str | None = None) -> frozenset[int]:
    """The Telegram ids among ``SMASSIST_ADMINS`` (the others are Slack ids)."""
    raw = os.environ.get(ADMINS_VARIABLE, "") if value is None else value
    return frozenset(int(item) for item in admin.admin_ids(raw) if item.lstrip("-").isdigit())

"""Who may use the Telegram bot: the allow-list and the admins (read by :mod:`smassist.settings`)."""

from __future__ import annotations

from dataclasses import dataclass

from smassist.settings import Settings, SettingsError, TelegramSettings, current

ALLOWED_VARIABLE = "SMASSIST_TELEGRAM_ALLOWED_USERS"
ADMINS_VARIABLE = "SMASSIST_ADMINS"

#: A bad allow-list (kept under the name it had).
AccessConfigError = SettingsError


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
        users, everyone = TelegramSettings(allowed_users=value or "").allowed()
        return cls(users=users, everyone=everyone)

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> AllowList:
        return cls.parse(current(settings).telegram.allowed_users)


def admin_ids(value: str | None = None, settings: Settings | None = None) -> frozenset[int]:
    """The Telegram ids among ``SMASSIST_ADMINS`` (the others are Slack ids)."""
    from smassist.settings import parse_ids

    ids = parse_ids(value) if value is not None else current(settings).admins
    return frozenset(int(item) for item in ids if item.lstrip("-").isdigit())

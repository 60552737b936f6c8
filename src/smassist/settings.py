"""Everything smassist reads from the environment, read here and nowhere else.

:meth:`Settings.from_env` reads every variable of ``docs/INTERFACE.md`` once
and checks it; a value that cannot mean anything (``SMASSIST_LOG_RAW_USERS=maybe``,
a Telegram allow-list with a user name in it) raises :class:`SettingsError`
naming the variable and what it should hold. Entry points (the ``smassist``
commands, ``serve``) build one :class:`Settings` and pass it down; library
functions take ``settings=None`` and then read the environment as it is now,
so that ``Assistant.load()`` in a script behaves as documented.

Only the standard library is imported: this module is on the warm start-up path
of ``smassist ask``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from smassist.records import field, record

_PACKAGE = Path(__file__).resolve().parent

#: Values of ``SMASSIST_DB`` that turn the question log off.
LOG_OFF_VALUES = frozenset({"off", "none", "no", "0", "false", "disabled"})
_TRUE = frozenset({"1", "yes", "true", "on"})
_FALSE = frozenset({"", "0", "no", "false", "off"})
_WEBHOOK_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class SettingsError(ValueError):
    """A variable holds a value smassist cannot use; the message names it and says what it takes."""

    def __init__(self, variable: str, message: str):
        super().__init__(f"{variable}: {message}")
        self.variable = variable


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(name, f"write 1 or 0 (yes/no, true/false, on/off), not {value!r}")


def _text(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def parse_ids(raw: str) -> tuple[str, ...]:
    """Ids separated by commas, spaces or semicolons, in order, without duplicates."""
    # No regular expression: this runs on every start of the command line.
    return tuple(dict.fromkeys(raw.replace(",", " ").replace(";", " ").split()))


#: Optional files of ids, re-read on /reload and on every knowledge-base reload (issue 17):
#: an environment variable cannot change under a running process, a file can.
ADMINS_FILE_VARIABLE = "SMASSIST_ADMINS_FILE"
ALLOWED_FILE_VARIABLE = "SMASSIST_TELEGRAM_ALLOWED_FILE"


def read_ids_file(variable: str, path: Path) -> tuple[str, ...]:
    """The ids in ``path``: separated by commas, spaces or new lines; ``#`` starts a comment."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise SettingsError(variable, f"cannot read {path}: {reason}") from None
    return parse_ids(" ".join(line.partition("#")[0] for line in raw.splitlines()))


class IdsFile:
    """A file of ids as last read, one per path for the whole process: every channel and
    watcher sees the same lists, read at start and again by :meth:`reread` (on ``/reload``
    and each knowledge-base reload)."""

    def __init__(self, variable: str, path: Path,
                 check: Callable[[tuple[str, ...]], object] | None = None):
        self.variable, self.path, self.check = variable, path, check
        self._ids: tuple[str, ...] | None = None

    @classmethod
    def at(cls, variable: str, path: Path,
           check: Callable[[tuple[str, ...]], object] | None = None) -> IdsFile:
        key = path.absolute()
        found = _IDS_FILES.get(key)
        if found is None:
            found = _IDS_FILES[key] = cls(variable, key, check)
        return found

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids as last read (the file is read the first time)."""
        return self._ids if self._ids is not None else self.reread()

    def reread(self) -> tuple[str, ...]:
        """Read the file again; :class:`SettingsError` (and the ids in force kept) when it
        cannot be read or holds something that is not an id."""
        ids = read_ids_file(self.variable, self.path)
        if self.check is not None:
            self.check(ids)
        self._ids = ids
        return ids


#: The files of ids read so far, by path (:meth:`IdsFile.at`).
_IDS_FILES: dict[Path, IdsFile] = {}


def _telegram_ids(items: tuple[str, ...] | list[str], where: str) -> tuple[frozenset[int], bool]:
    """(user ids, everyone) from ids or ``*``; :class:`SettingsError` naming what is not an id."""
    if "*" in items:
        return frozenset(), True
    bad = [item for item in items if not item.lstrip("-").isdigit()]
    if bad:
        raise SettingsError(
            where,
            "must be comma-separated Telegram user ids (numbers) or *; not a user id: "
            f"{', '.join(repr(b) for b in bad)}. A user who writes to the bot is told their id.")
    return frozenset(int(item) for item in items), False


def bundled_knowledge() -> Path:
    """The knowledge base shipped with smassist (in a wheel, or in a source checkout)."""
    installed = _PACKAGE / "knowledge"
    if (installed / "topics.yaml").is_file():
        return installed
    return _PACKAGE.parent.parent / "knowledge"


# --- which knowledge-base folder is served (issue 17) ---------------------------------------

#: The folder in the current directory that counts as the knowledge base when no other is given.
LOCAL_KNOWLEDGE = "knowledge"

#: Why a folder was chosen, in the order the rules are tried.
ORIGINS = ("--kb", "SMASSIST_KB", "./knowledge", "bundled")

_ORIGIN_TEXT = {
    "--kb": "given on the command line",
    "SMASSIST_KB": "from SMASSIST_KB",
    "./knowledge": "./knowledge in the current folder",
    "bundled": "the copy bundled with smassist; `smassist kb init` makes one you can edit",
}


def absolute(path: Path) -> Path:
    """``path`` absolute and without ``..`` (symbolic links kept: the name the admin gave)."""
    return Path(os.path.abspath(path))


def is_knowledge_folder(path: Path) -> bool:
    """A folder that looks like a knowledge base: ``topics.yaml`` and an ``entries/`` folder."""
    return (path / "topics.yaml").is_file() and (path / "entries").is_dir()


@record
class KnowledgeFolder:
    """The knowledge-base folder a command serves, and which rule chose it."""

    path: Path
    #: One of :data:`ORIGINS`.
    origin: str
    #: Something the admin should know about the choice (a ``./knowledge`` that was skipped).
    note: str = ""

    def describe(self) -> str:
        """``/srv/kb (from SMASSIST_KB)``: the folder and why, for ``kb check`` and the logs."""
        text = f"{self.path} ({_ORIGIN_TEXT[self.origin]})"
        return f"{text}; {self.note}" if self.note else text

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.path), "origin": self.origin}


# --- one block per channel: what it needs, checked when it starts (opsdroid's per-connector schema)


@record
class SlackSettings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    #: Base URL of the Web API (None: Slack's own).
    api_url: str | None = None

    def socket_mode(self, asked: bool = False) -> bool:
        """Socket Mode when asked for, or when an app-level token is set."""
        return asked or bool(self.app_token)


@record
class TelegramSettings:
    bot_token: str = ""
    #: Base URL of the Bot API, token appended (None: Telegram's own).
    api_url: str | None = None
    #: ``SMASSIST_TELEGRAM_ALLOWED_USERS`` as given; :meth:`allowed` checks it.
    allowed_users: str = ""
    #: As given; empty means "generate one at each start"; :meth:`checked_webhook_secret` checks it.
    webhook_secret: str = ""
    #: ``SMASSIST_TELEGRAM_ALLOWED_FILE``: more allowed ids in a file, re-read on reloads.
    allowed_file: Path | None = None

    def allowed(self) -> tuple[frozenset[int], bool]:
        """(user ids, everyone) from ``"123, 456"`` or ``"*"``; :class:`SettingsError` names what is not an id."""
        items = [item.strip() for item in self.allowed_users.replace(";", ",").split(",")
                 if item.strip()]
        return _telegram_ids(items, "SMASSIST_TELEGRAM_ALLOWED_USERS")

    def allowed_file_ids(self) -> IdsFile | None:
        if self.allowed_file is None:
            return None
        where = f"{ALLOWED_FILE_VARIABLE} ({self.allowed_file})"
        return IdsFile.at(ALLOWED_FILE_VARIABLE, self.allowed_file,
                          check=lambda ids: _telegram_ids(ids, where))

    def allowed_from_file(self) -> tuple[frozenset[int], bool]:
        """(user ids, everyone) of ``SMASSIST_TELEGRAM_ALLOWED_FILE`` as last read (none when unset)."""
        source = self.allowed_file_ids()
        if source is None:
            return frozenset(), False
        return _telegram_ids(source.ids, ALLOWED_FILE_VARIABLE)

    def checked_webhook_secret(self) -> str:
        """The configured webhook secret ('' when unset), or :class:`SettingsError`."""
        secret = self.webhook_secret
        if secret and (len(secret) > 256 or not set(secret) <= _WEBHOOK_SECRET_CHARS):
            raise SettingsError("SMASSIST_TELEGRAM_WEBHOOK_SECRET",
                                "must be 1 to 256 characters among A-Z, a-z, 0-9, _ and - "
                                "(Telegram's rule for webhook secret tokens).")
        return self.webhook_secret


@record
class Settings:
    """The environment smassist runs in, read once and checked."""

    #: ``SMASSIST_KB`` (None: ``./knowledge`` or the bundled one; :meth:`knowledge_folder`).
    kb: Path | None = None
    #: ``SMASSIST_DB`` as given (empty: the default SQLite file).
    db: str = ""
    log_key: str | None = None
    log_raw_users: bool = False
    #: Slack and Telegram user ids allowed the admin commands, in order (``SMASSIST_ADMINS``).
    admins: tuple[str, ...] = ()
    #: ``SMASSIST_ADMINS_FILE``: more admin ids in a file, re-read on reloads (:meth:`file_admins`).
    admins_file: Path | None = None
    cache_dir_override: Path | None = None
    no_cache: bool = False
    no_color: bool = False
    xdg_cache_home: str = ""
    #: ``SMASSIST_ADMIN_TOKEN``: the admin console's token when bound beyond localhost.
    admin_token: str | None = None
    #: ``SMASSIST_INSTANCE``: this process's name in /reload's list (default ``host:pid``).
    instance: str = ""
    slack: SlackSettings = field(default_factory=SlackSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every variable read; :class:`SettingsError` for the first bad one.

        A channel's own variables are checked when that channel starts (its
        section's methods), so that a Telegram typo does not stop ``smassist ask``.
        """
        env = os.environ if environ is None else environ
        kb = _text(env, "SMASSIST_KB")
        cache = _text(env, "SMASSIST_CACHE_DIR")
        admins_file = _text(env, ADMINS_FILE_VARIABLE)
        allowed_file = _text(env, ALLOWED_FILE_VARIABLE)
        return cls(
            kb=Path(kb).expanduser() if kb else None,
            db=_text(env, "SMASSIST_DB"),
            log_key=env.get("SMASSIST_LOG_KEY") or None,
            log_raw_users=_flag(env, "SMASSIST_LOG_RAW_USERS"),
            admins=parse_ids(env.get("SMASSIST_ADMINS", "")),
            admins_file=Path(admins_file).expanduser() if admins_file else None,
            cache_dir_override=Path(cache).expanduser() if cache else None,
            no_cache=bool(_text(env, "SMASSIST_NO_CACHE")) and _flag(env, "SMASSIST_NO_CACHE"),
            no_color=bool(env.get("NO_COLOR")),
            xdg_cache_home=_text(env, "XDG_CACHE_HOME"),
            admin_token=_text(env, "SMASSIST_ADMIN_TOKEN") or None,
            instance=_text(env, "SMASSIST_INSTANCE"),
            slack=SlackSettings(
                bot_token=_text(env, "SLACK_BOT_TOKEN"),
                signing_secret=_text(env, "SLACK_SIGNING_SECRET"),
                app_token=_text(env, "SLACK_APP_TOKEN"),
                api_url=_text(env, "SMASSIST_SLACK_API_URL") or None,
            ),
            telegram=TelegramSettings(
                bot_token=_text(env, "TELEGRAM_BOT_TOKEN"),
                api_url=_text(env, "SMASSIST_TELEGRAM_API_URL") or None,
                allowed_users=_text(env, "SMASSIST_TELEGRAM_ALLOWED_USERS"),
                webhook_secret=_text(env, "SMASSIST_TELEGRAM_WEBHOOK_SECRET"),
                allowed_file=Path(allowed_file).expanduser() if allowed_file else None,
            ),
        )

    # --- folders ----------------------------------------------------------------

    def knowledge_folder(self, path: str | os.PathLike[str] | None = None, *,
                         cwd: Path | None = None) -> KnowledgeFolder:
        """The knowledge base served, and why: ``path`` (``--kb``), else ``SMASSIST_KB``, else
        ``./knowledge`` when it holds ``topics.yaml`` and ``entries/`` (a project folder, as
        in comparable tools: an admin editing a checkout edits what is served), else the
        bundled copy. Paths are absolute, so that messages name one folder."""
        if path:
            return KnowledgeFolder(absolute(Path(path).expanduser()), "--kb")
        if self.kb is not None:
            return KnowledgeFolder(absolute(self.kb), "SMASSIST_KB")
        local = (cwd or Path.cwd()) / LOCAL_KNOWLEDGE
        if is_knowledge_folder(local):
            return KnowledgeFolder(absolute(local), "./knowledge")
        note = ""
        if local.is_dir():
            note = "./knowledge is not a knowledge base (it needs topics.yaml and entries/)"
        return KnowledgeFolder(bundled_knowledge(), "bundled", note)

    def knowledge_path(self, path: str | os.PathLike[str] | None = None) -> Path:
        """The folder of :meth:`knowledge_folder` (``path``, ``SMASSIST_KB``, ``./knowledge``, bundled)."""
        return self.knowledge_folder(path).path

    def cache_dir(self) -> Path:
        if self.cache_dir_override is not None:
            return self.cache_dir_override
        if sys.platform.startswith("linux"):
            # What platformdirs answers on Linux, without importing it on every start.
            xdg = self.xdg_cache_home
            base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
            return base / "smassist"
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("smassist", appauthor=False))

    @staticmethod
    def data_dir() -> Path:
        from platformdirs import user_data_dir

        return Path(user_data_dir("smassist", appauthor=False))

    # --- the question log -----------------------------------------------------------

    @property
    def question_log_off(self) -> bool:
        """``SMASSIST_DB`` turns the log off (then nothing imports the store)."""
        return self.db.lower() in LOG_OFF_VALUES

    @property
    def database_url(self) -> str | None:
        """``SMASSIST_DB`` when it is a URL (``postgresql://…``), else None."""
        return self.db if "://" in self.db else None

    # --- admins -------------------------------------------------------------------------

    def access_files(self) -> tuple[IdsFile, ...]:
        """The files of ids in use (``SMASSIST_ADMINS_FILE``, ``SMASSIST_TELEGRAM_ALLOWED_FILE``)."""
        files = [IdsFile.at(ADMINS_FILE_VARIABLE, self.admins_file) if self.admins_file else None,
                 self.telegram.allowed_file_ids()]
        return tuple(f for f in files if f is not None)

    def file_admins(self) -> tuple[str, ...]:
        """The ids of ``SMASSIST_ADMINS_FILE`` as last read (none when unset): read when a
        channel starts (:class:`SettingsError` when unreadable), again by :meth:`reread_access`."""
        return IdsFile.at(ADMINS_FILE_VARIABLE, self.admins_file).ids if self.admins_file else ()

    def reread_access(self) -> list[str]:
        """Read every access file again; the problems (each file's lists in force are kept)."""
        problems = []
        for source in self.access_files():
            try:
                source.reread()
            except SettingsError as exc:
                problems.append(str(exc))
        return problems

    def is_admin(self, user_id: object) -> bool:
        """Whether ``user_id`` (a Slack ``U…`` id or a Telegram numeric id) is in ``SMASSIST_ADMINS``
        or ``SMASSIST_ADMINS_FILE`` as last read (an unreadable file adds nobody)."""
        if user_id is None:
            return False
        try:
            file_ids = self.file_admins()
        except SettingsError:
            file_ids = ()
        return str(user_id).strip() in (*self.admins, *file_ids)


def current(settings: Settings | None = None) -> Settings:
    """``settings`` when given, else the environment as it is now."""
    return settings if settings is not None else Settings.from_env()

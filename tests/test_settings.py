"""The environment is read in one place, and a value that cannot mean anything is named, not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from smassist.cli import main
from smassist.settings import Settings, SettingsError, bundled_knowledge


def test_every_documented_variable_is_read_into_settings(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "SMASSIST_KB": str(tmp_path / "kb"), "SMASSIST_DB": "off", "SMASSIST_LOG_KEY": "k",
        "SMASSIST_LOG_RAW_USERS": "yes", "SMASSIST_ADMINS": "U1, 22;U1",
        "SLACK_BOT_TOKEN": " xoxb-1 ", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1",
        "SMASSIST_SLACK_API_URL": "http://127.0.0.1:1/api/", "TELEGRAM_BOT_TOKEN": "1:a",
        "SMASSIST_TELEGRAM_API_URL": "http://127.0.0.1:2/bot", "SMASSIST_TELEGRAM_ALLOWED_USERS": "*",
        "SMASSIST_TELEGRAM_WEBHOOK_SECRET": "abc", "SMASSIST_CACHE_DIR": str(tmp_path / "c"),
        "SMASSIST_NO_CACHE": "1",
    })
    assert settings.knowledge_path() == tmp_path / "kb"
    assert settings.question_log_off and settings.log_key == "k" and settings.log_raw_users
    assert settings.admins == ("U1", "22")  # in order, without duplicates
    assert settings.slack.bot_token == "xoxb-1" and settings.slack.socket_mode()
    assert settings.telegram.allowed() == (frozenset(), True)
    assert settings.telegram.checked_webhook_secret() == "abc"
    assert settings.cache_dir() == tmp_path / "c" and settings.no_cache


def test_an_empty_environment_means_the_documented_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.knowledge_path() == bundled_knowledge()
    assert not settings.question_log_off and not settings.log_raw_users and not settings.no_cache
    assert settings.admins == () and not settings.is_admin("U1")
    assert not settings.slack.socket_mode() and settings.slack.socket_mode(asked=True)


@pytest.mark.parametrize(("name", "value"), [("SMASSIST_LOG_RAW_USERS", "maybe"),
                                             ("SMASSIST_NO_CACHE", "please")])
def test_a_flag_that_is_not_yes_or_no_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({name: value})
    assert name in str(error.value) and repr(value) in str(error.value)


def test_a_channel_variable_is_checked_when_that_channel_starts() -> None:
    settings = Settings.from_env({"SMASSIST_TELEGRAM_ALLOWED_USERS": "1001, @alice",
                                  "SMASSIST_TELEGRAM_WEBHOOK_SECRET": "no spaces allowed"})
    with pytest.raises(SettingsError, match="@alice"):
        settings.telegram.allowed()
    with pytest.raises(SettingsError, match="SMASSIST_TELEGRAM_WEBHOOK_SECRET"):
        settings.telegram.checked_webhook_secret()


def test_the_command_line_says_which_variable_is_wrong_and_exits_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SMASSIST_LOG_RAW_USERS", "maybe")
    assert main(["ask", "ROI ?"]) == 2
    err = capsys.readouterr().err
    assert "SMASSIST_LOG_RAW_USERS" in err and "Traceback" not in err


def test_no_module_but_settings_reads_the_environment() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "smassist"
    readers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if ("os.environ" in p.read_text() or "getenv(" in p.read_text())
                     and p.name != "settings.py")
    assert readers == []

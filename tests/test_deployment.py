"""The deployment files of bots/ work as written: what they name exists and agrees.

Every smassist command in a unit or a README parses with smassist's own parser
and its options appear in `smassist ... --help`; every variable is documented in
docs/INTERFACE.md; the paths the services write are the ones systemd lets them
write under the hardening options; the proxy forwards to the ports and paths the
units listen on.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest

from smassist.cli import build_parser
from tests.conftest import REPO

SYSTEMD = REPO / "bots" / "systemd"
PROXY = REPO / "bots" / "proxy"
VENV_SMASSIST = "/opt/smassist/venv/bin/smassist"
UNITS = sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.timer"))
SERVICES = sorted(SYSTEMD.glob("*.service"))
ENV_FILES = sorted(SYSTEMD.glob("*.env"))
#: Documents whose shell blocks an operator or an admin copies.
DOCUMENTS = [REPO / "README.md", REPO / "docs" / "admins.md",
             *sorted((REPO / "bots").glob("*/README.md"))]
_VARIABLE = re.compile(r"\b(?:SMASSIST|SLACK|TELEGRAM)_[A-Z_]+\b")


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values]}} (systemd allows a key several times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _env(path: Path) -> dict[str, str]:
    """The variables an environment file sets (commented-out ones included, as examples)."""
    found = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("#").strip()
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def _shell_blocks(path: Path) -> list[str]:
    return re.findall(r"```(?:sh|bash|shell)\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def _smassist_commands(script: str) -> list[list[str]]:
    """The argument lists of every smassist invocation in a shell snippet."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:  # an unbalanced quote inside an example of output
            continue
        command: list[str] = []
        redirect = False
        for token in [*tokens, ";"]:
            if redirect:  # `> FILE`: the file is no argument
                redirect = False
            elif token in (">", ">>", "<", ">&"):
                redirect = True
            elif token and set(token) <= set(";&|"):
                words = _strip_prefix(command)
                if words and (words[0] == "smassist" or words[0].endswith("/bin/smassist")):
                    commands.append(words[1:])
                command = []
            else:
                command.append(token)
    return commands


def _strip_prefix(words: list[str]) -> list[str]:
    """Without `sudo [-u USER]`, `env` and VAR=value assignments before the command."""
    words = list(words)
    while words:
        if words[0] in ("sudo", "env", "exec"):
            words.pop(0)
        elif words[0] in ("-u", "-g") and len(words) > 1:
            del words[:2]
        elif re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            words.pop(0)
        else:
            break
    return words


def _assert_parses(args: list[str], where: str) -> None:
    parser = build_parser()
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exc:
        if exc.code == 0:  # --help, --version
            return
        pytest.fail(f"{where}: `smassist {shlex.join(args)}` is not a valid smassist command")
    assert getattr(parsed, "handler", None), f"{where}: `smassist {shlex.join(args)}` runs nothing"


def _help(words: list[str]) -> str:
    result = subprocess.run([sys.executable, "-m", "smassist", *words, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _exec_starts() -> list[tuple[Path, list[str]]]:
    found = []
    for unit in SERVICES:
        for value in _unit(unit)["Service"].get("ExecStart", []):
            found.append((unit, shlex.split(value)))
    return found


def _interface() -> str:
    return (REPO / "docs" / "INTERFACE.md").read_text(encoding="utf-8")


def test_the_expected_files_are_there() -> None:
    names = {p.name for p in SYSTEMD.iterdir()}
    assert {"smassist-slack.service", "smassist-telegram.service", "smassist-admin.service",
            "smassist-prune.service", "smassist-prune.timer", "smassist.env", "slack.env",
            "telegram.env", "admin.env", "README.md"} <= names
    assert (PROXY / "Caddyfile").is_file() and (PROXY / "nginx.conf").is_file()


def test_every_unit_runs_smassist_from_the_one_venv_with_a_valid_command() -> None:
    starts = _exec_starts()
    assert len(starts) == len(SERVICES)
    for unit, words in starts:
        assert words[0] == VENV_SMASSIST, f"{unit.name}: runs {words[0]}, not {VENV_SMASSIST}"
        _assert_parses(words[1:], unit.name)
        subcommand = [w for w in words[1:] if not w.startswith("-")][:2]
        help_text = _help(subcommand)
        for option in (w for w in words[1:] if w.startswith("--")):
            assert option in help_text, f"{unit.name}: {option} not in `smassist {' '.join(subcommand)} --help`"


def test_environment_files_named_by_the_units_are_shipped() -> None:
    for unit in SERVICES:
        files = _unit(unit)["Service"].get("EnvironmentFile", [])
        assert "/etc/smassist/smassist.env" in files, f"{unit.name} misses the shared settings"
        for name in files:
            path = Path(name.lstrip("-"))
            assert path.parent == Path("/etc/smassist"), name
            assert (SYSTEMD / path.name).is_file(), f"{unit.name} names {name}, not in bots/systemd/"


def test_every_variable_named_is_documented_in_the_interface() -> None:
    interface = _interface()
    named = set()
    for path in [*ENV_FILES, *UNITS, *DOCUMENTS, PROXY / "Caddyfile", PROXY / "nginx.conf"]:
        named |= set(_VARIABLE.findall(path.read_text(encoding="utf-8")))
    for env in ENV_FILES:
        assert set(_env(env)) <= named
    missing = sorted(v for v in named if f"`{v}`" not in interface)
    assert not missing, f"not in docs/INTERFACE.md: {missing}"


def test_the_written_paths_are_writable_under_the_hardening() -> None:
    settings = _env(SYSTEMD / "smassist.env")
    for unit in SERVICES:
        service = _unit(unit)["Service"]
        assert service.get("ProtectSystem") == ["strict"] and service.get("ProtectHome") == ["true"]
        # ProtectSystem=strict: only the unit's StateDirectory and CacheDirectory are writable.
        [state] = service["StateDirectory"]
        [cache] = service["CacheDirectory"]
        assert Path(settings["SMASSIST_DB"]).parent == Path("/var/lib") / state, unit.name
        assert Path(settings["SMASSIST_CACHE_DIR"]) == Path("/var/cache") / cache, unit.name
        assert service["User"] == ["smassist"]
    # ProtectHome=true hides /home, /root and /run/user: the knowledge base lives elsewhere.
    kb = Path(settings["SMASSIST_KB"])
    assert kb.is_absolute() and kb.parts[1] not in ("home", "root", "run", "tmp")
    assert "SMASSIST_LOG_KEY" in settings
    assert _env(SYSTEMD / "telegram.env").get("SMASSIST_TELEGRAM_WEBHOOK_SECRET")
    assert _env(SYSTEMD / "admin.env").get("SMASSIST_ADMIN_TOKEN")


def test_the_prune_timer_starts_the_prune_service() -> None:
    timer = _unit(SYSTEMD / "smassist-prune.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == ["true"]
    target = timer["Timer"].get("Unit", ["smassist-prune.service"])[0]
    service = _unit(SYSTEMD / target)["Service"]
    assert service["Type"] == ["oneshot"]
    words = shlex.split(service["ExecStart"][0])
    assert words[1:4] == ["log", "prune", "--older-than"]


def _listeners() -> dict[int, list[str]]:
    """Port -> ExecStart words, for the units listening on 127.0.0.1."""
    found = {}
    for _unit_path, words in _exec_starts():
        if "--port" in words:
            assert words[words.index("--host") + 1] == "127.0.0.1"
            found[int(words[words.index("--port") + 1])] = words
    return found


@pytest.mark.parametrize("config", ["Caddyfile", "nginx.conf"])
def test_the_proxy_forwards_to_what_the_units_listen_on(config: str) -> None:
    from smassist.channels.slack.server import EVENTS_PATH

    text = (PROXY / config).read_text(encoding="utf-8")
    listeners = _listeners()
    forwarded = {int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)", text)}
    assert forwarded == set(listeners), f"{config} forwards to {forwarded}, units listen on {set(listeners)}"
    slack = next(w for w in listeners.values() if w[1:3] == ["serve", "slack"])
    assert _forwarded_port(text, EVENTS_PATH) == slack[slack.index("--port") + 1]
    telegram = next(w for w in listeners.values() if w[1:3] == ["serve", "telegram"])
    webhook = urlparse(telegram[telegram.index("--webhook-url") + 1])
    assert webhook.scheme == "https" and webhook.hostname and webhook.hostname in text
    assert _forwarded_port(text, webhook.path) == telegram[telegram.index("--port") + 1]


def _forwarded_port(text: str, path: str) -> str | None:
    """The local port a Caddy `handle PATH {…}` or nginx `location = PATH {…}` block forwards to."""
    match = re.search(rf"(?:handle|location =)\s+{re.escape(path)}\s*\{{[^}}]*?127\.0\.0\.1:(\d+)", text)
    return match[1] if match else None


def test_every_smassist_command_in_the_documents_is_valid() -> None:
    seen = 0
    for document in DOCUMENTS:
        for block in _shell_blocks(document):
            for args in _smassist_commands(block):
                _assert_parses(args, str(document.relative_to(REPO)))
                seen += 1
    assert seen >= 20  # the extraction itself works


def test_install_commands_name_extras_that_exist_and_nothing_from_an_index() -> None:
    extras = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
                 ["project"]["optional-dependencies"])
    for document in DOCUMENTS:
        for block in _shell_blocks(document):
            for match in re.finditer(r"pip install[^\n]*?'([^']*)\[([a-z,]+)\]'", block):
                target, named = match.groups()
                assert target != "smassist", f"{document.name}: smassist is not on a package index"
                assert set(named.split(",")) <= extras, f"{document.name}: unknown extra in {named}"


def test_documents_link_to_files_that_exist() -> None:
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)\)", text):
            assert (document.parent / target).exists(), f"{document.name} links to missing {target}"
        for target in re.findall(r"\bbots/[\w./-]+\w", text):
            assert (REPO / target).exists(), f"{document.name} names missing {target}"


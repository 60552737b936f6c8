"""The admin console over real HTTP: access rules, escaping, languages, the version's problems."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from smassist.cli import CommandError, main
from smassist.web.console.app import SESSION_COOKIE
from smassist.web.console.server import check_access, is_loopback

from .conftest import TOKEN
from .support import SCRIPT_QUESTION, start_console

PAGES = ("/report", "/gaps", "/kb", "/status")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, headers: dict[str, str] | None = None,
          data: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", errors="replace")


def test_every_page_answers_without_a_token_on_loopback(console) -> None:
    for page in PAGES:
        status, headers, body = fetch(console.url + page)
        assert status == 200, page
        assert headers["Content-Type"].startswith("text/html")
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no script
        assert "<script" not in body.lower().replace("&lt;script", "")
    assert fetch(console.url + "/")[0] == 302
    assert fetch(console.url + "/nothing-here")[0] == 404


def test_logged_questions_are_escaped_and_never_evaluated(console) -> None:
    _status, _headers, body = fetch(console.url + "/gaps?since=all")
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in body
    assert SCRIPT_QUESTION not in body
    assert "{{ 7*7 }}" in body and "demain 49" not in body
    _status, _headers, report = fetch(console.url + "/report?since=all")
    assert "&lt;script&gt;" in report and "<script>" not in report


def test_report_counts_match_the_log(console) -> None:
    _status, _headers, body = fetch(console.url + "/report?since=all")
    assert re.search(r'id="figure-questions"><span class="value">10</span>', body)
    assert re.search(r'id="figure-answered"><span class="value">70 %</span>', body)
    assert "7 of 10" in body
    assert re.search(r'id="figure-useful"><span class="value">50 %</span>', body)
    # 5 question days in the chart: bars for slack, telegram, cli (one bar per day and channel).
    assert len(re.findall(r"<rect [^>]*><title>", body)) == 5
    assert body.count("<title>") == 1 + 5


def test_a_token_is_required_when_configured(guarded_console) -> None:
    url = guarded_console.url
    for page in PAGES:
        status, headers, body = fetch(url + page)
        assert status == 401, page
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert 'name="token"' in body and "figure-questions" not in body
        assert guarded_console.console.assistant.kb.version[:12] not in body  # nothing told
        assert fetch(url + page, headers={"Authorization": "Bearer wrong-token-0123456789"})[0] == 401
        assert fetch(url + page, headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert fetch(url + "/healthz")[0] == 200


def test_the_login_page_sets_a_session_cookie_that_opens_the_pages(guarded_console) -> None:
    url = guarded_console.url
    started = time.monotonic()
    status, _headers, body = fetch(url + "/login", data={"token": "not it", "next": "/gaps"})
    assert status == 401 and "not the right one" in body
    assert time.monotonic() - started >= 0.9  # a wrong guess costs a second
    status, headers, _body = fetch(url + "/login", data={"token": TOKEN, "next": "/gaps"})
    assert status == 303 and headers["Location"] == "/gaps"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert TOKEN not in value
    assert fetch(url + "/report", headers={"Cookie": f"{SESSION_COOKIE}={value}"})[0] == 200
    expires, _, mac = value.partition(".")
    forged = f"{int(expires) + 3600}.{mac}"
    assert fetch(url + "/report", headers={"Cookie": f"{SESSION_COOKIE}={forged}"})[0] == 401
    stale = guarded_console.console.session_value(int(time.time()) - 10)
    assert fetch(url + "/report", headers={"Cookie": f"{SESSION_COOKIE}={stale}"})[0] == 401


def test_login_redirects_only_within_the_site(guarded_console) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        status, headers, _ = fetch(guarded_console.url + "/login", data={"token": TOKEN, "next": target})
        assert status == 303 and headers["Location"] == "/report", target


def test_a_cross_site_post_is_refused(guarded_console) -> None:
    status, _h, _b = fetch(guarded_console.url + "/login", data={"token": TOKEN},
                           headers={"Origin": "https://evil.example"})
    assert status == 403


def test_without_a_token_a_proxied_request_is_refused(console) -> None:
    status, _headers, body = fetch(console.url + "/report", headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 403 and "SMASSIST_ADMIN_TOKEN" in body


def test_french_and_english(console) -> None:
    _s, _h, french = fetch(console.url + "/report?since=all&lang=fr")
    assert "Rapport d&#39;utilisation" in french and "7 sur 10" in french and 'lang="fr"' in french
    _s, _h, browser_fr = fetch(console.url + "/gaps", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Lacunes de la base" in browser_fr
    _s, _h, english = fetch(console.url + "/gaps", headers={"Accept-Language": "de, en;q=0.5"})
    assert "Knowledge gaps" in english


def test_gaps_give_the_yaml_block_and_the_closest_entry_in_the_served_folder(console, kb_copy: Path) -> None:
    _s, _h, body = fetch(console.url + "/gaps?since=all")
    assert "questions:\n  fr:\n    - &#34;" in body  # the YAML block, its quotes escaped for HTML
    locations = re.findall(r"in (/[^<]+\.yaml):(\d+)", body)
    assert locations, body
    for file, _line in locations:
        assert Path(file).is_relative_to(kb_copy) and Path(file).is_file()


def test_the_kb_page_lists_entries_with_their_figures_and_sources(console) -> None:
    _s, _h, body = fetch(console.url + "/kb?lang=en")
    assert 'id="entry-roi-measurement"' in body
    entry = body[body.index('id="entry-roi-measurement"'):]
    entry = entry[:entry.index("</article>")]
    assert 'class="stat"' in entry and "Source" in entry


def test_the_status_page_shows_a_broken_edit_as_not_served(console, kb_copy: Path) -> None:
    _s, _h, before = fetch(console.url + "/status")
    version = re.search(r'id="served-version"><code>(\w+)</code>', before)[1]
    assert 'id="files-ok"' in before
    charter = kb_copy / "entries" / "charter.yaml"
    text = charter.read_text(encoding="utf-8")
    charter.write_text(text.replace("statistics:", "statistics: [charter-adoption-2071]\n  old_statistics:", 1),
                       encoding="utf-8")
    _s, _h, after = fetch(console.url + "/status")
    assert re.search(r'id="served-version"><code>(\w+)</code>', after)[1] == version
    assert 'id="problems"' in after and "NOT served" in after
    assert f"{charter}" in after or "entries/charter.yaml" in after


def test_serving_beyond_loopback_needs_a_long_enough_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
    check_access("127.0.0.1", None)
    check_access("0.0.0.0", TOKEN)
    with pytest.raises(CommandError, match="SMASSIST_ADMIN_TOKEN"):
        check_access("0.0.0.0", None)
    with pytest.raises(CommandError, match="too short"):
        check_access("127.0.0.1", "short")


def test_serve_admin_on_all_interfaces_without_a_token_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "smassist", "serve", "admin", "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SMASSIST_ADMIN_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_serve_admin_without_the_extra_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    assert main(["serve", "admin"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'smassist[admin]'" in err and "Traceback" not in err


def test_with_the_log_off_the_pages_say_so(kb_copy: Path) -> None:
    running = start_console(kb_copy, None, token=None)
    try:
        _s, _h, body = fetch(running.url + "/report")
        assert "question log is off" in body
        assert fetch(running.url + "/kb")[0] == 200
    finally:
        running.stop()

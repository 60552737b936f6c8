"""The admin console in a real browser: headless Chromium loads each page and we read what a person sees.

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them when
missing); nothing is downloaded. Under CI=true a missing Chromium fails the
tests instead of skipping them. A screenshot of each page is saved under
``test-artefacts/console/`` (gitignored) to be looked at.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import REPO
from .conftest import TOKEN
from .support import ANSWERED, QUESTIONS, SCRIPT_QUESTION, TEMPLATE_QUESTION

ARTEFACTS = REPO / "test-artefacts" / "console"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900")


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = _find("chromium", "chromium-browser")
    driver_path = _find("chromedriver", "chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        chromium = None
    if not chromium or not driver_path:
        message = ("headless Chromium is needed for the console's browser tests: "
                   "apt-get install chromium chromium-driver (and pip install selenium)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="smassist-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _screenshot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(600, min(int(height), 4000)))
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    assert path.stat().st_size > 5000  # a picture, not a blank
    return path


def _text(driver, css: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css).text


def test_report_page_shows_the_figures_of_the_log(browser, console) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.url + "/report?since=all&lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Usage report"
    assert _text(browser, "#figure-questions .value") == str(QUESTIONS)
    assert _text(browser, "#figure-answered .value") == f"{100 * ANSWERED // QUESTIONS} %"
    assert f"{ANSWERED} of {QUESTIONS}" in _text(browser, "#figure-answered")
    assert _text(browser, "#figure-useful .value") == "50 %"
    chart = browser.find_element(By.ID, "day-chart")
    assert chart.is_displayed() and chart.size["height"] > 100
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect title")) == 5
    top = browser.find_element(By.ID, "top-entries").text
    assert "roi-measurement" in top and "5" in top
    # The logged question with markup is on the page as text, and nothing ran.
    assert SCRIPT_QUESTION in _text(browser, "#unanswered")
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert "pwned" not in browser.title
    _screenshot(browser, "report")


def test_report_page_in_french(browser, console) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.url + "/report?since=all&lang=fr")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Rapport d'utilisation"
    assert f"{ANSWERED} sur {QUESTIONS}" in _text(browser, "#figure-answered")
    _screenshot(browser, "report-fr")


def test_gaps_page_shows_questions_as_text_with_the_yaml_to_paste(browser, console) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.url + "/gaps?since=all&lang=en")
    gaps = browser.find_elements(By.CSS_SELECTOR, "article.gap")
    assert len(gaps) >= 2
    page = browser.find_element(By.TAG_NAME, "main").text
    assert SCRIPT_QUESTION in page and TEMPLATE_QUESTION in page  # {{ 7*7 }} stays as typed
    assert "pwned" not in browser.title and browser.find_elements(By.TAG_NAME, "script") == []
    yaml_blocks = [pre.text for pre in browser.find_elements(By.CSS_SELECTOR, "pre.yaml")]
    assert any(f'- "{TEMPLATE_QUESTION}"' in block for block in yaml_blocks)
    assert all("questions:" in block for block in yaml_blocks)
    assert "Closest entry" in page
    _screenshot(browser, "gaps")


def test_kb_page_lists_entries_with_figures_and_sources(browser, console) -> None:
    from selenium.webdriver.common.by import By

    browser.get(console.url + "/kb?lang=en")
    entry = browser.find_element(By.ID, "entry-roi-measurement")
    assert entry.find_elements(By.CSS_SELECTOR, ".stats li")
    assert "Source:" in entry.text
    assert "entries/roi.yaml:" in entry.text
    _screenshot(browser, "kb")


def test_status_page_shows_the_version_served(browser, console) -> None:
    browser.get(console.url + "/status?lang=en")
    version = _text(browser, "#served-version")
    assert len(version) == 12 and version in _text(browser, "footer")
    assert "nothing waits to be served" in _text(browser, "#files-ok")
    _screenshot(browser, "status")


def test_without_the_token_a_person_gets_the_login_page_and_can_log_in(browser, guarded_console) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import visibility_of_element_located
    from selenium.webdriver.support.wait import WebDriverWait

    browser.delete_all_cookies()
    browser.get(guarded_console.url + "/report?since=all&lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Log in"
    assert browser.find_elements(By.ID, "figure-questions") == []
    _screenshot(browser, "login")
    field = browser.find_element(By.ID, "token")
    field.send_keys("a wrong token value")
    field.submit()
    wait = WebDriverWait(browser, 10)
    assert "not the right one" in wait.until(visibility_of_element_located((By.CSS_SELECTOR, ".error"))).text
    field = browser.find_element(By.ID, "token")
    field.send_keys(TOKEN)
    field.submit()
    figure = wait.until(visibility_of_element_located((By.CSS_SELECTOR, "#figure-questions .value")))
    assert figure.text == str(QUESTIONS)
    assert "smassist_admin" not in browser.execute_script("return document.cookie")  # HttpOnly
    browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait.until(visibility_of_element_located((By.ID, "token")))
    browser.get(guarded_console.url + "/report")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Log in"  # the session is gone

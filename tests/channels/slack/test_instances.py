"""Two real `smassist serve slack` processes (HTTP mode) on one PostgreSQL, as behind a load balancer.

Both post to the same Slack stand-in; the test plays Slack, sending each signed
event (and its retries) to one instance or the other. What several instances
must get right (issue 16): one answer per message whichever instance a delivery
lands on, a thread's context shared, one admin DM per broken edit and one per
fix, `/smassist reload` on one reloading both. The shared parts are the ones of
`smassist.state`, reached through the real server, bolt and psycopg.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smassist.kb.loader import content_version
from tests.admin.test_reloader import MARKER, QUESTION, version_b, write
from tests.channels.slack.harness import (
    QUESTION_EN,
    QUESTION_FR,
    SECRET,
    Running,
    event_payload,
    figures,
    mention,
    next_ts,
    post_command,
    signed_post,
)
from tests.support.instances import (
    LOG_KEY,
    START_TIMEOUT,
    Instance,
    assert_outage_said_once,
    questions_logged,
    start_instances,
    stop_and_check,
    url_via,
    wait_until,
)
from tests.support.slack_standin import Call, SlackStandIn
from tests.support.tcp_proxy import TcpProxy

ADMIN = "U0ADMIN"
TOKEN = "xoxb-stand-in"
ADMIN_DM = "D0ADMIN"  # the stand-in's conversations.open answers D + the id without its U

Start = Callable[..., list[Instance]]


@pytest.fixture
def start(slack: SlackStandIn, postgres_url: str, tmp_path: Path) -> Iterator[Start]:
    """``start(kb, cache, db=None)``: two instances, ``slack-a`` and ``slack-b``, ready."""
    started: list[Instance] = []

    def two(kb: Path, cache: Path, db: str | None = None) -> list[Instance]:
        pair = start_instances(
            "slack", ("slack-a", "slack-b"), [], tmp_path, kb=kb, cache=cache,
            db=db or postgres_url, admins=ADMIN, SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET, SMASSIST_SLACK_API_URL=slack.api_url)
        started.extend(pair)
        for instance in pair:
            instance.wait_ready()
        return pair

    yield two
    stop_and_check(started, TOKEN, SECRET, LOG_KEY)


def events_url(instance: Instance) -> str:
    return instance.url + "/slack/events"


def deliver(instance: Instance, body: str, retry: int = 0) -> int:
    """POST a signed event as Slack does (a retry carries X-Slack-Retry-Num); the status."""
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    return signed_post(events_url(instance), body, "application/json", headers=headers)[0]


def answers_in(slack: SlackStandIn, channel: str) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def settled_answers(slack: SlackStandIn, channels: list[str]) -> dict[str, int]:
    """Once every channel has an answer and nothing more arrives: answers per channel."""
    wait_until(lambda: all(answers_in(slack, c) for c in channels), START_TIMEOUT,
               f"an answer in each of {len(channels)} channels")
    slack.settle(1.0)
    return {c: len(answers_in(slack, c)) for c in channels}


# --- deliveries ----------------------------------------------------------------------------


def test_events_and_their_retries_on_the_other_instance_are_answered_once(
        start: Start, served_kb: tuple[Path, Path], slack: SlackStandIn) -> None:
    a, b = start(*served_kb)
    channels = [f"C0SPREAD{i:02d}" for i in range(20)]
    bodies = [json.dumps(event_payload(mention(QUESTION_FR if i % 2 else QUESTION_EN, channel=c)))
              for i, c in enumerate(channels)]
    # Each event lands on one instance, and Slack's retry of it on the other.
    assert [deliver((a, b)[i % 2], body) for i, body in enumerate(bodies)] == [200] * 20
    assert [deliver((b, a)[i % 2], body, retry=1) for i, body in enumerate(bodies)] == [200] * 20
    assert settled_answers(slack, channels) == dict.fromkeys(channels, 1)
    # Both instances answered, and each dropped the retries of the other's events.
    answered = [i.metric("smassist_questions_total", channel="slack") for i in (a, b)]
    dropped = [i.metric("smassist_delivery_duplicates_dropped_total", channel="slack") for i in (a, b)]
    # Whichever instance claims a delivery first answers it (the front acks before the claim),
    # so the split may differ from 10/10; each took 20 deliveries and answered or dropped each.
    assert sum(answered) == 20 and sum(dropped) == 20
    assert [x + y for x, y in zip(answered, dropped, strict=True)] == [20, 20] and min(answered) > 0


def test_one_event_delivered_to_both_instances_at_once_gets_exactly_one_answer(
        start: Start, served_kb: tuple[Path, Path], slack: SlackStandIn) -> None:
    a, b = start(*served_kb)
    channels = [f"C0RACE{i:02d}" for i in range(12)]
    statuses: list[int] = []
    for channel in channels:
        body = json.dumps(event_payload(mention(QUESTION_FR, channel=channel)))
        barrier = threading.Barrier(2)

        def send(instance: Instance, body: str = body, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            statuses.append(deliver(instance, body))

        threads = [threading.Thread(target=send, args=(i,)) for i in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 24  # both acknowledge; only one answers
    assert settled_answers(slack, channels) == dict.fromkeys(channels, 1)
    assert sum(i.metric("smassist_delivery_duplicates_dropped_total") for i in (a, b)) == 12


# --- conversations -------------------------------------------------------------------------


def test_a_follow_up_in_the_thread_answered_by_the_other_instance_keeps_the_context(
        start: Start, served_kb: tuple[Path, Path], slack: SlackStandIn) -> None:
    a, b = start(*served_kb)
    thread = next_ts()
    assert deliver(a, json.dumps(event_payload(mention(QUESTION_FR, channel="C0THREAD", ts=thread)))) == 200
    [answer] = slack.wait_for("chat.postMessage", timeout=START_TIMEOUT)
    first_figure = figures(answer)[0]
    follow_up = mention("source ?", channel="C0THREAD", thread_ts=thread)
    assert deliver(b, json.dumps(event_payload(follow_up))) == 200
    sources = slack.wait_for("chat.postMessage", 2, timeout=START_TIMEOUT)[1]
    assert sources.args["thread_ts"] == thread
    assert first_figure in sources.all_text()  # the sources of A's answer, figure by figure
    # Another thread has no context, whichever instance answers it.
    assert deliver(b, json.dumps(event_payload(mention("source ?", channel="C0OTHER")))) == 200
    [elsewhere] = slack.wait_for("chat.postMessage", timeout=START_TIMEOUT,
                                 where=lambda c: c.args["channel"] == "C0OTHER")
    assert first_figure not in elsewhere.all_text()


# --- the admins' loop ------------------------------------------------------------------------


def reloads(instance: Instance, outcome: str) -> float:
    return instance.metric("smassist_kb_reloads_total", outcome=outcome)


def test_a_broken_edit_is_one_admin_dm_across_instances_and_its_fix_one_more(
        start: Start, own_kb: tuple[Path, Path], slack: SlackStandIn) -> None:
    kb, _ = own_kb
    a, b = start(*own_kb)
    roi = kb / "entries" / "roi.yaml"
    original = roi.read_text(encoding="utf-8")
    write(roi, original.replace("topic: roi", "topic: roii", 1))
    # Both watchers see the broken files (a failed reload each) ...
    wait_until(lambda: reloads(a, "failed") and reloads(b, "failed"), START_TIMEOUT,
               "both instances refusing the broken edit")
    slack.settle(1.0)
    [broken] = answers_in(slack, ADMIN_DM)  # ... and the admin hears of it once.
    assert "roi.yaml:" in broken.args["text"] and "roii" in broken.args["text"]

    write(roi, original)
    # Fixed: both serve it again (a new model is trained on each, seconds on CI) ...
    wait_until(lambda: reloads(a, "unchanged") and reloads(b, "unchanged"), START_TIMEOUT,
               "both instances reloading the fixed files")
    slack.settle(1.0)
    dms = answers_in(slack, ADMIN_DM)
    assert len(dms) == 2 and "fixed" in dms[1].args["text"]  # ... and one DM says so.


def same_size_edit(path: Path) -> None:
    """Change ``path``'s content but not its size nor its modification time: the watchers cannot
    see it (as with some network file systems and deploy tools); only a reload request can."""
    stat = path.stat()
    original = path.read_text(encoding="utf-8")
    edited = version_b(original)
    excess = len(edited.encode()) - len(original.encode())
    comment = "# companies measure it and the trend, what to measure instead, whether social\n"
    assert comment in edited and excess < len(comment) - 2
    edited = edited.replace(comment, comment[: len(comment) - 1 - excess] + "\n", 1)
    assert len(edited.encode()) == stat.st_size
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_reload_on_one_instance_reloads_both_and_lists_each_version(
        start: Start, own_kb: tuple[Path, Path], slack: SlackStandIn) -> None:
    kb, _ = own_kb
    a, b = start(*own_kb)
    old = content_version(kb)[:12]
    same_size_edit(kb / "entries" / "roi.yaml")
    new = content_version(kb)[:12]
    assert new != old

    status, _ = post_command(Running(events_url(a), slack, None), "reload",  # type: ignore[arg-type]
                             response="reload", user=ADMIN)
    assert status == 200
    [reply] = slack.wait_for("response_url:reload", timeout=START_TIMEOUT)
    said = reply.args["text"]
    assert f"version {new}" in said and "Instances (2):" in said, said
    assert f"- slack-a: {new} (this one)" in said and f"- slack-b: {new}" in said, said
    assert "did not answer" not in said and "different versions" not in said, said

    # Both now answer from the new version.
    for instance, channel in ((a, "C0NEWA"), (b, "C0NEWB")):
        assert deliver(instance, json.dumps(event_payload(mention(QUESTION, channel=channel)))) == 200
    for channel in ("C0NEWA", "C0NEWB"):
        [answer] = slack.wait_for("chat.postMessage", timeout=START_TIMEOUT,
                                  where=lambda c, ch=channel: c.args["channel"] == ch)
        assert MARKER in answer.all_text()


# --- PostgreSQL down while serving -----------------------------------------------------------


def test_database_down_both_keep_answering_without_a_traceback_and_the_log_resumes(
        start: Start, served_kb: tuple[Path, Path], slack: SlackStandIn, postgres_url: str) -> None:

    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        a, b = start(*served_kb, db=url_via(proxy.port, postgres_url))
        thread = next_ts()
        deliver(a, json.dumps(event_payload(mention(QUESTION_FR, channel="C0DOWN", ts=thread))))
        [first] = slack.wait_for("chat.postMessage", timeout=START_TIMEOUT)

        proxy.cut()
        during = [f"C0DURING{i}" for i in range(6)]
        for i, channel in enumerate(during):
            deliver((a, b)[i % 2], json.dumps(event_payload(mention(QUESTION_EN, channel=channel))))
        # A follow-up on the instance that answered: its own copy of the context.
        deliver(a, json.dumps(event_payload(mention("source ?", channel="C0DOWN", thread_ts=thread))))
        assert settled_answers(slack, [*during, "C0DOWN"])[f"C0DURING{0}"] == 1
        sources = answers_in(slack, "C0DOWN")[1]
        assert figures(first)[0] in sources.all_text()
        assert wait_until(lambda: a.get("/readyz")[0] == 503 and b.get("/readyz")[0] == 503,
                          START_TIMEOUT, "both instances not ready while the database is down")

        proxy.restore()
        wait_until(lambda: a.get("/readyz")[0] == 200 and b.get("/readyz")[0] == 200,
                   START_TIMEOUT, "both instances ready again")
        after = [f"C0AFTER{i}" for i in range(2)]
        for i, channel in enumerate(after):
            deliver((a, b)[i], json.dumps(event_payload(mention(QUESTION_FR, channel=channel))))
        assert settled_answers(slack, after) == dict.fromkeys(after, 1)

        # No user saw an error; every question is in the shared log once the database is back.
        posted = slack.calls_to("chat.postMessage")
        assert not any("Traceback" in c.all_text() or "psycopg" in c.all_text() for c in posted)
        asked = len(during) + len(after) + 2

        wait_until(lambda: questions_logged(postgres_url) >= asked, START_TIMEOUT, f"{asked} questions in the log")
        assert questions_logged(postgres_url) == asked
        assert_outage_said_once((a, b))
    finally:
        proxy.close()

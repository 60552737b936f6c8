"""The PostgreSQL server of the tests: ``SMASSIST_TEST_DATABASE_URL`` (``.ci/run`` starts one).

Locally, without it, the tests that need PostgreSQL skip and say how to get one;
under ``CI=true`` they fail instead. Each test gets a database of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

VARIABLE = "SMASSIST_TEST_DATABASE_URL"
HOW = ("no PostgreSQL for the tests: set SMASSIST_TEST_DATABASE_URL, e.g. "
       "`source .ci/postgres.sh && postgres_start` (what .ci/run does)")


def server_url() -> str:
    """The server's URL; skips the test (fails it under CI=true) when there is none."""
    url = os.environ.get(VARIABLE, "").strip()
    if not url:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true but {HOW}", pytrace=False)
        pytest.skip(HOW)
    try:
        import psycopg
    except ImportError:
        pytest.fail("psycopg is not installed: pip install -e '.[test]'", pytrace=False)
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"{VARIABLE} is set but PostgreSQL cannot be reached: {exc}", pytrace=False)
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database on the test server, dropped after the test."""
    import psycopg

    server = server_url()
    name = "smassist_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

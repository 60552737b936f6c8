"""One retry policy for every Slack Web API call (and response_url), with a counter per failure kind.

slack-sdk's built-in handlers share the call's single attempt counter: after a
500 and a 429, a dropped connection finds "2 attempts made" and gives up on its
own first try. Here each kind of failure has its own budget, per call:

==============  =====================================================  =========
kind            what                                                   retries
==============  =====================================================  =========
rate_limited    HTTP 429; waits ``Retry-After`` (capped at 30 s)        3
server_error    HTTP 500, 502, 503, 504                                 2
connection      refused, reset, closed before an answer                 2
timeout         no answer within the client's timeout                   1
==============  =====================================================  =========

**A send that timed out is sent again, once.** Slack may have posted the
message and only the answer was lost, so the retry can show the answer twice;
not retrying loses the answer whenever the request itself was lost. A person who
asked a question and got silence has to notice, guess and ask again; a
duplicate is visible, harmless and rare (it needs the answer, not the request,
to be lost). Users choose the duplicate; we do too. Every retry is counted in
``smassist_delivery_retries{kind=...}``.
"""

from __future__ import annotations

import random
import socket
import time
from http.client import HTTPException, RemoteDisconnected
from typing import Any
from urllib.error import HTTPError, URLError

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from smassist import metrics

RETRIES = metrics.Counter("smassist_delivery_retries", "Web API calls sent again, by channel "
                          "and failure kind.", ("channel", "kind"))

BUDGET = {"rate_limited": 3, "server_error": 2, "connection": 2, "timeout": 1}
MAX_RETRY_AFTER = 30.0


class DeliveryPolicy(RetryHandler):
    """slack-sdk retry handler: one per client, one budget per failure kind per call."""

    def __init__(self, budget: dict[str, int] | None = None, *, backoff: float = 0.5,
                 max_retry_after: float = MAX_RETRY_AFTER, sleep: Any = time.sleep):
        super().__init__(max_retry_count=sum((budget or BUDGET).values()))
        self.budget = dict(BUDGET if budget is None else budget)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep

    def can_retry(self, *, state: RetryState, request: HttpRequest,
                  response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        kind = failure_kind(response, error)
        if kind is None:
            return False
        used = (state.custom_values or {}).get(kind, 0)
        return used < self.budget.get(kind, 0)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        kind = failure_kind(response, error) or "connection"
        if state.custom_values is None:
            state.custom_values = {}
        used = state.custom_values.get(kind, 0) + 1
        state.custom_values[kind] = used
        RETRIES.inc(channel="slack", kind=kind)
        if kind == "rate_limited" and response is not None:
            wait = min(self.max_retry_after, _retry_after(response) + random.random() * 0.2)
        else:
            wait = self.backoff * (2 ** (used - 1)) * (1 + random.random() * 0.2)
        self._sleep(wait)
        state.next_attempt_requested = True
        state.increment_current_attempt()


def failure_kind(response: HttpResponse | None, error: Exception | None) -> str | None:
    """rate_limited, server_error, connection, timeout; None for what no retry can fix."""
    if response is not None:
        if response.status_code == 429:
            return "rate_limited"
        if response.status_code in (500, 502, 503, 504):
            return "server_error"
        return None
    if error is None or isinstance(error, HTTPError):
        return None
    reason = error.reason if isinstance(error, URLError) else error
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(error, URLError | ConnectionError | RemoteDisconnected | HTTPException) or \
            isinstance(reason, OSError):
        return "connection"
    return None


def _retry_after(response: HttpResponse) -> float:
    for name, values in (response.headers or {}).items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) and values else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return 1.0
    return 1.0

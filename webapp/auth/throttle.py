"""Sign-in throttling per account (CNIL délibération 2022-100, case 2: an 8-character
password is acceptable when failed attempts are slowed down).

After 5 consecutive failures each attempt waits at least 1 minute, doubling; no more than
25 failures per 24 hours. Only delays: a stranger can slow an account, never lock it for good.
Plain Python: the caller loads and saves the state; `now` is always a parameter.
"""
import datetime as dt
from dataclasses import dataclass, replace

FREE_FAILURES = 5
FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
WINDOW = dt.timedelta(hours=24)
WINDOW_LIMIT = 25


@dataclass(frozen=True)
class ThrottleState:
    consecutive_failures: int = 0
    window_start: dt.datetime | None = None
    window_failures: int = 0
    blocked_until: dt.datetime | None = None


def retry_at(state: ThrottleState, now: dt.datetime) -> dt.datetime | None:
    """When the next attempt is allowed, or None if it is allowed now."""
    if state.blocked_until is not None and now < state.blocked_until:
        return state.blocked_until
    return None


def after_failure(state: ThrottleState, now: dt.datetime) -> ThrottleState:
    window_start, window_failures = state.window_start, state.window_failures
    if window_start is None or now - window_start >= WINDOW:
        window_start, window_failures = now, 0
    window_failures += 1
    consecutive = state.consecutive_failures + 1
    blocked_until = None
    if consecutive >= FREE_FAILURES:
        delay = min(FIRST_DELAY * 2 ** (consecutive - FREE_FAILURES), MAX_DELAY)
        blocked_until = now + delay
    if window_failures >= WINDOW_LIMIT:
        blocked_until = max(blocked_until or now, window_start + WINDOW)
    return ThrottleState(consecutive, window_start, window_failures, blocked_until)


def after_success(state: ThrottleState) -> ThrottleState:
    """A right password ends the run of failures; the 24-hour count stays."""
    return replace(state, consecutive_failures=0, blocked_until=None)

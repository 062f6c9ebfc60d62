"""Throttling, session lifetimes and password-request rules, with `now` pinned."""
import datetime as dt

import pytest

from webapp.auth import reset_rules, session_rules, throttle

T0 = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # the night clocks change in Paris


def fail(times: int, state=None, now=T0, every=dt.timedelta(0)):
    state = state or throttle.ThrottleState()
    for i in range(times):
        state = throttle.after_failure(state, now + every * i)
    return state


def test_four_failures_cost_nothing():
    assert throttle.retry_at(fail(4), T0) is None


@pytest.mark.parametrize("failures, minutes", [(5, 1), (6, 2), (7, 4), (8, 8), (11, 60), (14, 60)])
def test_delay_starts_at_one_minute_and_doubles(failures, minutes):
    assert throttle.retry_at(fail(failures), T0) == T0 + dt.timedelta(minutes=minutes)


def test_success_ends_the_run_of_failures():
    state = throttle.after_success(fail(7))
    assert throttle.retry_at(state, T0) is None and state.window_failures == 7
    assert throttle.retry_at(fail(1, state), T0) is None


def test_no_more_than_25_failures_a_day():
    state = fail(25, every=dt.timedelta(hours=0.9))  # spaced out: never 5 in a row blocked long
    assert throttle.retry_at(state, T0 + dt.timedelta(hours=22)) == T0 + dt.timedelta(hours=24)


def test_the_day_window_starts_again():
    state = fail(3)
    later = fail(1, state, now=T0 + dt.timedelta(hours=25))
    assert later.window_failures == 1


@pytest.mark.parametrize("kind, idle, absolute", [("family", 30, 12 * 60), ("agent", 15, 8 * 60)])
def test_session_limits(kind, idle, absolute):
    minute = dt.timedelta(minutes=1)
    assert session_rules.is_alive(kind, T0, T0, T0 + (idle - 1) * minute)
    assert not session_rules.is_alive(kind, T0, T0, T0 + idle * minute)
    late = T0 + absolute * minute
    assert not session_rules.is_alive(kind, T0, late - minute, late)


def test_lifetimes_of_password_requests():
    assert reset_rules.lifetime("temporary_password", first_activation=False) == dt.timedelta(hours=24)
    assert reset_rules.lifetime("link", first_activation=True) == dt.timedelta(hours=24)
    assert reset_rules.lifetime("link", first_activation=False) == dt.timedelta(minutes=60)


def test_three_requests_per_rolling_hour():
    minute = dt.timedelta(minutes=1)
    times = [T0, T0 + 10 * minute, T0 + 20 * minute]
    assert not reset_rules.may_request(times, T0 + 59 * minute)
    assert reset_rules.may_request(times, T0 + 61 * minute)


def test_secrets_carry_128_bits_and_are_stored_digested():
    temporary = reset_rules.new_secret("temporary_password")
    assert len(temporary) == 32 and int(temporary, 16) >= 0
    assert len(reset_rules.new_secret("link")) >= 43
    assert reset_rules.digest(temporary) != temporary and len(reset_rules.digest(temporary)) == 64

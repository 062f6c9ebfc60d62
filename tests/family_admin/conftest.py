"""Fixtures of the family_admin tests."""
import pytest

import tests.web.test_staff as staff_tests


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    """signed_in_agent (tests/web/test_staff.py) computes TOTP codes at the pinned time."""
    monkeypatch.setattr(staff_tests, "CLOCK", clock)

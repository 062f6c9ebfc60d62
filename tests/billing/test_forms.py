"""Amounts and tariff brackets typed by agents."""
from webapp.billing.forms import parse_brackets, parse_cents


def test_parse_cents():
    assert parse_cents("12,50") == 1250
    assert parse_cents("12.5") == 1250
    assert parse_cents("12 €") == 1200
    assert parse_cents("0,07") == 7
    for bad in ("", "abc", "-3", "1,234", "1e3", "12,5,0", "9999999"):
        assert parse_cents(bad) is None, bad


def test_parse_brackets():
    assert parse_brackets("600 1,00\n900 1,50\n* 2,00") == [(600, 100), (900, 150), (None, 200)]
    assert parse_brackets("* 3,85") == [(None, 385)]
    for bad in ("", "600", "abc 1,00", "600 x", "* 1,00\n* 2,00", "600 1,00\n600 2,00"):
        assert parse_brackets(bad) is None, bad

"""Locale choice and the French ways of writing dates and amounts."""
import datetime as dt
from decimal import Decimal

from flask import session
from flask_babel import format_currency, format_date

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
TIMEZONE = "Europe/Paris"


def select_locale() -> str:
    """French unless this visitor chose another language (kept in the session)."""
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def long_day(day: dt.date) -> str:
    """« lundi 8 décembre »."""
    return format_date(day, "EEEE d MMMM")


def money(cents: int) -> str:
    """« 120,60 € » from integer cents: money never goes through a float."""
    return format_currency(Decimal(cents).scaleb(-2), "EUR")

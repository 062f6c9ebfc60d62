"""Locale choice and the French ways of writing dates and amounts."""
import datetime as dt
from decimal import Decimal

from babel.dates import format_skeleton
from flask import session
from flask_babel import format_currency, format_date, format_time, get_locale
from flask_babel import gettext as _

from webapp.clock import PARIS, as_utc

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


def numeric_date(day: dt.date) -> str:
    """« 14/05/2018 » in French, « 5/14/2018 » in English: a calendar day in a table."""
    return format_skeleton("yMd", day, locale=get_locale())


def moment(value: dt.datetime) -> str:
    """« 08/12/2025 10:00 »: a stored UTC moment in Paris time."""
    return f"{local_date(value)} {time_of_day(as_utc(value))}"


def file_size(size: int) -> str:
    """« Taille » as the seeds show it, in Ko (rounded up: a short message is 1 Ko, not 0)."""
    return _("%(size)s Ko", size=(size + 1023) // 1024)


def money(cents: int) -> str:
    """« 120,60 € » from integer cents: money never goes through a float."""
    return format_currency(Decimal(cents).scaleb(-2), "EUR")


def day_and_time(moment: dt.datetime) -> str:
    """« mardi 9 décembre 2025 à 00:59 », in Paris time whatever the server's zone."""
    local = moment.astimezone(PARIS)
    return _("%(date)s à %(time)s", date=format_date(local, "full"), time=format_time(local, "short"))


def time_of_day(moment: dt.datetime) -> str:
    """« 14:05 » in Paris time: when a throttled account may try again."""
    return format_time(moment.astimezone(PARIS), "short")


def local_date(moment: dt.datetime) -> str:
    """« 08/12/2025 » of a stored UTC moment, in Paris time."""
    return format_date(as_utc(moment).astimezone(PARIS), "short")

"""Days and months typed by visitors (forms, query strings): read strictly, else None.

ASCII digits only (« ٢٠٢٧ » and full-width digits are no date of ours), and years from
FIRST_YEAR to LAST_YEAR: 0001-01-01 or 9999-12-31 are no day anyone plans or bills, and
the day before or the month after them overflows `date`. Plain Python, for views and
domain alike (webapp.ids is the same for ids).
"""
import datetime as dt
import re

FIRST_YEAR, LAST_YEAR = 2000, 2100
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def in_range(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_day(value: str | None) -> dt.date | None:
    """A date as <input type="date"> sends it (AAAA-MM-JJ, spaces around ignored), or None."""
    text = (value or "").strip()
    if not _DAY.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if in_range(day) else None


def parse_month(value: str | None) -> dt.date | None:
    """The first day of "AAAA-MM", or None."""
    match = _MONTH.fullmatch(value or "")
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)

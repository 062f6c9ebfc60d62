"""The one way to read the time: UTC to store, Europe/Paris to reason and to show."""
import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def paris_today() -> dt.date:
    """The date families and agents live in: today in Paris (late evening UTC is tomorrow there)."""
    return utcnow().astimezone(PARIS).date()


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)

"""The deadline engine: until when a reservation or an absence for a day is accepted.

Plain Python on purpose (no Flask, no SQLAlchemy): the rules are the typed deadlines of
`webapp.commune` (parsed from tenants.yaml), read here by their `kind` only, so this
module never imports the web application (importing `webapp.commune` would run
`webapp/__init__.py`, which builds the Flask app).

The four rules (features.md 1.6 and 4.5)
----------------------------------------
* rolling (seed 002, J-2 at 23:59): day D closes on D − N days at HH:MM. With
  `working_days_only`, N working days are counted back instead (weekends and whatever
  the caller's `is_working_day` says is a holiday do not count).
* weekly (seed 003, Friday 12:00): every day of ISO week W closes on the rule's weekday
  of week W − 1 at HH:MM; after it « l'accès à la semaine à venir sera bloqué ».
* day_before: D − 1 day at HH:MM.
* same_day: D at HH:MM.

Time: the deadline's date is found on the local calendar, then combined with the rule's
wall-clock time in Europe/Paris, so 23:59 stays 23:59 local across the DST changes. No
timedelta is ever added to an aware datetime. `now` may be in any time zone (UTC from
the database, Paris from a test): aware datetimes compare as instants. A deadline is
inclusive of the whole minute it names: 23:59:59 is in time, 00:00:00 is late.

The sentences are plain French strings built from the module constants below, so the
view layer can wrap the templates for translation.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date

if TYPE_CHECKING:  # types only: importing webapp.commune would load Flask (webapp/__init__.py)
    from webapp.commune import Deadline

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc

DATE_FORMAT = "EEEE d MMMM"  # babel pattern: « lundi 8 décembre »
WEEKDAY_FORMAT = "EEEE"  # « lundi »

# Sentence templates (plain strings; the view layer marks them for translation).
REFUSAL_LATE = "Pour le {day}, la date limite était le {deadline_day} à {deadline_time}"
REFUSAL_PAST = "Le {day} est passé."
TABLE_LINE = "Pour {day} > {deadline_day} avant {time}"
DESCRIBE_ROLLING = "Au plus tard {count} avant le jour demandé, à {time} (pour {example})."
DESCRIBE_ROLLING_SAME_DAY = "Le jour même avant {time}"
DESCRIBE_WEEKLY = (
    "Les demandes pour la semaine suivante doivent être faites au plus tard le {weekday} à {time} ; "
    "passé ce délai, la semaine à venir est bloquée."
)
DESCRIBE_DAY_BEFORE = "La veille avant {time}"
DESCRIBE_SAME_DAY = "Le jour même avant {time}"
DAYS_ONE, DAYS_MANY = "{n} jour", "{n} jours"
WORKING_DAYS_ONE, WORKING_DAYS_MANY = "{n} jour ouvré", "{n} jours ouvrés"

# Every sentence of this module, by name; callers may pass the same mapping translated.
FRENCH = {
    "late": REFUSAL_LATE, "past": REFUSAL_PAST, "table_line": TABLE_LINE, "rolling": DESCRIBE_ROLLING,
    "rolling_same_day": DESCRIBE_ROLLING_SAME_DAY, "weekly": DESCRIBE_WEEKLY, "day_before": DESCRIBE_DAY_BEFORE,
    "same_day": DESCRIBE_SAME_DAY, "days_one": DAYS_ONE, "days_many": DAYS_MANY,
    "working_days_one": WORKING_DAYS_ONE, "working_days_many": WORKING_DAYS_MANY,
}

# A Monday used to name weekdays in the families' table (any ordinary week would do).
_REFERENCE_MONDAY = dt.date(2024, 1, 8)
# Counting working days back gives up after this many calendar days (a callback that never
# answers True would otherwise loop for ever).
_MAX_LOOK_BACK_DAYS = 366


def weekdays_only(day: dt.date) -> bool:
    """Monday to Friday: the default working days (no holidays known)."""
    return day.weekday() < 5


def deadline_for(day: dt.date, rule: Deadline,
                 is_working_day: Callable[[dt.date], bool] = weekdays_only) -> dt.datetime:
    """The last moment (aware, Europe/Paris) at which a request for `day` is still accepted."""
    return _localise(_deadline_date(_check_day(day), rule, is_working_day), rule.time)


def is_open(day: dt.date, rule: Deadline, now: dt.datetime,
            is_working_day: Callable[[dt.date], bool] = weekdays_only) -> bool:
    """Whether a request for `day` made at `now` is in time (and `day` is not already past)."""
    _check_now(now)
    if _is_past(day, now):
        return False
    return _in_time(now, deadline_for(day, rule, is_working_day))


def refusal(day: dt.date, rule: Deadline, now: dt.datetime,
            is_working_day: Callable[[dt.date], bool] = weekdays_only, locale: str = "fr",
            phrases: Mapping[str, str] = FRENCH) -> str | None:
    """None when a request for `day` at `now` is in time; else the sentence saying why not."""
    _check_now(now)
    if _is_past(day, now):
        return phrases["past"].format(day=_date_text(day, locale))
    deadline = deadline_for(day, rule, is_working_day)
    if _in_time(now, deadline):
        return None
    return phrases["late"].format(day=_date_text(day, locale), deadline_day=_date_text(deadline.date(), locale),
                                  deadline_time=_time_text(deadline.time()))


def weekday_table(rule: Deadline, locale: str = "fr", phrases: Mapping[str, str] = FRENCH) -> list[str]:
    """Seed 002's table for Monday to Friday: « Pour lundi > samedi avant 23h59 », …

    Computed on an ordinary week (Monday to Friday working, no holiday); for a weekly rule
    the named weekday is the one of the previous week.
    """
    lines = []
    for offset in range(5):
        day = _REFERENCE_MONDAY + dt.timedelta(days=offset)
        deadline = deadline_for(day, rule)
        lines.append(phrases["table_line"].format(day=_weekday_text(day, locale),
                                       deadline_day=_weekday_text(deadline.date(), locale),
                                       time=_time_text(deadline.time())))
    return lines


def describe(rule: Deadline, locale: str = "fr", phrases: Mapping[str, str] = FRENCH) -> str:
    """A short description of the rule, for the families' page."""
    time = _time_text(_wall_time(rule.time))
    if rule.kind == "rolling":
        if rule.days_before == 0:
            return phrases["rolling_same_day"].format(time=time)
        one, many = ((phrases["working_days_one"], phrases["working_days_many"]) if rule.working_days_only
                     else (phrases["days_one"], phrases["days_many"]))
        count = (one if rule.days_before == 1 else many).format(n=rule.days_before)
        deadline_day = _deadline_date(_REFERENCE_MONDAY, rule, weekdays_only)
        example = f"{_weekday_text(_REFERENCE_MONDAY, locale)} : {_weekday_text(deadline_day, locale)}"
        return phrases["rolling"].format(count=count, time=time, example=example)
    if rule.kind == "weekly":
        weekday = _REFERENCE_MONDAY + dt.timedelta(days=rule.weekday.index)
        return phrases["weekly"].format(weekday=_weekday_text(weekday, locale), time=time)
    if rule.kind == "day_before":
        return phrases["day_before"].format(time=time)
    if rule.kind == "same_day":
        return phrases["same_day"].format(time=time)
    raise ValueError(f"unknown deadline kind: {rule.kind!r}")


# -- inside ---------------------------------------------------------------------------------


def _deadline_date(day: dt.date, rule: Deadline, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The local date the deadline for `day` falls on (date arithmetic only)."""
    if rule.kind == "rolling":
        if not rule.working_days_only:
            return day - dt.timedelta(days=rule.days_before)
        return _working_days_back(day, rule.days_before, is_working_day)
    if rule.kind == "weekly":
        monday = day - dt.timedelta(days=day.weekday())  # ISO week W starts on this Monday
        return monday - dt.timedelta(days=7) + dt.timedelta(days=rule.weekday.index)
    if rule.kind == "day_before":
        return day - dt.timedelta(days=1)
    if rule.kind == "same_day":
        return day
    raise ValueError(f"unknown deadline kind: {rule.kind!r}")


def _working_days_back(day: dt.date, count: int, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The date `count` working days before `day` (`day` itself when count is 0)."""
    current, found = day, 0
    while found < count:
        current -= dt.timedelta(days=1)
        if (day - current).days > _MAX_LOOK_BACK_DAYS + 7 * count:
            raise ValueError(f"no {count} working days found before {day.isoformat()}")
        if is_working_day(current):
            found += 1
    return current


def _localise(day: dt.date, time: dt.time) -> dt.datetime:
    """`day` at the wall-clock `time` in Paris, as a real instant.

    A time skipped by the spring change (02:30 on the last Sunday of March) becomes the
    same instant read after the change (03:30); a time seen twice in autumn is its first
    occurrence (summer time, the earlier instant).
    """
    local = dt.datetime.combine(day, _wall_time(time), tzinfo=PARIS)
    return local.astimezone(UTC).astimezone(PARIS)


def _in_time(now: dt.datetime, deadline: dt.datetime) -> bool:
    """`now` is within the deadline's minute or before it, compared as UTC instants.

    The deadline is shown to the minute (« 23h59 »): a family whose clock still reads 23:59
    is on time, so the whole minute counts. (Python's == between time zones is always False
    for a wall time that the autumn change makes ambiguous (PEP 495); UTC sidesteps that.)
    """
    return now.astimezone(UTC).replace(second=0, microsecond=0) <= deadline.astimezone(UTC)


def _wall_time(time: dt.time) -> dt.time:
    return time.replace(tzinfo=None, fold=0)


def _check_day(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


def _check_now(now: dt.datetime) -> None:
    if not isinstance(now, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (with a time zone)")


def _is_past(day: dt.date, now: dt.datetime) -> bool:
    return _check_day(day) < now.astimezone(PARIS).date()


def _date_text(day: dt.date, locale: str) -> str:
    return format_date(day, DATE_FORMAT, locale=locale)


def _weekday_text(day: dt.date, locale: str) -> str:
    return format_date(day, WEEKDAY_FORMAT, locale=locale)


def _time_text(time: dt.time) -> str:
    return f"{time.hour:02d}h{time.minute:02d}"

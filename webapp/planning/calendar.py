"""The calendar facts of the planning: public holidays, school holidays, local closures.

Plain Python on purpose (no Flask, no SQLAlchemy): the planning, the deadlines and
the tests ask "what is this day?" without an app or a database.

Where the facts come from
-------------------------
Both come from the `holidays` library (vacanza/holidays, >= 0.109), computed in
process: no data file to refresh, no network, ever.

* Public holidays of France, named in French ("Lundi de Pâques", "Ascension",
  "Lundi de Pentecôte", "Armistice", "Noël"…), Easter-based ones included. An optional
  subdivision adds the local ones: "57" (Moselle) or "6AE" (Alsace: Bas-Rhin and
  Haut-Rhin) add Vendredi saint and Saint-Étienne; the library's aliases "Moselle"
  and "Alsace" are accepted too.
* School holidays of the metropolitan zones A, B and C (the library's "school"
  category), following the ministry's arrêtés up to the 2027-2028 school year
  (arrêté du 21 juillet 2026). The library computes them by rule, so it would happily
  answer for years no arrêté has fixed yet: this module answers only between
  SCHOOL_DATA_FROM and SCHOOL_DATA_UNTIL and raises SchoolCalendarUnknown outside.
  Move SCHOOL_DATA_UNTIL when an upgrade of `holidays` cites the next arrêté.
  Corsica and overseas territories have their own school calendars: not covered.

Boundaries of a school holiday
------------------------------
The official calendar says "Fin des cours : samedi 18 octobre 2025 — Reprise des
cours : lundi 3 novembre 2025", departure after class and return in the morning. The
library (like the ministry's open data, data.education.gouv.fr) counts the Saturday
the classes end on as the first day off, and the day before classes resume as the
last. When classes end on a weekday (Pont de l'Ascension: Wednesday; summer 2028:
Tuesday 4 July), that weekday is a school day and the holiday starts the next day.
Either reading gives the same Monday-to-Friday school days.

What a day is
-------------
A day carries at most one fact; when several apply, the most informative wins:
public_holiday > local_closure > summer_holidays > small_holidays. Christmas Day is
"Noël" (public holiday) even though it falls in the Christmas holidays; a strike
declared during the holidays shows as the local closure.

Local days are what a commune declares on top (a pont, a strike, a closure of the
school): kind "local_closure", the agent's own label as the name.

Weekdays: a school day is any Monday-to-Friday without a fact. Wednesdays are not
special here: whether a service runs on Wednesday is the service's own weekdays.
"""
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import holidays

PUBLIC_HOLIDAY = "public_holiday"
LOCAL_CLOSURE = "local_closure"
SUMMER_HOLIDAYS = "summer_holidays"  # les grandes vacances
SMALL_HOLIDAYS = "small_holidays"  # les petites vacances: Toussaint, Noël, hiver, printemps, Ascension
PRECEDENCE = (PUBLIC_HOLIDAY, LOCAL_CLOSURE, SUMMER_HOLIDAYS, SMALL_HOLIDAYS)  # first wins

ZONES = ("A", "B", "C")
# The school zones A/B/C are metropolitan: only metropolitan subdivisions make sense with them.
SUBDIVISIONS = ("57", "6AE", "Moselle", "Alsace")

# The school years the `holidays` library follows from the arrêtés (see the module's docstring):
# from the 2017-2018 rentrée (Monday 4 September 2017) to the end of the 2027-2028 school year.
SCHOOL_DATA_FROM = dt.date(2017, 9, 4)
SCHOOL_DATA_UNTIL = dt.date(2028, 8, 31)

_SUMMER_NAME = "Vacances d'été"  # the library's French name of the grandes vacances


@dataclass(frozen=True)
class DayFact:
    kind: str  # "public_holiday" | "local_closure" | "summer_holidays" | "small_holidays"
    name: str  # in French: "Noël", "Vacances de la Toussaint", or the agent's label of a local day


class CacheInfo(NamedTuple):
    builds: int  # how many years were computed from the library
    years: tuple[int, ...]  # the years held


class SchoolCalendarUnknown(LookupError):
    """The school holidays of that day are not fixed (yet) by an arrêté this module knows."""

    def __init__(self, day: dt.date):
        super().__init__(
            f"school holidays unknown for {day.isoformat()}: known from {SCHOOL_DATA_FROM.isoformat()}"
            f" to {SCHOOL_DATA_UNTIL.isoformat()}"
        )
        self.day = day


def _check_day(day: object) -> dt.date:
    # A datetime is a date too, but it would never match a day's key: refuse it loudly.
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")
    return day


class SchoolCalendar:
    """The facts of every day for one school zone, one subdivision and the commune's local days.

    Each year is computed once, on first use, and kept by the instance.
    """

    def __init__(
        self,
        zone: str,
        *,
        subdivision: str | None = None,
        local_days: Mapping[dt.date, str] | None = None,
    ):
        if zone not in ZONES:
            raise ValueError(f"unknown school zone {zone!r}: expected one of {', '.join(ZONES)}")
        if subdivision is not None and subdivision not in SUBDIVISIONS:
            raise ValueError(
                f"unknown subdivision {subdivision!r}: expected none or one of {', '.join(SUBDIVISIONS)}"
            )
        days: dict[dt.date, str] = {}
        for day, name in (local_days or {}).items():
            _check_day(day)
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"local day {day.isoformat()} needs a name (pont, grève…)")
            days[day] = name.strip()
        self._zone = zone
        self._subdivision = subdivision
        self._local_days = MappingProxyType(days)
        self._years: dict[int, Mapping[dt.date, DayFact]] = {}
        self._builds = 0

    def __repr__(self) -> str:
        return (
            f"SchoolCalendar(zone={self._zone!r}, subdivision={self._subdivision!r},"
            f" local_days={len(self._local_days)})"
        )

    @property
    def zone(self) -> str:
        return self._zone

    @property
    def subdivision(self) -> str | None:
        return self._subdivision

    @property
    def local_days(self) -> Mapping[dt.date, str]:
        return self._local_days

    # -- the facts --------------------------------------------------------------------------

    def fact(self, day: dt.date) -> DayFact | None:
        """What the day is, or None for an ordinary day (weekends included)."""
        self._check_known(_check_day(day))
        return self._year(day.year).get(day)

    def facts_between(self, start: dt.date, end: dt.date) -> dict[dt.date, DayFact]:
        """The days from start to end, both included, that carry a fact, in date order."""
        self._check_known(_check_day(start))
        self._check_known(_check_day(end))
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        facts: dict[dt.date, DayFact] = {}
        for year in range(start.year, end.year + 1):
            facts.update(
                (day, fact) for day, fact in sorted(self._year(year).items()) if start <= day <= end
            )
        return facts

    def is_school_day(self, day: dt.date) -> bool:
        """Monday to Friday, and neither a public holiday, nor school holidays, nor a local day."""
        return day.weekday() < 5 and self.fact(day) is None

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a public holiday: the days a deadline counts.

        School holidays and local days are working days (the town hall works); known
        for any year, school data or not.
        """
        fact = self._year(_check_day(day).year).get(day)
        return day.weekday() < 5 and (fact is None or fact.kind != PUBLIC_HOLIDAY)

    def covers(self, day: dt.date) -> bool:
        """Whether the school holidays of that day are known (fact() answers)."""
        return SCHOOL_DATA_FROM <= _check_day(day) <= SCHOOL_DATA_UNTIL

    def cache_info(self) -> CacheInfo:
        return CacheInfo(builds=self._builds, years=tuple(sorted(self._years)))

    # -- inside -----------------------------------------------------------------------------

    def _check_known(self, day: dt.date) -> None:
        if not self.covers(day):
            raise SchoolCalendarUnknown(day)

    def _year(self, year: int) -> Mapping[dt.date, DayFact]:
        facts = self._years.get(year)
        if facts is None:
            facts = self._years[year] = MappingProxyType(self._build_year(year))
            self._builds += 1
        return facts

    def _build_year(self, year: int) -> dict[dt.date, DayFact]:
        """One year's facts: the national ones (shared by every calendar of the zone), with the
        commune's local days written over the school holidays but under public holidays."""
        national = _national_year(self._zone, self._subdivision, year)
        facts = dict(national)
        for day, name in self._local_days.items():
            if day.year == year and not (day in national and national[day].kind == PUBLIC_HOLIDAY):
                facts[day] = DayFact(LOCAL_CLOSURE, name)
        return facts


@functools.lru_cache(maxsize=128)
def _national_year(zone: str, subdivision: str | None, year: int) -> Mapping[dt.date, DayFact]:
    """School holidays of the zone and public holidays of one year, computed once per process:
    every request of every commune of the zone reads the same mapping."""
    facts: dict[dt.date, DayFact] = {}
    school = holidays.country_holidays(
        "FR", subdiv=f"Zone {zone}", categories=(holidays.SCHOOL,), years=year, language="fr"
    )
    for day, name in school.items():
        if day.year == year:
            # Two breaks on one day come joined by "; " (never seen in the covered years).
            summer = _SUMMER_NAME in name.split("; ")
            facts[day] = DayFact(SUMMER_HOLIDAYS if summer else SMALL_HOLIDAYS, name)
    public = holidays.country_holidays("FR", subdiv=subdivision, years=year, language="fr")
    for day, name in public.items():
        if day.year == year:
            facts[day] = DayFact(PUBLIC_HOLIDAY, name)
    return MappingProxyType(facts)


def enrolment_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The school year an enrolment made on `day` covers: 1 September to the first days of July.

    From August on, an enrolment is for the year about to start. (Statements count school years
    from 1 September to 31 August, so that summer invoices close a year: webapp.billing.models.)
    """
    first = day.year if day.month >= 8 else day.year - 1
    return dt.date(first, 9, 1), dt.date(first + 1, 7, 4)

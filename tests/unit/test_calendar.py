"""The calendar facts: public holidays, school holidays by zone, local days (no app, no database)."""
import datetime as dt
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import holidays
import pytest

from tests.helpers import imported_modules
from webapp.planning import calendar as calendar_module
from webapp.planning.calendar import (  # noqa: I001
    _national_year,
    LOCAL_CLOSURE,
    PUBLIC_HOLIDAY,
    SMALL_HOLIDAYS,
    SUMMER_HOLIDAYS,
    DayFact,
    SchoolCalendar,
    SchoolCalendarUnknown,
)

D = dt.date
CALENDAR_FILE = Path(calendar_module.__file__)


@pytest.fixture(scope="module")
def zone_a():
    return SchoolCalendar("A")


# -- school holiday boundaries ------------------------------------------------------------


def test_toussaint_2025_zone_a_boundaries(zone_a):
    """Fin des cours samedi 18 octobre 2025, reprise lundi 3 novembre 2025."""
    toussaint = DayFact(SMALL_HOLIDAYS, "Vacances de la Toussaint")
    assert zone_a.is_school_day(D(2025, 10, 17)) and zone_a.fact(D(2025, 10, 17)) is None
    assert zone_a.fact(D(2025, 10, 18)) == toussaint  # the Saturday classes end on: first day off
    assert zone_a.fact(D(2025, 10, 20)) == toussaint and not zone_a.is_school_day(D(2025, 10, 20))
    assert zone_a.fact(D(2025, 10, 31)) == toussaint
    assert zone_a.fact(D(2025, 11, 1)) == DayFact(PUBLIC_HOLIDAY, "Toussaint")  # public holiday wins
    assert zone_a.fact(D(2025, 11, 2)) == toussaint  # the day before classes resume: last day off
    assert zone_a.is_school_day(D(2025, 11, 3)) and zone_a.fact(D(2025, 11, 3)) is None


@pytest.mark.parametrize("zone", ["A", "B", "C"])
def test_christmas_2025_boundaries_in_every_zone(zone):
    """Fin des cours samedi 20 décembre 2025, reprise lundi 5 janvier 2026, all zones."""
    calendar = SchoolCalendar(zone)
    noel = DayFact(SMALL_HOLIDAYS, "Vacances de Noël")
    assert calendar.is_school_day(D(2025, 12, 19))
    assert calendar.fact(D(2025, 12, 20)) == noel
    assert calendar.fact(D(2025, 12, 22)) == noel and not calendar.is_school_day(D(2025, 12, 22))
    assert calendar.fact(D(2026, 1, 2)) == noel
    assert calendar.fact(D(2026, 1, 4)) == noel
    assert calendar.is_school_day(D(2026, 1, 5)) and calendar.fact(D(2026, 1, 5)) is None


def test_summer_2026_is_the_grandes_vacances(zone_a):
    """Fin des cours samedi 4 juillet 2026, rentrée mardi 1er septembre 2026."""
    summer = DayFact(SUMMER_HOLIDAYS, "Vacances d'été")
    assert zone_a.is_school_day(D(2026, 7, 3))
    assert zone_a.fact(D(2026, 7, 4)) == summer
    assert zone_a.fact(D(2026, 8, 3)) == summer and not zone_a.is_school_day(D(2026, 8, 3))
    assert zone_a.fact(D(2026, 8, 15)) == DayFact(PUBLIC_HOLIDAY, "Assomption")
    assert zone_a.fact(D(2026, 8, 31)) == summer
    assert zone_a.is_school_day(D(2026, 9, 1))


def test_pont_de_l_ascension_2026_is_a_small_holiday(zone_a):
    """Fin des cours mercredi 13 mai 2026 after class, reprise lundi 18 mai: Friday 15 is off."""
    assert zone_a.is_school_day(D(2026, 5, 13))
    assert zone_a.fact(D(2026, 5, 14)) == DayFact(PUBLIC_HOLIDAY, "Ascension")
    assert zone_a.fact(D(2026, 5, 15)) == DayFact(SMALL_HOLIDAYS, "Pont de l'Ascension")
    assert zone_a.is_school_day(D(2026, 5, 18))


def test_school_year_2026_2027(zone_a):
    # Toussaint: fin des cours samedi 17 octobre 2026, reprise lundi 2 novembre 2026.
    assert zone_a.is_school_day(D(2026, 10, 16))
    assert zone_a.fact(D(2026, 10, 19)) == DayFact(SMALL_HOLIDAYS, "Vacances de la Toussaint")
    assert zone_a.is_school_day(D(2026, 11, 2))
    # Noël: samedi 19 décembre 2026 to lundi 4 janvier 2027.
    assert zone_a.fact(D(2026, 12, 21)) == DayFact(SMALL_HOLIDAYS, "Vacances de Noël")
    assert zone_a.is_school_day(D(2027, 1, 4))
    # Hiver zone A: samedi 13 février to lundi 1er mars 2027.
    assert zone_a.is_school_day(D(2027, 2, 12))
    assert zone_a.fact(D(2027, 2, 15)) == DayFact(SMALL_HOLIDAYS, "Vacances d'hiver")
    assert zone_a.is_school_day(D(2027, 3, 1))
    # Summer: fin des cours samedi 3 juillet 2027; rentrée jeudi 2 septembre 2027.
    assert zone_a.is_school_day(D(2027, 7, 2))
    assert zone_a.fact(D(2027, 7, 5)) == DayFact(SUMMER_HOLIDAYS, "Vacances d'été")
    assert zone_a.fact(D(2027, 9, 1)) == DayFact(SUMMER_HOLIDAYS, "Vacances d'été")
    assert zone_a.is_school_day(D(2027, 9, 2))


# -- zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "monday, off_in",
    [
        (D(2026, 2, 9), {"A"}),  # A: 7 → 22 February 2026
        (D(2026, 2, 16), {"A", "B"}),  # B: 14 February → 1 March
        (D(2026, 2, 23), {"B", "C"}),  # C: 21 February → 8 March
        (D(2026, 3, 2), {"C"}),
        (D(2026, 3, 9), set()),
    ],
)
def test_winter_holidays_2026_differ_by_zone(monday, off_in):
    for zone in "ABC":
        calendar = SchoolCalendar(zone)
        expected = DayFact(SMALL_HOLIDAYS, "Vacances d'hiver") if zone in off_in else None
        assert calendar.fact(monday) == expected, zone
        assert calendar.is_school_day(monday) is (zone not in off_in), zone


@pytest.mark.parametrize("zone", ["", "a", "D", "Zone A", None])
def test_unknown_zone_is_refused(zone):
    with pytest.raises(ValueError, match="school zone"):
        SchoolCalendar(zone)


# -- public holidays ----------------------------------------------------------------------

PUBLIC_HOLIDAYS_2026 = {
    D(2026, 1, 1): "Jour de l'an",
    D(2026, 4, 6): "Lundi de Pâques",
    D(2026, 5, 1): "Fête du Travail",
    D(2026, 5, 8): "Fête de la Victoire",
    D(2026, 5, 14): "Ascension",
    D(2026, 5, 25): "Lundi de Pentecôte",
    D(2026, 7, 14): "Fête nationale",
    D(2026, 8, 15): "Assomption",
    D(2026, 11, 1): "Toussaint",
    D(2026, 11, 11): "Armistice",
    D(2026, 12, 25): "Noël",
}


def public_holidays(calendar, year):
    facts = calendar.facts_between(D(year, 1, 1), D(year, 12, 31))
    return {day: fact.name for day, fact in facts.items() if fact.kind == PUBLIC_HOLIDAY}


def test_public_holidays_2026_in_french_easter_based_ones_included(zone_a):
    assert public_holidays(zone_a, 2026) == PUBLIC_HOLIDAYS_2026
    for day in (D(2026, 4, 6), D(2026, 5, 14), D(2026, 5, 25), D(2026, 11, 11), D(2026, 12, 25)):
        assert not zone_a.is_school_day(day) and not zone_a.is_working_day(day)


def test_easter_based_holidays_move_with_easter(zone_a):
    # Easter 2027 is 28 March: Lundi de Pâques 29 March, Ascension 6 May, Pentecôte 17 May.
    holidays_2027 = public_holidays(zone_a, 2027)
    assert holidays_2027[D(2027, 3, 29)] == "Lundi de Pâques"
    assert holidays_2027[D(2027, 5, 6)] == "Ascension"
    assert holidays_2027[D(2027, 5, 17)] == "Lundi de Pentecôte"
    assert D(2027, 4, 6) not in holidays_2027 and D(2027, 5, 25) not in holidays_2027


@pytest.mark.parametrize("subdivision", ["57", "Moselle", "6AE", "Alsace"])
def test_alsace_moselle_adds_good_friday_and_saint_etienne(zone_a, subdivision):
    local = SchoolCalendar("A", subdivision=subdivision)
    assert public_holidays(local, 2026) == {
        **PUBLIC_HOLIDAYS_2026,
        D(2026, 4, 3): "Vendredi saint",
        D(2026, 12, 26): "Saint-Étienne",
    }
    # Good Friday 2026 falls on the last day of class before zone A's spring holidays.
    assert zone_a.is_school_day(D(2026, 4, 3)) and zone_a.is_working_day(D(2026, 4, 3))
    assert not local.is_school_day(D(2026, 4, 3)) and not local.is_working_day(D(2026, 4, 3))


@pytest.mark.parametrize("subdivision", ["67", "971", "Zone A", "Guadeloupe", ""])
def test_subdivision_outside_the_metropolitan_ones_is_refused(subdivision):
    with pytest.raises(ValueError, match="subdivision"):
        SchoolCalendar("A", subdivision=subdivision)


def test_public_holiday_wins_over_school_holidays(zone_a):
    assert zone_a.fact(D(2025, 12, 25)) == DayFact(PUBLIC_HOLIDAY, "Noël")
    assert zone_a.fact(D(2026, 1, 1)) == DayFact(PUBLIC_HOLIDAY, "Jour de l'an")
    assert zone_a.fact(D(2026, 4, 6)) == DayFact(PUBLIC_HOLIDAY, "Lundi de Pâques")  # zone A: spring break


# -- local days ---------------------------------------------------------------------------


def test_local_days_close_the_day_in_that_calendar_only():
    declared = {D(2025, 12, 12): "Grève", D(2025, 11, 10): "Pont de l'Armistice"}
    calendar = SchoolCalendar("A", local_days=declared)
    assert calendar.fact(D(2025, 12, 12)) == DayFact(LOCAL_CLOSURE, "Grève")
    assert calendar.fact(D(2025, 11, 10)) == DayFact(LOCAL_CLOSURE, "Pont de l'Armistice")
    assert not calendar.is_school_day(D(2025, 12, 12))
    assert calendar.is_working_day(D(2025, 12, 12))  # the town hall works: deadlines still count it
    assert SchoolCalendar("A").is_school_day(D(2025, 12, 12))
    declared[D(2025, 12, 15)] = "added afterwards"
    assert calendar.fact(D(2025, 12, 15)) is None  # the calendar kept its own copy


def test_precedence_public_then_local_then_school_holidays():
    calendar = SchoolCalendar(
        "A", local_days={D(2025, 12, 25): "Fermeture", D(2025, 12, 23): "Fermeture", D(2026, 7, 7): "Travaux"}
    )
    assert calendar.fact(D(2025, 12, 25)) == DayFact(PUBLIC_HOLIDAY, "Noël")
    assert calendar.fact(D(2025, 12, 23)) == DayFact(LOCAL_CLOSURE, "Fermeture")
    assert calendar.fact(D(2026, 7, 7)) == DayFact(LOCAL_CLOSURE, "Travaux")
    assert calendar.fact(D(2025, 12, 24)) == DayFact(SMALL_HOLIDAYS, "Vacances de Noël")


@pytest.mark.parametrize(
    "local_days, error",
    [
        ({D(2025, 12, 12): "  "}, ValueError),
        ({D(2025, 12, 12): None}, ValueError),
        ({dt.datetime(2025, 12, 12, 8, 0): "Grève"}, TypeError),
        ({"2025-12-12": "Grève"}, TypeError),
    ],
)
def test_bad_local_days_are_refused(local_days, error):
    with pytest.raises(error):
        SchoolCalendar("A", local_days=local_days)


def test_local_day_name_is_trimmed():
    calendar = SchoolCalendar("B", local_days={D(2025, 12, 12): "  Grève  "})
    assert calendar.fact(D(2025, 12, 12)).name == "Grève"


# -- a month at once ----------------------------------------------------------------------


def test_facts_of_december_2025(zone_a):
    facts = zone_a.facts_between(D(2025, 12, 1), D(2025, 12, 31))
    assert list(facts) == [D(2025, 12, day) for day in range(20, 32)]
    assert facts[D(2025, 12, 22)] == DayFact(SMALL_HOLIDAYS, "Vacances de Noël")
    assert facts[D(2025, 12, 25)] == DayFact(PUBLIC_HOLIDAY, "Noël")
    assert {fact.kind for day, fact in facts.items() if day != D(2025, 12, 25)} == {SMALL_HOLIDAYS}
    school_days = [D(2025, 12, d) for d in range(1, 32) if zone_a.is_school_day(D(2025, 12, d))]
    assert school_days == [D(2025, 12, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19)]


def test_facts_between_crosses_the_new_year_in_order(zone_a):
    facts = zone_a.facts_between(D(2025, 12, 19), D(2026, 1, 5))
    assert list(facts) == sorted(facts)
    assert min(facts) == D(2025, 12, 20) and max(facts) == D(2026, 1, 4)
    assert facts[D(2026, 1, 1)] == DayFact(PUBLIC_HOLIDAY, "Jour de l'an")
    christmas = D(2025, 12, 25)
    assert zone_a.facts_between(christmas, christmas) == {christmas: DayFact(PUBLIC_HOLIDAY, "Noël")}
    with pytest.raises(ValueError, match="before"):
        zone_a.facts_between(D(2025, 12, 31), D(2025, 12, 1))


def test_a_month_is_computed_once_per_year_and_kept(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    _national_year.cache_clear()
    calendar = SchoolCalendar("C")
    first = calendar.facts_between(D(2025, 12, 1), D(2025, 12, 31))
    assert calendar.cache_info() == (1, (2025,))
    assert calls == [2025, 2025]  # school holidays, public holidays: once each
    assert calendar.facts_between(D(2025, 12, 1), D(2025, 12, 31)) == first
    for day in range(1, 32):
        calendar.fact(D(2025, 12, day))
        calendar.is_school_day(D(2025, 12, day))
        calendar.is_working_day(D(2025, 12, day))
    assert calendar.cache_info() == (1, (2025,)) and len(calls) == 2
    calendar.facts_between(D(2025, 12, 15), D(2026, 1, 15))
    assert calendar.cache_info() == (2, (2025, 2026)) and calls == [2025, 2025, 2026, 2026]
    other = SchoolCalendar("C", local_days={D(2025, 12, 19): "Pont"})  # another request, same zone
    assert other.fact(D(2025, 12, 19)).kind == "local_closure" and len(calls) == 4  # shared national data


def test_a_year_holds_only_its_own_days(monkeypatch):
    """Should the library hand back a day of another year, that year's build is not polluted."""
    real = holidays.country_holidays

    def with_a_stray_day(*args, **kwargs):
        found = real(*args, **kwargs)
        found[D(kwargs["years"] - 1, 12, 1)] = "Stray"  # 1 December of the year before
        return found

    monkeypatch.setattr(holidays, "country_holidays", with_a_stray_day)
    calendar = SchoolCalendar("A")
    facts = calendar.facts_between(D(2025, 11, 24), D(2026, 1, 5))
    assert D(2025, 12, 1) not in facts and calendar.fact(D(2025, 12, 1)) is None
    assert calendar.is_school_day(D(2025, 12, 1))


# -- working days, weekdays ---------------------------------------------------------------


def test_working_days_are_weekdays_without_a_public_holiday(zone_a):
    assert zone_a.is_working_day(D(2025, 12, 22))  # Christmas holidays: still a working day
    assert not zone_a.is_school_day(D(2025, 12, 22))
    assert not zone_a.is_working_day(D(2025, 11, 11))  # Armistice, a Tuesday
    assert not zone_a.is_working_day(D(2026, 5, 25))  # Lundi de Pentecôte
    assert not zone_a.is_working_day(D(2025, 11, 8)) and not zone_a.is_working_day(D(2025, 11, 9))
    assert zone_a.is_working_day(D(2025, 11, 10))


def test_wednesday_is_a_school_day_and_weekends_are_not(zone_a):
    assert zone_a.is_school_day(D(2025, 11, 5))  # services declare their own weekdays
    assert zone_a.fact(D(2025, 11, 8)) is None and not zone_a.is_school_day(D(2025, 11, 8))
    assert not zone_a.is_school_day(D(2025, 11, 9))


# -- what the calendar does not know ------------------------------------------------------


def test_school_years_no_arrete_has_fixed_are_refused(zone_a):
    assert zone_a.fact(D(2028, 7, 4)) is None  # fin des cours mardi 4 juillet 2028: last school day
    assert zone_a.fact(D(2028, 8, 31)) == DayFact(SUMMER_HOLIDAYS, "Vacances d'été")
    assert zone_a.covers(D(2028, 8, 31)) and not zone_a.covers(D(2028, 9, 1))
    with pytest.raises(SchoolCalendarUnknown, match="2028-09-01"):
        zone_a.fact(D(2028, 9, 1))
    with pytest.raises(SchoolCalendarUnknown):
        zone_a.is_school_day(D(2029, 1, 8))
    with pytest.raises(SchoolCalendarUnknown):
        zone_a.facts_between(D(2028, 8, 1), D(2028, 9, 30))
    with pytest.raises(SchoolCalendarUnknown):
        zone_a.fact(D(2017, 9, 1))
    assert not zone_a.is_working_day(D(2031, 12, 25))  # public holidays need no arrêté


@pytest.mark.parametrize("day", [dt.datetime(2025, 12, 25, 10, 0), "2025-12-25", None])
def test_a_day_must_be_a_date(zone_a, day):
    with pytest.raises(TypeError):
        zone_a.fact(day)
    with pytest.raises(TypeError):
        zone_a.is_working_day(day)


def test_no_network_is_needed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the calendar tried the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    calendar = SchoolCalendar("B", subdivision="57")
    assert calendar.facts_between(D(2027, 1, 1), D(2027, 12, 31))
    assert calendar.cache_info().builds == 1


# -- plain Python -------------------------------------------------------------------------


def test_calendar_imports_only_the_standard_library_and_holidays():
    imported = imported_modules(CALENDAR_FILE)
    assert imported == {"datetime", "functools", "collections", "dataclasses", "types", "typing", "holidays"}


def test_calendar_loads_without_flask_or_sqlalchemy():
    """Loaded on its own (not through webapp/__init__.py, which builds the Flask app)."""
    script = textwrap.dedent(
        f"""
        import datetime, importlib.util, sys
        spec = importlib.util.spec_from_file_location("standalone_calendar", {str(CALENDAR_FILE)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.SchoolCalendar("A").is_school_day(datetime.date(2025, 10, 17))
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "sqlalchemy", "webapp")))
        """
    )
    result = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

"""The deadline engine: seed 002 (J-2 at 23:59), seed 003 (Friday 12:00), DST, holidays, sentences."""
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from webapp.commune import DayBeforeDeadline, Deadline, RollingDeadline, SameDayDeadline, WeeklyDeadline
from tests.helpers import imported_modules
from webapp.planning import deadlines as deadlines_module
from webapp.planning.deadlines import (
    deadline_for,
    describe,
    is_open,
    refusal,
    weekday_table,
    weekdays_only,
)

D = dt.date
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc
DEADLINES_FILE = Path(deadlines_module.__file__)

SEED_002 = RollingDeadline(kind="rolling", days_before=2, time=dt.time(23, 59))
SEED_003 = TypeAdapter(Deadline).validate_python({"kind": "weekly", "weekday": "friday", "time": "12:00"})
DAY_BEFORE = DayBeforeDeadline(kind="day_before", time=dt.time(10, 0))
SAME_DAY = SameDayDeadline(kind="same_day", time=dt.time(8, 30))
WORKING_2 = RollingDeadline(kind="rolling", days_before=2, time=dt.time(23, 59), working_days_only=True)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def armistice_2025(day: dt.date) -> bool:
    """Monday to Friday, but Tuesday 11 November 2025 is a public holiday."""
    return day.weekday() < 5 and day != D(2025, 11, 11)


# -- seed 002: rolling J-2 at 23:59 ---------------------------------------------------------


@pytest.mark.parametrize(("day", "deadline", "weekday"), [
    (D(2025, 12, 8), paris(2025, 12, 6, 23, 59), 5),  # lundi > samedi
    (D(2025, 12, 9), paris(2025, 12, 7, 23, 59), 6),  # mardi > dimanche
    (D(2025, 12, 10), paris(2025, 12, 8, 23, 59), 0),  # mercredi > lundi
    (D(2025, 12, 11), paris(2025, 12, 9, 23, 59), 1),  # jeudi > mardi
    (D(2025, 12, 12), paris(2025, 12, 10, 23, 59), 2),  # vendredi > mercredi
])
def test_seed_002_deadline_of_each_weekday(day, deadline, weekday):
    found = deadline_for(day, SEED_002)
    assert found == deadline
    assert found.tzinfo == PARIS and (found.hour, found.minute) == (23, 59)
    assert found.weekday() == weekday


@pytest.mark.parametrize(("day", "last_open", "first_closed"), [
    (D(2025, 12, 8), paris(2025, 12, 6, 23, 59), paris(2025, 12, 7, 0, 0)),
    (D(2025, 12, 9), paris(2025, 12, 7, 23, 59), paris(2025, 12, 8, 0, 0)),
    (D(2025, 12, 10), paris(2025, 12, 8, 23, 59), paris(2025, 12, 9, 0, 0)),
    (D(2025, 12, 11), paris(2025, 12, 9, 23, 59), paris(2025, 12, 10, 0, 0)),
    (D(2025, 12, 12), paris(2025, 12, 10, 23, 59), paris(2025, 12, 11, 0, 0)),
])
def test_seed_002_open_at_23_59_closed_the_next_minute(day, last_open, first_closed):
    assert is_open(day, SEED_002, last_open)
    assert not is_open(day, SEED_002, first_closed)
    assert refusal(day, SEED_002, last_open) is None
    assert refusal(day, SEED_002, first_closed) is not None


def test_seed_002_deadline_minute_counts_whole():
    assert is_open(D(2025, 12, 8), SEED_002, paris(2025, 12, 6, 23, 59, 0))
    assert is_open(D(2025, 12, 8), SEED_002, paris(2025, 12, 6, 23, 59, 59, 999999))
    assert not is_open(D(2025, 12, 8), SEED_002, paris(2025, 12, 7, 0, 0, 0))
    assert is_open(D(2025, 12, 8), SEED_002, paris(2025, 12, 1, 9, 0))  # well ahead


# -- seed 003: next week closes on Friday at 12:00 ------------------------------------------


@pytest.mark.parametrize("day", [D(2025, 12, 15) + dt.timedelta(days=n) for n in range(7)])
def test_seed_003_whole_next_week_closes_on_friday_noon(day):
    assert deadline_for(day, SEED_003) == paris(2025, 12, 12, 12, 0)
    assert is_open(day, SEED_003, paris(2025, 12, 12, 11, 59))
    assert is_open(day, SEED_003, paris(2025, 12, 12, 12, 0))
    assert not is_open(day, SEED_003, paris(2025, 12, 12, 12, 1))


@pytest.mark.parametrize("day", [D(2025, 12, 22) + dt.timedelta(days=n) for n in range(5)])
def test_seed_003_the_week_after_stays_open_until_the_next_friday(day):
    assert is_open(day, SEED_003, paris(2025, 12, 12, 12, 1))
    assert deadline_for(day, SEED_003) == paris(2025, 12, 19, 12, 0)
    assert not is_open(day, SEED_003, paris(2025, 12, 19, 12, 1))


def test_seed_003_iso_week_boundaries():
    """Sunday 14 belongs to the week of Monday 8 (deadline Friday 5); Monday 15 starts the next one."""
    assert deadline_for(D(2025, 12, 14), SEED_003) == paris(2025, 12, 5, 12, 0)
    assert deadline_for(D(2025, 12, 15), SEED_003) == paris(2025, 12, 12, 12, 0)
    assert deadline_for(D(2026, 1, 5), SEED_003) == paris(2026, 1, 2, 12, 0)  # across the new year


def test_weekly_rule_on_another_weekday():
    wednesday = WeeklyDeadline(kind="weekly", weekday="wednesday", time=dt.time(18, 0))
    assert deadline_for(D(2025, 12, 19), wednesday) == paris(2025, 12, 10, 18, 0)
    assert deadline_for(D(2025, 12, 15), wednesday) == paris(2025, 12, 10, 18, 0)


# -- day before, same day -------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "day", "deadline"), [
    (DAY_BEFORE, D(2025, 12, 8), paris(2025, 12, 7, 10, 0)),
    (DAY_BEFORE, D(2025, 12, 12), paris(2025, 12, 11, 10, 0)),
    (DAY_BEFORE, D(2026, 1, 1), paris(2025, 12, 31, 10, 0)),
    (SAME_DAY, D(2025, 12, 8), paris(2025, 12, 8, 8, 30)),
    (SAME_DAY, D(2026, 3, 29), paris(2026, 3, 29, 8, 30)),
])
def test_day_before_and_same_day_deadlines(rule, day, deadline):
    assert deadline_for(day, rule) == deadline


@pytest.mark.parametrize(("rule", "last_open", "first_closed"), [
    (DAY_BEFORE, paris(2025, 12, 7, 10, 0), paris(2025, 12, 7, 10, 1)),
    (SAME_DAY, paris(2025, 12, 8, 8, 30), paris(2025, 12, 8, 8, 31)),
])
def test_day_before_and_same_day_open_then_closed(rule, last_open, first_closed):
    assert is_open(D(2025, 12, 8), rule, last_open)
    assert not is_open(D(2025, 12, 8), rule, first_closed)


# -- daylight saving time -------------------------------------------------------------------


@pytest.mark.parametrize(("day", "deadline", "offset_hours"), [
    (D(2026, 3, 31), paris(2026, 3, 29, 23, 59), 2),  # after the spring change (29 March, 02:00 → 03:00)
    (D(2026, 3, 30), paris(2026, 3, 28, 23, 59), 1),  # the evening before it
    (D(2026, 10, 27), paris(2026, 10, 25, 23, 59), 1),  # after the autumn change (25 October, 03:00 → 02:00)
    (D(2026, 10, 26), paris(2026, 10, 24, 23, 59), 2),  # the evening before it
])
def test_rolling_deadline_keeps_local_23_59_across_dst(day, deadline, offset_hours):
    found = deadline_for(day, SEED_002)
    assert (found.date(), found.hour, found.minute) == (deadline.date(), 23, 59)
    assert found.utcoffset() == dt.timedelta(hours=offset_hours)
    assert found == deadline


@pytest.mark.parametrize(("day", "deadline_utc"), [
    (D(2026, 3, 30), utc(2026, 3, 27, 11, 0)),  # Friday 27 March 12:00 CET, two days before the change
    (D(2026, 10, 26), utc(2026, 10, 23, 10, 0)),  # Friday 23 October 12:00 CEST, two days before the change
])
def test_weekly_friday_just_before_a_dst_change(day, deadline_utc):
    found = deadline_for(day, SEED_003)
    assert found == deadline_utc
    assert (found.weekday(), found.hour, found.minute) == (4, 12, 0)


@pytest.mark.parametrize(("day", "rule", "last_open_utc", "first_closed_utc"), [
    (D(2026, 3, 31), SEED_002, utc(2026, 3, 29, 21, 59), utc(2026, 3, 29, 22, 0)),
    (D(2026, 10, 27), SEED_002, utc(2026, 10, 25, 22, 59), utc(2026, 10, 25, 23, 0)),
    (D(2026, 3, 30), SEED_003, utc(2026, 3, 27, 11, 0), utc(2026, 3, 27, 11, 1)),
    (D(2026, 10, 26), SEED_003, utc(2026, 10, 23, 10, 0), utc(2026, 10, 23, 10, 1)),
])
def test_instants_given_in_utc_compare_as_instants(day, rule, last_open_utc, first_closed_utc):
    assert is_open(day, rule, last_open_utc)
    assert not is_open(day, rule, first_closed_utc)
    assert refusal(day, rule, last_open_utc) is None
    assert refusal(day, rule, first_closed_utc) is not None


@pytest.mark.parametrize(("day", "expected", "wall"), [
    (D(2026, 3, 29), utc(2026, 3, 29, 1, 30), dt.time(3, 30)),  # 02:30 does not exist: 03:30 CEST
    (D(2026, 10, 25), utc(2026, 10, 25, 0, 30), dt.time(2, 30)),  # 02:30 happens twice: the first, CEST
])
def test_a_deadline_time_inside_a_dst_change(day, expected, wall):
    rule = SameDayDeadline(kind="same_day", time=dt.time(2, 30))
    found = deadline_for(day, rule)
    assert found.time() == wall and found.utcoffset() == dt.timedelta(hours=2)
    # In UTC: Python's == across zones is always False for an ambiguous wall time (PEP 495).
    assert found.astimezone(UTC) == expected
    assert is_open(day, rule, expected) and not is_open(day, rule, utc(*expected.timetuple()[:4], 31))


# -- working days and holidays --------------------------------------------------------------


@pytest.mark.parametrize(("day", "is_working_day", "deadline"), [
    (D(2025, 11, 13), armistice_2025, paris(2025, 11, 10, 23, 59)),  # Wed 12, (Tue 11 holiday), Mon 10
    (D(2025, 11, 13), weekdays_only, paris(2025, 11, 11, 23, 59)),  # without the holiday: Tue 11
    (D(2025, 12, 8), weekdays_only, paris(2025, 12, 4, 23, 59)),  # Monday → previous Thursday
    (D(2025, 12, 9), weekdays_only, paris(2025, 12, 5, 23, 59)),  # Tuesday → previous Friday
    (D(2025, 11, 12), armistice_2025, paris(2025, 11, 7, 23, 59)),  # Wed 12 → Mon 10, Fri 7
])
def test_rolling_in_working_days(day, is_working_day, deadline):
    assert deadline_for(day, WORKING_2, is_working_day) == deadline


def test_working_days_callback_reaches_is_open_and_refusal():
    just_after = paris(2025, 11, 11, 0, 0)
    assert not is_open(D(2025, 11, 13), WORKING_2, just_after, armistice_2025)
    assert is_open(D(2025, 11, 13), WORKING_2, just_after)  # weekdays only: deadline Tue 11 23:59
    assert refusal(D(2025, 11, 13), WORKING_2, just_after, armistice_2025) == (
        "Pour le jeudi 13 novembre, la date limite était le lundi 10 novembre à 23h59")


def test_working_days_only_does_not_change_calendar_day_rules():
    """Without working_days_only, seed 002 counts calendar days: the holiday is ignored."""
    assert deadline_for(D(2025, 11, 13), SEED_002, armistice_2025) == paris(2025, 11, 11, 23, 59)


def test_working_days_give_up_when_none_exists():
    with pytest.raises(ValueError, match="working days"):
        deadline_for(D(2025, 11, 13), WORKING_2, lambda day: False)


@pytest.mark.parametrize(("day", "expected"), [
    (D(2025, 12, 8), True), (D(2025, 12, 12), True), (D(2025, 12, 13), False), (D(2025, 12, 14), False),
])
def test_weekdays_only(day, expected):
    assert weekdays_only(day) is expected


# -- refusals and past days -----------------------------------------------------------------


def test_refusal_sentence_names_the_day_and_the_deadline():
    assert refusal(D(2025, 12, 8), SEED_002, paris(2025, 12, 7, 10, 0)) == (
        "Pour le lundi 8 décembre, la date limite était le samedi 6 décembre à 23h59")


@pytest.mark.parametrize(("rule", "day", "now", "sentence"), [
    (SEED_003, D(2025, 12, 15), paris(2025, 12, 13, 9, 0),
     "Pour le lundi 15 décembre, la date limite était le vendredi 12 décembre à 12h00"),
    (DAY_BEFORE, D(2025, 12, 8), paris(2025, 12, 7, 10, 1),
     "Pour le lundi 8 décembre, la date limite était le dimanche 7 décembre à 10h00"),
    (SAME_DAY, D(2025, 12, 8), paris(2025, 12, 8, 9, 0),
     "Pour le lundi 8 décembre, la date limite était le lundi 8 décembre à 08h30"),
])
def test_refusal_sentence_of_each_rule(rule, day, now, sentence):
    assert refusal(day, rule, now) == sentence


def test_no_refusal_when_open():
    assert refusal(D(2025, 12, 8), SEED_002, paris(2025, 12, 6, 10, 0)) is None
    assert refusal(D(2025, 12, 8), SAME_DAY, paris(2025, 12, 8, 8, 0)) is None


@pytest.mark.parametrize("rule", [SEED_002, SEED_003, DAY_BEFORE, SAME_DAY, WORKING_2])
def test_a_past_day_is_refused_whatever_the_rule(rule):
    now = paris(2025, 12, 9, 7, 0)
    assert not is_open(D(2025, 12, 8), rule, now)
    assert refusal(D(2025, 12, 8), rule, now) == "Le lundi 8 décembre est passé."


def test_a_past_day_is_refused_even_if_its_deadline_were_later(monkeypatch):
    """No rule of tenants.yaml closes after its day, but the past check must not rely on that."""
    monkeypatch.setattr(deadlines_module, "deadline_for", lambda *args: paris(2030, 1, 1, 0, 0))
    now = paris(2025, 12, 9, 7, 0)
    assert not is_open(D(2025, 12, 8), SEED_002, now)
    assert refusal(D(2025, 12, 8), SEED_002, now) == "Le lundi 8 décembre est passé."
    assert is_open(D(2025, 12, 9), SEED_002, now)  # today is not past


def test_past_is_judged_on_the_paris_date_not_the_utc_date():
    now = utc(2025, 12, 8, 23, 30)  # Tuesday 9 December 00:30 in Paris
    assert refusal(D(2025, 12, 8), SAME_DAY, now) == "Le lundi 8 décembre est passé."
    early = utc(2025, 12, 7, 23, 30)  # Monday 8 December 00:30 in Paris: still before 08:30
    assert is_open(D(2025, 12, 8), SAME_DAY, early)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="aware"):
        is_open(D(2025, 12, 8), SEED_002, dt.datetime(2025, 12, 6, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        refusal(D(2025, 12, 8), SEED_002, dt.datetime(2025, 12, 6, 10, 0))


# -- the families' page ----------------------------------------------------------------------


def test_weekday_table_of_seed_002():
    assert weekday_table(SEED_002) == [
        "Pour lundi > samedi avant 23h59",
        "Pour mardi > dimanche avant 23h59",
        "Pour mercredi > lundi avant 23h59",
        "Pour jeudi > mardi avant 23h59",
        "Pour vendredi > mercredi avant 23h59",
    ]


def test_weekday_table_of_working_days():
    assert weekday_table(WORKING_2) == [
        "Pour lundi > jeudi avant 23h59",
        "Pour mardi > vendredi avant 23h59",
        "Pour mercredi > lundi avant 23h59",
        "Pour jeudi > mardi avant 23h59",
        "Pour vendredi > mercredi avant 23h59",
    ]


@pytest.mark.parametrize(("rule", "text"), [
    (SEED_003, "Les demandes pour la semaine suivante doivent être faites au plus tard le vendredi à 12h00 ; "
               "passé ce délai, la semaine à venir est bloquée."),
    (DAY_BEFORE, "La veille avant 10h00"),
    (SAME_DAY, "Le jour même avant 08h30"),
    (SEED_002, "Au plus tard 2 jours avant le jour demandé, à 23h59 (pour lundi : samedi)."),
    (WORKING_2, "Au plus tard 2 jours ouvrés avant le jour demandé, à 23h59 (pour lundi : jeudi)."),
    (RollingDeadline(kind="rolling", days_before=1, time=dt.time(18, 0)),
     "Au plus tard 1 jour avant le jour demandé, à 18h00 (pour lundi : dimanche)."),
    (RollingDeadline(kind="rolling", days_before=0, time=dt.time(9, 5)), "Le jour même avant 09h05"),
])
def test_describe(rule, text):
    assert describe(rule) == text


# -- plain Python -----------------------------------------------------------------------------


def test_deadlines_imports_neither_flask_nor_sqlalchemy():
    imported = imported_modules(DEADLINES_FILE)
    assert not imported & {"flask", "flask_babel", "sqlalchemy", "."}
    assert imported <= {"__future__", "datetime", "collections", "typing", "zoneinfo", "babel", "webapp"}


def test_deadlines_loads_without_flask_or_sqlalchemy():
    """Loaded on its own (not through webapp/__init__.py, which builds the Flask app)."""
    script = textwrap.dedent(
        f"""
        import datetime, importlib.util, sys, types
        spec = importlib.util.spec_from_file_location("standalone_deadlines", {str(DEADLINES_FILE)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rule = types.SimpleNamespace(kind="day_before", time=datetime.time(10, 0))
        assert module.deadline_for(datetime.date(2025, 12, 8), rule).day == 7
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "sqlalchemy", "webapp")))
        """
    )
    result = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

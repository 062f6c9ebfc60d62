"""The family's month page is reused while unchanged, and never once something it shows changed.

The page body is kept in webapp.planning.family_pages.PAGES, keyed by the planning's data,
the deadline locks at this instant, the day and the language. These tests change each of
them and check the page that comes back. The clock fixture pins Monday 8 December 2025.
Alpha: weekly deadline (Friday 12:00 for the next week). Beta: rolling J-2 at 23:59.
"""
import datetime as dt

import pytest

from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import csrf_token, recorded_sql, sign_in
from tests.planning.grid_cells import cell
from webapp.commune import DayBeforeDeadline, RollingDeadline, SameDayDeadline, WeeklyDeadline
from webapp.planning import deadlines
from webapp.planning.calendar import SchoolCalendar
from webapp.planning.family_pages import PAGES
from webapp.planning.models import Closure, DayRequest
from webapp.planning.page_cache import PageCache

MONDAY_15 = dt.date(2025, 12, 15)


@pytest.fixture
def family_page(client_for, tenant_db, clock):
    """A family of one child in the canteen, signed in; returns (db, client, child, canteen, get)."""
    def make(slug: str, at: dt.datetime | None = None):
        if at is not None:
            clock.now = at
        db = tenant_db(slug)
        family = make_family(db)
        child = make_child(db, family, first_name="Zélie")
        canteen = make_service(db)
        enrol(db, child, canteen)
        client = client_for(f"{slug}.test")
        assert sign_in(client).status_code == 303

        def get(path="/planning?mois=2025-12") -> str:
            answer = client.get(path)
            assert answer.status_code == 200
            return answer.get_data(as_text=True)
        return db, client, family, child, canteen, get
    PAGES.clear()
    return make


def cell_html(page: str, child, service, day: dt.date) -> str:
    """The <td> of one cell."""
    return cell(page, child, service, day)


def request_row(family, child, service, day, kind="reservation", state="accepted", **extra) -> DayRequest:
    values = dict(family_id=family.id, child_id=child.id, service_id=service.id, day=day, kind=kind, state=state,
                  regular=False, comment="", late=False, created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    values.update(extra)
    return DayRequest(**values)


def test_a_reload_reuses_the_page_and_costs_the_same_queries(family_page):
    db, client, family, child, canteen, get = family_page("beta")
    get()  # warm-up: session touched, templates compiled, page stored
    with recorded_sql() as again:
        first = get()
    assert len(PAGES) == 1
    db.add(request_row(family, child, canteen, MONDAY_15))
    db.commit()
    with recorded_sql() as changed:
        second = get()
    assert len(PAGES) == 2  # another planning, another page
    assert len(again) == len(changed) <= 8
    assert "cell--free" in cell_html(first, child, canteen, MONDAY_15)
    assert "cell--reserved" in cell_html(second, child, canteen, MONDAY_15)
    # The CSRF field is written for each visit, and it is the session's.
    assert csrf_token(first) and csrf_token(second) == csrf_token(get())


def test_a_cached_page_shows_hors_delai_right_after_the_deadline(family_page, clock):
    db, client, family, child, canteen, get = family_page(
        "alpha", at=dt.datetime(2025, 12, 12, 11, 0, 30, tzinfo=dt.UTC))  # Friday 12:00:30 in Paris: in time
    before = get()
    assert get() == before and len(PAGES) == 1  # the same page, from the store
    cell = cell_html(before, child, canteen, MONDAY_15)
    assert 'data-action="reservation"' in cell and "cell--late" not in cell
    clock.now = dt.datetime(2025, 12, 12, 11, 1, tzinfo=dt.UTC)  # 12:01, the minute after: next week locked
    after = get()
    cell = cell_html(after, child, canteen, MONDAY_15)
    assert "cell--late" in cell and "hors délai" in cell and "<input" not in cell
    assert len(PAGES) == 2


def test_a_booking_made_in_another_tab_shows_on_the_next_load(family_page):
    db, client, family, child, canteen, get = family_page("beta")
    get()
    other = client.__class__(client.application, client.response_wrapper, use_cookies=True)
    other.host, other._cookies = client.host, client._cookies  # the same browser, another tab
    page = get()
    answer = other.post("/planning/reserver", data={"cases": f"{child.id}:{canteen.id}:{MONDAY_15.isoformat()}",
                                                    "mois": "2025-12", "csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    assert "cell--reserved" in cell_html(get(), child, canteen, MONDAY_15)


def test_an_agents_decision_a_closure_and_a_local_day_show_on_the_next_load(family_page):
    db, client, family, child, canteen, get = family_page("alpha")
    row = request_row(family, child, canteen, MONDAY_15, state="pending")
    db.add(row)
    db.commit()
    assert "cell--pending_reservation" in cell_html(get(), child, canteen, MONDAY_15)
    row.state = "accepted"  # decided in place: same id, same count of rows
    db.commit()
    assert "cell--reserved" in cell_html(get(), child, canteen, MONDAY_15)
    tuesday = dt.date(2025, 12, 16)
    db.add(Closure(day=tuesday, service_id=canteen.id, reason="Grève", created_at=dt.datetime.now(dt.UTC)))
    db.commit()
    assert "cell--closed" in cell_html(get(), child, canteen, tuesday)
    child.first_name = "Capucine"  # the header changes too
    db.commit()
    assert "Capucine" in get()


def test_each_language_has_its_own_page(family_page):
    db, client, family, child, canteen, get = family_page("beta")
    assert "Légende" in get()
    client.post("/langue", data={"locale": "en", "csrf_token": csrf_token(get("/accueil"))})
    english = get()
    assert "Next month" in english and "Mois suivant" not in english


def test_a_refused_form_is_never_stored(family_page):
    db, client, family, child, canteen, get = family_page("beta")
    page = get()
    answer = client.post("/planning/absence", data={"cases": f"{child.id}:{canteen.id}:2025-12-15",
                                                    "mois": "2025-12", "csrf_token": csrf_token(page)})
    assert answer.status_code == 400 and "checked" in answer.get_data(as_text=True)
    assert len(PAGES) == 1 and "checked" not in get()


@pytest.mark.parametrize("rule", [
    RollingDeadline(kind="rolling", days_before=2, time="23:59"),
    RollingDeadline(kind="rolling", days_before=3, time="10:00", working_days_only=True),
    WeeklyDeadline(kind="weekly", weekday="friday", time="12:00"),
    DayBeforeDeadline(kind="day_before", time="10:00"),
    SameDayDeadline(kind="same_day", time="08:30"),
])
def test_a_later_day_never_closes_before_an_earlier_one(rule):
    """What FamilyPlanning.first_open_days relies on to key the page by one date per rule."""
    calendar = SchoolCalendar(zone="A")
    days = [dt.date(2025, 9, 1) + dt.timedelta(days=n) for n in range(366)]
    found = [deadlines.deadline_for(day, rule, calendar.is_working_day) for day in days]
    assert all(a <= b for a, b in zip(found, found[1:]))


def test_the_store_is_bounded_and_keyed_by_the_settings_object():
    store, settings = PageCache(max_chars=11), object()
    store.put("a", settings, "A", 6)
    store.put("b", settings, "B", 4)
    assert store.get("a", settings) == "A" and store.get("a", object()) is None
    store.put("c", settings, "C", 5)  # over 11: the least recently used ("b") goes
    assert store.get("b", settings) is None and store.get("a", settings) == "A" and store.get("c", settings) == "C"
    store.put("huge", settings, "H", 12)
    assert store.get("huge", settings) is None and len(store) == 2

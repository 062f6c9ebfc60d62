"""Taking the register: upserts, corrections, no future day, and what the family grid then shows."""
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import recorded_sql
from webapp.planning import booking
from webapp.planning.attendance import record_attendance
from webapp.planning.models import Attendance, DayRequest
from webapp.planning.rules import STATES, Cell, cell_state

PARIS = ZoneInfo("Europe/Paris")
THURSDAY = dt.date(2025, 12, 4)  # a school day, before « now »
NOW = dt.datetime(2025, 12, 8, 18, tzinfo=PARIS).astimezone(dt.UTC)  # Monday 8 December, 18:00 in Paris


@pytest.fixture
def kit(app, tenant_db):
    db = tenant_db("beta")
    family = make_family(db)
    leo, lina = make_child(db, family), make_child(db, family, first_name="Lina")
    canteen = make_service(db)
    enrol(db, leo, canteen)
    enrol(db, lina, canteen)
    settings = app.extensions["tenancy"].registry.get("beta").settings

    def planning():
        return booking.FamilyPlanning.load(db, settings, family.id, dt.date(2025, 12, 1), dt.date(2025, 12, 31))

    return SimpleNamespace(db=db, family=family, leo=leo, lina=lina, canteen=canteen, planning=planning)


def book(k, child, day=THURSDAY, kind="reservation", state="accepted", **fields):
    values = dict(family_id=k.family.id, child_id=child.id, service_id=k.canteen.id, day=day, kind=kind,
                  state=state, regular=False, comment="", late=False, created_at=NOW, reason="")
    values.update(fields)
    k.db.add(DayRequest(**values))
    k.db.commit()


def register(k) -> dict[int, tuple[bool, int]]:
    k.db.expire_all()
    return {a.child_id: (a.present, a.taken_by) for a in k.db.scalars(select(Attendance))}


def take(k, present, expected, agent_id=7, day=THURSDAY, now=NOW):
    count = record_attendance(k.db, day=day, service_id=k.canteen.id, present_child_ids=present,
                              expected_child_ids=expected, agent_id=agent_id, now=now)
    k.db.commit()
    return count


def test_every_expected_child_gets_a_row_in_one_statement_per_kind(kit):
    k = kit
    with recorded_sql() as statements:
        assert take(k, {k.leo.id}, {k.leo.id, k.lina.id}) == 2
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 2
    assert register(k) == {k.leo.id: (True, 7), k.lina.id: (False, 7)}


def test_taking_the_register_again_changes_the_rows_in_place(kit):
    k = kit
    take(k, {k.leo.id}, {k.leo.id, k.lina.id})
    take(k, {k.lina.id}, {k.leo.id, k.lina.id}, agent_id=9, now=NOW + dt.timedelta(minutes=5))
    assert register(k) == {k.leo.id: (False, 9), k.lina.id: (True, 9)}
    assert len(k.db.scalars(select(Attendance)).all()) == 2


def test_a_child_who_came_without_a_booking_is_recorded_present(kit):
    k = kit
    take(k, {k.leo.id, k.lina.id}, {k.leo.id})
    assert register(k) == {k.leo.id: (True, 7), k.lina.id: (True, 7)}


def test_today_is_allowed_a_future_day_is_refused_and_nothing_is_written(kit):
    k = kit
    with pytest.raises(ValueError):
        take(k, {k.leo.id}, {k.leo.id}, day=dt.date(2025, 12, 9))
    assert register(k) == {}
    take(k, {k.leo.id}, {k.leo.id}, day=dt.date(2025, 12, 8))  # today, in Paris
    assert register(k) == {k.leo.id: (True, 7)}


def test_the_family_grid_shows_present_and_unannounced_absent_on_booked_cells(kit):
    k = kit
    book(k, k.leo)
    book(k, k.lina)
    friday = THURSDAY + dt.timedelta(days=1)
    book(k, k.leo, day=friday, kind="absence", motive="medical", billed=False)  # declared: stays excused
    book(k, k.leo, day=friday)
    before = k.planning()
    assert before.state(Cell(k.leo.id, k.canteen.id, THURSDAY)) == "reserved"
    take(k, {k.leo.id}, {k.leo.id, k.lina.id})
    record_attendance(k.db, day=friday, service_id=k.canteen.id, present_child_ids=set(),
                      expected_child_ids={k.leo.id, k.lina.id}, agent_id=7, now=NOW)  # Lina: not booked Friday
    k.db.commit()
    after = k.planning()
    assert after.state(Cell(k.leo.id, k.canteen.id, THURSDAY)) == "present"
    assert after.state(Cell(k.lina.id, k.canteen.id, THURSDAY)) == "absent"
    assert after.state(Cell(k.leo.id, k.canteen.id, friday)) == "absent_excused"
    assert after.state(Cell(k.lina.id, k.canteen.id, friday)) == "free"


def test_cell_state_uses_attendance_only_on_a_booked_cell():
    base = dict(runs=True, enrolled=True, calendar_kind=None, closed=False)
    accepted = SimpleNamespace(state="accepted", regular=True)
    pending = SimpleNamespace(state="pending", regular=False)
    assert cell_state(**base, reservation=accepted, attendance=True) == "present"
    assert cell_state(**base, reservation=accepted, attendance=False) == "absent"
    assert cell_state(**base, reservation=accepted) == "regular"
    assert cell_state(**base, reservation=pending, attendance=True) == "pending_reservation"
    assert cell_state(**base, attendance=True) == "free"
    assert cell_state(**{**base, "closed": True}, reservation=accepted, attendance=False) == "closed"
    assert STATES.index("present") == STATES.index("absent_billed") + 1
    assert STATES.index("absent") == STATES.index("present") + 1

"""Two tabs, a double click, a retry at the same instant: one request per cell, on PostgreSQL."""
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import enrol, make_child, make_family, make_service
from webapp.planning import booking
from webapp.planning.models import DayRequest
from webapp.planning.rules import Cell

pytestmark = pytest.mark.postgres
NOW = dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC)
MONDAY = dt.date(2025, 12, 8)


def test_simultaneous_bookings_of_one_cell_make_one_request(app, tenant_db):
    db = tenant_db("beta")
    family = make_family(db)
    child, canteen = make_child(db, family), make_service(db)
    enrol(db, child, canteen)
    tenancy = app.extensions["tenancy"]
    engine = tenancy.storage.engine_for("t_beta")
    settings = tenancy.registry.get("beta").settings
    start = threading.Barrier(4)
    errors = []

    def book():
        try:
            with Session(engine) as session:
                view = booking.FamilyPlanning.load(session, settings, family.id, MONDAY, MONDAY)
                start.wait()  # every tab has seen the cell free; all submit together
                booking.request_reservations(session, view, family.id, [Cell(child.id, canteen.id, MONDAY)], NOW)
                session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=book) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.scalar(select(func.count()).select_from(DayRequest)) == 1


def test_simultaneous_decisions_make_one_decision(app, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child, canteen = make_child(db, family), make_service(db)
    enrol(db, child, canteen)
    settings = app.extensions["tenancy"].registry.get("alpha").settings
    view = booking.FamilyPlanning.load(db, settings, family.id, MONDAY, MONDAY)
    booking.request_reservations(db, view, family.id, [Cell(child.id, canteen.id, MONDAY)], NOW)
    db.commit()
    request_id = db.scalar(select(DayRequest.id))
    engine = app.extensions["tenancy"].storage.engine_for("t_alpha")
    start, decided = threading.Barrier(2), []

    def decide(accept: bool, agent: int):
        with Session(engine) as session:
            start.wait()
            decided.append((agent, booking.decide(session, [request_id], accept=accept, reason="r", agent_id=agent,
                                                  now=NOW)))
            session.commit()

    threads = [threading.Thread(target=decide, args=(i == 0, i + 1)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [agent for agent, ids in decided if ids == [request_id]]
    assert len(winners) == 1
    db.expire_all()
    assert db.get(DayRequest, request_id).decided_by == winners[0]

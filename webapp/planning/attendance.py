"""Taking the register: which children were there, one service on one day.

Plain Python over a SQLAlchemy session (no Flask). An agent ticks the children present
among those expected (booked) that day; every expected child gets a row, present or
not, so an unticked booked child is an unannounced absence. A child ticked present who
was not expected (came without a booking) is recorded present too: the register says
who was there, whatever the bookings said. Taking the register again updates the rows
(one per child × service × day). Two statements at most: one for the present, one for
the absent, each an upsert on the cell's unique key.
"""
import datetime as dt

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.clock import PARIS
from webapp.planning.models import Attendance


def record_attendance(db: Session, *, day: dt.date, service_id: int, present_child_ids: set[int],
                      expected_child_ids: set[int], agent_id: int, now: dt.datetime) -> int:
    """Record who was there; returns the number of rows written. A day after today (Paris) is refused."""
    if day > now.astimezone(PARIS).date():
        raise ValueError("attendance cannot be taken for a day in the future")
    present = set(present_child_ids)
    absent = set(expected_child_ids) - present
    for value, ids in ((True, present), (False, absent)):
        _upsert(db, [dict(child_id=child_id, service_id=service_id, day=day, present=value, taken_at=now,
                          taken_by=agent_id) for child_id in sorted(ids)])
    return len(present) + len(absent)


def _upsert(db: Session, rows: list[dict]) -> None:
    """One INSERT for all rows; a cell already recorded takes the new value."""
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert if dialect == "sqlite" else None
    if make is None:  # no upsert: replace the cells' rows
        db.execute(delete(Attendance).where(tuple_(Attendance.child_id, Attendance.service_id, Attendance.day)
                                            .in_([(r["child_id"], r["service_id"], r["day"]) for r in rows])))
        db.execute(insert(Attendance), rows)
        return
    statement = make(Attendance)
    statement = statement.on_conflict_do_update(
        index_elements=["child_id", "service_id", "day"],
        set_=dict(present=statement.excluded.present, taken_at=statement.excluded.taken_at,
                  taken_by=statement.excluded.taken_by),
    )
    db.execute(statement, rows)

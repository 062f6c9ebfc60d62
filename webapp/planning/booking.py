"""Reservations, absences, withdrawals and agents' decisions on the planning.

Plain Python over a SQLAlchemy session (no Flask). A FamilyPlanning loads, in three
queries of plain rows, everything the grid of one family over a period needs; the same
object checks every request on the server, so the page and the rules never disagree.
Writes are batched: 20 cells are one INSERT, and a cell already asked (double click,
two tabs, a retry) is skipped by the database's unique index on live requests.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import BigInteger, String, and_, bindparam, cast, insert, null, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.commune import CommuneSettings
from webapp.families.models import Child
from webapp.planning import deadlines
from webapp.planning.calendar import SchoolCalendar
from webapp.planning.models import (LIVE_CONDITION, LIVE_STATES, Attendance, Closure, DayRequest, Enrolment, LocalDay,
                                    Service)
from webapp.planning.rules import ABSENCE_POSSIBLE, BOOKABLE, WITHDRAWABLE, Cell, absence_billing, cell_state

# Rolling deadlines counted in working days look back a few days before the period.
_LOOK_BACK = dt.timedelta(days=21)


@dataclass(frozen=True)
class Outcome:
    """What became of one cell of a family's request."""

    cell: Cell
    status: str  # "accepted", "pending" or "refused"
    reason: str = ""  # refusals: "deadline", "not_enrolled", "not_running", "closed", "state", "motive"
    detail: str = ""  # the deadline sentence, for "deadline"


# --- what a FamilyPlanning is loaded as: plain read-only rows, cheaper than ORM objects, and
# quick to hash and compare as a page's key (webapp.planning.page_cache) ------------------
class ChildRow(NamedTuple):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    school: str | None
    school_class: str | None


class ServiceRow(NamedTuple):
    id: int
    code: str
    name: str
    site: str
    weekdays: str
    runs_on = Service.runs_on


class EnrolmentRow(NamedTuple):
    id: int
    child_id: int
    service_id: int
    starts_on: dt.date
    ends_on: dt.date
    covers = Enrolment.covers


class RequestRow(NamedTuple):
    id: int
    family_id: int
    child_id: int
    service_id: int
    day: dt.date
    kind: str
    state: str
    regular: bool
    billed: bool | None


class ClosureRow(NamedTuple):
    id: int
    day: dt.date
    service_id: int | None
    site: str | None
    school_class: str | None
    applies_to = Closure.applies_to


# Built once: the month page runs them on every visit, and building a statement costs more
# than running it.
_CHILDREN = (
    select(Child.id, Child.first_name, Child.last_name, Child.birth_date, Child.school, Child.school_class,
           Enrolment.id, Enrolment.starts_on, Enrolment.ends_on,
           Service.id, Service.code, Service.name, Service.site, Service.weekdays)
    .outerjoin(Enrolment, and_(Enrolment.child_id == Child.id, Enrolment.starts_on <= bindparam("end"),
                               Enrolment.ends_on >= bindparam("start")))
    .outerjoin(Service, Service.id == Enrolment.service_id)
    .where(Child.family_id == bindparam("family_id"))
    .order_by(Child.birth_date, Child.id, Service.id, Enrolment.id)
)
_SOME_CHILDREN = _CHILDREN.where(Child.id.in_(bindparam("child_ids", expanding=True)))
_REQUESTS = (
    select(DayRequest.id, DayRequest.family_id, DayRequest.child_id, DayRequest.service_id, DayRequest.day,
           DayRequest.kind, DayRequest.state, DayRequest.regular, DayRequest.billed, Attendance.present)
    .outerjoin(Attendance, and_(Attendance.child_id == DayRequest.child_id,
                                Attendance.service_id == DayRequest.service_id, Attendance.day == DayRequest.day))
    .where(DayRequest.child_id.in_(bindparam("child_ids", expanding=True)), DayRequest.day >= bindparam("start"),
           DayRequest.day <= bindparam("end"), DayRequest.state != "withdrawn")
    .order_by(DayRequest.id)
)
# Closures of the period and the commune's local days (a few weeks before it too: rolling
# deadlines in working days look back), in one query; a local day has no closure id.
_CLOSURES_AND_LOCAL_DAYS = union_all(
    select(Closure.id, Closure.day, Closure.service_id, Closure.site, Closure.school_class,
           cast(null(), String).label("label"))
    .where(Closure.day >= bindparam("start"), Closure.day <= bindparam("end")),
    select(cast(null(), BigInteger), LocalDay.day, cast(null(), BigInteger), cast(null(), String),
           cast(null(), String), LocalDay.label)
    .where(LocalDay.day >= bindparam("look_back"), LocalDay.day <= bindparam("end")),
)


@dataclass
class FamilyPlanning:
    """The planning of one family's children between two dates, loaded once."""

    settings: CommuneSettings
    start: dt.date
    end: dt.date
    children: list[ChildRow]
    services: dict[int, ServiceRow]
    enrolments: dict[tuple[int, int], list[EnrolmentRow]]
    requests: dict[tuple[int, int, dt.date], list[RequestRow]]
    closures: list[ClosureRow]
    calendar: SchoolCalendar
    rows: dict[int, list[Service]] = field(default_factory=dict)  # child id → enrolled services
    # (child, service, day) → present, for cells with a request whose register was taken
    attendance: dict[tuple[int, int, dt.date], bool] = field(default_factory=dict)
    _lateness: dict = field(default_factory=dict, repr=False)
    _facts: dict = field(default_factory=dict, repr=False)
    locale: str = "fr"  # the language of refusal sentences
    phrases: dict = field(default_factory=lambda: dict(deadlines.FRENCH))

    @classmethod
    def load(cls, db: Session, settings: CommuneSettings, family_id: int, start: dt.date, end: dt.date,
             child_ids: list[int] | None = None) -> "FamilyPlanning":
        """Three queries, whatever the number of children, services and days; plain rows, no ORM
        objects (the month page loads this on every visit)."""
        connection = db.connection()
        params = dict(family_id=family_id, start=start, end=end)
        if child_ids is not None:
            params["child_ids"] = list(child_ids)
        children, enrolments, services, rows = {}, defaultdict(list), {}, defaultdict(list)
        # .all(): one fetchall, not a fetchone per row.
        for row in connection.execute(_CHILDREN if child_ids is None else _SOME_CHILDREN, params).all():
            child_id = row[0]
            if child_id not in children:
                children[child_id] = ChildRow._make(row[:6])
            if row[6] is None or row[9] is None:
                continue  # a child enrolled in nothing over the period
            service = services.get(row[9])
            if service is None:
                service = services[row[9]] = ServiceRow._make(row[9:])
            enrolments[(child_id, service.id)].append(EnrolmentRow(row[6], child_id, service.id, row[7], row[8]))
            if service not in rows[child_id]:
                rows[child_id].append(service)
        # The register (attendance) comes with the requests, in the same query: it only shows on a
        # booked cell, which always has its reservation here (the month page has a query budget).
        requests, attendance = defaultdict(list), {}
        for row in connection.execute(_REQUESTS, dict(child_ids=list(children), start=start, end=end)).all():
            request = RequestRow._make(row[:-1])
            key = (request.child_id, request.service_id, request.day)
            requests[key].append(request)
            if row[-1] is not None:
                attendance[key] = row[-1]
        closures, local_days = [], {}
        for row in connection.execute(_CLOSURES_AND_LOCAL_DAYS,
                                      dict(start=start, end=end, look_back=start - _LOOK_BACK)).all():
            if row[0] is None:
                local_days[row[1]] = row[5]
            else:
                closures.append(ClosureRow._make(row[:5]))
        closures.sort()
        local_days = dict(sorted(local_days.items()))
        calendar = SchoolCalendar(zone=settings.school_zone, local_days=local_days)
        return cls(settings, start, end, list(children.values()), services, enrolments, requests, closures,
                   calendar, rows, attendance=attendance)

    # --- reading ----------------------------------------------------------------------
    def child(self, child_id: int) -> ChildRow | None:
        return next((c for c in self.children if c.id == child_id), None)

    def _class_of(self, child_id: int) -> str:
        child = self.child(child_id)
        return child.school_class if child is not None else ""

    @staticmethod
    def _latest(found, kind: str, states: tuple) -> RequestRow | None:
        return next((r for r in reversed(found) if r.kind == kind and r.state in states), None)

    def _fact(self, day: dt.date):
        """The calendar's fact of a day, once per day (a month's grid asks it of every cell)."""
        try:
            return self._facts[day]
        except KeyError:
            # Past the years the holiday library knows, a day has no calendar fact (not an error).
            fact = self._facts[day] = self.calendar.fact(day) if self.calendar.covers(day) else None
            return fact

    def state(self, cell: Cell) -> str:
        service = self.services.get(cell.service_id)
        fact = self._fact(cell.day)
        found = self.requests.get((cell.child_id, cell.service_id, cell.day), ())
        return cell_state(
            runs=service is not None and service.runs_on(cell.day),
            enrolled=any(e.covers(cell.day) for e in self.enrolments.get((cell.child_id, cell.service_id), ())),
            calendar_kind=fact.kind if fact else None,
            closed=service is not None and any(
                c.day == cell.day and c.applies_to(service, self._class_of(cell.child_id)) for c in self.closures),
            reservation=self._latest(found, "reservation", LIVE_STATES) if found else None,
            refused_reservation=self._latest(found, "reservation", ("refused",)) if found else None,
            absence=self._latest(found, "absence", LIVE_STATES) if found else None,
            attendance=self.attendance.get((cell.child_id, cell.service_id, cell.day)),
        )

    def rules(self, cell: Cell):
        return self.settings.rules_for(self.services[cell.service_id].code)

    def refusal(self, cell: Cell, kind: str, now: dt.datetime) -> str | None:
        """The deadline sentence when `kind` ("reservation" or "absence") is too late for this cell."""
        reservation_rule, absence_rule, _mode = self.rules(cell)
        rule = reservation_rule if kind == "reservation" else absence_rule
        return deadlines.refusal(cell.day, rule, now, self.calendar.is_working_day, self.locale, self.phrases)

    def is_late(self, cell: Cell, kind: str, now: dt.datetime) -> bool:
        """Whether `kind` is past its deadline for this cell: the grid asks it of every cell,
        so the answer is kept per (rule, day) for this `now`."""
        reservation_rule, absence_rule, _mode = self.rules(cell)
        rule = reservation_rule if kind == "reservation" else absence_rule
        key = (id(rule), cell.day, now)
        late = self._lateness.get(key)
        if late is None:
            late = self._lateness[key] = not deadlines.is_open(cell.day, rule, now, self.calendar.is_working_day)
        return late

    # --- what a page of it depends on (webapp.planning.page_cache) ---------------------
    def fingerprint(self) -> tuple:
        """Every value the family's grid is computed from, as plain values: two plannings with
        the same fingerprint (same settings, same instant) give the same page."""
        return (
            tuple(self.children), tuple(self.services.values()),
            tuple((child_id, tuple(s.id for s in services)) for child_id, services in self.rows.items()),
            tuple((key, tuple(found)) for key, found in self.enrolments.items()),
            tuple(r for found in self.requests.values() for r in found), tuple(self.attendance.items()),
            tuple(self.closures), tuple(self.calendar.local_days.items()), self.calendar.zone, self.start, self.end,
        )

    def first_open_days(self, days: list[dt.date], now: dt.datetime) -> tuple:
        """For each deadline rule of the services loaded, the first of `days` still open at `now`.

        Together with today's date, this is all the grid's « Hors délai » marks depend on:
        a deadline rule never closes a later day before an earlier one (deadline_for grows
        with the day, tested), so the days before the first open one are late and the
        others are in time. A page keyed by these dates is right at every instant.
        """
        rules = []
        for service in self.services.values():
            for rule in self.settings.rules_for(service.code)[:2]:
                if not any(rule is seen for seen in rules):
                    rules.append(rule)
        found = []
        for rule in rules:
            found.append(next((day for day in days
                               if deadlines.is_open(day, rule, now, self.calendar.is_working_day)), None))
        return tuple(found)

    def request_for(self, request_id: int) -> RequestRow | None:
        return next((r for rs in self.requests.values() for r in rs if r.id == request_id), None)


# --- a family's requests --------------------------------------------------------------
def _refuse_reason(state: str, wanted: frozenset) -> str:
    if state in wanted:
        return ""
    if state in ("not_enrolled", "not_running"):
        return state
    if state in ("closed", "public_holiday", "small_holidays", "summer_holidays"):
        return "closed"
    return "state"


def request_reservations(db: Session, planning: FamilyPlanning, family_id: int, cells: list[Cell],
                         now: dt.datetime, regular: bool = False) -> list[Outcome]:
    """Book cells; each is checked (enrolment, calendar, state, deadline) and answered."""
    outcomes, rows = [], []
    for cell in cells:
        reason = _refuse_reason(planning.state(cell), BOOKABLE)
        detail = "" if reason else (planning.refusal(cell, "reservation", now) or "")
        if reason or detail:
            outcomes.append(Outcome(cell, "refused", reason or "deadline", detail))
            continue
        automatic = planning.rules(cell)[2] == "automatic"
        state = "accepted" if automatic else "pending"
        rows.append(dict(family_id=family_id, child_id=cell.child_id, service_id=cell.service_id, day=cell.day,
                         kind="reservation", state=state, regular=regular, comment="", late=False,
                         created_at=now, decided_at=now if automatic else None, reason=""))
        outcomes.append(Outcome(cell, state))
    _insert_live(db, rows)
    return outcomes


def declare_absences(db: Session, planning: FamilyPlanning, family_id: int, cells: list[Cell], motive_code: str,
                     comment: str, now: dt.datetime) -> list[Outcome]:
    """Declare absences on booked cells; late ones only with a motive that allows it."""
    motive = planning.settings.motive(motive_code)
    outcomes, rows = [], []
    for cell in cells:
        if motive is None:
            outcomes.append(Outcome(cell, "refused", "motive"))
            continue
        # The cell first: an unknown service or child has no deadline to look up (a KeyError, a 500 before).
        reason = _refuse_reason(planning.state(cell), ABSENCE_POSSIBLE)
        late = None if reason else planning.refusal(cell, "absence", now)
        if late and (not motive.late_allowed or cell.day < now.date()):
            reason = "deadline"
        if reason:
            outcomes.append(Outcome(cell, "refused", reason, late or ""))
            continue
        automatic = planning.rules(cell)[2] == "automatic" and not late
        state = "accepted" if automatic else "pending"
        rows.append(dict(family_id=family_id, child_id=cell.child_id, service_id=cell.service_id, day=cell.day,
                         kind="absence", state=state, regular=False, motive=motive.code, comment=comment[:2000],
                         late=bool(late), billed=absence_billing(in_time=not late, motive_excused=motive.excused),
                         created_at=now, decided_at=now if automatic else None, reason=""))
        outcomes.append(Outcome(cell, state))
    _insert_live(db, rows)
    return outcomes


def _insert_live(db: Session, rows: list[dict]) -> None:
    """One INSERT for all rows; a cell that already has a live request of that kind is skipped."""
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert if dialect == "sqlite" else None
    if make is None:
        db.execute(insert(DayRequest), rows)
        return
    statement = make(DayRequest).on_conflict_do_nothing(
        index_elements=["child_id", "service_id", "day", "kind"],
        index_where=LIVE_CONDITION,
    )
    db.execute(statement, rows)


def withdraw(db: Session, planning: FamilyPlanning, family_id: int, request_ids: list[int],
             now: dt.datetime) -> list[Outcome]:
    """A family takes back pending requests before an agent decides and before the deadline."""
    outcomes, allowed = [], []
    for request_id in request_ids:
        request = planning.request_for(request_id)
        if request is None or request.family_id != family_id:
            continue  # not this family's: nothing to say about it
        cell = Cell(request.child_id, request.service_id, request.day)
        if planning.state(cell) not in WITHDRAWABLE or request.state != "pending":
            outcomes.append(Outcome(cell, "refused", "state"))  # before the deadline: the service may be gone
        elif late := planning.refusal(cell, request.kind, now):
            outcomes.append(Outcome(cell, "refused", "deadline", late))
        else:
            allowed.append(request.id)
            outcomes.append(Outcome(cell, "accepted"))
    if allowed:
        db.execute(update(DayRequest).where(DayRequest.id.in_(allowed), DayRequest.family_id == family_id,
                                            DayRequest.state == "pending")
                   .values(state="withdrawn", decided_at=now))
    return outcomes


def weekly_pattern(start: dt.date, end: dt.date, weekdays: set[int]) -> list[dt.date]:
    """Every date from `start` to `end` whose weekday (Monday = 0) is in `weekdays` (« Régulier »)."""
    days, day = [], start
    while day <= end:
        if day.weekday() in weekdays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --- agents -----------------------------------------------------------------------------
def decide(db: Session, request_ids: list[int], *, accept: bool, reason: str, agent_id: int, now: dt.datetime,
           billed: bool | None = None) -> list[int]:
    """Accept or refuse pending requests; returns the ids this call decided.

    Only pending rows change (one UPDATE … WHERE state = 'pending'), so two agents deciding
    the same request give one decision: the second finds nothing left to decide.
    """
    values = dict(state="accepted" if accept else "refused", decided_at=now, decided_by=agent_id,
                  reason=reason[:300])
    if billed is not None:
        values["billed"] = billed
    query = (update(DayRequest).where(DayRequest.id.in_(request_ids), DayRequest.state == "pending")
             .values(**values).returning(DayRequest.id))
    return list(db.scalars(query))


def close_day(db: Session, *, day: dt.date, service_id: int | None, site: str | None, reason: str, agent_id: int,
              now: dt.datetime, school_class: str | None = None) -> list[DayRequest]:
    """Close services for a day; nobody is billed for it. Returns the bookings it touched.

    Bookings become excused absences; an absence already declared that day becomes excused
    too (a closed day is never billed).
    """
    db.add(Closure(day=day, service_id=service_id, site=site, school_class=school_class, reason=reason[:200],
                   created_at=now, created_by=agent_id))
    query = (select(DayRequest).join(Service, Service.id == DayRequest.service_id)
             .join(Child, Child.id == DayRequest.child_id)
             .where(DayRequest.day == day, DayRequest.state.in_(("pending", "accepted"))))
    if service_id is not None:
        query = query.where(DayRequest.service_id == service_id)
    if site is not None:
        query = query.where(Service.site == site)
    if school_class is not None:
        query = query.where(Child.school_class == school_class)
    live = list(db.scalars(query))
    booked = [r for r in live if r.kind == "reservation" and r.state == "accepted"]
    absences = [r for r in live if r.kind == "absence"]
    for absence in absences:
        absence.state, absence.billed, absence.decided_at, absence.decided_by = "accepted", False, now, agent_id
        absence.reason = reason[:300]
    absent_cells = {(a.child_id, a.service_id) for a in absences}
    rows = [dict(family_id=r.family_id, child_id=r.child_id, service_id=r.service_id, day=day, kind="absence",
                 state="accepted", regular=False, motive="closure", comment="", late=False, billed=False,
                 created_at=now, decided_at=now, decided_by=agent_id, reason=reason[:300])
            for r in booked if (r.child_id, r.service_id) not in absent_cells]
    _insert_live(db, rows)
    return booked

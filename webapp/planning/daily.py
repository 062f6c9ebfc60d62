"""The agents' day: for one date, per site and service, who is booked, who is waiting, who is absent.

Plain Python over a SQLAlchemy session (no Flask). Five queries whatever the number of
children: the services, the day's live requests joined with their child and family, the
day's closures, the local day off, if any, and the register (attendance) of the day.
Everything else is sorted out in Python.

A child counts as booked when an accepted reservation has no accepted absence and the
service is not closed that day (closure or local day). A pending absence still counts
(the child is expected until an agent accepts it) and is also listed with the pending
requests.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from webapp.families.models import Child, ChildHealth, Family
from webapp.planning.models import LIVE_STATES, Attendance, Closure, DayRequest, LocalDay, Service
from webapp.records.choices import ALLERGY_FLAG, DIETS, PAI_FLAG

# Entry states, in the order the page and the CSV explain them.
BOOKED = "booked"  # expected: meal to order, child on the list
BOOKED_ABSENCE_PENDING = "booked_absence_pending"  # expected, but the family asked for an absence
PENDING_RESERVATION = "pending_reservation"  # asked, not decided: not counted
ABSENT = "absent"  # accepted absence (closure absences have motive "closure")
CLOSED = "closed"  # booked on a day the service does not run after all (local day, closure)


@dataclass
class Entry:
    """One child in one service that day."""

    child_id: int
    last_name: str
    first_name: str
    school_class: str
    family_id: int
    family_number: str
    family_name: str
    state: str
    request_id: int | None = None  # the pending request, when there is one
    motive: str | None = None  # absences: the motive code
    billed: bool | None = None  # absences: billed or excused
    late: bool = False
    # HEALTH DATA — from the child's health record (webapp.families.models.ChildHealth): PAI,
    # « Allergie » and diet labels, French msgids the page translates; loaded in one query.
    health_flags: tuple[str, ...] = ()

    # The same flags one by one, for the CSV's columns.
    @property
    def pai(self) -> bool:
        return PAI_FLAG in self.health_flags

    @property
    def allergy(self) -> bool:
        return ALLERGY_FLAG in self.health_flags

    @property
    def diets(self) -> tuple[str, ...]:
        return tuple(f for f in self.health_flags if f not in (PAI_FLAG, ALLERGY_FLAG))


@dataclass
class DailyRow:
    """One service at one site that day."""

    site: str
    service: Service
    closed: str | None = None  # the closure's reason or the local day's label
    booked: list[Entry] = field(default_factory=list)
    pending: list[Entry] = field(default_factory=list)
    absences: list[Entry] = field(default_factory=list)
    attendance: dict[int, bool] = field(default_factory=dict)  # child id → present, once the register is taken

    @property
    def taken(self) -> bool:
        """Whether the register of this service was taken that day."""
        return bool(self.attendance)

    def register(self) -> list[tuple[Entry, bool]]:
        """The register's lines: the expected children, then the others listed that day (they may come
        without a booking), each with whether it is ticked. A closed service has no register."""
        if self.closed is not None:
            return []
        seen, lines = set(), []
        for entry in self.booked + self.pending + [e for e in self.absences if e.state != CLOSED]:
            if entry.child_id not in seen:
                seen.add(entry.child_id)
                lines.append((entry, self.attendance.get(entry.child_id, False)))
        return lines

    @property
    def count(self) -> int:
        return len(self.booked)

    @property
    def is_meal(self) -> bool:
        """RESTAURATION and the like: the count is the number of meals to order."""
        return self.service.nature == "meal"


def _sort_key(entry: Entry):
    return (entry.last_name.casefold(), entry.first_name.casefold(), entry.child_id)


def _health_flags(db: Session, day: dt.date) -> dict[int, tuple[str, ...]]:
    """Child id → flags (PAI, allergy, diets) of the children with a live request that day: one query,
    only the rows that exist, decrypted once per child. Flags are French msgids the page translates."""
    children = select(DayRequest.child_id).where(DayRequest.day == day, DayRequest.state.in_(LIVE_STATES))
    diets = dict(DIETS)
    flags = {}
    for child_id, allergies, diet_codes, pai in db.execute(
            select(ChildHealth.child_id, ChildHealth.allergies, ChildHealth.diets, ChildHealth.pai)
            .where(ChildHealth.child_id.in_(children))):
        found = ([PAI_FLAG] if pai == "1" else []) + ([ALLERGY_FLAG] if (allergies or "").strip() else [])
        found += [diets[code] for code in (diet_codes or "").split(",") if code in diets]
        if found:
            flags[child_id] = tuple(found)
    return flags


def daily_counts(db: Session, day: dt.date) -> list[DailyRow]:
    """Every service running `day` (or with requests that day), by site then service name."""
    services = list(db.scalars(select(Service).order_by(Service.site, Service.name, Service.id)))
    closures = list(db.scalars(select(Closure).where(Closure.day == day).order_by(Closure.id)))
    local_day = db.scalar(select(LocalDay.label).where(LocalDay.day == day))
    # Plain columns, not ORM objects: 2,000 children are 5,000 rows, and building full
    # DayRequest/Child/Family objects (password hashes included) was most of the page's time.
    requests = db.execute(
        select(DayRequest.id, DayRequest.service_id, DayRequest.child_id, DayRequest.kind, DayRequest.state,
               DayRequest.motive, DayRequest.billed, DayRequest.late, Child.last_name, Child.first_name,
               Child.school_class, Family.id.label("family_id"), Family.number.label("family_number"),
               Family.last_name.label("family_name"))
        .join(Child, Child.id == DayRequest.child_id)
        .join(Family, Family.id == DayRequest.family_id)
        .where(DayRequest.day == day, DayRequest.state.in_(LIVE_STATES))
        .order_by(DayRequest.id)
    ).all()
    attendance = db.execute(select(Attendance.service_id, Attendance.child_id, Attendance.present)
                            .where(Attendance.day == day)).all()
    flags = _health_flags(db, day)

    # (service, child) → {"reservation": request, "absence": request}; the last live one of each kind.
    cells: dict[tuple[int, int], dict[str, Row]] = defaultdict(dict)
    people: dict[int, Row] = {}
    for request in requests:
        cells[(request.service_id, request.child_id)][request.kind] = request
        people[request.child_id] = request

    with_requests = {service_id for service_id, _child in cells}
    rows: dict[int, DailyRow] = {}
    for service in services:
        if not (service.runs_on(day) or service.id in with_requests):
            continue
        closure = next((c for c in closures if c.applies_to(service)), None)
        closed = local_day if local_day is not None else (closure.reason if closure else None)
        rows[service.id] = DailyRow(site=service.site, service=service, closed=closed)

    for (service_id, child_id), kinds in cells.items():
        row = rows.get(service_id)
        if row is None:
            continue
        person = people[child_id]

        def entry(state: str, request: Row | None = None) -> Entry:
            return Entry(child_id=child_id, last_name=person.last_name, first_name=person.first_name,
                         school_class=person.school_class or "", family_id=person.family_id,
                         family_number=person.family_number, family_name=person.family_name, state=state,
                         request_id=request.id if request is not None and request.state == "pending" else None,
                         motive=request.motive if request is not None else None,
                         billed=request.billed if request is not None else None,
                         late=bool(request.late) if request is not None else False,
                         health_flags=flags.get(child_id, ()))

        reservation, absence = kinds.get("reservation"), kinds.get("absence")
        if absence is not None and absence.state == "accepted":
            row.absences.append(entry(ABSENT, absence))
        elif reservation is not None and reservation.state == "accepted":
            if row.closed is not None:
                row.absences.append(entry(CLOSED, reservation))
            elif absence is not None:  # a pending absence: still expected until decided
                row.booked.append(entry(BOOKED_ABSENCE_PENDING, absence))
                row.pending.append(entry(BOOKED_ABSENCE_PENDING, absence))
            else:
                row.booked.append(entry(BOOKED, reservation))
        elif reservation is not None:  # pending
            row.pending.append(entry(PENDING_RESERVATION, reservation))
        elif absence is not None:  # a pending absence without a booking left: nothing expected
            row.pending.append(entry(BOOKED_ABSENCE_PENDING, absence))

    for service_id, child_id, present in attendance:
        if service_id in rows:
            rows[service_id].attendance[child_id] = present

    result = list(rows.values())
    for row in result:
        row.booked.sort(key=_sort_key)
        row.pending.sort(key=_sort_key)
        row.absences.sort(key=_sort_key)
    return result

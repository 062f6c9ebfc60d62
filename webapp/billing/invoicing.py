"""Invoicing a month: drafts computed from the planning, reviewed, then issued with numbers.

Plain Python over a SQLAlchemy session (no Flask); the caller commits.

What is billed, per child × service × day of the month, for services that have a Tariff:
an accepted reservation on a day the service runs, unless an accepted absence excuses it
(`billed` False), the service is closed that day (Closure for the service/site/class), or
the day is a public holiday or a local day of the commune. A billed absence (declared late
without an excusing motive) is billed; a booked child who did not come is billed too.
A late booking (`late` reservation) adds the tariff's late surcharge, on a separate line
(never « garde » for the tax certificate).

Price: the tariff's bracket for the family's quotient familial (CAF): the first bracket
whose `qf_max` ≥ QF; a family without QF, or above every bracket, pays the open bracket
(`qf_max` None), or failing that the highest one.

Rounding: prices are whole cents per unit, so a line is exactly quantity × unit price and
an invoice the sum of its lines: nothing is rounded here. The only division in billing is
the tax certificate's pro rata (webapp.billing.certificate), rounded half up to the cent.

Re-running a month: drafts of that month are deleted and computed again; issued invoices
are kept and never changed; cells already on an issued invoice of the month are left out,
so a re-run after issue drafts only what is new (a supplementary invoice with the cells
accepted since). A cell billed by mistake is corrected with a credit note, not a re-run.

Issue: per régie, the counter row is locked (SELECT … FOR UPDATE), the drafts numbered in
family-number order, their previous balance (still due on earlier documents of the same
régie) and PayFiP reference frozen. Batched queries only: a handful per month, whatever
the number of families.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.orm import Session

from webapp.billing.ledger import balances
from webapp.clock import PARIS
from webapp.billing.models import Invoice, InvoiceLine, Regie, Tariff, school_year_of
from webapp.billing.numbering import lock_regie, take_numbers
from webapp.families.models import Child, Family
from webapp.planning.calendar import SchoolCalendar
from webapp.planning.models import Closure, DayRequest, LocalDay, Service

DUE_DAYS = 30  # « A régler avant » = issue day + 30 days
OFF_KINDS = ("public_holiday", "local_closure")


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def price_for(tariff: Tariff, quotient: int | None) -> int:
    """Unit price in cents for a quotient familial (see the module docstring)."""
    brackets = sorted(tariff.brackets, key=lambda b: (b.qf_max is None, b.qf_max or 0))
    if not brackets:
        raise ValueError(f"tariff {tariff.id} has no price")
    if quotient is not None:
        for bracket in brackets:
            if bracket.qf_max is not None and quotient <= bracket.qf_max:
                return bracket.price_cents
    return brackets[-1].price_cents


@dataclass
class RunSummary:
    drafts: int = 0
    total_cents: int = 0
    skipped_cells: int = 0  # already on an issued invoice of the month
    services_without_tariff: list[str] = field(default_factory=list)


def _off_days(db: Session, start: dt.date, end: dt.date, school_zone: str) -> set[dt.date]:
    local = {d.day: d.label for d in db.scalars(select(LocalDay).where(LocalDay.day.between(start, end)))}
    calendar = SchoolCalendar(zone=school_zone, local_days=local)
    if not (calendar.covers(start) and calendar.covers(end)):
        return set(local)
    return {day for day, fact in calendar.facts_between(start, end).items() if fact.kind in OFF_KINDS}


def _issued_cells(db: Session, start: dt.date, regie_ids: list[int]) -> set[tuple[int, int, dt.date, bool]]:
    rows = db.execute(select(InvoiceLine.child_id, InvoiceLine.service_id, InvoiceLine.days, InvoiceLine.surcharge)
                      .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                      .where(Invoice.status == "issued", Invoice.period_start == start,
                             Invoice.regie_id.in_(regie_ids)))
    return {(child_id, service_id, dt.date.fromisoformat(day), surcharge)
            for child_id, service_id, days, surcharge in rows for day in days.split(",") if day}


def delete_drafts(db: Session, start: dt.date, regie_ids: list[int] | None = None) -> None:
    condition = and_(Invoice.status == "draft", Invoice.period_start == start)
    if regie_ids is not None:
        condition = and_(condition, Invoice.regie_id.in_(regie_ids))
    draft_ids = select(Invoice.id).where(condition).scalar_subquery()
    db.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(draft_ids)))
    db.execute(delete(Invoice).where(condition))


def compute_drafts(db: Session, *, year: int, month: int, now: dt.datetime, school_zone: str = "A",
                   regie_id: int | None = None) -> RunSummary:
    """(Re)compute the month's drafts (see the module docstring); returns what was drafted."""
    start, end = month_bounds(year, month)
    summary = RunSummary()
    tariff_query = select(Tariff)
    if regie_id is not None:
        tariff_query = tariff_query.where(Tariff.regie_id == regie_id)
    tariffs = {t.service_id: t for t in db.scalars(tariff_query)}
    services = {s.id: s for s in db.scalars(select(Service))}
    summary.services_without_tariff = sorted(s.name for s in services.values() if s.id not in tariffs)
    regie_ids = sorted({t.regie_id for t in tariffs.values()}) if regie_id is None else [regie_id]
    delete_drafts(db, start, regie_ids)
    if not tariffs:
        return summary

    in_month = and_(DayRequest.day.between(start, end), DayRequest.state == "accepted",
                    DayRequest.service_id.in_(list(tariffs)))
    reservations = db.execute(
        select(DayRequest.family_id, DayRequest.child_id, DayRequest.service_id, DayRequest.day, DayRequest.late,
               Child.school_class)
        .join(Child, Child.id == DayRequest.child_id)
        .where(in_month, DayRequest.kind == "reservation")).all()
    excused = {(c, s, d) for c, s, d, billed in db.execute(
        select(DayRequest.child_id, DayRequest.service_id, DayRequest.day, DayRequest.billed)
        .where(in_month, DayRequest.kind == "absence")) if not billed}
    closures = defaultdict(list)
    for closure in db.scalars(select(Closure).where(Closure.day.between(start, end))):
        closures[closure.day].append(closure)
    off = _off_days(db, start, end, school_zone)
    issued = _issued_cells(db, start, regie_ids)
    family_ids = select(DayRequest.family_id).where(in_month, DayRequest.kind == "reservation").distinct()
    quotients = dict(db.execute(select(Family.id, Family.caf_quotient).where(Family.id.in_(family_ids))).all())
    child_names = dict(db.execute(select(Child.id, Child.first_name).where(Child.family_id.in_(family_ids))).all())

    cells: dict[tuple[int, int], dict[tuple[int, int], list[tuple[dt.date, bool]]]] = defaultdict(
        lambda: defaultdict(list))
    for family_id, child_id, service_id, day, late, school_class in reservations:
        service = services[service_id]
        if (not service.runs_on(day) or day in off or (child_id, service_id, day) in excused
                or any(c.applies_to(service, school_class or "") for c in closures.get(day, ()))):
            continue
        if (child_id, service_id, day, False) in issued:
            summary.skipped_cells += 1
            continue
        cells[(family_id, tariffs[service_id].regie_id)][(child_id, service_id)].append((day, late))

    drafts, lines_of = [], []
    for (family_id, regie), groups in sorted(cells.items()):
        lines = []
        for (child_id, service_id), days in sorted(groups.items()):
            tariff, service = tariffs[service_id], services[service_id]
            days.sort()
            label = f"{service.name} – {child_names.get(child_id, '')}".strip(" –")
            unit = price_for(tariff, quotients.get(family_id))
            lines.append(_line(child_id, service_id, tariff.nature, False, label, [d for d, _ in days], unit))
            late_days = [d for d, late in days if late and (child_id, service_id, d, True) not in issued]
            if tariff.late_surcharge_cents and late_days:
                lines.append(_line(child_id, service_id, tariff.nature, True, label, late_days,
                                   tariff.late_surcharge_cents))
        drafts.append(dict(regie_id=regie, family_id=family_id, status="draft", period_start=start, period_end=end,
                           school_year=school_year_of(start), created_at=now, previous_balance_cents=0,
                           total_cents=sum(line["amount_cents"] for line in lines)))
        lines_of.append(lines)
    if drafts:  # bulk: one INSERT … RETURNING for the invoices, one executemany for the lines
        ids = db.scalars(insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True), drafts).all()
        db.execute(insert(InvoiceLine), [dict(line, invoice_id=invoice_id)
                                         for invoice_id, lines in zip(ids, lines_of, strict=True) for line in lines])
    summary.drafts = len(drafts)
    summary.total_cents = sum(d["total_cents"] for d in drafts)
    return summary


def _line(child_id, service_id, nature, surcharge, label, days, unit) -> dict:
    return dict(child_id=child_id, service_id=service_id, nature=nature, surcharge=surcharge, label=label,
                quantity=len(days), unit_price_cents=unit, amount_cents=len(days) * unit,
                days=",".join(d.isoformat() for d in days))


def payment_reference(invoice: Invoice, regie: Regie, sequence: int) -> str:
    """PayFiP `refdet`: letters and digits only, ≤ 30 characters, e.g. 2025AL000036."""
    prefix = "".join(c for c in regie.invoice_prefix.upper() if c.isalnum())
    return f"{invoice.period_start.year}{prefix}{sequence:06d}"[:30]


def issue_month(db: Session, *, year: int, month: int, now: dt.datetime, agent_id: int | None,
                family_ids: list[int] | None = None, regie_id: int | None = None) -> list[Invoice]:
    """Number and issue the month's drafts (all, or those of some families); returns them."""
    start, _ = month_bounds(year, month)
    query = select(Invoice.regie_id).where(Invoice.status == "draft", Invoice.period_start == start).distinct()
    if regie_id is not None:
        query = query.where(Invoice.regie_id == regie_id)
    issued: list[Invoice] = []
    for rid in sorted(db.scalars(query)):
        regie = lock_regie(db, rid)  # waits for another agent issuing the same régie
        drafts_query = (select(Invoice).join(Family, Family.id == Invoice.family_id)
                        .where(Invoice.status == "draft", Invoice.period_start == start, Invoice.regie_id == rid)
                        .order_by(Family.number, Invoice.id).execution_options(populate_existing=True))
        if family_ids is not None:
            drafts_query = drafts_query.where(Invoice.family_id.in_(family_ids))
        drafts = list(db.scalars(drafts_query))
        if not drafts:
            continue
        previous = balances(db, [d.family_id for d in drafts], regie_id=rid)
        first = regie.next_invoice_number
        numbers = take_numbers(regie, "invoice", len(drafts))
        for offset, (invoice, number) in enumerate(zip(drafts, numbers, strict=True)):
            invoice.status = "issued"
            invoice.number = number
            invoice.issued_at = now
            invoice.issued_by = agent_id
            invoice.previous_balance_cents = max(previous.get(invoice.family_id, 0), 0)
            invoice.payment_reference = payment_reference(invoice, regie, first + offset)
            invoice.due_on = now.astimezone(PARIS).date() + dt.timedelta(days=DUE_DAYS)
        db.flush()
        issued.extend(drafts)
    return issued


def discard_draft(db: Session, invoice: Invoice) -> None:
    """Take one family's draft out of the run (it comes back at the next run)."""
    if invoice.status != "draft":
        raise ValueError("an issued invoice is never deleted")
    db.delete(invoice)
    db.flush()

"""The yearly « attestation de frais de garde » (crédit d'impôt, CGI art. 200 quater B).

Plain Python (no Flask). For a calendar year Y, per child under 6 on 1 January Y: the
childcare paid in Y. Allocation rule:

* only payments received in Y (Paris time) count, through their allocations to invoices;
* an allocation pays its invoice's lines pro rata of their amounts: the eligible part is
  allocation × (childcare lines of that child, surcharges excluded) ÷ invoice total,
  rounded half up to the cent, per allocation and child. Meals (« repas ») and late
  surcharges are never eligible; an unallocated payment (a credit) is not counted until it
  settles an invoice.

Available from 1 January of Y+1 (`available_years`).
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from webapp.clock import PARIS, as_utc
from webapp.families.models import Child

AGE_LIMIT = 6


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def share(amount: int, part: int, whole: int) -> int:
    """amount × part ÷ whole in cents, rounded half up (all integers)."""
    if whole <= 0:
        return 0
    return (2 * amount * part + whole) // (2 * whole)


def available_years(today: dt.date, first_year: int | None) -> list[int]:
    """Years the family may download, most recent first: previous years with payments, from January."""
    if first_year is None:
        return []
    return list(range(today.year - 1, first_year - 1, -1))


@dataclass(frozen=True)
class ChildAmount:
    child: Child
    amount_cents: int


def childcare_paid(db: Session, family_id: int, year: int) -> list[ChildAmount]:
    """Eligible children of the family and what was paid for their childcare in `year`."""
    start = dt.datetime(year, 1, 1, tzinfo=PARIS).astimezone(dt.UTC)  # UTC: SQLite compares stored text
    end = dt.datetime(year + 1, 1, 1, tzinfo=PARIS).astimezone(dt.UTC)
    children = {c.id: c for c in db.scalars(select(Child).where(Child.family_id == family_id))
                if age_on(c.birth_date, dt.date(year, 1, 1)) < AGE_LIMIT}
    if not children:
        return []
    allocations = db.execute(
        select(PaymentAllocation.invoice_id, PaymentAllocation.amount_cents)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(Payment.family_id == family_id, Payment.received_at >= start, Payment.received_at < end)).all()
    invoice_ids = {invoice_id for invoice_id, _ in allocations}
    totals = dict(db.execute(select(Invoice.id, Invoice.total_cents).where(Invoice.id.in_(invoice_ids))).all())
    eligible: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for invoice_id, child_id, amount in db.execute(
            select(InvoiceLine.invoice_id, InvoiceLine.child_id, InvoiceLine.amount_cents)
            .where(InvoiceLine.invoice_id.in_(invoice_ids), InvoiceLine.nature == "childcare",
                   InvoiceLine.surcharge.is_(False), InvoiceLine.child_id.in_(list(children)))):
        eligible[invoice_id][child_id] += amount
    paid: dict[int, int] = defaultdict(int)
    for invoice_id, amount in allocations:
        for child_id, part in eligible.get(invoice_id, {}).items():
            paid[child_id] += share(amount, part, totals.get(invoice_id, 0))
    return [ChildAmount(child, paid[child_id]) for child_id, child in sorted(children.items())
            if paid.get(child_id)]


def first_payment_year(db: Session, family_id: int) -> int | None:
    first = db.scalar(select(Payment.received_at).where(Payment.family_id == family_id)
                      .order_by(Payment.received_at).limit(1))
    return as_utc(first).astimezone(PARIS).year if first is not None else None

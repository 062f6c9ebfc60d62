"""What a family owes: amounts due, payments and their allocation, credit notes, balances.

Plain Python over a SQLAlchemy session (no Flask); the caller commits. Amounts are cents.

* Amount due of an issued invoice = total − credit notes on it − payment allocations to it.
* A payment belongs to one régie. It settles the invoices given (all of one régie), or
  else the family's oldest unpaid invoices of the régie of the oldest one; what is left
  stays on the payment as a credit of the family (shown in its balance, never lost).
* A family's balance = issued invoices − credit notes − payments (positive = owed).
* A PayFiP payment is recorded once per reference (the PayFiP idOp): recording it again
  returns the first payment, so a repeated notification is harmless.
"""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.billing.models import (
    METHODS, CreditNote, Invoice, Payment, PaymentAllocation, Regie, school_year_of,
)
from webapp.billing.numbering import lock_regie, take_numbers
from webapp.clock import PARIS, as_utc


class BillingError(ValueError):
    """A refused billing operation; `code` says why (the views translate it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _allocated(db: Session, invoice_ids: list[int]) -> dict[int, int]:
    """Payments + credit notes applied to each invoice, in two grouped queries."""
    if not invoice_ids:
        return {}
    done = dict.fromkeys(invoice_ids, 0)
    for model in (PaymentAllocation, CreditNote):
        rows = db.execute(select(model.invoice_id, func.sum(model.amount_cents))
                          .where(model.invoice_id.in_(invoice_ids)).group_by(model.invoice_id))
        for invoice_id, amount in rows:
            done[invoice_id] += int(amount or 0)
    return done


def amounts_due(db: Session, invoices: list[Invoice]) -> dict[int, int]:
    """invoice id → amount still due (never negative)."""
    done = _allocated(db, [i.id for i in invoices])
    return {i.id: max(i.total_cents - done.get(i.id, 0), 0) for i in invoices}


def amount_due(db: Session, invoice: Invoice) -> int:
    return amounts_due(db, [invoice])[invoice.id]


def unpaid_invoices(db: Session, family_id: int, regie_id: int | None = None) -> list[tuple[Invoice, int]]:
    """The family's issued invoices with something still due, oldest first, with that amount."""
    query = select(Invoice).where(Invoice.family_id == family_id, Invoice.status == "issued")
    if regie_id is not None:
        query = query.where(Invoice.regie_id == regie_id)
    invoices = list(db.scalars(query.order_by(Invoice.period_start, Invoice.id)))
    due = amounts_due(db, invoices)
    return [(invoice, due[invoice.id]) for invoice in invoices if due[invoice.id] > 0]


def record_payment(db: Session, family_id: int, amount_cents: int, method: str, received_at: dt.datetime,
                   reference: str, now: dt.datetime, invoice_ids: list[int] | None = None,
                   agent_id: int | None = None) -> Payment:
    """Record money received and allocate it (see the module docstring). Raises BillingError."""
    if method not in METHODS:
        raise BillingError("unknown_method")
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise BillingError("bad_amount")
    reference = (reference or "").strip()[:80]
    if method == "payfip":
        if not reference:
            raise BillingError("missing_reference")
        existing = db.scalars(select(Payment).where(Payment.method == "payfip", Payment.reference == reference,
                                                    Payment.family_id == family_id)).first()
        if existing is not None:
            return existing
    if invoice_ids:
        targets = list(db.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids), Invoice.family_id == family_id,
                                                        Invoice.status == "issued")
                                  .order_by(Invoice.period_start, Invoice.id)))
        if len(targets) != len(set(invoice_ids)):
            raise BillingError("unknown_invoice")
        if len({i.regie_id for i in targets}) > 1:
            raise BillingError("mixed_regies")
        regie_id = targets[0].regie_id
    else:
        unpaid = unpaid_invoices(db, family_id)
        if unpaid:
            regie_id = unpaid[0][0].regie_id
        else:  # an advance: the régie of the family's last invoice, or the only régie
            regie_id = db.scalar(select(Invoice.regie_id).where(Invoice.family_id == family_id)
                                 .order_by(Invoice.id.desc()).limit(1))
            if regie_id is None:
                regies = list(db.scalars(select(Regie.id).limit(2)))
                if len(regies) != 1:
                    raise BillingError("no_regie")
                regie_id = regies[0]
        targets = [invoice for invoice, _ in unpaid_invoices(db, family_id, regie_id)]
    regie = lock_regie(db, regie_id)
    received = as_utc(received_at)
    payment = Payment(regie_id=regie_id, family_id=family_id, number=take_numbers(regie, "receipt", 1)[0],
                      amount_cents=amount_cents, method=method, reference=reference, received_at=received,
                      school_year=school_year_of(received.astimezone(PARIS).date()), created_at=now,
                      agent_id=agent_id)
    db.add(payment)
    left = amount_cents
    due = amounts_due(db, targets)
    for invoice in targets:
        part = min(left, due[invoice.id])
        if part > 0:
            payment.allocations.append(PaymentAllocation(invoice_id=invoice.id, amount_cents=part))
            left -= part
    db.flush()
    return payment


def issue_credit_note(db: Session, invoice: Invoice, amount_cents: int, reason: str, *, now: dt.datetime,
                      agent_id: int | None) -> CreditNote:
    """An avoir on an issued invoice, at most what the invoice still carries (total − earlier avoirs)."""
    if invoice.status != "issued":
        raise BillingError("not_issued")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise BillingError("bad_amount")
    reason = (reason or "").strip()
    if not reason:
        raise BillingError("missing_reason")
    credited = db.scalar(select(func.coalesce(func.sum(CreditNote.amount_cents), 0))
                         .where(CreditNote.invoice_id == invoice.id))
    if amount_cents > invoice.total_cents - int(credited):
        raise BillingError("credit_too_large")
    regie = lock_regie(db, invoice.regie_id)
    note = CreditNote(regie_id=invoice.regie_id, family_id=invoice.family_id, invoice_id=invoice.id,
                      number=take_numbers(regie, "credit", 1)[0], amount_cents=amount_cents, reason=reason[:300],
                      issued_at=now, school_year=school_year_of(now.astimezone(PARIS).date()), agent_id=agent_id)
    db.add(note)
    db.flush()
    return note


def balances(db: Session, family_ids: list[int] | None = None, *, regie_id: int | None = None,
             before: dt.datetime | None = None) -> dict[int, int]:
    """family id → balance (invoices − credit notes − payments), optionally before a moment."""
    result: dict[int, int] = {}
    parts = ((Invoice, Invoice.total_cents, Invoice.issued_at, 1), (CreditNote, CreditNote.amount_cents,
             CreditNote.issued_at, -1), (Payment, Payment.amount_cents, Payment.received_at, -1))
    for model, amount, moment, sign in parts:
        query = select(model.family_id, func.sum(amount)).group_by(model.family_id)
        if model is Invoice:
            query = query.where(Invoice.status == "issued")
        if family_ids is not None:
            query = query.where(model.family_id.in_(family_ids))
        if regie_id is not None:
            query = query.where(model.regie_id == regie_id)
        if before is not None:
            query = query.where(moment < before)
        for family_id, total in db.execute(query):
            result[family_id] = result.get(family_id, 0) + sign * int(total or 0)
    return result


def balance(db: Session, family_id: int, **kwargs) -> int:
    return balances(db, [family_id], **kwargs).get(family_id, 0)


@dataclass(frozen=True)
class Operation:
    """One line of the « Relevé de compte »."""

    kind: str  # "invoice", "credit_note" or "payment"
    number: str
    day: dt.date
    description: str  # built by the view from kind + details
    regie_name: str
    debit_cents: int
    credit_cents: int
    obj: object


@dataclass(frozen=True)
class Statement:
    school_year: str
    operations: list[Operation]  # newest first, as in seed 003
    previous_balance_cents: int  # « Ancien solde »: everything before the school year
    debit_cents: int
    credit_cents: int

    @property
    def balance_cents(self) -> int:
        return self.previous_balance_cents + self.debit_cents - self.credit_cents


def statement(db: Session, family_id: int, school_year: str) -> Statement:
    """The family's operations of one school year (4 queries whatever the count)."""
    regies = {r.id: r.name for r in db.scalars(select(Regie))}
    invoices = db.scalars(select(Invoice).where(Invoice.family_id == family_id, Invoice.status == "issued",
                                                Invoice.school_year == school_year))
    notes = db.scalars(select(CreditNote).where(CreditNote.family_id == family_id,
                                                CreditNote.school_year == school_year))
    payments = db.scalars(select(Payment).where(Payment.family_id == family_id, Payment.school_year == school_year))
    ops = [Operation("invoice", i.number, _local_day(i.issued_at), "", regies.get(i.regie_id, ""), i.total_cents, 0, i)
           for i in invoices]
    ops += [Operation("credit_note", n.number, _local_day(n.issued_at), "", regies.get(n.regie_id, ""), 0,
                      n.amount_cents, n) for n in notes]
    ops += [Operation("payment", p.number, _local_day(p.received_at), "", regies.get(p.regie_id, ""), 0,
                      p.amount_cents, p) for p in payments]
    ops.sort(key=lambda o: (o.day, o.kind != "invoice", o.number), reverse=True)
    previous = _previous_balance(db, family_id, school_year)
    return Statement(school_year, ops, previous, sum(o.debit_cents for o in ops), sum(o.credit_cents for o in ops))


def _previous_balance(db: Session, family_id: int, school_year: str) -> int:
    """The balance of the earlier school years (by the school year each document belongs to)."""
    total = 0
    for model, amount, sign in ((Invoice, Invoice.total_cents, 1), (CreditNote, CreditNote.amount_cents, -1),
                                (Payment, Payment.amount_cents, -1)):
        query = select(func.coalesce(func.sum(amount), 0)).where(model.family_id == family_id,
                                                                 model.school_year < school_year)
        if model is Invoice:
            query = query.where(Invoice.status == "issued")
        total += sign * int(db.scalar(query))
    return total


def _local_day(moment: dt.datetime) -> dt.date:
    return as_utc(moment).astimezone(PARIS).date()

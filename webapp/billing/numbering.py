"""Document numbers per régie: allocated at issue time, inside the caller's transaction.

The régie row holds the counters; it is read with SELECT … FOR UPDATE (PostgreSQL), so
two agents issuing at once wait for each other: numbers are never reused and, as they
are taken only by documents that get issued in the same transaction, leave no gap
(a rolled-back transaction rolls the counter back too). SQLite serialises writers anyway.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.billing.models import Regie

COUNTERS = {"invoice": ("next_invoice_number", "invoice_prefix", "{prefix}-{n}"),
            "credit": ("next_credit_number", "credit_prefix", "{prefix}-{n}"),
            "receipt": ("next_receipt_number", "invoice_prefix", "{prefix}-R{n}")}


def lock_regie(db: Session, regie_id: int) -> Regie:
    """The régie row, locked until the end of the transaction, fresh from the database."""
    regie = db.scalars(select(Regie).where(Regie.id == regie_id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    return regie


def take_numbers(regie: Regie, kind: str, count: int) -> list[str]:
    """`count` consecutive numbers of a locked régie (AL-36, AL-37…); the counter moves on."""
    column, prefix_column, pattern = COUNTERS[kind]
    first = getattr(regie, column)
    setattr(regie, column, first + count)
    prefix = getattr(regie, prefix_column)
    return [pattern.format(prefix=prefix, n=first + i) for i in range(count)]

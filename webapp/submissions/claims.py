"""Claiming a one-time submission key inside the transaction that creates what the form asks.

Plain Python over a SQLAlchemy session (no Flask); the caller commits.

    ticket = claim(db, "billing.payment", key, now=now)   # before the transaction's first write
    if ticket.first is not None:                           # already done: answer with that result
        return ticket.first.result_label
    payment = record_payment(...)
    ticket.settle("payment", payment.id, payment.number)
    db.commit()                                            # the key and the payment, together

The row is inserted and flushed at once, under the unique constraint (form, key): a
parallel post of the same key waits on the index (PostgreSQL) until the first commits,
then fails, and gets the first result; if the first rolls back, so does its key, and the
second goes on. On a collision the whole transaction is rolled back (a failed INSERT
aborts a PostgreSQL transaction; a SAVEPOINT would not be one on SQLite's driver when it
is the first statement), which is why the claim comes before any other write.
"""
import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.submissions.models import KEY_LENGTH, SubmissionKey

KEY_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{KEY_LENGTH}}}")


def new_key() -> str:
    """A fresh random key for a form being rendered."""
    return secrets.token_urlsafe(24)


def valid_key(value: object) -> bool:
    return isinstance(value, str) and KEY_PATTERN.fullmatch(value) is not None


@dataclass
class Ticket:
    """A claimed key: `first` is the earlier submission's row, or None when this one goes on."""

    row: SubmissionKey | None
    first: SubmissionKey | None

    def settle(self, kind: str, result_id: int | None, label: str) -> None:
        """Write what this submission created on its key (same transaction)."""
        if self.row is None:
            raise RuntimeError("a key already used cannot be settled again")
        self.row.result_kind, self.row.result_id, self.row.result_label = kind, result_id, label[:120]


def _existing(db: Session, form: str, key: str) -> SubmissionKey | None:
    return db.scalars(select(SubmissionKey).where(SubmissionKey.form == form, SubmissionKey.key == key)
                      .execution_options(populate_existing=True)).first()


def claim(db: Session, form: str, key: str, *, now: dt.datetime) -> Ticket:
    """Take `key` for `form` in the current transaction, or return the first submission's result."""
    if not valid_key(key):
        raise ValueError("invalid submission key")
    first = _existing(db, form, key)
    if first is not None:
        return Ticket(None, first)
    row = SubmissionKey(form=form, key=key, created_at=now, result_kind="", result_label="")
    db.add(row)
    try:
        db.flush()
    except IntegrityError:  # the same key committed meanwhile (or committing: we waited for it)
        db.rollback()
        first = _existing(db, form, key)
        if first is None:  # cannot happen: the winner's row is committed when the INSERT fails
            raise
        return Ticket(None, first)
    return Ticket(row, None)

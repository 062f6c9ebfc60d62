"""« Mot de passe oublié » demands: what the request stores; the mail worker does the rest.

The page must not tell who exists, not even by its timing: the request only writes one
`PasswordDemand` row, the same whether the number is known or not. The mail worker
(`turn_demands_into_mails`, called on every pass before due e-mails are sent) looks the
family up, applies the per-account limit, queues the e-mail or nothing, and deletes the demand.
"""
import datetime as dt

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.auth.models import UtcDateTime
from webapp.clock import as_utc
from webapp.db import TenantBase, bigint_pk

IDENTIFIER_LENGTH = 40  # the form's limit
IP_LENGTH = 45
BATCH = 200  # demands per commune and per pass (as many e-mails as `sender.PER_COMMUNE`)


class PasswordDemand(TenantBase):
    """One submission of the « Mot de passe oublié » form, waiting for the mail worker."""

    __tablename__ = "password_demand"

    id: Mapped[int] = bigint_pk()
    identifier: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))  # as typed, stripped
    mode: Mapped[str] = mapped_column(String(20))  # the commune's setting at the time of the demand
    ip: Mapped[str] = mapped_column(String(IP_LENGTH), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


def record_demand(db: Session, identifier: str, mode: str, now: dt.datetime, ip: str = "") -> None:
    """Store a demand; the caller commits. Nothing here depends on whether the account exists."""
    db.add(PasswordDemand(identifier=identifier[:IDENTIFIER_LENGTH], mode=mode, ip=(ip or "")[:IP_LENGTH],
                          created_at=as_utc(now)))


def take_demands(db: Session, limit: int = BATCH) -> list[PasswordDemand]:
    """The oldest demands, locked for this transaction (FOR UPDATE SKIP LOCKED on PostgreSQL:
    a second worker takes other rows instead of waiting, so no demand gives two e-mails)."""
    query = (select(PasswordDemand).order_by(PasswordDemand.id).limit(limit)
             .with_for_update(skip_locked=True))
    return list(db.scalars(query))

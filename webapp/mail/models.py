"""The outbox: one row per e-mail, in the commune's own schema or file."""
from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMail(TenantBase):
    """An e-mail waiting to be sent, sent, or given up after too many attempts (kept, never deleted).

    Times are UTC; SQLite gives them back naive (see `webapp.clock.as_utc`).
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = bigint_pk()
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    last_error: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.status} to={self.recipient!r}>"

"""The outboxes: one row per e-mail, in a commune's own schema or file, or in the platform's."""
from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webapp.db import PlatformBase, TenantBase, bigint_pk

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMailMixin:
    """An e-mail waiting to be sent, sent, or given up (kept, never deleted; « failed » can be retried).

    `expires_at` is when the link or temporary password the e-mail carries stops working
    (None: nothing in it expires); past it, the worker does not send the e-mail.
    Times are UTC; SQLite gives them back naive (see `webapp.clock.as_utc`).
    """

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
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr.directive
    def __table_args__(cls):
        return (Index(f"ix_{cls.__tablename__}_status_next_attempt_at", "status", "next_attempt_at"),)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.status} to={self.recipient!r}>"


class OutboxMail(OutboxMailMixin, TenantBase):
    """A commune's e-mail to a family or an agent."""

    __tablename__ = "outbox_mail"


class PlatformOutboxMail(OutboxMailMixin, PlatformBase):
    """An e-mail of the platform itself (federation admins' invitations and notices)."""

    __tablename__ = "platform_outbox_mail"

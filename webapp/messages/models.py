"""One message of a thread between a family and the commune."""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import encrypted_text
from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)


class Message(TenantBase):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_family_unread", "family_id", "from_family", "read_at"),
        Index("ix_message_thread", "thread_id"),
    )

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # the first message's id; None on the first one
    from_family: Mapped[bool] = mapped_column(Boolean)
    sender_name: Mapped[str] = mapped_column(String(160))  # « Qui »: the family or the agent, as it was then
    agent_id: Mapped[int | None] = mapped_column(BigInteger)  # the agent who wrote it (no FK: agents may leave)
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(encrypted_text())  # may speak of a child's health: encrypted at rest
    attachment_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("stored_file.id"))
    size: Mapped[int] = mapped_column(Integer, default=0)  # « Taille »: text and attachment, in bytes
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # by the other side
    handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # a family's message, dealt with by agents
    handled_by: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # hidden by the family (restorable)

    @property
    def root_id(self) -> int:
        return self.thread_id or self.id

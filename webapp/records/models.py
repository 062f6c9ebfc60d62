"""A family's request to change its record, and what the commune decided.

The payload holds the proposed and the previous values as JSON; it is encrypted at rest
because it may carry an IBAN or health data.
"""
import datetime as dt
import json

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import encrypted_text
from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)


class ChangeRequest(TenantBase):
    __tablename__ = "change_request"
    __table_args__ = (
        Index("ix_change_request_family_state", "family_id", "state"),
        Index("ix_change_request_state_created", "state", "created_at"),
    )

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(20))  # a code of webapp/records/sections.py
    payload_json: Mapped[str] = mapped_column("payload", encrypted_text())  # {"new": {...}, "old": {...}}
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, accepted, refused, withdrawn
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # agent id; None when withdrawn by the family
    reason: Mapped[str] = mapped_column(String(300), default="")

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json or "{}")

    @payload.setter
    def payload(self, value: dict) -> None:
        self.payload_json = json.dumps(value, ensure_ascii=False, sort_keys=True)

    @property
    def new_values(self) -> dict:
        return self.payload.get("new", {})

    @property
    def old_values(self) -> dict:
        return self.payload.get("old", {})

"""The keys already used, each with what its submission created (kind, id, « AL-R5 »)."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk

KEY_LENGTH = 32  # secrets.token_urlsafe(24)


class SubmissionKey(TenantBase):
    """One submitted form; (form, key) is unique, so a second post of the same form finds the first."""

    __tablename__ = "submission_key"
    __table_args__ = (UniqueConstraint("form", "key"),)

    id: Mapped[int] = bigint_pk()
    form: Mapped[str] = mapped_column(String(30))  # "billing.payment", "billing.credit_note", "billing.issue"
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    result_kind: Mapped[str] = mapped_column(String(30), default="")  # "payment", "credit_note", "invoices"
    result_id: Mapped[int | None] = mapped_column(BigInteger)  # the payment's id, the invoice's…
    result_label: Mapped[str] = mapped_column(String(120), default="")  # AL-R5, AVAL-2, « AL-1 à AL-6 »

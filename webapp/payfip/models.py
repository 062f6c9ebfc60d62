"""Online payment attempts through PayFiP: one row per `creerPaiementSecurise`, with what it covers.

An attempt stores what we asked PayFiP for (refdet, exer, amount): the notification is
trusted only when PayFiP's own answer repeats exactly these values. `payment_id` points to
billing's Payment once recorded (no foreign key: billing owns that table's life).
"""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TenantBase, bigint_pk

CREATED, PAID, REFUSED, ABANDONED, ERROR = "created", "paid", "refused", "abandoned", "error"
STATES = (CREATED, PAID, REFUSED, ABANDONED, ERROR)


class PaymentAttempt(TenantBase):
    __tablename__ = "payfip_attempt"

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    refdet: Mapped[str] = mapped_column(String(30), unique=True)  # unique per attempt: PayFiP refuses reuse
    exer: Mapped[int] = mapped_column(Integer)
    objet: Mapped[str] = mapped_column(String(100), default="")
    amount_cents: Mapped[int] = mapped_column(Integer)
    id_op: Mapped[str | None] = mapped_column(String(64), unique=True)  # None until PayFiP gave one
    state: Mapped[str] = mapped_column(String(10), default=CREATED, index=True)
    problem: Mapped[str] = mapped_column(String(40), default="")  # why "error": "unavailable", "mismatch"…
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resultrans: Mapped[str] = mapped_column(String(1), default="")
    numauto: Mapped[str] = mapped_column(String(16), default="")
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # dattrans + heurtrans (Paris)
    payment_id: Mapped[int | None] = mapped_column(BigInteger)

    invoices: Mapped[list["PaymentAttemptInvoice"]] = relationship(
        order_by="PaymentAttemptInvoice.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def invoice_ids(self) -> list[int]:
        return [link.invoice_id for link in self.invoices]


class PaymentAttemptInvoice(TenantBase):
    """One invoice covered by an attempt, with the amount due when the attempt was made."""

    __tablename__ = "payfip_attempt_invoice"
    __table_args__ = (UniqueConstraint("attempt_id", "invoice_id"),)

    id: Mapped[int] = bigint_pk()
    attempt_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("payfip_attempt.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_invoice.id", ondelete="CASCADE"),
                                            index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)

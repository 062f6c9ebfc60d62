"""Billing tables: régies, tariffs, invoices and their lines, credit notes, payments.

Money is always integer cents. A régie (« Régie garderie ALSH », prefix AL) issues the
invoices of the services it bills; the link from a service to its régie is its Tariff
(one per service), so the planning tables stay untouched. Numbers (AL-36, AVAL-2,
AL-R5) are allocated only when a document is issued, from the régie's counters, inside
the issuing transaction (see webapp.billing.invoicing).
"""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)
NATURES = ("childcare", "meal")  # « garde » (tax certificate) vs « repas » (excluded)
METHODS = ("cheque", "especes", "cesu", "virement", "carte", "payfip")


def school_year_of(day: dt.date) -> str:
    """« 2025-2026 » for any day from 1 September 2025 to 31 August 2026."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """First and last day of a school year written « 2025-2026 »."""
    start = int(year[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


class Regie(TenantBase):
    """A régie de recettes and its counters (the counter row is locked while numbering)."""

    __tablename__ = "billing_regie"

    id: Mapped[int] = bigint_pk()
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    invoice_prefix: Mapped[str] = mapped_column(String(10), unique=True)  # AL → AL-36
    credit_prefix: Mapped[str] = mapped_column(String(12), unique=True)  # AVAL → AVAL-2
    next_invoice_number: Mapped[int] = mapped_column(Integer, default=1)
    next_credit_number: Mapped[int] = mapped_column(Integer, default=1)
    next_receipt_number: Mapped[int] = mapped_column(Integer, default=1)


class Tariff(TenantBase):
    """What one service costs: a price per unit, by quotient familial bracket, plus a late surcharge."""

    __tablename__ = "billing_tariff"

    id: Mapped[int] = bigint_pk()
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="CASCADE"), unique=True)
    regie_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_regie.id", ondelete="RESTRICT"))
    nature: Mapped[str] = mapped_column(String(20), default="childcare")  # "childcare" or "meal"
    unit_label: Mapped[str] = mapped_column(String(40), default="journée")
    late_surcharge_cents: Mapped[int] = mapped_column(Integer, default=0)  # per late-booked day

    brackets: Mapped[list["TariffBracket"]] = relationship(
        order_by="TariffBracket.qf_max.is_(None), TariffBracket.qf_max", cascade="all, delete-orphan",
        lazy="selectin",
    )


class TariffBracket(TenantBase):
    """Price per unit for families whose quotient is ≤ qf_max; qf_max None = above every bracket."""

    __tablename__ = "billing_tariff_bracket"

    id: Mapped[int] = bigint_pk()
    tariff_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_tariff.id", ondelete="CASCADE"),
                                           index=True)
    qf_max: Mapped[int | None] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)


class Invoice(TenantBase):
    """One family's invoice of one régie for one period; a draft until issued, then never edited."""

    __tablename__ = "billing_invoice"
    __table_args__ = (
        Index("ix_billing_invoice_family", "family_id", "status"),
        Index("ix_billing_invoice_period", "regie_id", "period_start", "status"),
    )

    id: Mapped[int] = bigint_pk()
    regie_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_regie.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # "draft" or "issued"
    number: Mapped[str | None] = mapped_column(String(24), unique=True)  # AL-36, set at issue
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    school_year: Mapped[str] = mapped_column(String(9))  # « 2025-2026 », from period_start
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    previous_balance_cents: Mapped[int] = mapped_column(Integer, default=0)  # still due at issue (same régie)
    payment_reference: Mapped[str | None] = mapped_column(String(30))  # PayFiP refdet, set at issue
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    issued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    issued_by: Mapped[int | None] = mapped_column(BigInteger)  # agent id

    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.id", cascade="all, delete-orphan")


class InvoiceLine(TenantBase):
    __tablename__ = "billing_invoice_line"

    id: Mapped[int] = bigint_pk()
    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_invoice.id", ondelete="CASCADE"),
                                            index=True)
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="RESTRICT"))
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="RESTRICT"))
    nature: Mapped[str] = mapped_column(String(20))  # "childcare" or "meal"
    surcharge: Mapped[bool] = mapped_column(Boolean, default=False)  # late-booking surcharge (not childcare)
    label: Mapped[str] = mapped_column(String(160))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    days: Mapped[str] = mapped_column(Text, default="")  # ISO dates, comma separated

    @property
    def day_list(self) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in self.days.split(",") if d]


class CreditNote(TenantBase):
    """An avoir: corrects an issued invoice by an amount, with its own per-régie number."""

    __tablename__ = "billing_credit_note"

    id: Mapped[int] = bigint_pk()
    regie_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_regie.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_invoice.id", ondelete="RESTRICT"),
                                            index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    school_year: Mapped[str] = mapped_column(String(9))
    agent_id: Mapped[int | None] = mapped_column(BigInteger)


class Payment(TenantBase):
    """Money received by a régie from a family (« Règlement : Chèque »), with its receipt number."""

    __tablename__ = "billing_payment"
    __table_args__ = (Index("ix_billing_payment_method_reference", "method", "reference"),)

    id: Mapped[int] = bigint_pk()
    regie_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_regie.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # receipt number, AL-R5
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(12))  # one of METHODS
    reference: Mapped[str] = mapped_column(String(80), default="")  # cheque number, PayFiP idOp…
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    school_year: Mapped[str] = mapped_column(String(9))  # from received_at (Paris)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    agent_id: Mapped[int | None] = mapped_column(BigInteger)  # None for an online payment

    allocations: Mapped[list["PaymentAllocation"]] = relationship(cascade="all, delete-orphan")


class PaymentAllocation(TenantBase):
    """The part of a payment that settles one invoice."""

    __tablename__ = "billing_payment_allocation"

    id: Mapped[int] = bigint_pk()
    payment_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_payment.id", ondelete="CASCADE"),
                                            index=True)
    invoice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("billing_invoice.id", ondelete="RESTRICT"),
                                            index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)

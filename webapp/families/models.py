"""A family (its account, identified by the family number) and its children."""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.crypto import encrypted_int, encrypted_text
from webapp.db import TenantBase, bigint_pk


class Family(TenantBase):
    __tablename__ = "family"

    id: Mapped[int] = bigint_pk()
    number: Mapped[str] = mapped_column(String(20), unique=True)  # « N° famille », the identifiant
    civility: Mapped[str] = mapped_column(String(12), default="")
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    village: Mapped[str] = mapped_column(String(80), default="")
    email_allowed: Mapped[bool] = mapped_column(Boolean, default=True)  # « autorisation courriel »
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # C.A.F. — encrypted at rest; the quotient familial selects the tariff bracket.
    caf_number: Mapped[str | None] = mapped_column(encrypted_text())
    caf_quotient: Mapped[int | None] = mapped_column(encrypted_int())

    children: Mapped[list["Child"]] = relationship(
        back_populates="family", order_by="Child.birth_date", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".upper()


class Child(TenantBase):
    __tablename__ = "child"

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(120), default="")
    school_class: Mapped[str] = mapped_column(String(40), default="")

    family: Mapped[Family] = relationship(back_populates="children")

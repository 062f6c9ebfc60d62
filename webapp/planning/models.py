"""What the planning is made of: services, enrolments, closures, and each day's requests.

A day request is one child × service × date, a reservation or an absence, with its
state (pending, accepted, refused, withdrawn). At most one live request of each kind
per cell: a unique index on the live ones makes a double click or a retry harmless.
"""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)
LIVE_STATES = ("pending", "accepted")
# The rows the unique index on live requests covers; a literal, as ON CONFLICT must repeat it.
LIVE_CONDITION = text("state IN ('pending', 'accepted')")


class Service(TenantBase):
    """GARDERIE MATIN, RESTAURATION…: runs at a site on some weekdays, billed by a régie."""

    __tablename__ = "service"

    id: Mapped[int] = bigint_pk()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    site: Mapped[str] = mapped_column(String(120), default="")  # the school or place it runs at
    regie: Mapped[str] = mapped_column(String(120), default="")
    weekdays: Mapped[str] = mapped_column(String(7), default="1101100")  # Monday..Sunday, 1 = runs
    nature: Mapped[str] = mapped_column(String(20), default="childcare")  # "childcare" or "meal" (tax certificate)

    def runs_on(self, day: dt.date) -> bool:
        return self.weekdays[day.weekday()] == "1"


class Enrolment(TenantBase):
    """A child enrolled in a service for a period (a school year, usually)."""

    __tablename__ = "enrolment"
    __table_args__ = (Index("ix_enrolment_child_service", "child_id", "service_id"),)

    id: Mapped[int] = bigint_pk()
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Closure(TenantBase):
    """No service that day (strike, outing, absent teacher): for one service or all, one site or
    all, one class or all."""

    __tablename__ = "closure"

    id: Mapped[int] = bigint_pk()
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    service_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="CASCADE"))
    site: Mapped[str | None] = mapped_column(String(120))
    school_class: Mapped[str | None] = mapped_column(String(40))  # e.g. an absent teacher's class
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # the agent

    def applies_to(self, service: "Service", school_class: str = "") -> bool:
        return ((self.service_id is None or self.service_id == service.id)
                and (self.site is None or self.site == service.site)
                and (self.school_class is None or self.school_class == school_class))


class LocalDay(TenantBase):
    """A day the whole commune is off (pont, local holiday), added by an agent."""

    __tablename__ = "local_day"

    id: Mapped[int] = bigint_pk()
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    label: Mapped[str] = mapped_column(String(120))


class DayRequest(TenantBase):
    """A family's request for one cell of the planning, and what became of it."""

    __tablename__ = "day_request"
    __table_args__ = (
        Index("ix_day_request_family_day", "family_id", "day"),
        Index("ix_day_request_state_day", "state", "day"),
        Index("ix_day_request_service_day", "service_id", "day"),
        # One live request of each kind per cell, enforced by the database (retries, two tabs).
        Index("uq_day_request_live_cell", "child_id", "service_id", "day", "kind", unique=True,
              postgresql_where=LIVE_CONDITION, sqlite_where=LIVE_CONDITION),
    )

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # "reservation" or "absence"
    state: Mapped[str] = mapped_column(String(10))  # "pending", "accepted", "refused", "withdrawn"
    regular: Mapped[bool] = mapped_column(Boolean, default=False)  # made by a weekly pattern (Régulier)
    motive: Mapped[str | None] = mapped_column(String(40))  # absence motive code
    comment: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # made after the deadline
    billed: Mapped[bool | None] = mapped_column(Boolean)  # absences: billed or excused
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # agent id; None when automatic
    reason: Mapped[str] = mapped_column(String(300), default="")


class Attendance(TenantBase):
    """Whether a child was there, one child × service × day, as an agent took the register.

    One row per cell (unique): taking the register again updates it. A child who came
    without a booking is recorded present too.
    """

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("child_id", "service_id", "day", name="uq_attendance_cell"),
        Index("ix_attendance_service_day", "service_id", "day"),
    )

    id: Mapped[int] = bigint_pk()
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("service.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    present: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    taken_by: Mapped[int] = mapped_column(BigInteger)  # the agent

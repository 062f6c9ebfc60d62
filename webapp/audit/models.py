"""The commune's security journal: who signed in, failed, reset or changed a password.

Never a secret in it: no password, token or code, only what happened to which account.
"""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import Session

from webapp.db import TenantBase, bigint_pk


class AuditEvent(TenantBase):
    __tablename__ = "audit_event"

    id: Mapped[int] = bigint_pk()
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    event: Mapped[str] = mapped_column(String(40))  # e.g. "login.success", "password.changed"
    account_kind: Mapped[str] = mapped_column(String(10), default="")
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    identifier: Mapped[str] = mapped_column(String(254), default="")  # what was typed, for failures
    ip: Mapped[str] = mapped_column(String(45), default="")


def record(session: Session, event: str, *, now: dt.datetime, account_kind: str = "", account_id: int | None = None,
           identifier: str = "", ip: str = "") -> None:
    """Add one journal line to the caller's transaction."""
    session.add(AuditEvent(at=now, event=event, account_kind=account_kind, account_id=account_id,
                           identifier=identifier[:254], ip=ip[:45]))

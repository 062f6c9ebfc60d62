"""Federation admins: they onboard communes; they live in the platform schema."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.auth.models import SessionRecordMixin, ThrottleRecordMixin
from webapp.db import PlatformBase, bigint_pk


class FederationAdmin(PlatformBase):
    __tablename__ = "federation_admin"

    id: Mapped[int] = bigint_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # last 30-second step accepted


class AdminSession(SessionRecordMixin, PlatformBase):
    __tablename__ = "admin_session"


class AdminThrottle(ThrottleRecordMixin, PlatformBase):
    __tablename__ = "admin_throttle"


class AdminRecoveryCode(PlatformBase):
    """Single-use codes a federation admin keeps in case the authenticator app is lost."""

    __tablename__ = "admin_recovery_code"

    id: Mapped[int] = bigint_pk()
    admin_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("federation_admin.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

"""Federation admins: they onboard communes; they live in the platform schema."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.auth.models import InvitationRecordMixin, SessionRecordMixin, ThrottleRecordMixin
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
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # set: can no longer sign in
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # both factors done


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


class AdminInvitation(InvitationRecordMixin, PlatformBase):
    __tablename__ = "admin_invitation"

    admin_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("federation_admin.id", ondelete="CASCADE"), index=True
    )


class PlatformEvent(PlatformBase):
    """The platform's journal: what a federation admin (or the command line) did to whom.

    Never a secret in it: no password, token or code.
    """

    __tablename__ = "platform_event"

    id: Mapped[int] = bigint_pk()
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    event: Mapped[str] = mapped_column(String(40))  # e.g. "team.disabled", "login.success"
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # the federation admin; None: the command line
    target_id: Mapped[int | None] = mapped_column(BigInteger)  # the federation admin acted upon
    details: Mapped[str] = mapped_column(String(300), default="")  # what was typed (failed sign-ins)…
    ip: Mapped[str] = mapped_column(String(45), default="")

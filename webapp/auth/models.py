"""Accounts' security records: agents, sessions, throttling, password requests, recovery codes.

The session, throttle and recovery-code columns are mixins so the platform (federation
admins) keeps the same records in its own schema, with no foreign key between the two.
"""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webapp.clock import as_utc
from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)


class Agent(TenantBase):
    """Town-hall staff of one commune; `role` is "agent" or "admin" (manages agents)."""

    __tablename__ = "agent"

    id: Mapped[int] = bigint_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="agent")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # last 30-second step accepted
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # set: can no longer sign in
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # both factors done


class SessionRecordMixin:
    """A signed-in session, revocable on the server (logout, password change)."""

    id: Mapped[int] = bigint_pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_kind: Mapped[str] = mapped_column(String(10))  # "family", "agent" or "admin"
    account_id: Mapped[int] = mapped_column(BigInteger)
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    @declared_attr.directive
    def __table_args__(cls):
        return (Index(f"ix_{cls.__tablename__}_account", "account_kind", "account_id"),)


class ThrottleRecordMixin:
    """Failed sign-ins of one identifier (known or not: unknown ones are slowed down too)."""

    id: Mapped[int] = bigint_pk()
    key: Mapped[str] = mapped_column(String(300), unique=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    window_failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class AuthSession(SessionRecordMixin, TenantBase):
    __tablename__ = "auth_session"


class LoginThrottle(ThrottleRecordMixin, TenantBase):
    __tablename__ = "login_throttle"


class PasswordRequest(TenantBase):
    """A « Mot de passe oublié » request: a temporary password or a link, used once."""

    __tablename__ = "password_request"

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(20))  # "temporary_password" or "link"
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.replaced_at is None and now < as_utc(self.expires_at)


class RecoveryCode(TenantBase):
    """Single-use codes an agent keeps in case the authenticator app is lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = bigint_pk()
    agent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class InvitationRecordMixin:
    """A single-use activation link e-mailed to a new staff account (digest only, like sessions)."""

    id: Mapped[int] = bigint_pk()
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # used, or replaced by a newer one

    def usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < as_utc(self.expires_at)


class AgentInvitation(InvitationRecordMixin, TenantBase):
    __tablename__ = "agent_invitation"

    agent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("agent.id", ondelete="CASCADE"), index=True)

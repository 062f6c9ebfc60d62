"""A team of staff accounts: invite, change a role, disable, reactivate, reset the second factor.

Two teams share these rules: a commune's agents (their records in the commune's schema,
roles "agent" and "admin") and the federation admins (in the platform schema, all admins).
Plain Python over a SQLAlchemy session (no Flask), like webapp.auth.accounts: the callers
(the « Équipe » pages, the `flask agents` and `flask federation admins` commands) pass the
session, the accounts and `now`, and commit. A refusal raises TeamRefusal and changes nothing.

Nobody may disable or demote themself, nor the last active admin: a team always keeps
someone able to manage it. Ending access is immediate: disabling an account or resetting its
second factor deletes its sessions in the same transaction.
"""
import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from webapp.audit.models import record
from webapp.auth import accounts, reset_rules
from webapp.auth.models import Agent, AgentInvitation, AuthSession, LoginThrottle, RecoveryCode
from webapp.auth.second_factor import StaffStore
from webapp.federation.models import (
    AdminInvitation, AdminRecoveryCode, AdminSession, AdminThrottle, FederationAdmin, PlatformEvent,
)

INVITATION_LIFETIME = dt.timedelta(hours=72)
ROLE_CODES = ("agent", "admin")
EMAIL_MAX, NAME_MAX = 254, 120


class TeamRefusal(Exception):
    """Why an action was refused, as a stable code the screens turn into French sentences."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "email_taken", "self", "last_admin", "unknown_role", "already", "not_invited"


def _commune_event(db: Session, event: str, *, now: dt.datetime, actor_id: int | None, target_id: int | None,
                   details: str, ip: str) -> None:
    identifier = " ".join(part for part in (f"agent:{target_id}" if target_id else "", details) if part)
    record(db, event, now=now, account_kind="agent", account_id=actor_id, identifier=identifier, ip=ip)


def _platform_event(db: Session, event: str, *, now: dt.datetime, actor_id: int | None, target_id: int | None,
                    details: str, ip: str) -> None:
    db.add(PlatformEvent(at=now, event=event, actor_id=actor_id, target_id=target_id, details=details[:300],
                         ip=ip[:45]))


@dataclass(frozen=True)
class Team:
    """Where one kind of staff keeps its accounts, sessions, invitations and journal."""

    staff: StaffStore
    invitation_model: type
    invitation_owner: str  # the invitation's column naming the account: "agent_id" or "admin_id"
    has_roles: bool  # agents have a role; every federation admin is an admin
    journal_writer: object  # _commune_event or _platform_event

    @property
    def model(self):
        return self.staff.account_model

    def is_admin(self, account) -> bool:
        return not self.has_roles or account.role == "admin"

    def journal(self, db: Session, event: str, *, now: dt.datetime, actor_id: int | None = None,
                target_id: int | None = None, details: str = "", ip: str = "") -> None:
        """One line of the team's journal (the commune's, or the platform's), never a secret."""
        self.journal_writer(db, event, now=now, actor_id=actor_id, target_id=target_id, details=details, ip=ip)


AGENT_TEAM = Team(StaffStore("agent", Agent, AuthSession, LoginThrottle, RecoveryCode, "agent_id"),
                  AgentInvitation, "agent_id", has_roles=True, journal_writer=_commune_event)
ADMIN_TEAM = Team(StaffStore("admin", FederationAdmin, AdminSession, AdminThrottle, AdminRecoveryCode, "admin_id"),
                  AdminInvitation, "admin_id", has_roles=False, journal_writer=_platform_event)


# --- reading ------------------------------------------------------------------------------
def state(account) -> str:
    """"disabled", "invited" (no password chosen yet) or "active"."""
    if account.disabled_at is not None:
        return "disabled"
    return "invited" if account.password_hash is None else "active"


def members(db: Session, team: Team) -> list:
    return list(db.scalars(select(team.model).order_by(team.model.name, team.model.email)))


def find_by_email(db: Session, team: Team, email: str):
    return db.scalar(select(team.model).where(func.lower(team.model.email) == email.strip().lower()))


def _active_admin_ids(db: Session, team: Team) -> list[int]:
    """Locked (FOR UPDATE on PostgreSQL): two admins disabling each other at once cannot both pass."""
    model = team.model
    query = select(model.id).where(model.disabled_at.is_(None), model.password_hash.is_not(None))
    if team.has_roles:
        query = query.where(model.role == "admin")
    return list(db.scalars(query.with_for_update()))


def _may_remove_admin(db: Session, team: Team, actor, target) -> None:
    """Refuse acting on oneself, and leaving the team without an active admin."""
    if actor is not None and actor.id == target.id:
        raise TeamRefusal("self")
    if team.is_admin(target) and state(target) == "active" and _active_admin_ids(db, team) == [target.id]:
        raise TeamRefusal("last_admin")


# --- invitations --------------------------------------------------------------------------
def invite(db: Session, team: Team, *, email: str, name: str, role: str, now: dt.datetime):
    """A new account without a password, and its invitation: (account, the link's secret, once)."""
    email, name = email.strip().lower(), name.strip()
    if team.has_roles and role not in ROLE_CODES:
        raise TeamRefusal("unknown_role")
    if find_by_email(db, team, email) is not None:
        raise TeamRefusal("email_taken")
    fields = {"role": role} if team.has_roles else {}
    account = team.model(email=email, name=name, password_hash=None, **fields)
    db.add(account)
    db.flush()
    return account, issue_invitation(db, team, account, now)


def issue_invitation(db: Session, team: Team, account, now: dt.datetime) -> str:
    """A new single-use link for an invited account; an older one stops working."""
    if state(account) != "invited":
        raise TeamRefusal("not_invited")
    model = team.invitation_model
    owner = getattr(model, team.invitation_owner)
    db.execute(update(model).where(owner == account.id, model.used_at.is_(None)).values(used_at=now))
    secret = secrets.token_urlsafe(32)
    db.add(model(**{team.invitation_owner: account.id}, secret_hash=reset_rules.digest(secret), created_at=now,
                 expires_at=now + INVITATION_LIFETIME))
    return secret


def open_invitation(db: Session, team: Team, secret: str, now: dt.datetime):
    """(invitation, account) of a link still valid, for an account still waiting for it; else None."""
    model = team.invitation_model
    invitation = db.scalar(select(model).where(model.secret_hash == reset_rules.digest(secret)))
    if invitation is None or not invitation.usable(now):
        return None
    account = db.get(team.model, getattr(invitation, team.invitation_owner))
    if account is None or state(account) != "invited":
        return None
    return invitation, account


def accept_invitation(invitation, account, password_hash: str, now: dt.datetime) -> None:
    """The invited person chose a password: the link is used up; the second factor comes next."""
    invitation.used_at = now
    account.password_hash = password_hash


# --- changes --------------------------------------------------------------------------------
def change_role(db: Session, team: Team, actor, target, role: str) -> bool:
    """True when the role changed; demoting oneself or the last active admin is refused."""
    if not team.has_roles or role not in ROLE_CODES:
        raise TeamRefusal("unknown_role")
    if role == target.role:
        return False
    if target.role == "admin":
        _may_remove_admin(db, team, actor, target)
    target.role = role
    return True


def _end_sessions(db: Session, team: Team, account) -> None:
    accounts.end_other_sessions(db, team.staff.session_model, team.staff.kind, account.id)


def disable(db: Session, team: Team, actor, target, now: dt.datetime) -> None:
    """The account can no longer sign in, and every session of it ends now (the row stays, for the
    history and the journal that name it)."""
    if target.disabled_at is not None:
        raise TeamRefusal("already")
    _may_remove_admin(db, team, actor, target)
    target.disabled_at = now
    _end_sessions(db, team, target)
    model = team.invitation_model
    db.execute(update(model).where(getattr(model, team.invitation_owner) == target.id, model.used_at.is_(None))
               .values(used_at=now))


def enable(target) -> None:
    if target.disabled_at is None:
        raise TeamRefusal("already")
    target.disabled_at = None


def reset_second_factor(db: Session, team: Team, actor, target) -> None:
    """Secret and recovery codes gone, sessions ended: the next sign-in enrols an app again."""
    if actor is not None and actor.id == target.id:
        raise TeamRefusal("self")
    target.totp_secret = None
    target.totp_confirmed_at = None
    target.totp_last_step = None
    recovery = team.staff.recovery_model
    db.execute(delete(recovery).where(getattr(recovery, team.staff.recovery_owner) == target.id))
    _end_sessions(db, team, target)


def check_identity(email: str, name: str) -> list[str]:
    """Codes of what is wrong with a new account's e-mail and name ("email", "name")."""
    email, name = (email or "").strip(), (name or "").strip()
    wrong = []
    if "@" not in email or len(email) > EMAIL_MAX or any(c.isspace() for c in email) or email.startswith("@") \
            or email.endswith("@"):
        wrong.append("email")
    if not name or len(name) > NAME_MAX:
        wrong.append("name")
    return wrong

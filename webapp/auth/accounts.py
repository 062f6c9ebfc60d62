"""Signing in, sessions and password requests of a commune's accounts.

Plain Python over a SQLAlchemy session (no Flask): the views pass the commune's session,
what was typed and `now`, and commit. Secrets never leave here except the one that must
be e-mailed (a temporary password or a link token), returned to the caller once.
"""
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, case, delete, select
from sqlalchemy.orm import Session

from webapp.audit.models import record
from webapp.auth import reset_rules, session_rules, throttle
from webapp.auth.models import AuthSession, LoginThrottle, PasswordRequest, SessionRecordMixin, ThrottleRecordMixin
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.clock import as_utc
from webapp.families.models import Family


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt."""

    status: str  # "ok", "must_change" (temporary password used), "refused" or "throttled"
    family: Family | None = None
    retry_at: dt.datetime | None = None


# --- throttling -------------------------------------------------------------------
def _throttle_row(db: Session, model: type[ThrottleRecordMixin], key: str) -> ThrottleRecordMixin:
    row = db.scalar(select(model).where(model.key == key))
    if row is None:
        row = model(key=key, consecutive_failures=0, window_failures=0)
        db.add(row)
    return row


def _state(row: ThrottleRecordMixin) -> throttle.ThrottleState:
    return throttle.ThrottleState(row.consecutive_failures or 0, as_utc(row.window_start),
                                  row.window_failures or 0, as_utc(row.blocked_until))


def _store(row: ThrottleRecordMixin, state: throttle.ThrottleState) -> None:
    row.consecutive_failures = state.consecutive_failures
    row.window_start = state.window_start
    row.window_failures = state.window_failures
    row.blocked_until = state.blocked_until


def throttled_attempt(db: Session, model: type[ThrottleRecordMixin], key: str, now: dt.datetime,
                      attempt: Callable[[], bool]) -> tuple[str, dt.datetime | None]:
    """Run `attempt` unless `key` is throttled: ("ok" | "refused" | "throttled", retry time).

    The one place where failures of a password or of a second-factor code are counted.
    """
    row = _throttle_row(db, model, key)
    wait = throttle.retry_at(_state(row), now)
    if wait is not None:
        return "throttled", wait
    if attempt():
        _store(row, throttle.after_success(_state(row)))
        return "ok", None
    _store(row, throttle.after_failure(_state(row), now))
    return "refused", throttle.retry_at(_state(row), now)


def check_credentials(db: Session, model: type[ThrottleRecordMixin], key: str, stored_hash: str | None,
                      password: str, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """Throttle, then verify a password.

    Unknown accounts go through the same steps (a dummy Argon2 check, the same
    throttling), so the answer and its timing say nothing about who exists.
    """
    return throttled_attempt(db, model, key, now, lambda: verify_password(stored_hash, password))


def sign_in_family(db: Session, number: str, password: str, now: dt.datetime, ip: str = "") -> SignIn:
    family = db.scalar(select(Family).where(Family.number == number))
    status, retry = check_credentials(db, LoginThrottle, f"family:{number}",
                                      family.password_hash if family else None, password, now)
    if status == "refused" and family is not None and _use_temporary_password(db, family, password, now):
        row = _throttle_row(db, LoginThrottle, f"family:{number}")
        _store(row, throttle.after_success(_state(row)))
        status = "must_change"
    if status == "ok" and needs_rehash(family.password_hash):
        family.password_hash = hash_password(password)
    event = {"ok": "login.success", "must_change": "login.temporary_password",
             "refused": "login.failure", "throttled": "login.throttled"}[status]
    record(db, event, now=now, account_kind="family", account_id=family.id if family else None,
           identifier=number, ip=ip)
    return SignIn(status, family if status in ("ok", "must_change") else None, retry)


def _use_temporary_password(db: Session, family: Family, password: str, now: dt.datetime) -> bool:
    """A temporary password is valid 24 hours and once: signing in with it uses it."""
    request = db.scalar(select(PasswordRequest).where(
        PasswordRequest.family_id == family.id,
        PasswordRequest.mode == "temporary_password",
        PasswordRequest.secret_hash == reset_rules.digest(password),
    ))
    if request is None or not request.usable(now):
        return False
    request.used_at = now
    return True


# --- sessions ---------------------------------------------------------------------
def open_session(db: Session, model: type[SessionRecordMixin], kind: str, account_id: int, now: dt.datetime,
                 second_factor_done: bool = False) -> str:
    """A new server-side session; returns its token (kept only in the signed cookie)."""
    token = secrets.token_urlsafe(32)
    db.add(model(token_hash=reset_rules.digest(token), account_kind=kind, account_id=account_id,
                 second_factor_done=second_factor_done, created_at=now, last_seen_at=now))
    return token


def find_session(db: Session, model: type[SessionRecordMixin], token: str,
                 now: dt.datetime) -> SessionRecordMixin | None:
    """The live session of `token`; an expired one is deleted and gives None."""
    return _alive(db, db.scalar(select(model).where(model.token_hash == reset_rules.digest(token))), now)


@dataclass(frozen=True)
class LiveSession:
    row: SessionRecordMixin
    account: object | None  # None: the account is gone (the session names nobody)
    extras: dict  # name → value of the `extras` columns asked for


@dataclass(frozen=True)
class SessionQuery:
    """The session of a token, its account and `extras` in one statement, built once (every
    signed-in page runs it). `extras`: columns computed over the joined account tables (the
    menu's unread count…), NULL-safe for the other kinds of account."""

    statement: object
    kinds: tuple[str, ...]
    extras: tuple[str, ...]

    @classmethod
    def build(cls, model: type[SessionRecordMixin], account_models: dict[str, type],
              extras: dict | None = None) -> "SessionQuery":
        """`extras`: name → (kind of account, column); computed for that kind only (NULL otherwise)."""
        extras = extras or {}
        columns = [case((model.account_kind == kind, column), else_=None) for kind, column in extras.values()]
        query = select(model, *account_models.values(), *columns).where(model.token_hash == bindparam("token_hash"))
        for kind, account_model in account_models.items():
            query = query.outerjoin(account_model,
                                    and_(model.account_kind == kind, account_model.id == model.account_id))
        return cls(query, tuple(account_models), tuple(extras))


def find_session_with_account(db: Session, query: SessionQuery, token: str, now: dt.datetime) -> LiveSession | None:
    """The live session of `token` and its account in one query: same expiry and touch as find_session."""
    found = db.execute(query.statement, {"token_hash": reset_rules.digest(token)}).first()
    if found is None or _alive(db, found[0], now) is None:
        return None
    row, n = found[0], len(query.kinds)
    account = dict(zip(query.kinds, found[1:1 + n])).get(row.account_kind)
    return LiveSession(row, account, dict(zip(query.extras, found[1 + n:])))


def _alive(db: Session, row: SessionRecordMixin | None, now: dt.datetime) -> SessionRecordMixin | None:
    """`row` if its session is still alive (its last visit noted once a minute); an expired one is deleted."""
    if row is None:
        return None
    if not session_rules.is_alive(row.account_kind, as_utc(row.created_at), as_utc(row.last_seen_at), now):
        db.delete(row)
        db.commit()
        return None
    if session_rules.needs_touch(as_utc(row.last_seen_at), now):
        row.last_seen_at = now
        db.commit()
    return row


def end_session(db: Session, model: type[SessionRecordMixin], token: str) -> None:
    db.execute(delete(model).where(model.token_hash == reset_rules.digest(token)))


def end_other_sessions(db: Session, model: type[SessionRecordMixin], kind: str, account_id: int,
                       keep_token: str | None = None) -> None:
    """Revoke every session of an account but the current one (password changed)."""
    query = delete(model).where(model.account_kind == kind, model.account_id == account_id)
    if keep_token is not None:
        query = query.where(model.token_hash != reset_rules.digest(keep_token))
    db.execute(query)


# --- passwords --------------------------------------------------------------------
def set_family_password(db: Session, family: Family, password: str, now: dt.datetime, keep_token: str | None = None,
                        ip: str = "") -> None:
    """Save a new password; every other session of the family ends."""
    family.password_hash = hash_password(password)
    family.password_changed_at = now
    end_other_sessions(db, AuthSession, "family", family.id, keep_token)
    for request in db.scalars(select(PasswordRequest).where(PasswordRequest.family_id == family.id,
                                                             PasswordRequest.used_at.is_(None))):
        request.replaced_at = now  # a pending temporary password or link dies with the change
    record(db, "password.changed", now=now, account_kind="family", account_id=family.id, ip=ip)


@dataclass(frozen=True)
class PasswordMail:
    """What the e-mail of a password request must carry (the only copy of the secret)."""

    family: Family
    mode: str
    secret: str
    first_activation: bool
    expires_at: dt.datetime


def request_password(db: Session, number: str, mode: str, now: dt.datetime, ip: str = "") -> PasswordMail | None:
    """« Mot de passe oublié »: a new temporary password or link, replacing older ones.

    None when nothing is to be sent (unknown number, no e-mail, 3 requests this hour);
    the page says the same thing in every case.
    """
    family = db.scalar(select(Family).where(Family.number == number))
    if family is None or not family.email:
        record(db, "password.request_ignored", now=now, identifier=number, ip=ip)
        return None
    return issue_password_mail(db, family, earlier_requests(db, [family.id]).get(family.id, []), mode, now, ip)


def earlier_requests(db: Session, family_ids: list[int]) -> dict[int, list[PasswordRequest]]:
    """Each family's password requests so far, in one query (welcome e-mails go to many)."""
    found: dict[int, list[PasswordRequest]] = {}
    for row in db.scalars(select(PasswordRequest).where(PasswordRequest.family_id.in_(family_ids))):
        found.setdefault(row.family_id, []).append(row)
    return found


def issue_password_mail(db: Session, family: Family, previous: list[PasswordRequest], mode: str,
                        now: dt.datetime, ip: str = "") -> PasswordMail | None:
    """A new temporary password or link for a family with an e-mail, given its earlier requests."""
    if not reset_rules.may_request([as_utc(r.created_at) for r in previous], now):
        record(db, "password.request_limited", now=now, account_kind="family", account_id=family.id, ip=ip)
        return None
    for older in previous:
        if older.used_at is None and older.replaced_at is None:
            older.replaced_at = now  # a newer request replaces an older one
    first_activation = family.password_hash is None
    secret = reset_rules.new_secret(mode)
    expires_at = now + reset_rules.lifetime(mode, first_activation)
    db.add(PasswordRequest(family_id=family.id, mode=mode, secret_hash=reset_rules.digest(secret),
                           created_at=now, expires_at=expires_at))
    record(db, "password.requested", now=now, account_kind="family", account_id=family.id, ip=ip)
    return PasswordMail(family, mode, secret, first_activation, expires_at)


def family_for_link(db: Session, token: str, now: dt.datetime) -> tuple[PasswordRequest, Family] | None:
    """The request and family of a still-valid e-mailed link."""
    request = db.scalar(select(PasswordRequest).where(
        PasswordRequest.secret_hash == reset_rules.digest(token), PasswordRequest.mode == "link"))
    if request is None or not request.usable(now):
        return None
    return request, db.get(Family, request.family_id)

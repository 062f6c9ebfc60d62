"""Queueing, picking due messages and the retry schedule: plain Python and SQLAlchemy.

Every function takes `now` (an aware datetime, UTC or not; a naive one is taken as UTC),
so callers and tests decide the time. The same functions serve a commune's outbox
(`OutboxMail`) and the platform's (`PlatformOutboxMail`).

Retries: 1, 2, 4, 8 minutes, then every 15 minutes, so a mail server back after a long
outage gets the next try within 15 minutes (a 60-minute reset link is still good).
After about 3 days of unsuccessful attempts the e-mail is « failed »; a federation admin
can queue it again (`flask mail retry`, /federation/courriels).
"""
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import as_utc
from webapp.mail.models import FAILED, PENDING, SENT, OutboxMail, OutboxMailMixin, PlatformOutboxMail

FIRST_DELAY = timedelta(minutes=1)  # then 2, 4, 8… minutes
MAX_DELAY = timedelta(minutes=15)  # never longer between two tries: an outage's end is noticed soon
GIVE_UP_AFTER = timedelta(days=3)  # of unsuccessful attempts (the waits between them added up)
ERROR_LENGTH = 300
RECIPIENT_LENGTH = 254
SUBJECT_LENGTH = 200


def _check_header(name: str, value: str, length: int) -> str:
    """Refuse what could end an e-mail header (header injection) or not fit its column."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} : valeur vide")
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):  # CR, LF, NUL, U+2028…
        raise ValueError(f"{name} : caractère de contrôle ou retour à la ligne refusé")
    if len(value) > length:
        raise ValueError(f"{name} : plus de {length} caractères")
    return value.strip()


def queue_mail(session: Session, *, to: str, subject: str, body: str, now: datetime,
               expires_at: datetime | None = None) -> OutboxMail:
    """Add an e-mail to the commune's outbox, due at once; the caller commits it with its change.

    `expires_at`: when the link or temporary password the e-mail carries stops working; an
    e-mail still unsent then is not sent (the worker tells the family to ask again instead).
    """
    return _queue(OutboxMail, session, to=to, subject=subject, body=body, now=now, expires_at=expires_at)


def queue_platform_mail(platform_session: Session, *, to: str, subject: str, body: str, now: datetime,
                        expires_at: datetime | None = None) -> PlatformOutboxMail:
    """The same, in the platform's own outbox (federation admins' e-mails); the caller commits."""
    return _queue(PlatformOutboxMail, platform_session, to=to, subject=subject, body=body, now=now,
                  expires_at=expires_at)


def _queue(model: type[OutboxMailMixin], session: Session, *, to: str, subject: str, body: str, now: datetime,
           expires_at: datetime | None) -> OutboxMailMixin:
    now = as_utc(now)
    recipient = _check_header("destinataire", to, RECIPIENT_LENGTH)
    if "@" not in recipient or any(c.isspace() for c in recipient):
        raise ValueError(f"destinataire : adresse invalide : {recipient!r}")
    if not isinstance(body, str) or "\x00" in body:  # PostgreSQL refuses NUL in text
        raise ValueError("corps : texte sans caractère NUL attendu")
    mail = model(
        recipient=recipient,
        subject=_check_header("objet", subject, SUBJECT_LENGTH),
        body=body,
        created_at=now,
        next_attempt_at=now,
        sent_at=None,
        attempts=0,
        status=PENDING,
        last_error=None,
        expires_at=as_utc(expires_at) if expires_at is not None else None,
    )
    session.add(mail)
    return mail


def due_mails(session: Session, now: datetime, limit: int = 100,
              model: type[OutboxMailMixin] = OutboxMail) -> list[OutboxMailMixin]:
    """Pending e-mails whose time has come, oldest first, locked for this transaction.

    On PostgreSQL the rows are taken with FOR UPDATE SKIP LOCKED: a second worker skips
    them instead of waiting, so no message is sent twice. SQLite ignores the clause.
    """
    query = (
        select(model)
        .where(model.status == PENDING, model.next_attempt_at <= as_utc(now))
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` unsuccessful attempts: 1 min, 2, 4, 8, then 15 minutes."""
    if attempts < 1:
        return timedelta(0)
    if attempts > 20:  # 2**20 minutes is far beyond the cap; avoid huge numbers
        return MAX_DELAY
    return min(FIRST_DELAY * 2 ** (attempts - 1), MAX_DELAY)


def attempts_before_giving_up(span: timedelta = GIVE_UP_AFTER) -> int:
    """How many unsuccessful attempts fill `span` with the waits between them (292 for 3 days).

    Counted in attempts rather than from `created_at`: an e-mail queued while the worker
    was stopped still gets its days of tries once the worker runs again.
    """
    attempts, waited = 1, timedelta(0)
    while waited < span:
        waited += retry_delay(attempts)
        attempts += 1
    return attempts


MAX_ATTEMPTS = attempts_before_giving_up()  # status "failed" after this many unsuccessful attempts


def mark_sent(mail: OutboxMailMixin, now: datetime) -> None:
    now = as_utc(now)
    mail.attempts = (mail.attempts or 0) + 1
    mail.status = SENT
    mail.sent_at = now
    mail.next_attempt_at = now


def mark_failed(mail: OutboxMailMixin, error: str, now: datetime) -> None:
    """Count an unsuccessful attempt: retry later, or give up (status "failed") after the last one."""
    now = as_utc(now)
    mail.attempts = (mail.attempts or 0) + 1
    mail.last_error = (error or "erreur inconnue").strip()[:ERROR_LENGTH]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = FAILED
        mail.next_attempt_at = now
    else:
        mail.status = PENDING
        mail.next_attempt_at = now + retry_delay(mail.attempts)


def has_expired(mail: OutboxMailMixin, now: datetime) -> bool:
    """The link or temporary password this e-mail carries no longer works: do not send it."""
    return mail.expires_at is not None and as_utc(now) >= as_utc(mail.expires_at)


def replace_expired(mail: OutboxMailMixin, subject: str, body: str) -> None:
    """Turn an expired e-mail into the « ask again » notice, sent in its place (the dead secret is dropped)."""
    mail.subject = _check_header("objet", subject, SUBJECT_LENGTH)
    mail.body = body
    mail.expires_at = None


def retry_failed(session: Session, now: datetime, *, since: datetime | None = None, mail_id: int | None = None,
                 model: type[OutboxMailMixin] = OutboxMail) -> int:
    """Queue « failed » e-mails again, due at once, with a new series of attempts; returns how many.

    `since`: only those created at or after it; `mail_id`: only that one. The caller commits.
    An e-mail whose link has expired since will go out as the « ask again » notice.
    """
    query = select(model).where(model.status == FAILED)
    if since is not None:
        query = query.where(model.created_at >= as_utc(since))
    if mail_id is not None:
        query = query.where(model.id == mail_id)
    count = 0
    for mail in session.scalars(query.with_for_update(skip_locked=True)):
        mail.status = PENDING
        mail.attempts = 0
        mail.next_attempt_at = as_utc(now)
        count += 1
    return count


def count_due(session: Session, now: datetime, model: type[OutboxMailMixin] = OutboxMail) -> int:
    """How many pending e-mails are due (without locking them)."""
    query = select(func.count()).select_from(model).where(
        model.status == PENDING, model.next_attempt_at <= as_utc(now)
    )
    return session.scalar(query) or 0


def count_by_status(session: Session, model: type[OutboxMailMixin] = OutboxMail) -> dict[str, int]:
    """{"pending": n, "sent": n, "failed": n} of one outbox."""
    counts = dict.fromkeys((PENDING, SENT, FAILED), 0)
    for status, count in session.execute(select(model.status, func.count()).group_by(model.status)):
        counts[status] = count
    return counts


def failed_mails(session: Session, limit: int = 100, model: type[OutboxMailMixin] = OutboxMail) -> list:
    """The « failed » e-mails of one outbox, newest first."""
    query = select(model).where(model.status == FAILED).order_by(model.created_at.desc(), model.id.desc())
    return list(session.scalars(query.limit(limit)))


def latest_mails(session: Session, limit: int = 50, model: type[OutboxMailMixin] = OutboxMail) -> list:
    """The most recent e-mails of one outbox, newest first (development mailbox)."""
    query = select(model).order_by(model.created_at.desc(), model.id.desc()).limit(limit)
    return list(session.scalars(query))


__all__ = [
    "FAILED", "GIVE_UP_AFTER", "MAX_ATTEMPTS", "MAX_DELAY", "PENDING", "SENT", "OutboxMail", "PlatformOutboxMail",
    "as_utc", "count_by_status", "count_due", "due_mails", "failed_mails", "has_expired", "latest_mails",
    "mark_failed", "mark_sent", "queue_mail", "queue_platform_mail", "replace_expired", "retry_delay",
    "retry_failed",
]

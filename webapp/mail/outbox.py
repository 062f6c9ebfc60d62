"""Queueing, picking due messages and the retry schedule: plain Python and SQLAlchemy.

Every function takes `now` (an aware datetime, UTC or not; a naive one is taken as UTC),
so callers and tests decide the time.
"""
import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import as_utc
from webapp.mail.models import FAILED, PENDING, SENT, OutboxMail

MAX_ATTEMPTS = 10  # status "failed" after this many unsuccessful attempts
FIRST_DELAY = timedelta(minutes=1)  # then 2, 4, 8… minutes
MAX_DELAY = timedelta(hours=6)
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


def queue_mail(session: Session, *, to: str, subject: str, body: str, now: datetime) -> OutboxMail:
    """Add an e-mail to the commune's outbox, due at once; the caller commits it with its change."""
    now = as_utc(now)
    recipient = _check_header("destinataire", to, RECIPIENT_LENGTH)
    if "@" not in recipient or any(c.isspace() for c in recipient):
        raise ValueError(f"destinataire : adresse invalide : {recipient!r}")
    if not isinstance(body, str) or "\x00" in body:  # PostgreSQL refuses NUL in text
        raise ValueError("corps : texte sans caractère NUL attendu")
    mail = OutboxMail(
        recipient=recipient,
        subject=_check_header("objet", subject, SUBJECT_LENGTH),
        body=body,
        created_at=now,
        next_attempt_at=now,
        sent_at=None,
        attempts=0,
        status=PENDING,
        last_error=None,
    )
    session.add(mail)
    return mail


def due_mails(session: Session, now: datetime, limit: int = 100) -> list[OutboxMail]:
    """Pending e-mails whose time has come, oldest first, locked for this transaction.

    On PostgreSQL the rows are taken with FOR UPDATE SKIP LOCKED: a second worker skips
    them instead of waiting, so no message is sent twice. SQLite ignores the clause.
    """
    query = (
        select(OutboxMail)
        .where(OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= as_utc(now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` unsuccessful attempts: 1 min, 2, 4, … at most 6 h."""
    if attempts < 1:
        return timedelta(0)
    if attempts > 20:  # 2**20 minutes is far beyond the cap; avoid huge numbers
        return MAX_DELAY
    return min(FIRST_DELAY * 2 ** (attempts - 1), MAX_DELAY)


def mark_sent(mail: OutboxMail, now: datetime) -> None:
    now = as_utc(now)
    mail.attempts = (mail.attempts or 0) + 1
    mail.status = SENT
    mail.sent_at = now
    mail.next_attempt_at = now


def mark_failed(mail: OutboxMail, error: str, now: datetime) -> None:
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


def count_due(session: Session, now: datetime) -> int:
    """How many pending e-mails are due (without locking them)."""
    query = select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= as_utc(now)
    )
    return session.scalar(query) or 0


def latest_mails(session: Session, limit: int = 50) -> list[OutboxMail]:
    """The most recent e-mails of one commune, newest first (development mailbox)."""
    query = select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()).limit(limit)
    return list(session.scalars(query))


__all__ = [
    "FAILED", "MAX_ATTEMPTS", "PENDING", "SENT", "OutboxMail", "as_utc", "count_due", "due_mails",
    "latest_mails", "mark_failed", "mark_sent", "queue_mail", "retry_delay",
]

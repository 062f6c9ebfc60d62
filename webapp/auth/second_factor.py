"""The second factor of staff accounts (commune agents, federation admins).

TOTP (RFC 6238: 6 digits, 30 seconds, one step of clock drift either way) enrolled with a
QR code, and single-use recovery codes for a lost phone. Plain Python over a SQLAlchemy
session (no Flask), like accounts.py: the views pass the session holding the account's
records (a commune's or the platform's), what was typed and `now`, and commit.

Recovery codes are shown once and stored only as SHA-256 digests: 60 random bits each
need no slow hash behind the throttling. Code attempts are throttled per account with the
same rules as passwords (webapp.auth.throttle).
"""
import base64
import datetime as dt
import secrets
from dataclasses import dataclass

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from webapp.auth import accounts, reset_rules

DIGITS = 6
VALID_WINDOW = 1  # the previous and the next 30-second step are accepted too
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # 12 characters of a 32-letter alphabet: 60 bits
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 signs, no 0/O or 1/I
_SEPARATORS = str.maketrans("", "", " -\u00a0\u202f\t")


@dataclass(frozen=True)
class StaffStore:
    """Where one kind of staff account keeps its records (a commune's or the platform's tables)."""

    kind: str  # "agent" or "admin": the sessions' account_kind and the throttle keys' prefix
    account_model: type  # Agent or FederationAdmin (email, password_hash, totp_secret, totp_confirmed_at)
    session_model: type  # AuthSession or AdminSession
    throttle_model: type  # LoginThrottle or AdminThrottle
    recovery_model: type  # RecoveryCode or AdminRecoveryCode
    recovery_owner: str  # the recovery model's column naming the account: "agent_id" or "admin_id"

    def password_key(self, email: str) -> str:
        return f"{self.kind}:{email.strip().lower()}"

    def code_key(self, account_id: int) -> str:
        return f"totp:{self.kind}:{account_id}"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code typed at enrolment or at sign-in."""

    status: str  # "ok", "refused" or "throttled"
    retry_at: dt.datetime | None = None
    recovery_code_used: bool = False
    recovery_codes: list[str] | None = None  # enrolment only: the new codes, to show once


# --- TOTP -----------------------------------------------------------------------------
def new_secret() -> str:
    """A new base32 TOTP secret of 160 bits (32 characters), as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def grouped(secret: str, size: int = 4) -> str:
    """« ABCD EFGH … »: the secret as a person copies it into an authenticator app."""
    return " ".join(secret[i:i + size] for i in range(0, len(secret), size))


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    clean = issuer.replace(":", " ").strip()  # a colon would split the label
    return pyotp.TOTP(secret, digits=DIGITS).provisioning_uri(name=account_name, issuer_name=clean)


def qr_code_data_uri(text: str) -> str:
    """`text` as an SVG QR code (dark on white), ready for an <img src="data:…">."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def matching_step(secret: str | None, code: str, now: dt.datetime) -> int | None:
    """The 30-second step whose code was typed (one step of drift either way), or None."""
    code = normalise(code)
    if not secret or len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS)
    current = int(now.timestamp()) // totp.interval
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def accept_totp(account, code: str, now: dt.datetime) -> bool:
    """A code of the app, each step used once: a code seen over a shoulder cannot be replayed."""
    step = matching_step(account.totp_secret, code, now)
    if step is None or (account.totp_last_step is not None and step <= account.totp_last_step):
        return False
    account.totp_last_step = step
    return True


def normalise(code: str) -> str:
    """What was typed, without spaces or hyphens, upper case (« abcd-efgh » = « ABCDEFGH »)."""
    return (code or "").translate(_SEPARATORS).upper()


# --- recovery codes ---------------------------------------------------------------------
def new_recovery_code() -> str:
    """« ABCD-EFGH-JKLM »: three groups of four, easy to copy by hand."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def recovery_digest(code: str) -> str:
    return reset_rules.digest(normalise(code))


def replace_recovery_codes(db: Session, store: StaffStore, account_id: int) -> list[str]:
    """A fresh set of codes for the account (older ones stop working); returns them in clear, once."""
    model = store.recovery_model
    owner = getattr(model, store.recovery_owner)
    db.execute(delete(model).where(owner == account_id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.add(model(**{store.recovery_owner: account_id}, code_hash=recovery_digest(code)))
    return codes


def use_recovery_code(db: Session, store: StaffStore, account_id: int, code: str, now: dt.datetime) -> bool:
    """True when `code` is one of the account's unused codes; it is then used up.

    The UPDATE only succeeds while used_at is empty, so two requests racing with the same
    code cannot both pass.
    """
    if len(normalise(code)) != RECOVERY_CODE_LENGTH:
        return False
    model = store.recovery_model
    owner = getattr(model, store.recovery_owner)
    row_id = db.scalar(select(model.id).where(owner == account_id, model.code_hash == recovery_digest(code),
                                              model.used_at.is_(None)))
    if row_id is None:
        return False
    result = db.execute(update(model).where(model.id == row_id, model.used_at.is_(None)).values(used_at=now))
    return result.rowcount == 1


def remaining_recovery_codes(db: Session, store: StaffStore, account_id: int) -> int:
    model = store.recovery_model
    owner = getattr(model, store.recovery_owner)
    return db.scalar(select(func.count()).select_from(model).where(owner == account_id, model.used_at.is_(None)))


# --- the two screens --------------------------------------------------------------------
def start_enrolment(account) -> str:
    """A new secret for an account that has not confirmed one yet (each sign-in draws anew,
    so a secret someone saw during an abandoned enrolment is never the one confirmed)."""
    if account.totp_confirmed_at is not None:
        raise ValueError("the second factor is already enrolled")
    account.totp_secret = new_secret()
    return account.totp_secret


def confirm_enrolment(db: Session, store: StaffStore, account, code: str, now: dt.datetime) -> CodeCheck:
    """The first code from the app proves the secret was copied: the second factor is on,
    with a new set of recovery codes (returned in clear, to show once)."""
    if account.totp_confirmed_at is not None or not account.totp_secret:
        return CodeCheck("refused")
    status, retry = accounts.throttled_attempt(db, store.throttle_model, store.code_key(account.id), now,
                              lambda: accept_totp(account, code, now))
    if status != "ok":
        return CodeCheck(status, retry)
    account.totp_confirmed_at = now
    return CodeCheck("ok", recovery_codes=replace_recovery_codes(db, store, account.id))


def check_code(db: Session, store: StaffStore, account, code: str, now: dt.datetime,
               recovery_code: str = "") -> CodeCheck:
    """At sign-in: a code of the app, or else one of the recovery codes (used up on success)."""
    if account.totp_confirmed_at is None:
        return CodeCheck("refused")
    used_recovery = False

    def attempt() -> bool:
        nonlocal used_recovery
        if code and accept_totp(account, code, now):
            return True
        if recovery_code and use_recovery_code(db, store, account.id, recovery_code, now):
            used_recovery = True
            return True
        return False

    status, retry = accounts.throttled_attempt(db, store.throttle_model, store.code_key(account.id), now, attempt)
    return CodeCheck(status, retry, recovery_code_used=used_recovery)

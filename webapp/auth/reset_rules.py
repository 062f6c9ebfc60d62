"""Rules of the « Mot de passe oublié » requests (first activation and reset).

Plain Python; `now` is always a parameter.
"""
import datetime as dt
import hashlib
import hmac
import secrets

MAX_REQUESTS_PER_HOUR = 3
TEMPORARY_PASSWORD_LIFETIME = dt.timedelta(hours=24)  # seed 000: « durée de vie = 24h »
ACTIVATION_LINK_LIFETIME = dt.timedelta(hours=24)
RESET_LINK_LIFETIME = dt.timedelta(minutes=60)


def lifetime(mode: str, first_activation: bool) -> dt.timedelta:
    if mode == "temporary_password":
        return TEMPORARY_PASSWORD_LIFETIME
    return ACTIVATION_LINK_LIFETIME if first_activation else RESET_LINK_LIFETIME


def may_request(recent_request_times: list[dt.datetime], now: dt.datetime) -> bool:
    """At most 3 requests per account per rolling hour."""
    hour_ago = now - dt.timedelta(hours=1)
    return sum(1 for t in recent_request_times if t > hour_ago) < MAX_REQUESTS_PER_HOUR


def new_secret(mode: str) -> str:
    """128 random bits: 32 hex characters for a temporary password (as in seed 000), URL-safe for a link."""
    return secrets.token_hex(16) if mode == "temporary_password" else secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Secrets are stored as SHA-256: 128 random bits need no slow hash."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)

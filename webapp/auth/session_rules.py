"""How long a signed-in session lives: idle and absolute limits, shorter for staff."""
import datetime as dt

LIMITS = {
    "family": (dt.timedelta(minutes=30), dt.timedelta(hours=12)),
    "agent": (dt.timedelta(minutes=15), dt.timedelta(hours=8)),
    "admin": (dt.timedelta(minutes=15), dt.timedelta(hours=8)),
}
# Writing last_seen on every request would turn each page into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


def is_alive(kind: str, created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    idle, absolute = LIMITS[kind]
    return now - last_seen_at < idle and now - created_at < absolute


def needs_touch(last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen_at >= TOUCH_EVERY

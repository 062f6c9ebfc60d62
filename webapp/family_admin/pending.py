"""Between « Vérifier » and « Confirmer l'import »: the checked file waits on disk, not in the page.

A 2 MB file does not fit in a form field (Flask keeps form fields under 500 kB), so it is
kept in instance/imports/<commune>/, named after the agent and a random token, for two
hours at most. Confirming reads it again and checks it again before writing anything.
"""
import datetime as dt
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app, g

LIFETIME = dt.timedelta(hours=2)
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports" / g.tenant.slug


def _path(agent_id: int, token: str) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return _folder() / f"{int(agent_id)}-{token}.csv"


def _forget_old(folder: Path) -> None:
    limit = time.time() - LIFETIME.total_seconds()
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def keep(agent_id: int, raw: bytes) -> str:
    """Write the checked file (readable by the app only); its token goes in the confirmation form."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    descriptor = os.open(_path(agent_id, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(raw)
    return token


def read(agent_id: int, token: str) -> bytes | None:
    """The kept file of this agent, or None (unknown, another agent's, or older than two hours)."""
    path = _path(agent_id, token)
    try:
        if path is None or path.stat().st_mtime < time.time() - LIFETIME.total_seconds():
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def claim(agent_id: int, token: str) -> bytes | None:
    """Take the kept file for good (a double click on « Confirmer » imports it once): read and removed."""
    path = _path(agent_id, token)
    if path is None:
        return None
    taken = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        path.rename(taken)  # atomic: of two requests, one only gets the file
    except FileNotFoundError:
        return None
    try:
        if taken.stat().st_mtime < time.time() - LIFETIME.total_seconds():
            return None
        return taken.read_bytes()
    finally:
        taken.unlink(missing_ok=True)

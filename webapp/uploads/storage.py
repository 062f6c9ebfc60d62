"""Keeping cleaned files on disk, one folder per commune under the instance path (never under static/).

Plain Python: the caller gives the commune's folder (webapp.uploads.serving.commune_folder).
The file is written before the row is committed; a file whose row is deleted is removed
after the commit (`discard`), so a failed transaction never leaves a row without its file.
"""
import datetime as dt
import hashlib
import os
import re
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from webapp.uploads.checks import CleanFile, safe_name
from webapp.uploads.models import StoredFile

STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{20,60}\.(jpg|png|pdf)$")


def path_of(folder: Path, stored: StoredFile) -> Path:
    if not STORED_NAME.fullmatch(stored.stored_name):  # never a path built from anything else
        raise ValueError("nom de fichier stocké invalide")
    return folder / stored.stored_name


def store(session: Session, folder: Path, cleaned: CleanFile, original_name: str | None, *, kind: str,
          now: dt.datetime) -> StoredFile:
    """Write the file (readable by the app only) and add its row to the caller's transaction."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = f"{secrets.token_urlsafe(24)}.{cleaned.extension}"
    temporary = folder / f".{stored_name}.part"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(cleaned.data)
    temporary.replace(folder / stored_name)
    row = StoredFile(kind=kind, original_name=safe_name(original_name, cleaned.extension),
                     content_type=cleaned.content_type, size=len(cleaned.data),
                     sha256=hashlib.sha256(cleaned.data).hexdigest(), stored_name=stored_name, created_at=now)
    session.add(row)
    return row


def discard(folder: Path, stored_names: list[str]) -> None:
    """Remove files whose rows are gone (after the commit); a missing file is not an error."""
    for name in stored_names:
        if STORED_NAME.fullmatch(name):
            (folder / name).unlink(missing_ok=True)

"""Small factories: a session and keyword arguments in, a saved object out."""
import datetime as dt

from sqlalchemy.orm import Session

from webapp.auth.passwords import hash_password
from webapp.families.models import Child, Family

_HASHES: dict[str, str] = {}


def cached_hash(password: str) -> str:
    """Argon2 is slow on purpose; tests reuse one hash per password."""
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def make_family(session: Session, number: str = "100100", password: str | None = "Famille2026", **fields) -> Family:
    values = dict(civility="Madame", last_name="DUPONT", first_name="JEANNE", email=f"f{number}@example.org")
    values.update(fields)
    family = Family(number=number, password_hash=cached_hash(password) if password else None, **values)
    session.add(family)
    session.commit()
    return family


def make_child(session: Session, family: Family, first_name: str = "Léo", **fields) -> Child:
    values = dict(last_name=family.last_name, birth_date=dt.date(2018, 5, 14), school="École d'Alpha")
    values.update(fields)
    child = Child(family_id=family.id, first_name=first_name, **values)
    session.add(child)
    session.commit()
    return child

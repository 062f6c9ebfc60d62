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


def make_service(session: Session, code: str = "restauration", name: str = "RESTAURATION", **fields):
    from webapp.planning.models import Service

    values = dict(site="École d'Alpha", regie="Régie restauration scolaire", weekdays="1101100",
                  nature="meal" if code == "restauration" else "childcare")
    values.update(fields)
    service = Service(code=code, name=name, **values)
    session.add(service)
    session.commit()
    return service


def enrol(session: Session, child: Child, *services, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 7, 3)):
    from webapp.planning.models import Enrolment

    for service in services:
        session.add(Enrolment(child_id=child.id, service_id=service.id, starts_on=starts_on, ends_on=ends_on))
    session.commit()

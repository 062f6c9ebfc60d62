"""Creating a family (and its children) by an agent: numbering and the journal line.

Plain Python and SQLAlchemy; the caller commits. The family number is the identifiant
the family signs in with: given by the agent, or the next free number of the commune.
"""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.models import record
from webapp.families.models import Child, Family
from webapp.family_admin.values import next_number


class NumberTaken(ValueError):
    """That family number already exists in the commune."""


def taken_numbers(session: Session) -> set[str]:
    return set(session.scalars(select(Family.number)))


def create_family(session: Session, fields: dict, children: list[dict], *, now: dt.datetime, agent_id: int,
                  number: str = "", taken: set[str] | None = None, ip: str = "") -> Family:
    """A new family without password (it activates its account from the welcome e-mail)."""
    taken = taken_numbers(session) if taken is None else taken
    if number and number in taken:
        raise NumberTaken(number)
    number = number or next_number(taken)
    taken.add(number)
    return create_families(session, [(number, fields, children)], now=now, agent_id=agent_id, ip=ip)[0]


def create_families(session: Session, entries: list[tuple[str, dict, list[dict]]], *, now: dt.datetime,
                    agent_id: int, ip: str = "") -> list[Family]:
    """Families (number, fields, children) added in one flush, each with its journal line."""
    families = []
    for number, fields, children in entries:
        family = Family(number=number, password_hash=None, **fields)
        family.children = [Child(**child) for child in children]
        families.append(family)
    session.add_all(families)
    session.flush()  # the ids, for the journal lines: batched inserts, whatever the number of families
    for family in families:
        record(session, "family.created", now=now, account_kind="agent", account_id=agent_id,
               identifier=f"family:{family.id} number:{family.number}", ip=ip)
    return families

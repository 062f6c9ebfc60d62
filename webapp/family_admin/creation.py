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
    family = Family(number=number, password_hash=None, **fields)
    family.children = [Child(**child) for child in children]
    session.add(family)
    session.flush()  # the id, for the journal line
    record(session, "family.created", now=now, account_kind="agent", account_id=agent_id,
           identifier=f"family:{family.id} number:{number}", ip=ip)
    return family

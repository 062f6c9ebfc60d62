"""Reading the platform's journal: a page of events with the names of the admins they point to.

Events name admins by id (who did it, to whom); a page resolves them in one query, never one
per line. No Flask here: the view translates the labels.
"""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.federation.models import FederationAdmin, PlatformEvent

PAGE_SIZE = 100


@dataclass(frozen=True)
class Line:
    id: int
    at: dt.datetime
    event: str
    actor: str  # the admin's name; "" for the command line or an unknown e-mail
    target: str  # the admin acted upon, or ""
    details: str  # what was typed (failed sign-ins), never a secret
    ip: str


def page(session: Session, before_id: int | None = None, limit: int = PAGE_SIZE) -> list[Line]:
    """The newest `limit` events older than `before_id`."""
    query = select(PlatformEvent).order_by(PlatformEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(PlatformEvent.id < before_id)
    events = list(session.scalars(query))
    ids = {e.actor_id for e in events if e.actor_id} | {e.target_id for e in events if e.target_id}
    names = {}
    if ids:
        names = dict(session.execute(select(FederationAdmin.id, FederationAdmin.name)
                                     .where(FederationAdmin.id.in_(ids))).all())
    return [Line(id=e.id, at=e.at, event=e.event, actor=names.get(e.actor_id, ""), target=names.get(e.target_id, ""),
                 details=e.details, ip=e.ip) for e in events]

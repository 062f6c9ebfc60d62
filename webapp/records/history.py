"""The family's change requests for « Liste des demandes » (webapp/requests/views.py): two queries at most."""
import datetime as dt

from flask_babel import gettext
from sqlalchemy import select

from webapp.db import db
from webapp.families.models import Child
from webapp.ids import parse_id
from webapp.planning.models import Service
from webapp.records import sections as s
from webapp.records.models import ChangeRequest

LIMIT = 500


def change_types() -> list[tuple[str, str]]:
    """(code, translated label) of every request type of the record, for the type filter."""
    return [(code, gettext(sec.filter_label)) for code, sec in s.SECTIONS.items()]


def record_changes(family_id: int, kind: str, child_id: str, since: dt.datetime | None) -> list[dict]:
    """The family's change requests, newest first, filtered like the planning requests."""
    if kind and kind not in s.SECTIONS:
        return []
    query = (select(ChangeRequest, Child.first_name).outerjoin(Child, Child.id == ChangeRequest.child_id)
             .where(ChangeRequest.family_id == family_id)
             .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc()).limit(LIMIT))
    if kind:
        query = query.where(ChangeRequest.section == kind)
    if parse_id(child_id) is not None:
        query = query.where(ChangeRequest.child_id == parse_id(child_id))
    if since is not None:
        query = query.where(ChangeRequest.created_at >= since)
    rows = db.execute(query).all()
    services = {}
    if any(change.section == "enrolment" for change, _name in rows):
        services = dict(db.execute(select(Service.id, Service.name)).all())
    items = []
    for change, first_name in rows:
        detail = ""
        if change.section == "enrolment":
            detail = services.get(change.new_values.get("service_id"), "")
        elif change.section == "add_child":
            first_name = change.new_values.get("first_name", "")
        items.append(dict(change=change, type=gettext(s.section(change.section).filter_label),
                          child=first_name or "—", detail=detail))
    return items

"""Reading the commune's journal: a page of events with the names they point to.

Events name accounts by id and objects as "family:12 child:3 section:health"; a page of
them resolves every id in one query per kind (agents, families, children), never one per
line. No Flask here: the view translates the labels.
"""
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.audit.models import AuditEvent
from webapp.auth.models import Agent
from webapp.families.models import Child, Family
from webapp.ids import parse_id

# The journal's filters: a group is a set of event prefixes.
GROUPS: dict[str, tuple[str, ...]] = {
    "sensitive": ("records.", "photo.", "family.data_export"),
    "families": ("family.",),
    "billing": ("billing.", "payfip."),
    "access": ("login.", "second_factor.", "password.", "team."),
}
PAGE_SIZE = 100
_REFERENCE = re.compile(r"(family|child|section|agent):([0-9a-z_]+)")
# Only these events name objects in `identifier`; elsewhere it is what a visitor typed
# (a failed sign-in), shown as typed and never read as a reference.
_REFERENCING = ("records.", "photo.", "family.", "team.")  # team.: "agent:7", the agent acted upon


@dataclass(frozen=True)
class Line:
    id: int
    at: dt.datetime
    event: str
    agent: str  # the agent's name, when an agent did it
    family: Family | None  # the account or the object's family
    child: Child | None
    section: str  # a record section code ("health", "bank"…) or ""
    identifier: str  # what was typed (failed sign-ins), when no object is named
    ip: str
    target: str = ""  # team events: the name of the agent acted upon (kept: agents are never deleted)


def page(session: Session, group: str = "", before_id: int | None = None, limit: int = PAGE_SIZE) -> list[Line]:
    """The newest `limit` events of a group (all when unknown), older than `before_id`."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if group in GROUPS:
        query = query.where(or_(*(AuditEvent.event.startswith(prefix) for prefix in GROUPS[group])))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    events = list(session.scalars(query))
    references = [_references(e) for e in events]
    agent_ids = {e.account_id for e in events if e.account_kind == "agent" and e.account_id}
    agent_ids |= {r["agent"] for r in references if "agent" in r}
    family_ids = {e.account_id for e in events if e.account_kind == "family" and e.account_id}
    family_ids |= {r["family"] for r in references if "family" in r}
    child_ids = {r["child"] for r in references if "child" in r}
    agents = _by_id(session, Agent, agent_ids)
    families = _by_id(session, Family, family_ids)
    children = _by_id(session, Child, child_ids)
    lines = []
    for event, refs in zip(events, references, strict=True):
        family_id = refs.get("family", event.account_id if event.account_kind == "family" else None)
        agent = agents.get(event.account_id) if event.account_kind == "agent" else None
        lines.append(Line(
            id=event.id, at=event.at, event=event.event, agent=agent.name if agent else "",
            family=families.get(family_id), child=children.get(refs.get("child")),
            section=refs.get("section", ""), identifier="" if refs else event.identifier, ip=event.ip,
            target=agents[refs["agent"]].name if refs.get("agent") in agents else "",
        ))
    return lines


def _references(event: AuditEvent) -> dict:
    """{"family": id, "child": id, "section": code} named by an event the app wrote."""
    if not event.event.startswith(_REFERENCING):
        return {}
    found = dict(_REFERENCE.findall(event.identifier))
    references = {key: parse_id(found[key]) for key in ("family", "child", "agent") if parse_id(found.get(key))}
    if found.get("section"):
        references["section"] = found["section"]
    return references


def _by_id(session: Session, model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}

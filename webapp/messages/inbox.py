"""The rules of the « Boîte de réception », in plain Python: who sees, writes, reads, deletes what.

Every function takes the commune's Session and `now`; the caller commits. Nothing here
knows about Flask: views parse forms and call these.
"""
import datetime as dt

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from webapp.families.models import Child, Family
from webapp.ids import parse_id
from webapp.messages.models import Message
from webapp.planning.models import Enrolment, Service
from webapp.uploads.models import StoredFile

LIST_LIMIT = 300


def _size(body: str, attachment: StoredFile | None) -> int:
    return len(body.encode()) + (attachment.size if attachment is not None else 0)


# --- what a family sees -------------------------------------------------------------------
def unread_count(session: Session, family_id: int) -> int:
    """Messages from the commune the family has not opened (deleted ones aside): one COUNT."""
    return session.scalar(select(func.count()).select_from(Message).where(
        Message.family_id == family_id, Message.from_family.is_(False), Message.read_at.is_(None),
        Message.deleted_at.is_(None))) or 0


def unread_count_column():
    """unread_count as a column over the Family of the enclosing query (0 when it has none): read
    with the signed-in session in webapp.auth.users, so that no family page pays a query for it."""
    return (select(func.count()).select_from(Message).where(
        Message.family_id == Family.id, Message.from_family.is_(False), Message.read_at.is_(None),
        Message.deleted_at.is_(None)).correlate(Family).scalar_subquery())


def received(session: Session, family_id: int, *, deleted: bool = False) -> list[Message]:
    """« Mes messages » (or « Messages supprimés »): what the commune wrote to the family, newest first."""
    hidden = Message.deleted_at.is_not(None) if deleted else Message.deleted_at.is_(None)
    return list(session.scalars(select(Message).where(
        Message.family_id == family_id, Message.from_family.is_(False), hidden)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(LIST_LIMIT)))


def sent_threads(session: Session, family_id: int) -> list[tuple[Message, int]]:
    """Threads the family started, with how many replies the commune wrote in each."""
    replies = (select(Message.thread_id, func.count().label("n")).where(
        Message.family_id == family_id, Message.from_family.is_(False), Message.thread_id.is_not(None))
        .group_by(Message.thread_id).subquery())
    rows = session.execute(
        select(Message, func.coalesce(replies.c.n, 0)).outerjoin(replies, replies.c.thread_id == Message.id)
        .where(Message.family_id == family_id, Message.from_family.is_(True), Message.thread_id.is_(None))
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(LIST_LIMIT))
    return [(message, count) for message, count in rows]


def thread(session: Session, message_id: int, family_id: int | None = None) -> list[Message]:
    """Every message of the thread `message_id` belongs to, oldest first; [] when not this family's."""
    message = session.get(Message, message_id)
    if message is None or (family_id is not None and message.family_id != family_id):
        return []
    root = message.root_id
    return list(session.scalars(select(Message).where(or_(Message.id == root, Message.thread_id == root))
                                .order_by(Message.created_at, Message.id)))


def mark_read(session: Session, messages: list[Message], *, by_family: bool, now: dt.datetime) -> None:
    """The reader opened the thread: what the other side wrote is read."""
    for message in messages:
        if message.from_family != by_family and message.read_at is None:
            message.read_at = now


def set_deleted(session: Session, family_id: int, message_id: int, deleted: bool, now: dt.datetime) -> bool:
    """Hide (or bring back) a received message; False when it is not one of this family's."""
    result = session.execute(update(Message).where(
        Message.id == message_id, Message.family_id == family_id, Message.from_family.is_(False))
        .values(deleted_at=now if deleted else None))
    return result.rowcount == 1


# --- writing ------------------------------------------------------------------------------
def write(session: Session, *, family: Family, from_family: bool, sender_name: str, subject: str, body: str,
          now: dt.datetime, attachment: StoredFile | None = None, thread: Message | None = None,
          agent_id: int | None = None) -> Message:
    """One message: a new thread, or a reply in `thread` (its subject is kept)."""
    if thread is not None:
        subject = thread.subject if thread.subject.startswith("Re : ") else f"Re : {thread.subject}"
    message = Message(family_id=family.id, thread_id=thread.root_id if thread is not None else None,
                      from_family=from_family, sender_name=sender_name[:160], agent_id=agent_id,
                      subject=subject[:150], body=body, attachment_id=attachment.id if attachment else None,
                      size=_size(body, attachment), created_at=now)
    session.add(message)
    return message


def write_to_many(session: Session, family_ids: list[int], *, sender_name: str, agent_id: int, subject: str,
                  body: str, now: dt.datetime, attachment: StoredFile | None = None) -> int:
    """One new thread per family, written in one batched INSERT (a broadcast)."""
    if not family_ids:
        return 0
    row = dict(thread_id=None, from_family=False, sender_name=sender_name[:160], agent_id=agent_id,
               subject=subject[:150], body=body, attachment_id=attachment.id if attachment else None,
               size=_size(body, attachment), created_at=now)
    session.execute(insert(Message), [dict(row, family_id=family_id) for family_id in family_ids])
    return len(family_ids)


# --- the commune's side -------------------------------------------------------------------
def commune_inbox(session: Session, *, unhandled_only: bool) -> list[tuple[Message, Family]]:
    """What families wrote, newest first, with the family: one query."""
    query = (select(Message, Family).join(Family, Family.id == Message.family_id)
             .where(Message.from_family.is_(True)))
    if unhandled_only:
        query = query.where(Message.handled_at.is_(None))
    return [(m, f) for m, f in session.execute(
        query.order_by(Message.created_at.desc(), Message.id.desc()).limit(LIST_LIMIT))]


def sent_by_commune(session: Session) -> list[tuple[Message, Family]]:
    """Threads the commune started (one per family for a broadcast), newest first: one query."""
    return [(m, f) for m, f in session.execute(
        select(Message, Family).join(Family, Family.id == Message.family_id)
        .where(Message.from_family.is_(False), Message.thread_id.is_(None))
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(LIST_LIMIT))]


def mark_handled(messages: list[Message], agent_id: int, now: dt.datetime) -> int:
    count = 0
    for message in messages:
        if message.from_family and message.handled_at is None:
            message.handled_at, message.handled_by = now, agent_id
            count += 1
    return count


def recipients(session: Session, target: str, value: str, today: dt.date) -> list[int]:
    """The families a message goes to: "famille" (its number), "service" (id), "site" (name) or "toutes".

    Services and sites reach families with a child enrolled there today or later.
    """
    if target == "toutes":
        return list(session.scalars(select(Family.id).order_by(Family.id)))
    if target == "famille":
        return list(session.scalars(select(Family.id).where(Family.number == value.strip())))
    query = (select(Child.family_id).distinct().join(Enrolment, Enrolment.child_id == Child.id)
             .where(Enrolment.ends_on >= today))
    if target == "service" and parse_id(value) is not None:
        query = query.where(Enrolment.service_id == parse_id(value))
    elif target == "site" and value:
        query = query.join(Service, Service.id == Enrolment.service_id).where(Service.site == value)
    else:
        return []
    return sorted(session.scalars(query))

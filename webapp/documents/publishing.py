"""What families see today, and the rules for publishing: plain Python (no Flask).

A document or a news item is shown from `show_from` to `show_until` (Europe/Paris days,
both included; no end date: shown until deleted).
"""
import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.documents.models import Document, NewsItem
from webapp.uploads.models import StoredFile

CATEGORIES = ("reglement", "inscription", "menus", "autre")
LIST_LIMIT = 200


def _shown(model, today: dt.date):
    return (model.show_from <= today) & or_(model.show_until.is_(None), model.show_until >= today)


def current_news(session: Session, today: dt.date) -> list[NewsItem]:
    return list(session.scalars(select(NewsItem).where(_shown(NewsItem, today))
                                .order_by(NewsItem.show_from.desc(), NewsItem.id.desc()).limit(LIST_LIMIT)))


def current_documents(session: Session, today: dt.date) -> list[tuple[Document, StoredFile]]:
    """Documents shown today with their file (type, size), by category then title: one query."""
    rows = session.execute(select(Document, StoredFile).join(StoredFile, StoredFile.id == Document.file_id)
                           .where(_shown(Document, today)).order_by(Document.category, Document.title, Document.id)
                           .limit(LIST_LIMIT))
    return [(d, f) for d, f in rows]


def shown_document(session: Session, document_id: int, today: dt.date) -> tuple[Document, StoredFile] | None:
    row = session.execute(select(Document, StoredFile).join(StoredFile, StoredFile.id == Document.file_id)
                          .where(Document.id == document_id, _shown(Document, today))).first()
    return (row[0], row[1]) if row else None


def all_documents(session: Session) -> list[tuple[Document, StoredFile]]:
    rows = session.execute(select(Document, StoredFile).join(StoredFile, StoredFile.id == Document.file_id)
                           .order_by(Document.show_from.desc(), Document.id.desc()).limit(LIST_LIMIT))
    return [(d, f) for d, f in rows]


def all_news(session: Session) -> list[NewsItem]:
    return list(session.scalars(select(NewsItem).order_by(NewsItem.show_from.desc(), NewsItem.id.desc())
                                .limit(LIST_LIMIT)))


def delete_document(session: Session, document: Document) -> str | None:
    """Delete the document and its file row; returns the stored name to remove from disk after the commit."""
    stored = session.get(StoredFile, document.file_id)
    session.delete(document)
    session.flush()
    if stored is None:
        return None
    session.delete(stored)
    return stored.stored_name

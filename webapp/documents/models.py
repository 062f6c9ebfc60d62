"""A published document (its file is a StoredFile) and a short news item, each shown between two days."""
import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk

UtcDateTime = DateTime(timezone=True)


class Document(TenantBase):
    __tablename__ = "document"

    id: Mapped[int] = bigint_pk()
    title: Mapped[str] = mapped_column(String(150))
    category: Mapped[str] = mapped_column(String(30))  # a key of publishing.CATEGORIES
    file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("stored_file.id"))
    show_from: Mapped[dt.date] = mapped_column(Date)  # Europe/Paris days, both included
    show_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # the agent


class NewsItem(TenantBase):
    __tablename__ = "news_item"

    id: Mapped[int] = bigint_pk()
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    show_from: Mapped[dt.date] = mapped_column(Date)
    show_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(BigInteger)

"""A file a family or an agent sent, as stored: the bytes live on disk, this row says what they are."""
import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk


class StoredFile(TenantBase):
    __tablename__ = "stored_file"

    id: Mapped[int] = bigint_pk()
    kind: Mapped[str] = mapped_column(String(20))  # "photo", "attachment", "document"
    original_name: Mapped[str] = mapped_column(String(120))  # sanitised, with the real extension
    content_type: Mapped[str] = mapped_column(String(40))  # what the bytes are, never what the browser said
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random: nothing of the family's name
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

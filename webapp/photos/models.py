"""Which stored file is a child's photo (at most one per child)."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.db import TenantBase, bigint_pk


class ChildPhoto(TenantBase):
    __tablename__ = "child_photo"

    id: Mapped[int] = bigint_pk()
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"), unique=True)
    file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("stored_file.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def photos_of(session: Session, child_ids: list[int]) -> dict[int, ChildPhoto]:
    """The photos of many children in one query, by child id (a child without photo is absent)."""
    if not child_ids:
        return {}
    rows = session.scalars(select(ChildPhoto).where(ChildPhoto.child_id.in_(child_ids)))
    return {photo.child_id: photo for photo in rows}

"""Federation admins: they onboard communes; they live in the platform schema."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import PlatformBase, bigint_pk


class FederationAdmin(PlatformBase):
    __tablename__ = "federation_admin"

    id: Mapped[int] = bigint_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(200))

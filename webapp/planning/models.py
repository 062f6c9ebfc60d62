"""Services a commune runs (GARDERIE MATIN, RESTAURATION…)."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk


class Service(TenantBase):
    __tablename__ = "service"

    id: Mapped[int] = bigint_pk()
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    site: Mapped[str] = mapped_column(String(120), default="")  # the school or place it runs at
    regie: Mapped[str] = mapped_column(String(120), default="")
    weekdays: Mapped[str] = mapped_column(String(7), default="1101100")  # Monday..Sunday, 1 = runs

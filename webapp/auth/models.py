"""Agents of a commune (town-hall staff)."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import TenantBase, bigint_pk


class Agent(TenantBase):
    __tablename__ = "agent"

    id: Mapped[int] = bigint_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="agent")  # "agent" or "admin"
    password_hash: Mapped[str | None] = mapped_column(String(200))

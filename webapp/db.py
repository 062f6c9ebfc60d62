"""Declarative bases and the request's database session.

Tenant tables are declared without a schema: the tenant's engine names it. Primary
keys are BIGINT and no foreign key leaves its base (Citus schema-based sharding).
"""
from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.local import LocalProxy

from tenancy.web import platform_session, tenant_session

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class TenantBase(DeclarativeBase):
    """Tables that exist once per commune."""

    metadata = MetaData(naming_convention=NAMING)


class PlatformBase(DeclarativeBase):
    """Tables of the deployment itself (federation admins)."""

    metadata = MetaData(naming_convention=NAMING)


def bigint_pk() -> Mapped[int]:
    # BIGINT on PostgreSQL; INTEGER on SQLite, where only that spelling is a rowid alias.
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


db = LocalProxy(tenant_session)  # the current commune's session: `db.scalars(select(Family))`
platform_db = LocalProxy(platform_session)

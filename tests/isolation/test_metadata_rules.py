"""Rules that keep the door open to Citus schema-based sharding, checked on the models."""
import pytest
from sqlalchemy import BigInteger, Sequence

from webapp.models import platform_metadata, tenant_metadata

ALL = [("tenant", t) for t in tenant_metadata.sorted_tables] + [("platform", t) for t in platform_metadata.sorted_tables]


@pytest.mark.parametrize("kind, table", ALL, ids=[f"{k}.{t.name}" for k, t in ALL])
def test_primary_keys_are_bigint(kind, table):
    for column in table.primary_key.columns:
        assert isinstance(column.type, BigInteger), f"{kind}.{table.name}.{column.name} is {column.type}"


@pytest.mark.parametrize("kind, table", ALL, ids=[f"{k}.{t.name}" for k, t in ALL])
def test_tables_carry_no_schema_and_no_sequence(kind, table):
    assert table.schema is None  # the engine's schema_translate_map names the schema
    for column in table.columns:
        assert not isinstance(column.default, Sequence) and not isinstance(column.server_default, Sequence)


def test_foreign_keys_never_leave_their_base():
    for metadata in (tenant_metadata, platform_metadata):
        names = set(metadata.tables)
        for table in metadata.sorted_tables:
            for fk in table.foreign_keys:
                assert fk.column.table.name in names and fk.column.table.schema is None, fk


def test_tenant_and_platform_share_no_table_name():
    assert not set(tenant_metadata.tables) & set(platform_metadata.tables)

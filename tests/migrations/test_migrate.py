"""`flask tenants migrate | list | create | drop` over real schemas or files."""
import re

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from webapp.models import platform_metadata, tenant_metadata

FIRST_TENANT_REVISION = "2fa4ae0b55c3"


def test_migrate_creates_then_skips_every_commune(scratch_app):
    app = scratch_app("gamma", "delta")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tenants", "migrate"])
    assert first.exit_code == 0, first.output
    assert re.search(r"^gamma +created", first.output, re.M) and re.search(r"^delta +created", first.output, re.M)
    second = runner.invoke(args=["tenants", "migrate"])
    assert second.exit_code == 0 and "0 created, 0 upgraded, 3 up to date, 0 failed" in second.output
    listing = runner.invoke(args=["tenants", "list"]).output
    assert listing.count("à jour") == 2


def test_every_commune_is_at_head_after_migrate(scratch_app):
    app = scratch_app("gamma", "delta")
    app.test_cli_runner().invoke(args=["tenants", "migrate"])
    migrator = app.extensions["tenancy"].migrator
    for tenant in app.extensions["tenancy"].registry:
        assert migrator.current(tenant.schema) == migrator.head("tenant")


def test_a_failing_commune_does_not_stop_the_others(scratch_app):
    app = scratch_app("gamma", "delta")
    tenancy = app.extensions["tenancy"]
    with tenancy.storage.migration_connection("t_delta") as conn:  # a table in the way, no version
        conn.execute(text("CREATE TABLE family (id INTEGER PRIMARY KEY)"))
        conn.commit()
    result = app.test_cli_runner().invoke(args=["tenants", "migrate"])
    assert result.exit_code != 0
    assert "échec pour : delta" in result.output
    assert tenancy.migrator.current("t_gamma") == tenancy.migrator.head("tenant")


def test_migrations_match_the_models(scratch_app):
    """Replaying every migration gives exactly the tables the models declare."""
    app = scratch_app("gamma")
    tenancy = app.extensions["tenancy"]
    for kind, schema, metadata in (("tenant", "t_gamma", tenant_metadata), ("platform", "t_gamma_platform", platform_metadata)):
        tenancy.migrator.upgrade(kind, schema)
        with tenancy.storage.migration_connection(schema) as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        tenancy.storage.drop(schema)


def test_create_provisions_at_head_and_refuses_twice(scratch_app):
    app = scratch_app("gamma")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "create", "gamma"]).exit_code == 0
    migrator = app.extensions["tenancy"].migrator
    assert migrator.current("t_gamma") == migrator.head("tenant")
    again = runner.invoke(args=["tenants", "create", "gamma"])
    assert again.exit_code != 0 and "existe déjà" in again.output
    unknown = runner.invoke(args=["tenants", "create", "nowhere"])
    assert unknown.exit_code != 0 and "commune inconnue" in unknown.output


def test_drop_asks_first_and_keeps_a_dump(scratch_app, tmp_path):
    app = scratch_app("gamma")
    runner = app.test_cli_runner()
    runner.invoke(args=["tenants", "create", "gamma"])
    storage = app.extensions["tenancy"].storage
    refused = runner.invoke(args=["tenants", "drop", "gamma"], input="n\n")
    assert refused.exit_code != 0 and storage.exists("t_gamma")
    dropped = runner.invoke(args=["tenants", "drop", "gamma"], input="o\n".replace("o", "y"))
    assert dropped.exit_code == 0, dropped.output
    assert not storage.exists("t_gamma")
    dumps = list((tmp_path / "dumps").glob("gamma-*/*"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 0


def test_upgrading_keeps_every_row(scratch_app):
    """SQLite alters tables by copy: the families' children must survive every revision."""
    app = scratch_app("gamma")
    migrator = app.extensions["tenancy"].migrator
    migrator.upgrade("tenant", "t_gamma", FIRST_TENANT_REVISION)
    with app.extensions["tenancy"].storage.migration_connection("t_gamma") as conn:
        conn.execute(text("INSERT INTO family (id, number, civility, last_name, first_name, village) "
                          "VALUES (1, '100100', 'Madame', 'DUPONT', 'JEANNE', '')"))
        conn.execute(text("INSERT INTO child (id, family_id, last_name, first_name, birth_date, school) "
                          "VALUES (1, 1, 'DUPONT', 'Léo', '2018-05-14', '')"))
        conn.commit()
    migrator.upgrade("tenant", "t_gamma")
    with app.extensions["tenancy"].storage.migration_connection("t_gamma") as conn:
        assert conn.execute(text("SELECT count(*) FROM child")).scalar() == 1
        assert conn.execute(text("SELECT email_allowed FROM family")).scalar() in (True, 1)

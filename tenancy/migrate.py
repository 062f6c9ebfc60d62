"""Alembic over many containers: the platform first, then every tenant.

Two Alembic environments live in `migrations/platform` and `migrations/tenant`; each
container keeps its own `alembic_version`. A tenant already at head is skipped after
one cheap read; a failing tenant is reported and the others carry on.
"""
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.exc import SQLAlchemyError

from tenancy.storage import PLATFORM_SCHEMA, Storage


@dataclass
class Outcome:
    """What `migrate` did to one container."""

    name: str
    action: str  # "created", "upgraded", "up to date" or "failed"
    revision: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.action == "failed"


class Migrator:
    """Creates, stamps and upgrades the platform container and the tenants' containers."""

    def __init__(self, storage: Storage, scripts: Path, platform_metadata: MetaData, tenant_metadata: MetaData):
        self.storage = storage
        self.scripts = Path(scripts)
        self.metadata = {"platform": platform_metadata, "tenant": tenant_metadata}
        self._heads = {kind: ScriptDirectory.from_config(self._config(kind)).get_current_head() for kind in self.metadata}

    def _config(self, kind: str, connection=None) -> Config:
        config = Config()
        config.set_main_option("script_location", str(self.scripts / kind))
        config.attributes["connection"] = connection
        config.attributes["target_metadata"] = self.metadata[kind]
        return config

    def head(self, kind: str) -> str | None:
        return self._heads[kind]

    def current(self, schema: str) -> str | None:
        """Revision stored in one container, or None when it is empty or absent."""
        if not self.storage.exists(schema):
            return None
        with self.storage.migration_connection(schema) as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def autogenerate(self, kind: str, message: str) -> str:
        """Write a new revision from the models' difference with head (on a scratch SQLite file)."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            scratch = Migrator(Storage(f"sqlite:///{folder}"), self.scripts, *self.metadata.values())
            with scratch.storage.migration_connection("scratch") as conn:
                command.upgrade(scratch._config(kind, conn), "head")
                script = command.revision(scratch._config(kind, conn), message, autogenerate=True)
                conn.commit()
            scratch.storage.dispose()
        return script.path

    def create(self, kind: str, schema: str) -> None:
        """Provision a container from the models and stamp head: no replay of history."""
        with self.storage.migration_connection(schema) as conn:
            self.metadata[kind].create_all(conn)
            command.stamp(self._config(kind, conn), "head")
            conn.commit()

    def upgrade(self, kind: str, schema: str, revision: str = "head") -> None:
        with self.storage.migration_connection(schema) as conn:
            command.upgrade(self._config(kind, conn), revision)
            conn.commit()

    def bring_to_head(self, kind: str, schema: str, name: str, current: str | None, exists: bool) -> Outcome:
        """Create, upgrade or skip one container; never raises for a database error."""
        started = time.perf_counter()
        try:
            if current == self.head(kind):
                action = "up to date"
            elif not exists or current is None and not self._has_tables(schema):
                self.create(kind, schema)
                action = "created"
            else:
                self.upgrade(kind, schema)
                action = "upgraded"
            return Outcome(name, action, self.head(kind), seconds=time.perf_counter() - started)
        except (SQLAlchemyError, OSError, RuntimeError) as exc:
            return Outcome(name, "failed", current, error=_first_line(exc), seconds=time.perf_counter() - started)

    def _has_tables(self, schema: str) -> bool:
        with self.storage.migration_connection(schema) as conn:
            tables = conn.dialect.get_table_names(conn, schema=schema if self.storage.is_postgres else None)
        return bool(tables)

    def migrate_all(
        self, tenants: Iterable[tuple[str, str]], progress: Callable[[Outcome], None] = lambda _o: None
    ) -> list[Outcome]:
        """Platform first, then each `(name, schema)` tenant; returns one Outcome each."""
        platform = self.bring_to_head("platform", PLATFORM_SCHEMA, "platform", *self._state(PLATFORM_SCHEMA))
        progress(platform)
        outcomes = [platform]
        if platform.failed:
            return outcomes  # tenants may depend on a platform at head: stop here
        tenants = list(tenants)
        revisions = self.read_revisions([schema for _, schema in tenants])
        for name, schema in tenants:
            current, exists = revisions.get(schema, (None, False))
            outcome = self.bring_to_head("tenant", schema, name, current, exists)
            progress(outcome)
            outcomes.append(outcome)
        return outcomes

    def _state(self, schema: str) -> tuple[str | None, bool]:
        exists = self.storage.exists(schema)
        return (self.current(schema) if exists else None), exists

    def read_revisions(self, schemas: list[str]) -> dict[str, tuple[str | None, bool]]:
        """`{schema: (revision, exists)}` for many tenants, on one connection on PostgreSQL."""
        existing = self.storage.existing_schemas()
        if not self.storage.is_postgres:
            return {s: ((self.current(s) if s in existing else None), s in existing) for s in schemas}
        result = {}
        with self.storage.base_engine.connect() as conn:
            versioned = {
                row[0]
                for row in conn.execute(
                    text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'")
                )
            }
            for schema in schemas:
                revision = None
                if schema in versioned:
                    revision = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).scalar()
                result[schema] = (revision, schema in existing)
        return result


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]

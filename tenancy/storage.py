"""Where each tenant's tables live: one PostgreSQL schema, or one SQLite file, per tenant.

PostgreSQL: a single pooled engine; each tenant gets a child engine whose
`schema_translate_map` writes the tenant's schema into every statement, so no
`search_path` is ever left on a pooled connection. SQLite: one file per tenant and
a bounded cache of engines, so serving 1,000 communes does not keep 1,000 pools.
"""
import shutil
import sqlite3
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

PLATFORM_SCHEMA = "platform"


def _sqlite_migration_pragmas(dbapi_connection, _record) -> None:
    # Alembic alters SQLite tables by copy and DROP: with foreign keys on, dropping the old
    # `family` table would cascade-delete every child. Checked after the migration instead.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys otherwise
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer (several workers)
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Storage:
    """Engines for the platform and for each tenant, from one database URL.

    `url` is a PostgreSQL URL (`postgresql+psycopg://…`) or `sqlite:///<folder>`, the
    folder holding `platform.db` and `tenants/<schema>.db`.
    """

    def __init__(
        self, url: str, *, pool_size: int = 5, max_overflow: int = 10, sqlite_engines: int = 32, citus: bool = False
    ):
        self.url = make_url(url)
        self.citus = citus
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self._lock = threading.Lock()
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._sqlite_limit = sqlite_engines
        if self.is_postgres:
            self.base_engine = create_engine(
                self.url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
            )
            self.folder = None
        elif self.url.get_backend_name() == "sqlite" and self.url.database:
            self.base_engine = None
            self.folder = Path(self.url.database)
            (self.folder / "tenants").mkdir(parents=True, exist_ok=True)
        else:
            raise ValueError(f"DATABASE_URL non pris en charge : {self.url.render_as_string(hide_password=True)}")

    # --- engines ---------------------------------------------------------------
    @property
    def platform_engine(self) -> Engine:
        return self._engine(PLATFORM_SCHEMA)

    def engine_for(self, schema: str) -> Engine:
        """The engine of one tenant (its schema name, e.g. `t_rognaix`)."""
        return self._engine(schema)

    def _engine(self, schema: str) -> Engine:
        with self._lock:
            engine = self._engines.get(schema)
            if engine is not None:
                self._engines.move_to_end(schema)
                return engine
            engine = self._make_engine(schema)
            self._engines[schema] = engine
            if not self.is_postgres and len(self._engines) > self._sqlite_limit:
                _, evicted = self._engines.popitem(last=False)
                evicted.dispose()
            return engine

    def _make_engine(self, schema: str) -> Engine:
        if self.is_postgres:
            # Shares base_engine's pool: 1,000 tenants still use one pool.
            return self.base_engine.execution_options(schema_translate_map={None: schema})
        engine = create_engine(f"sqlite:///{self.file_for(schema)}", pool_size=2, max_overflow=4)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def file_for(self, schema: str) -> Path:
        if schema == PLATFORM_SCHEMA:
            return self.folder / "platform.db"
        return self.folder / "tenants" / f"{schema}.db"

    # --- containers (schema or file) --------------------------------------------
    def exists(self, schema: str) -> bool:
        if not self.is_postgres:
            return self.file_for(schema).exists()
        with self.base_engine.connect() as conn:
            return schema in inspect(conn).get_schema_names()

    def existing_schemas(self) -> set[str]:
        """Every tenant container present, in one round trip."""
        if not self.is_postgres:
            return {p.stem for p in (self.folder / "tenants").glob("*.db")}
        with self.base_engine.connect() as conn:
            return set(inspect(conn).get_schema_names())

    @contextmanager
    def migration_connection(self, schema: str):
        """A dedicated connection for DDL on one container, never returned to the pool.

        On PostgreSQL it creates the schema if needed and sets `search_path` to it, as
        Alembic's multi-tenancy recipe asks; NullPool throws the connection away after.
        """
        if self.is_postgres:
            engine = create_engine(self.url, poolclass=NullPool)
            with engine.connect() as conn:
                if self.citus:  # Citus 12+: the new schema becomes a distributed shard of its own
                    conn.execute(text("SET citus.enable_schema_based_sharding TO on"))
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                conn.execute(text(f'SET search_path TO "{schema}"'))
                conn.commit()
                conn.dialect.default_schema_name = schema
                yield conn
            engine.dispose()
        else:
            engine = create_engine(f"sqlite:///{self.file_for(schema)}", poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_migration_pragmas)
            with engine.connect() as conn:
                yield conn
                broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"{schema} : clés étrangères rompues après migration : {broken[:5]}")
            engine.dispose()

    def dump(self, schema: str, target: Path) -> Path:
        """Write a backup of one container to `target` (a folder) and return the file."""
        import subprocess

        target.mkdir(parents=True, exist_ok=True)
        if not self.is_postgres:
            out = target / f"{schema}.db"
            with sqlite3.connect(self.file_for(schema)) as src, sqlite3.connect(out) as dst:
                src.backup(dst)
            return out
        out = target / f"{schema}.sql"
        url = self.url.set(drivername="postgresql")
        libpq_url = url.render_as_string(hide_password=False)
        if shutil.which("pg_dump") is None:
            raise RuntimeError("pg_dump est introuvable : installez postgresql-client")
        subprocess.run(["pg_dump", "--schema", schema, "--file", str(out), libpq_url], check=True)
        return out

    def drop(self, schema: str) -> None:
        self._forget(schema)
        if self.is_postgres:
            with self.base_engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.file_for(schema)}{suffix}").unlink(missing_ok=True)

    def _forget(self, schema: str) -> None:
        with self._lock:
            engine = self._engines.pop(schema, None)
        if engine is not None and not self.is_postgres:
            engine.dispose()

    def dispose(self) -> None:
        with self._lock:
            engines, self._engines = list(self._engines.values()), OrderedDict()
        for engine in engines:
            if not self.is_postgres:
                engine.dispose()
        if self.base_engine is not None:
            self.base_engine.dispose()

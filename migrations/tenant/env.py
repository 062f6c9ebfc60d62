"""Alembic environment, run by tenancy.migrate on one container at a time.

The caller hands over a connection already pointed at the container (search_path on
PostgreSQL, the file on SQLite) and the metadata to compare with.
"""
from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through « flask --app webapp tenants migrate ».")

context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

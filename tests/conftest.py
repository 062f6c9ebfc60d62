"""Shared fixtures: one app on the test communes, on SQLite or on PostgreSQL.

The database comes from TEST_DATABASE_URL (scripts/run-tests sets it to a fresh
PostgreSQL database for the second pass); without it, SQLite files in a temporary
folder. Each test starts with empty communes.
"""
import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from webapp import create_app
from webapp.models import platform_metadata, tenant_metadata
from tests.helpers import HostClient
from tests.smtp import smtp_server, use_mail_server  # noqa: F401  (shared fixtures)
from webapp.extensions import limiter
from webapp.settings import ROOT, Settings

TEST_TENANTS = Path(__file__).parent / "data" / "tenants.yaml"
POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="PostgreSQL pass only (TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not POSTGRES:
            item.add_marker(skip_pg)


def make_settings(instance: Path, **overrides) -> Settings:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance / 'data'}"
    values = dict(
        database_url=url,
        instance_path=instance,
        tenants_file=TEST_TENANTS,
        themes_path=ROOT / "themes",
        migrations_path=ROOT / "migrations",
        secret_key="test-secret",
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("instance")))
    app.config["TESTING"] = True
    app.test_client_class = HostClient
    tenancy = app.extensions["tenancy"]
    outcomes = tenancy.migrator.migrate_all([(t.slug, t.schema) for t in tenancy.registry])
    assert not [o for o in outcomes if o.failed], outcomes
    yield app
    tenancy.storage.dispose()


@pytest.fixture(autouse=True)
def _empty_communes(request):
    """Every test starts with empty communes (rows deleted, tables kept)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    limiter.reset()
    tenancy = app.extensions["tenancy"]
    engines = [(tenancy.storage.engine_for(t.schema), tenant_metadata) for t in tenancy.registry]
    engines.append((tenancy.storage.platform_engine, platform_metadata))
    for engine, metadata in engines:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture
def client_for(app):
    """`client_for("alpha.test")`: a fresh client (own cookies) talking to that host."""

    def make(host: str) -> HostClient:
        client = app.test_client()
        client.host = host
        return client

    return make


@pytest.fixture
def tenant_db(app):
    """`tenant_db("alpha")`: a session on that commune, closed after the test."""
    sessions = []

    def make(slug: str) -> Session:
        tenancy = app.extensions["tenancy"]
        session = Session(tenancy.storage.engine_for(tenancy.registry.get(slug).schema), expire_on_commit=False)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def run_mail_worker(app):
    """`run_mail_worker()`: one pass of the real mail worker (`flask mail worker` calls the same
    function): password demands become e-mails, then due e-mails are sent (or held without
    MAIL_SERVER outside demo mode). Returns the pass's counts."""
    from webapp.mail.sender import send_pending

    return lambda **options: send_pending(app, **options)


class FrozenClock:
    """The app's clock, pinned: `clock.advance(minutes=31)` instead of sleeping."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    frozen = FrozenClock(dt.datetime(2025, 12, 8, 9, 0, tzinfo=dt.UTC))  # in the past: mails queued then are due now
    monkeypatch.setattr("webapp.clock.utcnow", lambda: frozen.now)
    return frozen

"""Issue 15, point 7: a database blip must not turn a finished page into gunicorn's bare error page.

- A connection that dies after the view's last query made `session.close()` raise in teardown:
  the exception left the WSGI app and gunicorn replaced the rendered 200 by its own English 500
  without security headers. The backend is killed for real here (`pg_terminate_backend`).
- A database that cannot be reached made a signed-in page fail 4–5 times (user loader, error page,
  header hook, error page again), with as many tracebacks and a plain-text answer without
  `no-store`. The app here points at a PostgreSQL port where nothing listens: every connection is
  refused, as when the server is down.
"""
import logging
import socket
import time

import pytest
from flask import g, request_finished
from sqlalchemy import create_engine, event, select, text, update
from sqlalchemy.pool import NullPool

from tests.conftest import make_settings
from tests.factories import make_family
from tests.helpers import HostClient, sign_in
from webapp import create_app
from webapp.extensions import limiter
from webapp.families.models import Family

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _terminate(url, pid: int) -> None:
    """Kill one backend from another connection, and wait until it is gone."""
    killer = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")  # pg_stat_activity: a fresh look each time
    try:
        with killer.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            for _ in range(100):
                alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
                if not alive.scalar():
                    return
                time.sleep(0.02)
        raise AssertionError("backend still alive")
    finally:
        killer.dispose()


@pytest.fixture
def kill_backend_after_view(app):
    """Once the view has run its last query (the answer is rendered), kill the request session's backend.

    `mode="write"` first leaves a written, uncommitted change in the session: its close must then
    roll back over the dead connection."""
    state = {"mode": None, "killed": 0}

    def hook(sender, response, **_extra):
        session = g.get("_tenant_session")
        if session is None or state["mode"] is None:
            return
        if state["mode"] == "write":
            session.execute(update(Family).values(first_name="PENDING"))
        pid = session.connection().connection.dbapi_connection.info.backend_pid
        _terminate(app.extensions["tenancy"].storage.url, pid)
        state["killed"] += 1

    request_finished.connect(hook, app)
    yield state
    request_finished.disconnect(hook, app)


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["read", "write"])
def test_backend_killed_after_the_last_query_still_gives_the_rendered_page(
        client_for, tenant_db, kill_backend_after_view, caplog, mode):
    """Teardown closed the request's sessions unguarded: a dead connection raised out of the WSGI app."""
    make_family(tenant_db("alpha"), first_name="JEAN", last_name="DUPONT")
    client = client_for("alpha.test")
    assert sign_in(client).status_code == 303
    kill_backend_after_view["mode"] = mode
    with caplog.at_level(logging.WARNING):
        page = client.get("/accueil")
    assert kill_backend_after_view["killed"] == 1
    assert page.status_code == 200 and "Bonjour JEAN DUPONT" in page.get_data(as_text=True)
    assert all(page.headers.get(name) for name in SECURITY_HEADERS) and page.headers["Cache-Control"] == "no-store"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None, [r.getMessage() for r in warnings]
    # Nothing of the pending write was kept, and the next request gets a fresh connection.
    kill_backend_after_view["mode"] = None
    assert client.get("/accueil").status_code == 200
    assert tenant_db("alpha").scalar(select(Family.first_name)) == "JEAN"


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_down(app, tmp_path):
    """The test communes on a PostgreSQL address where nothing listens (connection refused)."""
    down = create_app(make_settings(
        tmp_path, database_url=f"postgresql+psycopg://portail@127.0.0.1:{_unused_port()}/portail"))
    down.test_client_class = HostClient
    yield down
    down.extensions["tenancy"].storage.dispose()
    limiter.init_app(app)  # Flask-Limiter keeps one store per Limiter: the suite's app gets its own back


def signed_in_cookie(app, host: str, user_id: str) -> HostClient:
    """A client whose session cookie names a signed-in session (`<commune>:<token>`), as before the outage."""
    client = app.test_client()
    client.host = host
    with client.session_transaction(base_url=f"http://{host}") as cookie:
        cookie["_user_id"] = user_id
        cookie["_fresh"] = True
    return client


@pytest.mark.parametrize("host, path, user_id", [
    ("alpha.test", "/accueil", "alpha:family-session-token"),
    ("alpha.test", "/agent/", "alpha:agent-session-token"),
    ("alpha.test", "/messages/", "alpha:family-session-token"),
])
def test_database_down_gives_one_branded_503_page_with_headers_and_one_log_line(
        database_down, caplog, host, path, user_id):
    """The user loader, the error page, the header hook and the error page again each failed on the
    database: 4–5 tracebacks and connection attempts, then a plain-text page without `no-store`."""
    client = signed_in_cookie(database_down, host, user_id)
    attempts = []
    engine = database_down.extensions["tenancy"].storage.base_engine
    event.listen(engine, "do_connect", lambda *args: attempts.append(args))
    with caplog.at_level(logging.INFO):
        answer = client.get(path)
    assert len(attempts) == 1  # one connection tried, refused; never a second one in the same request
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.headers["Retry-After"].isdigit()
    assert answer.mimetype == "text/html"
    assert "<h1>Portail momentanément indisponible</h1>" in page and 'lang="fr"' in page
    assert "RPI Alpha" in page and "Mairie d&#39;Alpha" in page and "04.00.00.00.01" in page
    assert "Déconnexion" not in page and "Internal Server Error" not in page
    assert all(answer.headers.get(name) for name in SECURITY_HEADERS)
    assert "form-action 'self' https://www.alpha.test" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1 and logged[0].exc_info is None, [r.getMessage() for r in logged]
    assert "database unavailable" in logged[0].getMessage()


def test_database_down_on_the_platform_host_gives_a_neutral_503(database_down, caplog):
    client = signed_in_cookie(database_down, "portail.test", "platform:admin-session-token")
    with caplog.at_level(logging.INFO):
        answer = client.get("/federation/")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503 and "Portail momentanément indisponible" in page
    assert "Portail Famille (tests)" in page and "Mairie" not in page and "Nous contacter" not in page
    assert all(answer.headers.get(name) for name in SECURITY_HEADERS) and answer.headers["Cache-Control"] == "no-store"
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_every_error_answer_is_no_store_with_the_security_headers(client_for, tenant_db):
    """Error answers were cacheable (no `Cache-Control`) unless a signed-in user had been loaded."""
    client = client_for("alpha.test")
    for answer, code in ((client.get("/pas-de-page"), 404), (client.post("/connexion", data={}), 400),
                         (client.put("/accueil"), 405)):
        assert answer.status_code == code
        assert answer.headers["Cache-Control"] == "no-store"
        assert all(answer.headers.get(name) for name in SECURITY_HEADERS)
    unknown = client_for("unknown.test").get("/")
    assert unknown.status_code == 404 and unknown.headers["Cache-Control"] == "no-store"

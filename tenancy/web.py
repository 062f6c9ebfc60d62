"""Flask glue: resolve the tenant from the Host header, one database session per request."""
from flask import Flask, abort, current_app, g, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from tenancy.migrate import Migrator
from tenancy.registry import Registry
from tenancy.storage import Storage


class Tenancy:
    """Flask extension: `g.tenant` is the request's tenant, or None on the platform host.

    Any other host answers 404 before a view runs and before any database is touched.
    """

    def __init__(self, registry: Registry, storage: Storage, migrator: Migrator):
        self.registry = registry
        self.storage = storage
        self.migrator = migrator

    def init_app(self, app: Flask, trusted_proxies: int = 0) -> None:
        app.extensions["tenancy"] = self
        if trusted_proxies > 0:
            # Only then is X-Forwarded-Host believed, and only from that many hops.
            app.wsgi_app = ProxyFix(
                app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies, x_host=trusted_proxies
            )
        app.before_request(self._resolve)
        app.teardown_appcontext(_close_sessions)

    def _resolve(self) -> None:
        host = request.host
        tenant = self.registry.for_host(host)
        if tenant is None and not self.registry.is_platform_host(host):
            g.tenant = None
            g.unknown_host = True
            abort(404)
        g.tenant = tenant


def current_tenancy() -> Tenancy:
    return current_app.extensions["tenancy"]


def on_platform() -> bool:
    """True on the platform host (the directory), False on a commune's host."""
    return g.get("tenant") is None and not g.get("unknown_host", False)


def tenant_session() -> Session:
    """The request's session on its tenant's schema or file, opened on first use."""
    session = g.get("_tenant_session")
    if session is None:
        tenant = g.get("tenant")
        if tenant is None:
            raise LookupError("no tenant for this request")
        session = Session(current_tenancy().storage.engine_for(tenant.schema), expire_on_commit=False)
        g._tenant_session = session
    return session


def platform_session() -> Session:
    """The request's session on the platform schema or file."""
    session = g.get("_platform_session")
    if session is None:
        session = Session(current_tenancy().storage.platform_engine, expire_on_commit=False)
        g._platform_session = session
    return session


_SESSIONS = ("_tenant_session", "_platform_session")


def database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached, or the connection was lost or none was free: not a bad
    statement but an outage (or a restart) that retrying later gets through."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def describe(error: BaseException) -> str:
    """One line for the log: the driver's error class and the first line of its message."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def rollback_sessions() -> None:
    """Undo what the request's sessions began (the error handler, before its page). A connection that
    is already dead is invalidated (its pool drops it) rather than raised: the page must still go out."""
    for name in _SESSIONS:
        session = g.get(name)
        if session is not None:
            try:
                session.rollback()
            except DBAPIError:
                session.invalidate()


def _close_sessions(_exc=None) -> None:
    """Teardown: the answer is already rendered, so closing must never raise (gunicorn would throw
    the page away for its bare 500). A connection that died after the view's last query is
    invalidated, with one warning line."""
    for name in _SESSIONS:
        session = g.pop(name, None)
        if session is None:
            continue
        try:
            session.close()
        except DBAPIError as error:
            current_app.logger.warning("database connection lost at the end of the request, dropped (%s)",
                                       describe(error))
            session.invalidate()


def require_tenant() -> None:
    """`before_request` of blueprints that only exist on a commune's host."""
    if g.get("tenant") is None:
        abort(404)


def require_platform() -> None:
    """`before_request` of blueprints that only exist on the platform host."""
    if not on_platform():
        abort(404)

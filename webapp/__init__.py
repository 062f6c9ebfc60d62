"""Portail Famille: the Flask application factory."""
from flask import Flask

from tenancy import TenantConfigError, load_registry
from tenancy.migrate import Migrator
from tenancy.storage import Storage
from tenancy.web import Tenancy
from webapp import crypto
from webapp.commune import CommuneSettings
from webapp.settings import Settings
from webapp.url_ids import BigintConverter


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; an invalid tenants.yaml or theme stops it here, with the reason."""
    settings = settings or Settings.from_env()
    crypto.configure(settings.data_key or settings.secret_key)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.url_map.converters["int"] = BigintConverter  # a path id above BIGINT is a 404 (SQLite would raise)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        DEMO=settings.demo,
        # __Host-: Secure, no Domain, Path=/ — the browser keeps it to this exact host.
        SESSION_COOKIE_NAME="__Host-portail" if settings.production else "portail_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="portail-famille",
        # Redis down: count in this worker's memory for a while rather than answer 500 on sign-in pages;
        # the per-identifier throttle in the database stays whole.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        **settings.mail,
    )
    _register_tenancy(app, settings)
    _register_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _register_tenancy(app: Flask, settings: Settings) -> None:
    from webapp.models import platform_metadata, tenant_metadata
    from webapp.themes import ThemeError, load_themes

    try:
        registry = load_registry(settings.tenants_file, CommuneSettings, production=settings.production)
        themes = load_themes(settings.themes_path, {t.theme for t in registry})
    except (TenantConfigError, ThemeError) as exc:
        raise SystemExit(f"Configuration invalide, le portail ne démarre pas.\n{exc}") from None
    storage = Storage(settings.database_url, citus=settings.citus)
    migrator = Migrator(storage, settings.migrations_path, platform_metadata, tenant_metadata)
    Tenancy(registry, storage, migrator).init_app(app, trusted_proxies=settings.trusted_proxies)
    app.extensions["themes"] = themes


def _register_extensions(app: Flask) -> None:
    from flask_babel import get_locale

    from webapp import i18n, security
    from webapp.family_menu import family_menu
    from webapp.extensions import babel, csrf, limiter, login_manager, mail

    babel.init_app(app, locale_selector=i18n.select_locale, default_timezone=i18n.TIMEZONE)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "site.index"
    login_manager.login_message = None
    import webapp.auth.users  # noqa: F401  (registers the user loader)
    security.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["family_menu"] = family_menu
    app.jinja_env.filters["long_day"] = i18n.long_day
    app.jinja_env.filters["money"] = i18n.money
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["time_of_day"] = i18n.time_of_day
    app.jinja_env.filters["numeric_date"] = i18n.numeric_date
    app.jinja_env.filters["moment"] = i18n.moment
    app.jinja_env.filters["file_size"] = i18n.file_size


def _register_blueprints(app: Flask) -> None:
    from webapp.audit.views import bp as audit_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.directory.views import bp as directory_bp
    from webapp.errors import register_error_handlers
    from webapp.federation.views import bp as federation_bp
    from webapp.mail.views import bp as dev_mail_bp
    from webapp.mail.federation_views import bp as federation_mail_bp
    from webapp.planning.views import bp as planning_bp
    from webapp.planning.staff_views import bp as staff_planning_bp
    from webapp.portal.views import bp as portal_bp
    from webapp.requests.views import bp as requests_bp
    from webapp.site.views import bp as site_bp
    from webapp.staff.views import bp as staff_bp

    for blueprint in (site_bp, directory_bp, portal_bp, auth_bp, dev_mail_bp, staff_bp, federation_bp, requests_bp,
                      planning_bp, staff_planning_bp, audit_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(federation_mail_bp)
    _register_messaging_blueprints(app)
    _register_records_blueprints(app)
    _register_payfip_blueprint(app)
    _register_billing_blueprints(app)
    _register_family_admin_blueprints(app)
    register_error_handlers(app)


def _register_family_admin_blueprints(app: Flask) -> None:
    """Agents: search, creation, CSV import of families; families: data export, child record PDF."""
    from webapp.family_admin.family_views import bp as family_data_bp
    from webapp.family_admin.views import bp as family_admin_bp

    app.register_blueprint(family_admin_bp)
    app.register_blueprint(family_data_bp)


def _register_billing_blueprints(app: Flask) -> None:
    """« Relevé de compte » for families, /agent/facturation for agents."""
    from webapp.billing.staff_views import bp as staff_billing_bp
    from webapp.billing.views import bp as billing_bp

    app.register_blueprint(billing_bp)
    app.register_blueprint(staff_billing_bp)


def _register_messaging_blueprints(app: Flask) -> None:
    """Boîte de réception, Infos/Documents and child photos (files go through webapp.uploads)."""
    from webapp.documents.staff_views import bp as staff_documents_bp
    from webapp.documents.views import bp as documents_bp
    from webapp.messages.staff_views import bp as staff_messages_bp
    from webapp.messages.views import bp as messages_bp
    from webapp.photos.views import bp as photos_bp

    for blueprint in (messages_bp, staff_messages_bp, documents_bp, staff_documents_bp, photos_bp):
        app.register_blueprint(blueprint)


def _register_records_blueprints(app: Flask) -> None:
    """« Mon compte », « Mes enfants » and the agents' change queue / fiche famille."""
    from webapp.records.staff_views import bp as records_staff_bp
    from webapp.records.views import bp as records_bp

    app.register_blueprint(records_bp)
    app.register_blueprint(records_staff_bp)


def _register_payfip_blueprint(app: Flask) -> None:
    """Online payment through PayFiP (404 on communes that do not use it)."""
    from webapp.payfip.staff_views import bp as staff_payfip_bp
    from webapp.payfip.views import bp as payfip_bp

    app.register_blueprint(payfip_bp)
    app.register_blueprint(staff_payfip_bp)


def _register_cli(app: Flask) -> None:
    from tenancy.cli import tenants_cli
    from webapp.demo.cli import demo_cli
    from webapp.mail.cli import mail_cli
    from webapp.staff.cli import agents_cli
    from webapp.federation.cli import federation_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(agents_cli)
    app.cli.add_command(federation_cli)
    from webapp.payfip.cli import payfip_cli

    app.cli.add_command(payfip_cli)

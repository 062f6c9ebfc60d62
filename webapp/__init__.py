"""Portail Famille: the Flask application factory."""
from flask import Flask

from tenancy import TenantConfigError, load_registry
from tenancy.migrate import Migrator
from tenancy.storage import Storage
from tenancy.web import Tenancy
from webapp import crypto
from webapp.commune import CommuneSettings
from webapp.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; an invalid tenants.yaml or theme stops it here, with the reason."""
    settings = settings or Settings.from_env()
    crypto.configure(settings.data_key or settings.secret_key)
    app = Flask(__name__, instance_path=str(settings.instance_path))
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
        registry = load_registry(settings.tenants_file, CommuneSettings)
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
    app.jinja_env.filters["long_day"] = i18n.long_day
    app.jinja_env.filters["money"] = i18n.money
    app.jinja_env.filters["local_date"] = i18n.local_date


def _register_blueprints(app: Flask) -> None:
    from webapp.auth.views import bp as auth_bp
    from webapp.directory.views import bp as directory_bp
    from webapp.errors import register_error_handlers
    from webapp.federation.views import bp as federation_bp
    from webapp.mail.views import bp as dev_mail_bp
    from webapp.planning.views import bp as planning_bp
    from webapp.planning.staff_views import bp as staff_planning_bp
    from webapp.portal.views import bp as portal_bp
    from webapp.requests.views import bp as requests_bp
    from webapp.site.views import bp as site_bp
    from webapp.staff.views import bp as staff_bp

    for blueprint in (site_bp, directory_bp, portal_bp, auth_bp, dev_mail_bp, staff_bp, federation_bp, requests_bp,
                      planning_bp, staff_planning_bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from tenancy.cli import tenants_cli
    from webapp.demo.cli import demo_cli
    from webapp.mail.cli import mail_cli
    from webapp.staff.cli import agents_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(agents_cli)

"""What every host shares: the root page, theme files, the language switch, a health check."""
from flask import Blueprint, abort, current_app, g, redirect, request, send_from_directory, session, url_for
from flask_login import current_user

from tenancy.web import on_platform
from webapp.i18n import LOCALES

bp = Blueprint("site", __name__)


@bp.app_context_processor
def _branding() -> dict:
    """The tenant and its theme, for every template (the default theme elsewhere)."""
    tenant = g.get("tenant")
    themes = current_app.extensions["themes"]
    theme = themes[tenant.theme] if tenant is not None else themes["default"]
    platform = current_app.extensions["tenancy"].registry.platform
    return {"tenant": tenant, "theme": theme, "platform": platform}


@bp.get("/")
def index():
    """A commune's portal on its host, the directory of communes on the platform host."""
    from webapp.directory.views import directory
    from webapp.portal.views import login_page

    if on_platform():
        return directory()
    if current_user.is_authenticated:
        return redirect(url_for("portal.home"))
    return login_page()


@bp.get("/theme/<path:filename>")
def theme_file(filename: str):
    """The current host's logo and colours; other files of the theme folder are not served."""
    tenant = g.get("tenant")
    theme = current_app.extensions["themes"][tenant.theme if tenant else "default"]
    if filename not in ("theme.css", theme.logo):
        abort(404)
    return send_from_directory(theme.folder, filename, max_age=3600)


@bp.post("/langue")
def switch_locale():
    """Remember this visitor's language; French stays the default."""
    locale = request.form.get("locale", "")
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(url_for("site.index"), 303)


@bp.get("/sante")
def health():
    """Liveness probe; touches no database (also the benchmarks' trivial route)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

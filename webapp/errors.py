"""Error pages: neutral on unknown hosts, branded on a commune's host, never a stack trace.

An error page touches no database: the request's sessions are rolled back first, the page shows
no signed-in menu (a user not loaded yet stays unloaded), and everything it shows (commune, theme,
contacts) is in memory. A database that cannot be reached answers 503 « Portail momentanément
indisponible », with one log line and no traceback. Every error answer is `no-store`
(webapp.security) and carries the security headers like any other answer.
"""
from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tenancy.web import database_unavailable, describe, rollback_sessions

MESSAGES = {
    400: (_l("Requête invalide"), _l("La demande n'a pas pu être traitée. Rechargez la page et réessayez.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("Cette adresse ne correspond à aucune page de ce portail.")),
    405: (_l("Action impossible"), _l("Cette action n'est pas possible sur cette page.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    429: (_l("Trop de tentatives"), _l("Trop de tentatives. Patientez quelques minutes avant de réessayer.")),
    500: (_l("Erreur du serveur"), _l("Une erreur est survenue. Réessayez dans quelques instants.")),
    503: (_l("Portail momentanément indisponible"),
          _l("Le portail ne peut pas répondre pour le moment. Réessayez dans quelques minutes : "
             "rien de ce que vous aviez déjà enregistré n'est perdu.")),
}
RETRY_AFTER_SECONDS = 60  # a database restart takes seconds; a client that honours it comes back then
TEMPLATES = {503: "errors/unavailable.html"}


def _render(code: int):
    rollback_sessions()
    title, text = MESSAGES.get(code, MESSAGES[500])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    try:
        page = render_template(TEMPLATES.get(code, "errors/error.html"), code=code, title=str(title), text=str(text))
    except Exception as error:  # the error page itself failed: answer in plain text, never a traceback
        current_app.logger.error("error page failed: %s", describe(error))
        headers["Content-Type"] = "text/plain; charset=utf-8"
        page = f"{title}. {text}"
    return page, code, headers


def _unavailable(error: BaseException):
    current_app.logger.error("database unavailable: %s", describe(error))
    return _render(503)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _render(400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        original = getattr(error, "original_exception", None)  # an exception Flask caught outside a view
        if database_unavailable(original):
            return _unavailable(original)
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if database_unavailable(error):
            return _unavailable(error)
        app.logger.exception("unhandled error", exc_info=error)
        return _render(500)

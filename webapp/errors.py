"""Error pages: neutral on unknown hosts, branded on a commune's host, never a stack trace."""
from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être traitée. Rechargez la page et réessayez."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette adresse ne correspond à aucune page de ce portail."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Trop de tentatives. Patientez quelques minutes avant de réessayer."),
    500: ("Erreur du serveur", "Une erreur est survenue. Réessayez dans quelques instants."),
}


def _render(code: int):
    title, text = MESSAGES.get(code, MESSAGES[500])
    try:
        return render_template("errors/error.html", code=code, title=_(title), text=_(text)), code
    except Exception:  # the error page itself failed: answer in plain text, never a traceback
        current_app.logger.exception("error page failed")
        return f"{title}. {text}", code, {"Content-Type": "text/plain; charset=utf-8"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _render(400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return _render(500)

"""Error pages: neutral on unknown hosts, branded on a commune's host, never a stack trace."""
from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Requête invalide"), _l("La demande n'a pas pu être traitée. Rechargez la page et réessayez.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("Cette adresse ne correspond à aucune page de ce portail.")),
    405: (_l("Action impossible"), _l("Cette action n'est pas possible sur cette page.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    429: (_l("Trop de tentatives"), _l("Trop de tentatives. Patientez quelques minutes avant de réessayer.")),
    500: (_l("Erreur du serveur"), _l("Une erreur est survenue. Réessayez dans quelques instants.")),
}


def _render(code: int):
    title, text = MESSAGES.get(code, MESSAGES[500])
    try:
        return render_template("errors/error.html", code=code, title=str(title), text=str(text)), code
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

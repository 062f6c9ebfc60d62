"""The development mailbox: e-mails of every commune and of the platform, on the platform host,
in demo mode only.

Without a mail server the demo marks e-mails sent without sending them; this page is
where a newcomer reads them (the temporary password of a family, for instance).
Anywhere else, or outside demo mode, it does not exist (404).
"""
import logging

from flask import Blueprint, abort, current_app, render_template
from flask_babel import format_datetime
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tenancy.web import current_tenancy, require_platform
from webapp.mail.models import OutboxMailMixin
from webapp.mail.outbox import as_utc, latest_mails
from webapp.mail.supervision import outboxes

log = logging.getLogger(__name__)

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/courriels")
LATEST = 100  # e-mails listed, all communes together


@bp.before_request
def _demo_platform_only() -> None:
    if not current_app.config.get("DEMO"):
        abort(404)
    require_platform()


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"  # temporary passwords: never in a cache
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _when(mail: OutboxMailMixin) -> dict:
    created = as_utc(mail.created_at)
    return {"iso": created.isoformat(), "text": format_datetime(created, "short")}


@bp.get("")
def mailbox():
    """The latest e-mails of every commune and of the platform, newest first."""
    rows = []
    for box in outboxes(current_tenancy()):
        try:
            with Session(box.engine) as session:
                mails = latest_mails(session, LATEST, box.model)
        except SQLAlchemyError:
            log.exception("boîte de développement : courriels de %s illisibles", box.slug)
            continue
        rows.extend({"outbox": box, "mail": mail, "when": _when(mail)} for mail in mails)
    rows.sort(key=lambda row: (as_utc(row["mail"].created_at), row["mail"].id), reverse=True)
    return render_template("mail/dev_mailbox.html", rows=rows[:LATEST])


@bp.get("/<slug>/<int:mail_id>")
def message(slug: str, mail_id: int):
    """One e-mail, its body as plain text (`slug` is a commune's, or « plateforme »)."""
    found = outboxes(current_tenancy(), slug)
    if not found:
        abort(404)
    box = found[0]
    with Session(box.engine) as session:
        mail = session.get(box.model, mail_id)
    if mail is None:
        abort(404)
    return render_template("mail/dev_message.html", commune=box, mail=mail, when=_when(mail))

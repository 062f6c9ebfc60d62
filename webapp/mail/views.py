"""The development mailbox: e-mails of every commune, on the platform host, in demo mode only.

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
from webapp.mail.models import OutboxMail
from webapp.mail.outbox import as_utc, latest_mails

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


def _when(mail: OutboxMail) -> dict:
    created = as_utc(mail.created_at)
    return {"iso": created.isoformat(), "text": format_datetime(created, "short")}


@bp.get("")
def mailbox():
    """The latest e-mails of every commune, newest first."""
    tenancy = current_tenancy()
    existing = tenancy.storage.existing_schemas()
    rows = []
    for tenant in tenancy.registry:
        if tenant.schema not in existing:
            continue
        try:
            with Session(tenancy.storage.engine_for(tenant.schema)) as session:
                mails = latest_mails(session, LATEST)
        except SQLAlchemyError:
            log.exception("boîte de développement : courriels de %s illisibles", tenant.slug)
            continue
        rows.extend({"tenant": tenant, "mail": mail, "when": _when(mail)} for mail in mails)
    rows.sort(key=lambda row: (as_utc(row["mail"].created_at), row["mail"].id), reverse=True)
    return render_template("mail/dev_mailbox.html", rows=rows[:LATEST])


@bp.get("/<slug>/<int:mail_id>")
def message(slug: str, mail_id: int):
    """One e-mail, its body as plain text."""
    tenancy = current_tenancy()
    tenant = tenancy.registry.get(slug)
    if tenant is None or not tenancy.storage.exists(tenant.schema):
        abort(404)
    with Session(tenancy.storage.engine_for(tenant.schema)) as session:
        mail = session.get(OutboxMail, mail_id)
    if mail is None:
        abort(404)
    return render_template("mail/dev_message.html", commune=tenant, mail=mail, when=_when(mail))

"""/federation/courriels: the federation's view of every outbox, and « Renvoyer ».

Per commune (and the platform): e-mails waiting, sent, given up. The « failed » ones are
listed without their bodies (a body may hold a temporary password): subject, recipient
masked, last error, dates. « Renvoyer » queues them again, per commune or one by one
(POST with the CSRF token). Federation admins only, second factor done; on the platform host.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from tenancy.web import require_platform
from webapp import clock
from webapp.ids import parse_id
from webapp.mail import supervision
from webapp.staff import access
from webapp.staff.access import federation_admin_required

bp = Blueprint("federation_mail", __name__, url_prefix="/federation/courriels")
bp.before_request(require_platform)
bp.after_request(access.no_store)


@bp.get("")
@federation_admin_required
def overview():
    """Counts per outbox and the latest « failed » e-mails, without their bodies."""
    states = supervision.overview(current_app.extensions["tenancy"])
    return render_template("mail/federation_outboxes.html", states=states, mask=supervision.mask_address)


@bp.post("/renvoyer")
@federation_admin_required
def retry():
    """Queue again the « failed » e-mails of one outbox, or one of them (`mail`)."""
    tenancy = current_app.extensions["tenancy"]
    slug = request.form.get("commune", "")
    if slug != supervision.PLATFORM_SLUG and tenancy.registry.get(slug) is None:
        abort(404)
    raw_id = request.form.get("mail", "")
    mail_id = parse_id(raw_id)
    if raw_id and mail_id is None:
        abort(404)
    done = supervision.retry(tenancy, clock.utcnow(), slug=slug, mail_id=mail_id)
    count = done.get(slug, 0)
    if count < 0:
        flash(_("La base de cette commune est injoignable : réessayez dans un moment."), "error")
    elif count == 0:
        flash(_("Aucun courriel abandonné à renvoyer."), "info")
    else:
        flash(ngettext("%(num)d courriel remis en file d'attente : il part au prochain passage.",
                       "%(num)d courriels remis en file d'attente : ils partent au prochain passage.", count), "success")
    return redirect(url_for("federation_mail.overview"), 303)

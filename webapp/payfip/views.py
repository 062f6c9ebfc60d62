"""Online payment through PayFiP: « Payer en ligne », the return page and PayFiP's notification.

Only on communes whose payment_mode is "payfip" (404 elsewhere). Absolute URLs given to
PayFiP come from the commune's configured base_url, never from the request's Host. The
notification is the one CSRF-exempt POST that acts: it carries only an idOp, looked up among
this commune's attempts and believed only after PayFiP's web service confirmed it
(webapp.payfip.payments.check). The return page never records anything (its POST form, also
exempt, only redirects to it).
"""
import re

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth.users import owned, signed_in_family
from webapp.billing.models import Invoice
from webapp.db import db
from webapp.extensions import csrf, limiter
from webapp.payfip import payments
from webapp.payfip.client import PayfipClient, valid_mel
from webapp.payfip.forms import PayForm
from webapp.payfip.models import PaymentAttempt

bp = Blueprint("payfip", __name__, url_prefix="/paiement-en-ligne")
bp.before_request(require_tenant)

NOTIFICATIONS_PER_IP = "120 per minute"
STARTS_PER_IP = "20 per minute; 100 per hour"  # each start calls PayFiP
ID_OP = re.compile(r"[A-Za-z0-9-]{1,64}")  # hexadecimal in the stand-in; hyphens tolerated (UUID-like)
CANNOT_PAY = {
    "nothing_due": lambda: _("Il ne reste rien à payer."),
    "too_small": lambda: _("Le paiement en ligne n'est possible qu'à partir de 1,00 €."),
    "in_progress": lambda: _("Un paiement en ligne de cette facture est déjà en cours. Réessayez dans "
                             "quelques minutes."),
}


@bp.before_request
def _payfip_communes_only():
    if g.tenant.settings.payment_mode != "payfip" or g.tenant.settings.payfip is None:
        abort(404)


def commune() -> payments.Commune:
    settings = g.tenant.settings.payfip
    return payments.Commune(slug=g.tenant.slug, numcli=settings.client_id, environment=settings.environment)


def web_service() -> PayfipClient:
    return PayfipClient(current_app.config["SETTINGS"].payfip_ws_url)


def absolute(endpoint: str, **values) -> str:
    """An address on the commune's configured base URL (what PayFiP calls back)."""
    return str(g.tenant.base_url).rstrip("/") + url_for(endpoint, **values)


def _back_to_invoices():
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(target or url_for("portal.home"), 303)


@bp.post("/payer")
@limiter.limit(STARTS_PER_IP)
@login_required
def start():
    """« Payer en ligne » / « Tout payer »: start an attempt, then go to PayFiP's payment page."""
    family = signed_in_family()
    form = PayForm()
    if not form.validate_on_submit() or (form.facture.data is None) == (form.regie.data is None):
        abort(400)
    if form.facture.data is not None:
        invoice = db.get(Invoice, form.facture.data)
        if invoice is None or invoice.family_id != family.id or invoice.status != "issued":
            abort(404)
        invoices = payments.payable(db, family.id, invoice_id=invoice.id)
    else:
        if not g.tenant.settings.payfip.pay_all:
            abort(404)
        invoices = payments.payable(db, family.id, regie_id=form.regie.data)
    now = clock.utcnow()
    problem = payments.refusal(db, invoices, now)
    if problem:
        flash(CANNOT_PAY[problem](), "error")
        return _back_to_invoices()
    mel = (family.email or "").strip()
    if not valid_mel(mel):
        mel = (form.mel.data or "").strip()
        if not valid_mel(mel):  # PayFiP requires an e-mail: ask for one, for this payment only
            if form.mel.data:
                form.mel.errors = [_("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")]
            total = sum(due for _invoice, due in invoices)
            return render_template("payfip/email.html", form=form, invoices=invoices, total=total), \
                400 if form.mel.data else 200
    try:
        attempt = payments.prepare(db, family.id, family.number, invoices, now)
    except payments.CannotPay as refusal:
        flash(CANNOT_PAY[refusal.code](), "error")
        return _back_to_invoices()
    db.commit()  # the attempt exists before PayFiP hears of it (no lock held during the call)
    registered = payments.register(attempt, commune(), web_service(), mel=mel,
                                   urlnotif=absolute("payfip.notify"),
                                   urlredirect=absolute("payfip.back", attempt_id=attempt.id))
    db.commit()
    if not registered:
        flash(_("Le service de paiement en ligne ne répond pas. Aucun paiement n'a été effectué ; "
                "réessayez plus tard."), "error")
        return _back_to_invoices()
    payment_url = current_app.config["SETTINGS"].payfip_payment_url
    return redirect(f"{payment_url}?idop={attempt.id_op}", 303)


@bp.get("/retour/<int:attempt_id>")
@login_required
def back(attempt_id: int):
    """Where PayFiP sends the family back: shows the state, records nothing (the notification does)."""
    attempt = owned(PaymentAttempt, attempt_id)
    state = payments.fetch(attempt, commune(), web_service())
    return render_template("payfip/back.html", attempt=attempt, state=state)


@bp.post("/retour/<int:attempt_id>")
@csrf.exempt
def back_posted(attempt_id: int):
    """PayFiP may send the family back with a cross-site form POST (Horanet's module accepts both): without
    CSRF token nor SameSite=Lax cookie. Nothing is read or written here, only a 303 to the page above."""
    return redirect(url_for("payfip.back", attempt_id=attempt_id), 303)


@bp.post("/notification")
@csrf.exempt
@limiter.limit(NOTIFICATIONS_PER_IP)
def notify():
    """PayFiP's server-to-server notification: `idOp` only; the truth is asked to the web service."""
    id_op = (request.form.get("idOp") or request.form.get("idop") or "").strip()
    if not ID_OP.fullmatch(id_op):
        current_app.logger.warning("PayFiP %s: notification sans idOp valable", g.tenant.slug)
        abort(404)
    try:
        outcome = payments.check(db, id_op, commune(), web_service(), clock.utcnow())
        db.commit()
    except Exception:
        db.rollback()
        current_app.logger.exception("PayFiP %s: notification non traitée", g.tenant.slug)
        return "", 503  # PayFiP may try again; the reconciliation job catches up anyway
    if outcome.status == "unknown":
        current_app.logger.warning("PayFiP %s: notification refusée (idOp inconnu ici), adresse %s", g.tenant.slug,
                                   request.remote_addr)
        abort(404)
    return "OK", 200, {"Content-Type": "text/plain; charset=utf-8"}

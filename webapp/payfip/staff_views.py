"""The agents' view of online payments (/agent/paiements-en-ligne): every PayFiP attempt, anomalies first.

An attempt in anomaly (PayFiP's answer did not match what was asked) recorded nothing: an
agent compares it with the DGFiP statement and, if the money came in, records the payment
by hand. Read-only; agents of this commune only (second factor done); 404 on communes
without PayFiP.
"""
from flask import Blueprint, abort, g, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp.billing.models import Payment
from webapp.db import db
from webapp.families.models import Family
from webapp.payfip.models import ERROR, PaymentAttempt
from webapp.staff.access import no_store, staff_required

bp = Blueprint("staff_payfip", __name__, url_prefix="/agent/paiements-en-ligne")
bp.before_request(require_tenant)
bp.after_request(no_store)

LIST_LIMIT = 300
STATE_LABELS = {
    "created": _l("En attente de PayFiP"), "paid": _l("Payé"), "refused": _l("Refusé"),
    "abandoned": _l("Abandonné"), "error": _l("Anomalie"),
}
PROBLEM_LABELS = {
    "mismatch": _l("Réponse de PayFiP différente de la demande : rien n'a été enregistré"),
    "unavailable": _l("PayFiP n'a pas répondu à la création"),
    "expired": _l("Sans résultat après 2 heures"),
}


@bp.before_request
def _payfip_communes_only():
    if g.tenant.settings.payment_mode != "payfip":
        abort(404)


@bp.get("/")
@staff_required()
def attempts():
    only_anomalies = request.args.get("anomalies") == "1"
    query = (select(PaymentAttempt, Family.number, Family.last_name, Family.first_name, Payment.number)
             .join(Family, Family.id == PaymentAttempt.family_id)
             .outerjoin(Payment, Payment.id == PaymentAttempt.payment_id))
    if only_anomalies:
        query = query.where(PaymentAttempt.state == ERROR)
    rows = db.execute(query.order_by((PaymentAttempt.state == ERROR).desc(), PaymentAttempt.created_at.desc(),
                                     PaymentAttempt.id.desc()).limit(LIST_LIMIT)).all()
    return render_template("payfip/staff_attempts.html", rows=rows, only_anomalies=only_anomalies,
                           states=STATE_LABELS, problems=PROBLEM_LABELS, limit=LIST_LIMIT)

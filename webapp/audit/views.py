"""« Journal des accès »: the commune's journal, for its admins (the DPO's first question).

Who read or changed health, bank, tax/CAF data and photos, who exported a family's data,
who signed in: never a value, only who, when, what and whose.
"""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from tenancy.web import require_tenant
from webapp.audit import journal
from webapp.db import db
from webapp.ids import parse_id
from webapp.records.sections import SECTIONS
from webapp.staff.access import no_store, staff_required

bp = Blueprint("audit", __name__, url_prefix="/agent")
bp.before_request(require_tenant)
bp.after_request(no_store)

GROUP_LABELS = {
    "": _l("Tout"),
    "sensitive": _l("Données sensibles"),
    "families": _l("Familles"),
    "billing": _l("Facturation"),
    "access": _l("Connexions"),
}
EVENT_LABELS = {
    "records.read": _l("Consultation d'une section sensible"),
    "records.edited": _l("Modification directe du dossier"),
    "records.accepted": _l("Demande de modification acceptée"),
    "records.refused": _l("Demande de modification refusée"),
    "photo.read": _l("Consultation d'une photo"),
    "family.created": _l("Création d'une famille"),
    "family.welcome_mail": _l("Courriel de bienvenue envoyé"),
    "family.data_export_json": _l("Export des données (JSON)"),
    "family.data_export_pdf": _l("Export des données (PDF)"),
    "billing.issue": _l("Émission de factures"),
    "billing.credit_note": _l("Avoir"),
    "billing.payment": _l("Règlement enregistré"),
    "payfip.paid": _l("Paiement en ligne reçu"),
    "payfip.mismatch": _l("Paiement en ligne incohérent"),
    "payfip.refused": _l("Paiement en ligne refusé"),
    "payfip.abandoned": _l("Paiement en ligne abandonné"),
    "login.success": _l("Connexion"),
    "login.failure": _l("Échec de connexion"),
    "login.throttled": _l("Connexion bloquée (trop d'essais)"),
    "login.password_ok": _l("Mot de passe correct, second facteur attendu"),
    "login.temporary_password": _l("Connexion avec un mot de passe provisoire"),
    "second_factor.enrolled": _l("Double authentification activée"),
    "second_factor.failure": _l("Code de double authentification refusé"),
    "second_factor.recovery_code": _l("Code de secours utilisé"),
    "login.disabled": _l("Connexion refusée : compte désactivé"),
    "team.created": _l("Équipe : compte créé (ligne de commande)"),
    "team.invited": _l("Équipe : agent invité"),
    "team.invitation_resent": _l("Équipe : invitation renvoyée"),
    "team.invitation_accepted": _l("Équipe : invitation acceptée, mot de passe choisi"),
    "team.role_changed": _l("Équipe : rôle modifié"),
    "team.disabled": _l("Équipe : compte désactivé"),
    "team.enabled": _l("Équipe : compte réactivé"),
    "team.second_factor_reset": _l("Équipe : second facteur réinitialisé"),
    "password.changed": _l("Mot de passe changé"),
    "password.requested": _l("Mot de passe oublié : demande"),
    "password.request_limited": _l("Mot de passe oublié : trop de demandes"),
    "password.request_ignored": _l("Mot de passe oublié : identifiant inconnu"),
}


@bp.get("/journal")
@staff_required("admin")
def journal_page():
    group = request.args.get("filtre", "")
    group = group if group in journal.GROUPS else ""
    lines = journal.page(db, group, before_id=parse_id(request.args.get("avant")))
    older = lines[-1].id if len(lines) == journal.PAGE_SIZE else None
    sections = {code: sec.label for code, sec in SECTIONS.items()}
    return render_template("audit/journal.html", lines=lines, group=group, groups=GROUP_LABELS,
                           events=EVENT_LABELS, sections=sections, older=older)

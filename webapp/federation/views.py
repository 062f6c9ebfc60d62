"""The federation admins' space on the platform host: sign-in with a second factor, then the
list of communes. Never a family's data: only the registry and each commune's schema version."""
from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenancy.web import require_platform
from webapp.auth.views import PER_IP
from webapp.db import platform_db
from webapp.federation import journal as platform_journal
from webapp.ids import parse_id
from webapp.extensions import limiter
from webapp.staff import access, team_pages
from webapp.staff.access import FEDERATION_ADMINS, federation_admin_required

bp = Blueprint("federation", __name__, url_prefix="/federation")
bp.before_request(require_platform)
bp.after_request(access.no_store)

PLATFORM_EVENT_LABELS = {
    "login.success": _l("Connexion"),
    "login.failure": _l("Échec de connexion"),
    "login.throttled": _l("Connexion bloquée (trop d'essais)"),
    "login.password_ok": _l("Mot de passe correct, second facteur attendu"),
    "login.disabled": _l("Connexion refusée : compte désactivé"),
    "second_factor.enrolled": _l("Double authentification activée"),
    "second_factor.failure": _l("Code de double authentification refusé"),
    "second_factor.recovery_code": _l("Code de secours utilisé"),
    "team.invited": _l("Invitation envoyée"),
    "team.created": _l("Compte créé (ligne de commande)"),
    "team.invitation_resent": _l("Invitation renvoyée"),
    "team.invitation_accepted": _l("Invitation acceptée, mot de passe choisi"),
    "team.disabled": _l("Compte désactivé"),
    "team.enabled": _l("Compte réactivé"),
    "team.second_factor_reset": _l("Second facteur réinitialisé"),
}
KINDS = {"commune": _l("Commune"), "rpi": _l("RPI"), "ssi": _l("Syndicat scolaire")}


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def login():
    return access.login(FEDERATION_ADMINS)


@bp.route("/double-facteur", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def second_factor():
    return access.verify(FEDERATION_ADMINS)


@bp.route("/double-facteur/activation", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def enrol():
    return access.enrol(FEDERATION_ADMINS)


@bp.post("/deconnexion")
def logout():
    return access.logout(FEDERATION_ADMINS)


@bp.get("/")
@federation_admin_required
def home():
    """The communes of tenants.yaml with their hosts, villages and migration state."""
    tenancy = current_app.extensions["tenancy"]
    head = tenancy.migrator.head("tenant")
    revisions = tenancy.migrator.read_revisions([t.schema for t in tenancy.registry])
    communes = []
    for tenant in tenancy.registry:
        revision, exists = revisions.get(tenant.schema, (None, False))
        if not exists or revision is None:
            state = "absent"
        else:
            state = "current" if revision == head else "behind"
        communes.append({"tenant": tenant, "kind": KINDS.get(tenant.kind, tenant.kind), "state": state,
                         "revision": revision})
    return render_template("staff/home.html", realm=FEDERATION_ADMINS, name=current_user.admin.name,
                           role=_l("Administrateur de la fédération"), place=tenancy.registry.platform.name,
                           communes=communes, head=head)


# --- « Équipe »: the federation admins manage each other (webapp.staff.team_pages) ---------------
@bp.get("/equipe")
@federation_admin_required
def team():
    return team_pages.team_page(FEDERATION_ADMINS)


@bp.post("/equipe/inviter")
@federation_admin_required
def team_invite():
    return team_pages.invite(FEDERATION_ADMINS)


@bp.post("/equipe/<int:member_id>/desactiver")
@federation_admin_required
def team_disable(member_id: int):
    return team_pages.disable(FEDERATION_ADMINS, member_id)


@bp.post("/equipe/<int:member_id>/reactiver")
@federation_admin_required
def team_enable(member_id: int):
    return team_pages.enable(FEDERATION_ADMINS, member_id)


@bp.post("/equipe/<int:member_id>/second-facteur")
@federation_admin_required
def team_reset(member_id: int):
    return team_pages.reset_second_factor(FEDERATION_ADMINS, member_id)


@bp.post("/equipe/<int:member_id>/invitation")
@federation_admin_required
def team_resend(member_id: int):
    return team_pages.resend(FEDERATION_ADMINS, member_id)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def invitation(token: str):
    """The e-mailed link of an invited federation admin: a password, then the authenticator app."""
    return team_pages.invitation(FEDERATION_ADMINS, token)


@bp.get("/journal")
@federation_admin_required
def journal():
    """The platform's journal: sign-ins and team changes, newest first, never a secret."""
    lines = platform_journal.page(platform_db, before_id=parse_id(request.args.get("avant")))
    older = lines[-1].id if len(lines) == platform_journal.PAGE_SIZE else None
    return render_template("staff/platform_journal.html", realm=FEDERATION_ADMINS, lines=lines, older=older,
                           events=PLATFORM_EVENT_LABELS)

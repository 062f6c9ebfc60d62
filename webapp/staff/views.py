"""The agents' space on a commune's host: sign-in with a second factor, then the staff home."""
from flask import Blueprint, g, render_template
from flask_login import current_user

from tenancy.web import require_tenant
from webapp.auth.views import PER_IP
from webapp.extensions import limiter
from webapp.staff import access, team_pages
from webapp.staff.access import AGENTS, ROLES, staff_required

bp = Blueprint("staff", __name__, url_prefix="/agent")
bp.before_request(require_tenant)
bp.after_request(access.no_store)


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def login():
    return access.login(AGENTS)


@bp.route("/double-facteur", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def second_factor():
    return access.verify(AGENTS)


@bp.route("/double-facteur/activation", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def enrol():
    return access.enrol(AGENTS)


@bp.post("/deconnexion")
def logout():
    return access.logout(AGENTS)


@bp.get("/")
@staff_required
def home():
    """« Espace agent »: who is signed in, for which commune; a commune admin reaches « Équipe » from it."""
    agent = current_user.agent
    return render_template("staff/home.html", realm=AGENTS, name=agent.name, role=ROLES.get(agent.role, agent.role),
                           place=g.tenant.name, commune_admin=agent.role == "admin")


# --- « Équipe »: the commune's admins manage its agents (webapp.staff.team_pages) ----------------
@bp.get("/equipe")
@staff_required("admin")
def team():
    return team_pages.team_page(AGENTS)


@bp.post("/equipe/inviter")
@staff_required("admin")
def team_invite():
    return team_pages.invite(AGENTS)


@bp.post("/equipe/<int:member_id>/role")
@staff_required("admin")
def team_role(member_id: int):
    return team_pages.change_role(AGENTS, member_id)


@bp.post("/equipe/<int:member_id>/desactiver")
@staff_required("admin")
def team_disable(member_id: int):
    return team_pages.disable(AGENTS, member_id)


@bp.post("/equipe/<int:member_id>/reactiver")
@staff_required("admin")
def team_enable(member_id: int):
    return team_pages.enable(AGENTS, member_id)


@bp.post("/equipe/<int:member_id>/second-facteur")
@staff_required("admin")
def team_reset(member_id: int):
    return team_pages.reset_second_factor(AGENTS, member_id)


@bp.post("/equipe/<int:member_id>/invitation")
@staff_required("admin")
def team_resend(member_id: int):
    return team_pages.resend(AGENTS, member_id)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def invitation(token: str):
    """The e-mailed link of an invited agent: a password, then the authenticator app."""
    return team_pages.invitation(AGENTS, token)

"""The agents' space on a commune's host: sign-in with a second factor, then the staff home."""
from flask import Blueprint, g, render_template
from flask_login import current_user
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp.auth.models import Agent
from webapp.auth.views import PER_IP
from webapp.db import db
from webapp.extensions import limiter
from webapp.staff import access
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
    """« Espace agent »: who is signed in, for which commune; a commune admin sees its agents."""
    agent = current_user.agent
    agents = db.scalars(select(Agent).order_by(Agent.name, Agent.email)).all() if agent.role == "admin" else None
    return render_template("staff/home.html", realm=AGENTS, name=agent.name, role=ROLES.get(agent.role, agent.role),
                           place=g.tenant.name, agents=agents, roles=ROLES)

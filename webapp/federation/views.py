"""The federation admins' space on the platform host: sign-in with a second factor, then the
list of communes. Never a family's data: only the registry and each commune's schema version."""
from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenancy.web import require_platform
from webapp.auth.views import PER_IP
from webapp.extensions import limiter
from webapp.staff import access
from webapp.staff.access import FEDERATION_ADMINS, federation_admin_required

bp = Blueprint("federation", __name__, url_prefix="/federation")
bp.before_request(require_platform)
bp.after_request(access.no_store)

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

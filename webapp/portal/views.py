"""A commune's portal: its login page and the signed-in family's home."""
from flask import Blueprint, g, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth.forms import LoginForm
from webapp.billing import views as billing_views
from webapp.db import db
from webapp.documents import publishing
from webapp.documents.forms import CATEGORY_LABELS
from webapp.portal.page_cache import login_pages

bp = Blueprint("portal", __name__)
bp.before_request(require_tenant)


def login_page():
    """« Accès famille », the commune's contacts and villages (root of a commune's host)."""
    if session.get("_flashes"):  # a message for this visitor only: render it afresh
        return render_template("portal/login.html", form=LoginForm())
    key = (g.tenant.slug, str(get_locale()))
    return login_pages.render(key, lambda: render_template("portal/login.html", form=LoginForm()))


@bp.get("/accueil")
@login_required
def home():
    family = current_user.family
    if family is None:  # an agent's session: its home is the staff space
        return redirect(url_for("staff.home"))
    today = clock.paris_today()
    return render_template("portal/home.html", family=family, children=family.children,
                           news=publishing.current_news(db, today), documents=publishing.current_documents(db, today),
                           categories=CATEGORY_LABELS, **billing_views.home_summary(family))


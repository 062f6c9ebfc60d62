"""Who is signed in: an account of the request's commune, or nobody.

The signed cookie keeps `<commune slug>:<session token>`; the session itself lives in the
commune's database, so it can be revoked, and a cookie carried to another commune's
host names a commune that is not the request's: it loads nobody.

On the platform host the cookie keeps `platform:<session token>` and the session lives in
the platform schema (federation admins). A platform id on a commune's host, or a commune
id on the platform host, loads nobody.
"""
from flask import abort, g, session
from flask_login import UserMixin, current_user

from tenancy.web import on_platform
from webapp.auth import accounts
from webapp.auth.models import Agent, AuthSession
from webapp import clock
from webapp.db import db, platform_db
from webapp.extensions import login_manager
from webapp.families.models import Child, Family
from webapp.federation.models import AdminSession, FederationAdmin

PLATFORM_PREFIX = "platform"


class SignedIn(UserMixin):
    """A live session and the account it belongs to."""

    def __init__(self, account, kind: str, tenant_slug: str, token: str, second_factor_done: bool = True):
        self.account = account
        self.kind = kind
        self.tenant_slug = tenant_slug
        self.token = token
        self.second_factor_done = second_factor_done
        self.extras: dict = {}  # SESSION_EXTRAS' values, read with the session

    @property
    def family(self) -> Family | None:
        return self.account if self.kind == "family" else None

    @property
    def agent(self) -> Agent | None:
        return self.account if self.kind == "agent" else None

    @property
    def admin(self) -> FederationAdmin | None:
        return self.account if self.kind == "admin" else None

    @property
    def is_authenticated(self) -> bool:
        """A staff session whose second factor is still to come is not signed in yet: only the
        second-factor screens deal with it; every `login_required` page sends it away."""
        return self.second_factor_done

    @property
    def is_anonymous(self) -> bool:
        return not self.second_factor_done

    def get_id(self) -> str:
        return f"{self.tenant_slug}:{self.token}"


ACCOUNT_MODELS = {"family": Family, "agent": Agent}
# Values every page of one kind of account shows, read in the session's own query rather than
# one query each: name → (kind, a function giving a column over that kind's table), registered
# by their package (webapp.messages: a family's unread count). Read on each request: never older
# than the page, and computed for that kind only (NULL for the others).
SESSION_EXTRAS: dict = {}


_queries: dict = {}


def _session_query() -> accounts.SessionQuery:
    """Built once per set of extras (they are registered when the app is made)."""
    names = tuple(SESSION_EXTRAS)
    if names not in _queries:
        _queries[names] = accounts.SessionQuery.build(
            AuthSession, ACCOUNT_MODELS, {name: (kind, column()) for name, (kind, column) in SESSION_EXTRAS.items()})
    return _queries[names]


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    try:
        return _load_user(user_id)
    except Exception:
        # Nobody for the rest of this request: the error page and the header hook then neither try
        # the database again (one connection attempt, one log line) nor show a signed-in menu.
        login_manager._update_request_context_with_user(None)
        raise


def _load_user(user_id: str) -> SignedIn | None:
    tenant = g.get("tenant")
    prefix, _, token = user_id.partition(":")
    if not token:
        return None
    if tenant is None:
        return _load_federation_admin(prefix, token)
    if prefix != tenant.slug:
        return None
    live = accounts.find_session_with_account(db, _session_query(), token, clock.utcnow())
    if live is None or live.account is None or getattr(live.account, "disabled_at", None) is not None:
        return None  # a disabled agent's session (if one survived) names nobody
    signed_in = SignedIn(live.account, live.row.account_kind, prefix, token, live.row.second_factor_done)
    signed_in.extras = live.extras
    return signed_in


def _load_federation_admin(prefix: str, token: str) -> SignedIn | None:
    """On the platform host only (never on an unknown host): a federation admin's session."""
    if prefix != PLATFORM_PREFIX or not on_platform():
        return None
    row = accounts.find_session(platform_db, AdminSession, token, clock.utcnow())
    if row is None or row.account_kind != "admin":
        return None
    admin = platform_db.get(FederationAdmin, row.account_id)
    if admin is None or admin.disabled_at is not None:
        return None
    return SignedIn(admin, "admin", PLATFORM_PREFIX, token, row.second_factor_done)


def fresh_cookie_session() -> None:
    """Nothing of the previous visitor's cookie session survives a sign-in but the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def signed_in_family() -> Family:
    """The family of a family page; any other visitor (an agent's session) gets a 404."""
    family = getattr(current_user, "family", None)
    if family is None:
        abort(404)
    return family


def owned(model, row_id: int):
    """A row (with a `family_id`) of the signed-in family; another family's, or none, is a 404."""
    family = signed_in_family()
    row = db.get(model, row_id)
    if row is None or row.family_id != family.id:
        abort(404)
    return row


def own_child(child_id: int) -> Child:
    """A child of the signed-in family; another family's child, or none, is a 404."""
    return owned(Child, child_id)

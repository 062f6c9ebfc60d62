"""Who is signed in: a family of the request's commune, or nobody.

The session keeps `<commune slug>:family:<id>`; a cookie carried to another commune's
host therefore names a commune that is not the request's, and loads nobody.
"""
from flask import g
from flask_login import UserMixin
from sqlalchemy import select

from webapp.db import db
from webapp.extensions import login_manager
from webapp.families.models import Family


class FamilyUser(UserMixin):
    def __init__(self, family: Family, tenant_slug: str):
        self.family = family
        self.tenant_slug = tenant_slug

    def get_id(self) -> str:
        return f"{self.tenant_slug}:family:{self.family.id}"


@login_manager.user_loader
def load_user(user_id: str) -> FamilyUser | None:
    tenant = g.get("tenant")
    slug, _, rest = user_id.partition(":")
    kind, _, raw_id = rest.partition(":")
    if tenant is None or slug != tenant.slug or kind != "family" or not raw_id.isdigit():
        return None
    family = db.scalar(select(Family).where(Family.id == int(raw_id)))
    return FamilyUser(family, slug) if family is not None else None

"""The `planning` blueprint of the family's pages; webapp.planning.views gathers its routes."""
from flask import Blueprint

from tenancy.web import require_tenant

bp = Blueprint("planning", __name__)
bp.before_request(require_tenant)

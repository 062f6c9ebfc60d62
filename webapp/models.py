"""Every model, imported once so the metadata Alembic and `create_all` see is complete."""
from webapp.auth.models import Agent
from webapp.db import PlatformBase, TenantBase
from webapp.families.models import Child, Family
from webapp.federation.models import FederationAdmin
from webapp.planning.models import Service

tenant_metadata = TenantBase.metadata
platform_metadata = PlatformBase.metadata

__all__ = ["Agent", "Child", "Family", "FederationAdmin", "Service", "platform_metadata", "tenant_metadata"]

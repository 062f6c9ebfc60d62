"""Multi-tenancy machinery: hosts, tenants, schemas or files, engines, migrations.

This package is generic: it knows nothing about families, children or billing. The
application hands it a settings model (to validate each tenant's rules) and its
SQLAlchemy metadata (to create and migrate each tenant's tables).
"""
from tenancy.config import Contact, TenantConfig, TenantConfigError, Village
from tenancy.hosts import normalise_host
from tenancy.registry import Registry, load_registry
from tenancy.storage import Storage

__all__ = [
    "Contact",
    "Registry",
    "Storage",
    "TenantConfig",
    "TenantConfigError",
    "Village",
    "load_registry",
    "normalise_host",
]

"""Every model, imported once so the metadata Alembic and `create_all` see is complete."""
from webapp.audit.models import AuditEvent
from webapp.auth.models import Agent, AuthSession, LoginThrottle, PasswordRequest, RecoveryCode
from webapp.db import PlatformBase, TenantBase
from webapp.families.models import Child, Family
from webapp.federation.models import AdminRecoveryCode, AdminSession, AdminThrottle, FederationAdmin
from webapp.mail.models import OutboxMail
from webapp.planning.models import Attendance, Closure, DayRequest, Enrolment, LocalDay, Service

tenant_metadata = TenantBase.metadata
platform_metadata = PlatformBase.metadata

__all__ = [
    "AdminRecoveryCode",
    "AdminSession",
    "AdminThrottle",
    "Agent",
    "Attendance",
    "AuditEvent",
    "AuthSession",
    "Child",
    "Closure",
    "DayRequest",
    "Enrolment",
    "Family",
    "FederationAdmin",
    "LocalDay",
    "LoginThrottle",
    "OutboxMail",
    "PasswordRequest",
    "RecoveryCode",
    "Service",
    "platform_metadata",
    "tenant_metadata",
]

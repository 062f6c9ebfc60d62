"""Every model, imported once so the metadata Alembic and `create_all` see is complete."""
from webapp.audit.models import AuditEvent
from webapp.auth.demands import PasswordDemand
from webapp.auth.models import Agent, AuthSession, LoginThrottle, PasswordRequest, RecoveryCode
from webapp.auth.models import AgentInvitation
from webapp.billing.models import (
    CreditNote, Invoice, InvoiceLine, Payment, PaymentAllocation, Regie, Tariff, TariffBracket,
)
from webapp.db import PlatformBase, TenantBase
from webapp.documents.models import Document, NewsItem
from webapp.families.models import AuthorisedPerson, Child, ChildHealth, Family, FamilyPartner
from webapp.federation.models import AdminRecoveryCode, AdminSession, AdminThrottle, FederationAdmin
from webapp.federation.models import AdminInvitation, PlatformEvent
from webapp.mail.models import OutboxMail, PlatformOutboxMail
from webapp.messages.models import Message
from webapp.payfip.models import PaymentAttempt, PaymentAttemptInvoice
from webapp.photos.models import ChildPhoto
from webapp.planning.models import Attendance, Closure, DayRequest, Enrolment, LocalDay, Service
from webapp.records.models import ChangeRequest
from webapp.submissions.models import SubmissionKey
from webapp.uploads.models import StoredFile

tenant_metadata = TenantBase.metadata
platform_metadata = PlatformBase.metadata

__all__ = [
    "AdminInvitation",
    "AgentInvitation",
    "PlatformEvent",
    "AdminRecoveryCode",
    "AdminSession",
    "AdminThrottle",
    "Agent",
    "Attendance",
    "AuditEvent",
    "AuthSession",
    "AuthorisedPerson",
    "ChangeRequest",
    "Child",
    "ChildHealth",
    "Closure",
    "CreditNote",
    "DayRequest",
    "Enrolment",
    "Family",
    "FamilyPartner",
    "FederationAdmin",
    "Invoice",
    "InvoiceLine",
    "LocalDay",
    "LoginThrottle",
    "OutboxMail",
    "PasswordDemand",
    "PasswordRequest",
    "PlatformOutboxMail",
    "Payment",
    "PaymentAllocation",
    "PaymentAttempt",
    "PaymentAttemptInvoice",
    "RecoveryCode",
    "Regie",
    "Service",
    "Tariff",
    "TariffBracket",
    "ChildPhoto",
    "Document",
    "Message",
    "NewsItem",
    "StoredFile",
    "SubmissionKey",
    "platform_metadata",
    "tenant_metadata",
]

"""The layering the brief asks for, checked on the source: domain rules without Flask, tenancy without webapp."""
from pathlib import Path

import pytest

from tests.helpers import imported_modules

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = [
    "webapp/planning/rules.py", "webapp/planning/deadlines.py", "webapp/planning/calendar.py",
    "webapp/planning/booking.py", "webapp/planning/daily.py", "webapp/planning/attendance.py",
    "webapp/planning/page_cache.py",
    "webapp/auth/accounts.py", "webapp/auth/throttle.py", "webapp/auth/session_rules.py",
    "webapp/auth/reset_rules.py", "webapp/auth/password_policy.py", "webapp/auth/second_factor.py",
    "webapp/mail/outbox.py", "webapp/mail/supervision.py", "webapp/auth/demands.py",
    "webapp/records/sections.py", "webapp/records/changes.py", "webapp/records/choices.py",
    "webapp/records/models.py", "webapp/audit/journal.py",
    "webapp/billing/invoicing.py", "webapp/billing/ledger.py", "webapp/billing/certificate.py",
    "webapp/billing/numbering.py", "webapp/billing/models.py",
    "webapp/family_admin/search.py", "webapp/family_admin/values.py", "webapp/family_admin/csv_import.py",
    "webapp/family_admin/creation.py", "webapp/family_admin/export.py",
    "webapp/payfip/payments.py", "webapp/payfip/client.py", "webapp/payfip/models.py",
    "webapp/uploads/checks.py", "webapp/uploads/storage.py", "webapp/uploads/models.py",
    "webapp/messages/inbox.py", "webapp/messages/models.py", "webapp/documents/publishing.py",
    "webapp/documents/models.py", "webapp/photos/models.py", "webapp/demo/infos.py",
    "webapp/staff/team.py", "webapp/federation/journal.py",
    "webapp/submissions/claims.py", "webapp/submissions/models.py",
    "webapp/uploads/pdf_rebuild.py", "webapp/dates.py", "webapp/characters.py",
]


@pytest.mark.parametrize("path", DOMAIN)
def test_domain_rules_import_no_flask(path):
    assert not imported_modules(ROOT / path) & {"flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug"}


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tenancy").glob("*.py")))
def test_tenancy_knows_nothing_of_the_portal(path):
    assert "webapp" not in imported_modules(ROOT / path)

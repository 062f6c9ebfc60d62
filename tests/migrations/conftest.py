import pytest

from tests.conftest import make_settings
from webapp import create_app
from webapp.settings import ROOT

SCRATCH_TENANTS = """
platform: {hosts: [portail.test]}
tenants:
%s
"""
ENTRY = """
  - slug: %(slug)s
    name: Commune %(slug)s
    kind: commune
    villages: [{name: %(slug)s, postcode: "01000", insee: "01001"}]
    hosts: [%(slug)s.test]
    base_url: https://%(slug)s.test
    website: https://www.%(slug)s.test/
    settings:
      reservation_deadline: {kind: day_before, time: "10:00"}
      absence_deadline: {kind: same_day, time: "08:30"}
"""


@pytest.fixture
def scratch_app(app, tmp_path):
    """`scratch_app("gamma", "delta")`: an app whose communes exist only for this test.

    It shares the suite's database server (real schemas on PostgreSQL) and drops
    its communes' schemas or files afterwards.
    """
    made = []

    def make(*slugs, tenants_file=None):
        if tenants_file is None:
            tenants_file = tmp_path / "tenants.yaml"
            tenants_file.write_text(SCRATCH_TENANTS % "".join(ENTRY % {"slug": s} for s in slugs))
        database_url = app.config["SETTINGS"].database_url
        if database_url.startswith("sqlite"):
            database_url = f"sqlite:///{tmp_path / 'data'}"
        scratch = create_app(make_settings(tmp_path, database_url=database_url, tenants_file=tenants_file))
        made.append(scratch)
        return scratch

    yield make
    for scratch in made:
        tenancy = scratch.extensions["tenancy"]
        for tenant in tenancy.registry:
            tenancy.storage.drop(tenant.schema)
        tenancy.storage.dispose()


@pytest.fixture
def repo_tenants():
    return ROOT / "tenants.yaml"

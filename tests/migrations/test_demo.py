"""`flask demo load`: deterministic, idempotent, the same number in several communes."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.families.models import Child, Family
from webapp.planning.models import DayRequest, Enrolment, Service


def test_demo_load_fills_each_commune_once(scratch_app, repo_tenants):
    app = scratch_app(tenants_file=repo_tenants)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "migrate"]).exit_code == 0
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert first.output.count("(chargée)") == 3 and "identifiant 100100" in first.output
    assert "http://rognaix.localhost:" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.output.count("(déjà chargée)") == 3
    tenancy = app.extensions["tenancy"]
    names = {}
    for tenant in tenancy.registry:
        with Session(tenancy.storage.engine_for(tenant.schema)) as db:
            assert db.scalar(select(func.count()).select_from(Family)) == 36
            per_family = db.execute(select(func.count()).select_from(Child).group_by(Child.family_id)).scalars()
            assert set(per_family) <= {1, 2, 3}
            assert db.scalars(select(Service.name).order_by(Service.id)).all() == [
                "GARDERIE MATIN", "GARDERIE MIDI", "GARDERIE SOIR", "RESTAURATION"]
            names[tenant.slug] = db.scalar(select(Family.last_name).where(Family.number == "100100"))
            children = db.scalar(select(func.count()).select_from(Child))
            assert db.scalar(select(func.count()).select_from(Enrolment)) == 4 * children
            assert db.scalar(select(func.count()).select_from(DayRequest)) > 0  # some regular canteen days
    assert len(names) == 3  # 100100 exists in every commune, as a different family each time

"""tenants.yaml: validation messages that name the commune, the field and the problem."""
import textwrap

import pytest

from tenancy import TenantConfigError, load_registry
from webapp.commune import DEFAULT_MOTIVES, CommuneSettings
from webapp.settings import ROOT

VALID = """
platform: {hosts: [portail.test]}
tenants:
  - slug: alpha
    name: RPI Alpha
    kind: rpi
    villages: [{name: Val-Alpha, postcode: "73110", insee: "73002"}]
    hosts: [alpha.test, famille.alpha.test]
    base_url: https://famille.alpha.test
    website: https://www.alpha.test/
    settings:
      reservation_deadline: {kind: weekly, weekday: friday, time: "12:00"}
      absence_deadline: {kind: rolling, days_before: 2, time: "23:59"}
"""


def load(tmp_path, text):
    path = tmp_path / "tenants.yaml"
    path.write_text(textwrap.dedent(text))
    return load_registry(path, CommuneSettings)


def test_valid_file_gives_typed_settings(tmp_path):
    tenant = load(tmp_path, VALID).get("alpha")
    assert tenant.schema == "t_alpha"
    assert tenant.settings.reservation_deadline.weekday.index == 4
    assert tenant.settings.absence_deadline.days_before == 2
    assert tenant.settings.absence_motives == DEFAULT_MOTIVES
    assert tenant.settings.password_reset == "link"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("weekday: friday", "weekday: vendredi", "« alpha »"),
        ("weekday: friday", "weekday: vendredi", "settings.reservation_deadline.weekly.weekday"),
        ('postcode: "73110"', 'postcode: "7311"', "villages.0.postcode"),
        ("kind: rpi", "kind: canton", "champ kind"),
        ("hosts: [alpha.test, famille.alpha.test]", "hosts: [Alpha.Test:80]", "champ hosts"),
        ("base_url: https://famille.alpha.test", "base_url: pas une url", "champ base_url"),
        ("    settings:", "    colour: red\n    settings:", "champ colour"),
        ("days_before: 2", "days_before: -1", "settings.absence_deadline.rolling.days_before"),
    ],
)
def test_invalid_field_is_named(tmp_path, old, new, expected):
    with pytest.raises(TenantConfigError) as error:
        load(tmp_path, VALID.replace(old, new))
    assert expected in str(error.value)


def test_base_url_must_be_one_of_the_hosts(tmp_path):
    with pytest.raises(TenantConfigError, match="base_url"):
        load(tmp_path, VALID.replace("base_url: https://famille.alpha.test", "base_url: https://elsewhere.test"))


def test_payfip_needs_its_client_id(tmp_path):
    text = VALID.replace("    settings:\n", "    settings:\n      payment_mode: payfip\n")
    with pytest.raises(TenantConfigError, match="payfip"):
        load(tmp_path, text)


def test_a_host_belongs_to_one_commune(tmp_path):
    second = VALID.split("tenants:\n", 1)[1].replace("slug: alpha", "slug: beta")
    with pytest.raises(TenantConfigError, match="« alpha.test » appartient déjà à « alpha »"):
        load(tmp_path, VALID + second)


def test_a_slug_is_declared_once(tmp_path):
    second = VALID.split("tenants:\n", 1)[1].replace("[alpha.test, famille.alpha.test]", "[other.test, famille.other.test]").replace("famille.alpha.test\n", "famille.other.test\n")
    with pytest.raises(TenantConfigError, match="déclarée deux fois"):
        load(tmp_path, VALID + second)


def test_platform_host_is_not_a_commune_host(tmp_path):
    with pytest.raises(TenantConfigError, match="hôte de la plateforme"):
        load(tmp_path, VALID.replace("hosts: [portail.test]", "hosts: [alpha.test]"))


def test_unreadable_yaml_is_reported(tmp_path):
    with pytest.raises(TenantConfigError, match="illisible"):
        load(tmp_path, "tenants: [unclosed")


def test_environment_variables_fill_the_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    text = VALID.replace("https://famille.alpha.test", "http://alpha.test:${PORT:-5000}")
    assert load(tmp_path, text).get("alpha").base == "http://alpha.test:5123"
    monkeypatch.delenv("PORT")
    assert load(tmp_path, text).get("alpha").base == "http://alpha.test:5000"


def test_resolution_never_falls_back_to_a_commune(tmp_path):
    registry = load(tmp_path, VALID)
    assert registry.for_host("ALPHA.TEST.:443").slug == "alpha"
    for host in ("", "portail.test", "beta.test", "alpha.test.evil.example", "127.0.0.1", None):
        assert registry.for_host(host) is None


def test_the_repository_tenants_file_holds_the_three_demo_communes():
    registry = load_registry(ROOT / "tenants.yaml", CommuneSettings)
    rpi, chatte, genix = (registry.get(s) for s in ("rpi-isere-arly", "chatte", "saint-genix"))
    assert [v.name for v in rpi.villages] == ["Esserts-Blay", "Rognaix", "Saint-Paul-sur-Isère"]
    assert rpi.settings.reservation_deadline.kind == "weekly" and rpi.settings.payment_mode == "tresorerie"
    assert rpi.settings.password_reset == "temporary_password"
    assert chatte.settings.reservation_deadline.days_before == 2
    assert [m.label for m in chatte.settings.absence_motives][0] == "RAISON MEDICALE"
    assert genix.settings.payfip.client_id == "021289" and genix.settings.absence_deadline.kind == "day_before"


def test_villages_are_found_without_accents_or_hyphens():
    registry = load_registry(ROOT / "tenants.yaml", CommuneSettings)
    for query in ("saint paul sur isere", "ST PAUL SUR ISERE", "St-Paul", "paul-sur-isère"):
        assert [e.village.name for e in registry.find_villages(query)] == ["Saint-Paul-sur-Isère"]
    assert {e.village.name for e in registry.find_villages("73730")} == {"Rognaix", "Saint-Paul-sur-Isère"}


def test_production_refuses_an_http_website_naming_the_commune(tmp_path):
    """Issue 15, point 9: an http:// website was allowed in the commune's CSP `form-action`."""
    text = VALID.replace("website: https://www.alpha.test/", "website: http://www.alpha.test/")
    path = tmp_path / "tenants.yaml"
    path.write_text(textwrap.dedent(text))
    assert load_registry(path, CommuneSettings).get("alpha").website.scheme == "http"  # fine for a demo
    with pytest.raises(TenantConfigError, match=r"commune « alpha » invalide :\n  - champ website : en production"):
        load_registry(path, CommuneSettings, production=True)
    path.write_text(textwrap.dedent(VALID))
    assert load_registry(path, CommuneSettings, production=True).get("alpha").website.scheme == "https"


def test_a_production_app_with_an_http_website_does_not_start(tmp_path):
    from tests.conftest import make_settings
    from webapp import create_app

    path = tmp_path / "tenants.yaml"
    path.write_text(textwrap.dedent(VALID.replace("website: https://", "website: http://")))
    with pytest.raises(SystemExit, match="Configuration invalide(.|\n)*« alpha »(.|\n)*https://"):
        create_app(make_settings(tmp_path, tenants_file=path, production=True))

"""Hostile hosts never reach a commune, and never touch any database."""
import pytest

from tests.conftest import make_settings
from tests.helpers import HostClient, recorded_sql
from webapp import create_app


@pytest.mark.parametrize(
    "host",
    ["unknown.test", "127.0.0.1", "127.0.0.1:5000", "[::1]:5000", "alpha.test.evil.example", "evilalpha.test",
     "alpha", "alpha.test@beta.test", "alpha.test.localhost"],
)
def test_unknown_host_is_a_neutral_404_without_sql(client_for, tenant_db, host):
    with recorded_sql() as statements:
        answer = client_for(host).get("/")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "Page introuvable" in text
    assert "Alpha" not in text and "Bêta" not in text and "Mairie" not in text
    assert statements == []


@pytest.mark.parametrize("host", ["ALPHA.TEST", "alpha.test.", "alpha.test:8443", "Www.Alpha.Test"])
def test_spellings_of_a_commune_host_reach_that_commune_only(client_for, host):
    text = client_for(host).get("/").get_data(as_text=True)
    assert "RPI Alpha" in text and "Bêta" not in text


def test_forwarded_host_is_ignored_without_trusted_proxy(client_for):
    answer = client_for("alpha.test").get("/", headers={"X-Forwarded-Host": "beta.test"})
    assert "RPI Alpha" in answer.get_data(as_text=True)
    assert client_for("unknown.test").get("/", headers={"X-Forwarded-Host": "alpha.test"}).status_code == 404


def test_forwarded_host_is_believed_behind_a_declared_proxy(app, tmp_path):
    settings = make_settings(tmp_path, database_url=app.config["SETTINGS"].database_url, trusted_proxies=1)
    proxied = create_app(settings)
    proxied.test_client_class = HostClient
    client = proxied.test_client()
    client.host = "proxy.internal"
    answer = client.get("/", headers={"X-Forwarded-Host": "beta.test"})
    assert "Commune de Bêta" in answer.get_data(as_text=True)
    proxied.extensions["tenancy"].storage.dispose()


def test_static_files_of_an_unknown_host_are_404(client_for):
    assert client_for("unknown.test").get("/static/css/app.css").status_code == 404
    assert client_for("unknown.test").get("/sante").status_code == 404

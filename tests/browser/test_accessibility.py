"""Automatic accessibility check (axe-core, WCAG 2.0/2.1/2.2 levels A and AA).

axe-core ships inside the `axe-playwright-python` wheel and runs in the page: no
network. It finds only part of the problems (labels, contrast, landmarks, ARIA…);
the keyboard and small-screen tests cover some of the rest. Any violation fails
the test with axe's own report.
"""
import pytest

from tests.factories import make_child, make_family

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")

pytestmark = pytest.mark.browser

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}


def axe_violations(page):
    """axe's results on the page as it is now, WCAG A/AA rules only."""
    return axe_module.Axe().run(page, options=OPTIONS)


@pytest.mark.parametrize(
    "host, path",
    [("alpha.test", "/"), ("beta.test", "/"), ("portail.test", "/"), ("portail.test", "/?q=a"),
     ("portail.test", "/?q=Grenoble")],
    ids=["alpha", "beta", "directory", "directory-results", "directory-no-result"],
)
def test_page_has_no_wcag_violation(page, url, host, path):
    page.goto(url(host, path))
    results = axe_violations(page)
    assert results.violations_count == 0, results.generate_report()


def test_login_form_with_errors_has_no_wcag_violation(page, url):
    page.goto(url("alpha.test"))
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()  # empty fields: errors shown
    assert page.get_by_text("Saisissez votre identifiant.").is_visible()
    results = axe_violations(page)
    assert results.violations_count == 0, results.generate_report()


def test_family_home_has_no_wcag_violation(page, url, tenant_db):
    db = tenant_db("alpha")
    make_child(db, make_family(db), first_name="Léna")
    page.goto(url("alpha.test"))
    page.get_by_label("Identifiant", exact=True).fill("100100")
    page.get_by_label("Mot de passe", exact=True).fill("Famille2026")
    with page.expect_navigation(url=url("alpha.test", "/accueil")):
        page.get_by_role("button", name="Connexion").click()
    assert page.get_by_role("cell", name="Léna – voir son planning").is_visible()
    results = axe_violations(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_checker_does_find_a_violation(page, url):
    """Guards the test above: axe really runs and reports (an unlabelled field here)."""
    page.goto(url("alpha.test"))
    page.evaluate("() => document.querySelectorAll('label').forEach(label => label.remove())")
    results = axe_violations(page)
    assert "label" in {violation["id"] for violation in results.response["violations"]}

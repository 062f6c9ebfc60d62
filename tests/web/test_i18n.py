"""French first, English on request: the language switch, French formats, complete catalogues.

The catalogues are webapp/translations/{fr,en}/LC_MESSAGES/messages.po. `make extract-messages`
refreshes them from the code; the completeness test below re-runs the same extraction
in-process, so a text added to the code without an English translation fails here.
"""
import datetime as dt
import os

import flask_babel
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.factories import make_child, make_family
from tests.helpers import csrf_token, sign_in
from webapp import i18n
from webapp.extensions import babel
from webapp.settings import ROOT

try:  # Babel >= 2.14
    from babel.messages.frontend import parse_mapping_cfg
except ImportError:  # pragma: no cover
    from babel.messages.frontend import parse_mapping as parse_mapping_cfg

TRANSLATIONS = ROOT / "webapp" / "translations"
LANGUAGES = ("fr", "en")
NBSP = "\u00a0"  # CLDR fr: no-break space before the currency sign
NNBSP = "\u202f"  # CLDR fr: narrow no-break space between thousands


def po_path(lang: str):
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def read_catalogue(path, lang=None):
    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def compile_catalogues() -> bool:
    """Write each .mo that is missing or older than its .po (what `make translations` does)."""
    compiled = False
    for lang in LANGUAGES:
        po = po_path(lang)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalogue = read_catalogue(po, lang)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with open(partial, "wb") as f:
            write_mo(f, catalogue)  # fuzzy entries left out, as pybabel compile does
        partial.replace(mo)
        compiled = True
    return compiled


@pytest.fixture(scope="session", autouse=True)
def catalogues():
    """Running pytest directly works too: compile the catalogues, then drop Flask-Babel's
    cache in case an earlier test of the session loaded a missing catalogue."""
    domain = vars(babel).get("domain_instance")  # a cached_property: absent until first used
    if compile_catalogues() and domain is not None:
        domain.cache.clear()


def switch_locale(client, locale: str, page: str = "/"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post("/langue", data={"locale": locale, "csrf_token": token})



# --- the language of pages ------------------------------------------------------------------


def test_pages_are_french_by_default(client_for):
    page = client_for("alpha.test").get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Accès famille" in page and ">Connexion<" in page and "Mot de passe oublié ?" in page
    assert "Aller au contenu" in page and "Nous contacter" in page
    assert "Family access" not in page and "Sign in" not in page


def test_switching_to_english_is_remembered_for_this_visitor_only(client_for):
    client = client_for("alpha.test")
    answer = switch_locale(client, "en")
    assert answer.status_code == 303 and answer.headers["Location"] == "/"

    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    for text in ("Family access", "Login ID", "Password", "Forgotten password?", ">Sign in<",
                 "Skip to content", "Contact us", "Commune website", "Language"):
        assert text in page, text
    assert "Accès famille" not in page and "Identifiant" not in page
    assert "RPI Alpha" in page  # proper nouns stay as they are

    # the next page of the same visitor is English too
    page = client.get("/mot-de-passe-oublie").get_data(as_text=True)
    assert '<html lang="en">' in page and "Forgotten password" in page and "Back to sign-in" in page

    # another visitor is still French
    other = client_for("alpha.test").get("/").get_data(as_text=True)
    assert '<html lang="fr">' in other and "Accès famille" in other and "Family access" not in other

    # and back to French
    switch_locale(client, "fr")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Accès famille" in page


def test_unknown_locale_is_ignored(client_for):
    client = client_for("alpha.test")
    assert switch_locale(client, "de").status_code == 303
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_language_switch_needs_the_csrf_token(client_for):
    client = client_for("alpha.test")
    client.get("/")
    assert client.post("/langue", data={"locale": "en"}).status_code == 400
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_signed_in_family_home_in_english(client_for, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, first_name="JEAN", last_name="DUPONT")
    make_child(db, family, first_name="Léna", birth_date=dt.date(2018, 5, 14))
    client = client_for("alpha.test")
    switch_locale(client, "en")
    assert sign_in(client).status_code == 303
    page = client.get("/accueil").get_data(as_text=True)
    assert '<html lang="en">' in page
    for text in ("Hello JEAN DUPONT", "Family no.: 100100", "My children", "Surname", "First name",
                 "Date of birth", "School", "Home", "Sign out", "5/14/2018"):
        assert text in page, text


def test_login_errors_in_english(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    switch_locale(client, "en")
    token = csrf_token(client.get("/").get_data(as_text=True))
    empty = client.post("/connexion", data={"identifiant": "", "password": "", "csrf_token": token})
    assert "Enter your login ID." in empty.get_data(as_text=True)
    assert "Enter your password." in empty.get_data(as_text=True)
    wrong = client.post("/connexion", data={"identifiant": "100100", "password": "Mauvais1", "csrf_token": token})
    assert "Incorrect login ID or password." in wrong.get_data(as_text=True)


def test_directory_in_english_with_plurals(client_for):
    client = client_for("portail.test")
    switch_locale(client, "en")
    one = client.get("/", query_string={"q": "Val-Alpha"}).get_data(as_text=True)
    # Jinja's newstyle gettext marks the translation safe (only its %(…)s values are escaped)
    assert '<html lang="en">' in one and "Find my commune's portal" in one
    assert "1 village found" in one and "Portal: RPI Alpha" in one
    assert "2 portals for communes, RPIs or school boards." in one
    none = client.get("/", query_string={"q": "Grenoble"}).get_data(as_text=True)
    assert "No village found" in none and "No village matches “Grenoble”" in none


def test_error_page_code_line_in_english(client_for):
    client = client_for("alpha.test")
    assert "Code d'erreur : 404" in client.get("/nulle-part").get_data(as_text=True)
    switch_locale(client, "en")
    page = client.get("/nulle-part").get_data(as_text=True)
    assert '<html lang="en">' in page and "Error code: 404" in page


def test_error_page_title_and_text_in_english(client_for):
    client = client_for("alpha.test")
    page = client.get("/nulle-part").get_data(as_text=True)
    assert "Page introuvable" in page and "Cette adresse ne correspond à aucune page de ce portail." in page
    switch_locale(client, "en")
    page = client.get("/nulle-part").get_data(as_text=True)
    assert "Page introuvable" not in page
    assert "Page not found" in page and "This address does not match any page of this portal." in page


# --- French plurals and formats --------------------------------------------------------------


def test_french_plural_rule_makes_zero_singular(app):
    with app.test_request_context():
        assert str(flask_babel.get_locale()) == "fr"
        plural = ("%(num)d village trouvé", "%(num)d villages trouvés")
        assert flask_babel.ngettext(*plural, 0) == "0 village trouvé"
        assert flask_babel.ngettext(*plural, 1) == "1 village trouvé"
        assert flask_babel.ngettext(*plural, 2) == "2 villages trouvés"
        with flask_babel.force_locale("en"):
            assert flask_babel.ngettext(*plural, 0) == "0 villages found"
            assert flask_babel.ngettext(*plural, 1) == "1 village found"


def test_french_dates_and_amounts(app):
    with app.test_request_context():
        assert i18n.long_day(dt.date(2025, 12, 8)) == "lundi 8 décembre"
        assert i18n.long_day(dt.date(2026, 2, 1)) == "dimanche 1 février"
        assert i18n.money(12060) == f"120,60{NBSP}€"
        assert i18n.money(5) == f"0,05{NBSP}€"
        assert i18n.money(123456789) == f"1{NNBSP}234{NNBSP}567,89{NBSP}€"
        with flask_babel.force_locale("en"):
            assert i18n.long_day(dt.date(2025, 12, 8)) == "Monday 8 December"
            assert i18n.money(12060) == "€120.60"


# --- the catalogues --------------------------------------------------------------------------


def _key(message, context=None):
    """The catalogue key of a message: its (singular) msgid, with its context if any."""
    msgid = message[0] if isinstance(message, (tuple, list)) else message
    return (msgid, context) if context else msgid


def extract_messages() -> dict:
    """What `make extract-messages` would put in messages.pot: {key: (message, [locations])}."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    # Babel < 2.18 ignores babel.cfg's per-section keywords (the Makefile passes them with -k):
    # merge them here so both Babel versions see the same keywords.
    keywords = dict(DEFAULT_KEYWORDS)
    for options in options_map.values():
        extra = options.get("keywords")
        if isinstance(extra, str):
            extra = parse_keywords(extra.split())
        keywords.update(extra or {})
    found: dict = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        if not _key(message):
            continue
        found.setdefault(_key(message, context), (message, []))[1].append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    found = extract_messages()
    # the extraction itself works: Python lazy_gettext, templates' _() and ngettext()
    assert "Identifiant" in found and "Accès famille" in found
    assert found["%(num)d village trouvé"][0] == ("%(num)d village trouvé", "%(num)d villages trouvés")
    return found


def _msgids(message) -> tuple:
    return tuple(message) if isinstance(message, (tuple, list)) else (message,)


def _active(catalogue) -> dict:
    return {_key(m.id, m.context): m for m in catalogue if m.id}


def test_messages_pot_is_up_to_date(extracted):
    template = _active(read_catalogue(TRANSLATIONS / "messages.pot"))
    missing = {k: v[1] for k, v in extracted.items() if k not in template}
    changed = [k for k, (message, _) in extracted.items()
               if k in template and _msgids(message) != _msgids(template[k].id)]
    stale = sorted(set(template) - set(extracted))
    assert not missing, f"run `make extract-messages`: not in messages.pot: {missing}"
    assert not stale, f"run `make extract-messages`: no longer in the code: {stale}"
    assert not changed, f"run `make extract-messages`: singular/plural changed: {changed}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_translates_every_message(extracted, lang):
    catalogue = read_catalogue(po_path(lang), lang)
    entries = _active(catalogue)
    problems = []
    for key, (message, where) in extracted.items():
        entry = entries.get(key)
        if entry is None:
            problems.append(f"missing (run `make extract-messages`): {key!r} at {where[0]}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r} at {where[0]}")
        plural = isinstance(message, (tuple, list))
        if plural != entry.pluralizable or _msgids(message) != _msgids(entry.id):
            problems.append(f"singular/plural differs from the code (run `make extract-messages`): {key!r}")
            continue
        strings = entry.string if entry.pluralizable else (entry.string,)
        if (plural and len(strings) != catalogue.num_plurals) or not all(s.strip() for s in strings):
            problems.append(f"not translated: {key!r} at {where[0]}")
        elif lang == "fr" and tuple(strings) != _msgids(message):
            problems.append(f"French msgstr must repeat the msgid: {key!r}")
    stale = sorted(set(entries) - set(extracted))
    if stale:
        problems.append(f"no longer in the code (run `make extract-messages`): {stale}")
    for entry, errors in catalogue.check():  # placeholders such as %(name)s kept, plural count
        if entry.id and not entry.fuzzy:
            problems.extend(f"{entry.id!r}: {error}" for error in errors)
    assert not problems, f"{po_path(lang).relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang, rule", [("fr", "nplurals=2; plural=(n > 1);"), ("en", "nplurals=2; plural=(n != 1);")])
def test_plural_forms_header(lang, rule):
    """French: 0 and 1 are singular (« 0 village trouvé »); English: only 1 is."""
    assert f'"Plural-Forms: {rule}\\n"' in po_path(lang).read_text(encoding="utf-8")
    assert read_catalogue(po_path(lang)).plural_forms == rule

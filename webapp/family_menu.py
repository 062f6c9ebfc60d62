"""The family's main menu, written once per (host, language, page, unread count) and reused.

Every family page carries the same menu but for the current page (aria-current) and the
unread count: ~15 links and translations that cost more than the rest of base.html. The
text is kept by what it depends on, in a bounded process-local dict; the CSRF token of the
« Déconnexion » form is the visitor's own and is put in on each visit. The count is read
fresh for each page (see webapp.messages.views), so a new message shows on the next page.
"""
import secrets
import threading

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup, escape

MAX_MENUS = 2000  # pages × languages × counts × hosts; beyond it the store starts again empty
_CSRF_SLOT = f"\x00csrf-{secrets.token_hex(8)}\x00"
_menus: dict = {}
_lock = threading.Lock()


def family_menu(unread: int, csrf_token: str) -> Markup:
    """The <nav> of a signed-in family's page (base.html), with the page's CSRF token."""
    key = (request.host, request.script_root, str(get_locale()), request.endpoint, unread)
    parts = _menus.get(key)
    if parts is None:
        html = render_template("_family_menu.html", unread=unread, csrf_slot=Markup(_CSRF_SLOT))
        head, _found, tail = html.partition(_CSRF_SLOT)
        parts = (head, tail)
        with _lock:
            if len(_menus) >= MAX_MENUS:
                _menus.clear()
            _menus[key] = parts
    return Markup(parts[0] + str(escape(csrf_token)) + parts[1])

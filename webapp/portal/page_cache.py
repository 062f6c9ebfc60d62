"""The anonymous login page, rendered once per commune and language.

It is the most visited page and the same for every visitor of a commune but for the
CSRF token, so the HTML is kept with a placeholder where the token goes, and each
request only signs its own token. Templates and tenants.yaml change only at restart.
"""
import secrets
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from flask import g
from flask_wtf.csrf import generate_csrf

_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"  # unguessable: no page text can contain it
_LIMIT = 512  # communes × languages kept per worker (about 8 KB each)


class PageCache:
    def __init__(self, limit: int = _LIMIT):
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._limit = limit
        self._lock = Lock()

    def render(self, key: tuple, render: Callable[[], str]) -> str:
        """The page for `key` with this visitor's CSRF token in it."""
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self._pages.move_to_end(key)
        if html is None:
            html = self._render_with_placeholder(render)
            with self._lock:
                self._pages[key] = html
                if len(self._pages) > self._limit:
                    self._pages.popitem(last=False)
        return html.replace(_PLACEHOLDER, generate_csrf())

    @staticmethod
    def _render_with_placeholder(render: Callable[[], str]) -> str:
        g.csrf_token = _PLACEHOLDER  # generate_csrf() returns g.csrf_token when it is set
        try:
            return render()
        finally:
            g.pop("csrf_token", None)


login_pages = PageCache()

"""Ids in URLs: `<int:…>` stops at the largest BIGINT, so a longer number is a 404, not a database error.

SQLite's driver raises OverflowError on an integer above 2**63 - 1 (PostgreSQL would compare it as a
numeric): without this bound, /factures/99999999999999999999 answered 500.
"""
from werkzeug.routing import IntegerConverter

from webapp.ids import BIGINT_MAX


class BigintConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", BIGINT_MAX)
        super().__init__(url_map, *args, **kwargs)


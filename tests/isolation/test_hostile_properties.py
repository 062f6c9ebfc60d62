"""Every form fed random values (hypothesis): whatever a visitor types, never a 500, never a traceback.

Each POST route of a commune (the route matrix's, as tests/isolation/test_hostile_input.py walks them) is
posted by the kind of visitor it is for, with the fields its page really shows: random Unicode text and
control characters, huge and negative numbers, digits of other scripts (« ١٢ », « １２ », « ² »), dates of
any year and impossible ones, months, planning cells, the seeded ids, the page's own values and options, a
field sent twice or left out, random bytes as files. The query strings of every page get the same values.

Bounded and repeatable: derandomized (the same examples on every run, CI never differs from a laptop), no
example database, EXAMPLES per route; about half a minute on SQLite for both kinds of visitor.
"""
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.isolation.test_hostile_input import (  # noqa: F401  (autouse: agent codes follow the clock)
    COMMON_FIELDS, LAST, QUERY_NAMES, _agent_codes_follow_the_clock, concrete_paths, discover_forms, fresh_token,
    seed, signed_in,
)
from tests.payfip.conftest import alpha_on_payfip, standin  # noqa: F401  (alpha pays online: PayFiP reached)

EXAMPLES = 6  # per POST route and visitor: ~60 routes × 2 visitors × 6 posts
QUERY_EXAMPLES = 3  # per page, for the query strings
TRACEBACK = b"Traceback (most recent call last)"  # bytes: PDFs and CSVs are answers too
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   phases=(Phase.explicit, Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck))

# Text a browser can send (no lone surrogates: they cannot be UTF-8 encoded), control characters included.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
CONTROLS = st.text(st.characters(min_codepoint=0, max_codepoint=0x9F, blacklist_categories=("Cs",)), min_size=1,
                   max_size=8)
SEPARATORS = st.sampled_from(["\n", "\r\n", "\t", "\u2028", "\u2029", "\x85", "\x00", "\u202e", "\ufeff"])
DIGITS = st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９²³¹", min_size=1, max_size=22)
NUMBERS = st.one_of(st.integers(-10**25, 10**25).map(str), st.floats().map(repr),
                    st.sampled_from(["NaN", "inf", "-0", "1e309", "0x10", "1_000", " 12 ", "12,50", "12.5.1"]))
ODD_DATES = st.tuples(st.integers(0, 99_999), st.integers(-1, 13), st.integers(-1, 32)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
DATES = st.one_of(st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"), ODD_DATES,
                  st.dates(dt.date(2025, 9, 1), dt.date(2026, 7, 3)).map(dt.date.isoformat))
MONTHS = st.tuples(st.integers(0, 99_999), st.integers(-1, 13)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}")
HUGE = st.integers(1, 12_000).map(lambda n: "9" * n)
# The ends of what a type holds, where overflows live (hypothesis seldom draws them from a wide range).
EDGES = st.sampled_from(["0001-01-01", "9999-12-31", "0001-01", "9999-12", "0000-00-00", str(2**63), str(2**63 - 1),
                         "-" + str(2**63), "0", "00", "", " ", "/", "//evil.example", "/\n", "%00", "999999"])


def value_strategy(field, ids):
    """What one field may get: its page's value or options, or anything hostile."""
    default, _kind, options = field
    known = st.sampled_from([default, *options, *ids]) if (default or options or ids) else st.just("")
    cell = st.tuples(st.sampled_from(ids) | DIGITS, st.sampled_from(ids) | DIGITS, DATES).map(":".join)
    cell = cell | st.tuples(st.sampled_from(ids), EDGES, DATES).map(":".join)
    mixed = st.tuples(known, SEPARATORS, ANY_TEXT | st.just("")).map("".join)  # « value\n »: what $ let through
    return st.one_of(known, EDGES, mixed, cell, ANY_TEXT, CONTROLS, DIGITS, NUMBERS, DATES, MONTHS, HUGE)


def form_strategy(fields, ids):
    """A whole submission: each field left out, sent once or twice; files get random bytes."""
    pairs = []
    for name, field in fields.items():
        if name.endswith("csrf_token"):
            continue
        if field[1] == "file":
            upload = st.tuples(st.binary(max_size=300), ANY_TEXT).map(lambda b: (io.BytesIO(b[0]), b[1] or "f"))
            pairs.append(st.lists(upload, max_size=1).map(lambda files, n=name: [(n, f) for f in files]))
        else:
            pairs.append(st.lists(value_strategy(field, ids), max_size=2).map(
                lambda values, n=name: [(n, v) for v in values]))
    return st.tuples(*pairs).map(lambda groups: [pair for group in groups for pair in group])


def post_routes(app, values):
    posts = sorted(((e, p) for e, m, p in concrete_paths(app, values)
                    if m == "POST" and not e.startswith(("federation.", "dev_mail."))),
                   key=lambda r: any(word in r[1] for word in LAST))  # destructive ones last
    return posts


def for_this_visitor(kind, path) -> bool:
    """An agent posts to /agent/… pages, a family to the others (the doors are the route matrix's test)."""
    return path.startswith("/agent/") == (kind == "agent")


@pytest.mark.parametrize("kind", ["family", "agent"])
def test_random_values_on_every_form_never_answer_500(app, client_for, tenant_db, kind, standin, alpha_on_payfip):
    values = seed(tenant_db("alpha"))
    client = signed_in(kind, client_for, tenant_db)
    paths = list(concrete_paths(app, values))
    forms = discover_forms(client, paths)
    ids = sorted({values[k] for k in ("child_id", "family_id", "service_id", "invoice_id", "request_id",
                                      "message_id", "draft_id")} | {"100100", "2025-12", "medical", "accepter"})
    routes = [(e, p) for e, p in post_routes(app, values) if for_this_visitor(kind, p)]
    assert len(routes) >= (25 if kind == "agent" else 15), routes
    for endpoint, path in routes:
        fields = forms.get(path) or {name: ("", "text", []) for name in COMMON_FIELDS}
        prefixed = [(n, f[0]) for n, f in fields.items() if n.endswith("csrf_token") and n != "csrf_token"]
        token = fresh_token(client)

        @BOUNDED
        @given(pairs=form_strategy(fields, ids))
        def never_500(pairs):
            data = MultiDict([("csrf_token", token), *prefixed, *pairs])
            answer = client.post(path, data=data, content_type="multipart/form-data")
            where = f"{kind} POST {path} ({endpoint}) {pairs!r:.400}"
            assert answer.status_code < 500, where
            assert TRACEBACK not in answer.get_data(), where

        never_500()


@pytest.mark.parametrize("kind", ["family", "agent"])
def test_random_query_strings_on_every_page_never_answer_500(app, client_for, tenant_db, kind):
    values = seed(tenant_db("alpha"))
    client = signed_in(kind, client_for, tenant_db)
    pages = sorted({p for e, m, p in concrete_paths(app, values)
                    if m == "GET" and not e.startswith(("federation.", "dev_mail.")) and for_this_visitor(kind, p)})
    assert len(pages) >= (20 if kind == "agent" else 10), pages
    query_value = st.one_of(EDGES, ANY_TEXT, CONTROLS, DIGITS, NUMBERS, DATES, MONTHS, HUGE)
    query = st.dictionaries(st.sampled_from(QUERY_NAMES), query_value, min_size=1, max_size=4)
    for path in pages:
        @settings(BOUNDED, max_examples=QUERY_EXAMPLES)
        @given(args=query)
        def never_500(args):
            answer = client.get(f"{path}?{urlencode(args)}")
            assert answer.status_code < 500, (kind, path, args)
            assert TRACEBACK not in answer.get_data(), (kind, path, args)

        never_500()

"""Find families by number, name, a child's name or e-mail, ignoring accents and case.

Plain Python and SQLAlchemy. Accent folding is not portable in SQL (SQLite has no unaccent),
so the few name columns of the commune are read in ONE query and matched in Python: a
commune has a few thousand children at most. Then one query loads the page's families.
"""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tenancy.registry import fold
from webapp.families.models import Child, Family

PAGE_SIZE = 25
QUERY_MAX = 80


@dataclass
class SearchPage:
    families: list[Family] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _haystacks(session: Session) -> dict[int, tuple[tuple, list[str]]]:
    """family id → (sort key, folded texts it can be found by: number, names, e-mail, children's names)."""
    rows = session.execute(
        select(Family.id, Family.number, Family.last_name, Family.first_name, Family.email,
               Child.last_name, Child.first_name)
        .outerjoin(Child, Child.family_id == Family.id)
    ).all()
    found: dict[int, tuple[tuple, list[str]]] = {}
    for family_id, number, last, first, email, child_last, child_first in rows:
        if family_id not in found:
            found[family_id] = ((fold(last), fold(first), number),
                                [number.casefold(), fold(f"{last} {first}"), fold(f"{first} {last}"),
                                 (email or "").casefold()])
        if child_first is not None:
            found[family_id][1].extend([fold(f"{child_last} {child_first}"), fold(f"{child_first} {child_last}")])
    return found


def search_families(session: Session, query: str, page: int = 1, page_size: int = PAGE_SIZE) -> SearchPage:
    """Families matching every word of `query` (all families when it is empty), by name."""
    words = fold(query[:QUERY_MAX]).split()
    matching = sorted((key, family_id) for family_id, (key, texts) in _haystacks(session).items()
                      if all(any(word in text for text in texts) for word in words))
    total = len(matching)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    families: list[Family] = []
    page_ids = [family_id for _key, family_id in matching[(page - 1) * page_size: page * page_size]]
    if page_ids:
        loaded = session.scalars(select(Family).where(Family.id.in_(page_ids))
                                 .options(selectinload(Family.children))).all()
        by_id = {family.id: family for family in loaded}
        families = [by_id[i] for i in page_ids if i in by_id]
    return SearchPage(families=families, total=total, page=page, pages=pages)


def families_by_id(session: Session, ids: list[int]) -> list[Family]:
    """Those families of the commune, children loaded, by number (unknown ids are ignored)."""
    if not ids:
        return []
    return list(session.scalars(select(Family).where(Family.id.in_(ids)).order_by(Family.number)
                                .options(selectinload(Family.children))))

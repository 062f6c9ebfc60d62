"""Ids typed by visitors (forms, query strings): ASCII digits within BIGINT, else no id.

« ² » and « ١٢ » pass str.isdigit() yet int() rejects the first and reads the second as 12;
a number above BIGINT makes SQLite's driver raise. Plain Python, for views and domain alike.
"""
BIGINT_MAX = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """The id `text` spells, or None."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= BIGINT_MAX else None


def parse_ids(texts) -> set[int]:
    """The ids among `texts`, others dropped."""
    return {value for value in map(parse_id, texts) if value is not None}

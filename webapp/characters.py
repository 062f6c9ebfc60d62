"""The one rule for control characters in what visitors type; plain Python, for forms and domain alike.

A one-line field (name, city, reason, code…) takes no control character at all: CR, LF and TAB
included (they end a CSV line, an e-mail header, a PDF line), nor the Unicode line and paragraph
separators. A multi-line field (message, remarks, allergies) keeps line breaks and tabs, but no
other control character (NUL, escape, backspace, NEL…).
"""
import unicodedata

_LINE_BREAKS = "\r\n\t"
_SINGLE_LINE_REFUSED = ("Cc", "Zl", "Zp")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` holds a character its kind of field refuses."""
    if multiline:
        return any(unicodedata.category(c) == "Cc" and c not in _LINE_BREAKS for c in text)
    return any(unicodedata.category(c) in _SINGLE_LINE_REFUSED for c in text)
